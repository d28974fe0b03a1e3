import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline

from skfashion import EpochSearchCV, PixelScaler, SoftmaxClassifier


@pytest.fixture(scope="module")
def data(sample):
    (X, y), _ = sample
    return X[:600], y[:600]


def test_scores_equal_grid_search_over_epochs(data):
    X, y = data
    pipe = make_pipeline(PixelScaler(), SoftmaxClassifier(random_state=0))
    cv = StratifiedKFold(3, shuffle=True, random_state=1)
    grid = GridSearchCV(pipe, {"softmaxclassifier__epochs": [1, 2, 4],
                               "softmaxclassifier__learning_rate": [1e-3, 3e-3]},
                        cv=cv, scoring="neg_log_loss").fit(X, y)
    search = EpochSearchCV(pipe, epochs=[4, 1, 2],
                           param_grid={"softmaxclassifier__learning_rate": [1e-3, 3e-3]},
                           cv=cv, scoring="neg_log_loss").fit(X, y)

    def by_params(results):
        return {tuple(sorted(p.items())): [results[f"split{k}_test_score"][i] for k in range(3)]
                for i, p in enumerate(results["params"])}

    ours, theirs = by_params(search.cv_results_), by_params(grid.cv_results_)
    assert ours.keys() == theirs.keys() and len(ours) == 6
    for key in ours:
        np.testing.assert_array_equal(ours[key], theirs[key])  # bit-identical
    assert search.best_params_ == grid.best_params_
    assert search.best_score_ == grid.best_score_
    grid_rows = [tuple(sorted(p.items())) for p in grid.cv_results_["params"]]
    order = [grid_rows.index(tuple(sorted(p.items()))) for p in search.cv_results_["params"]]
    np.testing.assert_array_equal(search.cv_results_["rank_test_score"],
                                  grid.cv_results_["rank_test_score"][order])
    np.testing.assert_array_equal(search.predict_proba(X), grid.predict_proba(X))
    assert search.best_estimator_[-1].n_iter_ == search.best_params_["softmaxclassifier__epochs"]


def test_results_format(data):
    X, y = data
    search = EpochSearchCV(SoftmaxClassifier(random_state=0), epochs=[1, 3], cv=2).fit(
        PixelScaler().transform(X), y)
    res = search.cv_results_
    assert list(res["param_epochs"]) == [1, 3]
    for key in ("mean_test_score", "std_test_score", "rank_test_score", "split0_test_score",
                "split1_test_score", "mean_fit_time", "std_fit_time", "mean_score_time"):
        assert len(res[key]) == 2
    assert res["mean_fit_time"][1] > res["mean_fit_time"][0]  # time up to that epoch
    assert search.n_splits_ == 2 and search.score(PixelScaler().transform(X), y) > 0.5


@pytest.mark.parametrize("kwargs, match", [
    (dict(epochs=[]), "non-empty list of positive integers"),
    (dict(epochs=[0, 2]), "non-empty list of positive integers"),
    (dict(epochs=[2, 2]), "duplicates"),
    (dict(epochs=[1], param_grid={"epochs": [3]}), "searched by epochs="),
])
def test_invalid_settings(data, kwargs, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        EpochSearchCV(SoftmaxClassifier(random_state=0), **kwargs).fit(X.reshape(600, -1), y)


def test_refuses_early_stopping_and_unseeded_models(data):
    X, y = data
    with pytest.raises(ValueError, match="early_stopping"):
        EpochSearchCV(SoftmaxClassifier(early_stopping=True, random_state=0), [1]).fit(X, y)
    with pytest.raises(ValueError, match="integer random_state"):
        EpochSearchCV(SoftmaxClassifier(), [1]).fit(X, y)
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(TypeError, match="ending in LogisticRegression"):
        EpochSearchCV(make_pipeline(PixelScaler(), LogisticRegression()), [1]).fit(X, y)


# ------------------------------------------------------- issue 30, items 6 and 7
def _split_scores(results, n_splits):
    return {tuple(sorted(p.items())): [results[f"split{k}_test_score"][i]
                                       for k in range(n_splits)]
            for i, p in enumerate(results["params"])}


def _assert_equal_to_grid_search(est, epochs, X, y, cv, **fit_params):
    grid = GridSearchCV(est, {"epochs": epochs}, cv=cv).fit(X, y, **fit_params)
    search = EpochSearchCV(est, epochs=epochs, cv=cv).fit(X, y, **fit_params)
    ours = _split_scores(search.cv_results_, cv.get_n_splits())
    theirs = _split_scores(grid.cv_results_, cv.get_n_splits())
    assert ours.keys() == theirs.keys()
    for key in ours:
        np.testing.assert_array_equal(ours[key], theirs[key])
    assert search.best_params_ == grid.best_params_
    return search


def test_sample_weight_reaches_the_scorer_as_in_grid_search(data):
    """scikit-learn 1.9's GridSearchCV scores each fold with its weights."""
    X, y = data
    X = PixelScaler().transform(X)
    w = np.random.RandomState(0).uniform(0.05, 3, len(y))
    cv = StratifiedKFold(3, shuffle=True, random_state=1)
    search = _assert_equal_to_grid_search(SoftmaxClassifier(random_state=0), [1, 2], X, y,
                                          cv, sample_weight=w)
    unweighted = EpochSearchCV(SoftmaxClassifier(random_state=0), epochs=[1, 2], cv=cv)
    unweighted.scoring = lambda est, X_, y_: est.score(X_, y_)  # ignores the weights
    with pytest.warns(UserWarning, match="does not support sample_weight"):
        unweighted.fit(X, y, sample_weight=w)
    assert not np.array_equal(unweighted.cv_results_["split0_test_score"],
                              search.cv_results_["split0_test_score"])


def test_groups_go_to_the_splitter_as_in_grid_search(data):
    from sklearn.model_selection import GroupKFold

    X, y = data
    X = PixelScaler().transform(X)
    groups = np.arange(len(y)) % 7
    grid = GridSearchCV(SoftmaxClassifier(random_state=0), {"epochs": [1, 2]},
                        cv=GroupKFold(3)).fit(X, y, groups=groups)
    search = EpochSearchCV(SoftmaxClassifier(random_state=0), epochs=[1, 2],
                           cv=GroupKFold(3)).fit(X, y, groups=groups)
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"],
                                  grid.cv_results_["mean_test_score"])


class _WarmUp:
    """A learning-rate warm-up over the whole run: reads Keras's params["epochs"]."""

    def __new__(cls):
        import keras

        class WarmUp(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                fraction = (epoch + 1) / self.params["epochs"]
                self.model.optimizer.learning_rate.assign(0.003 * fraction)

        return WarmUp()


class _Counter:
    """Reads only the steps: the shared run stays shared."""

    def __new__(cls):
        import keras

        class Counter(keras.callbacks.Callback):
            seen = 0

            def on_train_begin(self, logs=None):
                self.seen += self.params["steps"]

        return Counter()


@pytest.mark.parametrize("make", [_WarmUp, _Counter], ids=["reads epochs", "reads steps"])
@pytest.mark.parametrize("route", ["constructor", "fit"])
def test_callbacks_that_read_the_run_length_see_each_candidates(data, make, route):
    X, y = data
    X = PixelScaler().transform(X)
    cv = StratifiedKFold(2, shuffle=True, random_state=3)
    if route == "constructor":
        est, fit_params = SoftmaxClassifier(random_state=0, callbacks=[make()]), {}
    else:
        est, fit_params = SoftmaxClassifier(random_state=0), {"callbacks": [make()]}
    _assert_equal_to_grid_search(est, [1, 3], X, y, cv, **fit_params)


def test_shared_run_is_kept_for_callbacks_that_do_not_read_epochs(data, monkeypatch):
    """Sharing is the point of the search: only an epochs-reading callback undoes it."""
    from skfashion.model_selection import _epoch_search

    X, y = data
    X = PixelScaler().transform(X)
    fits = []
    original = SoftmaxClassifier.fit
    monkeypatch.setattr(SoftmaxClassifier, "fit",
                        lambda self, *a, **k: fits.append(1) or original(self, *a, **k))
    cv = StratifiedKFold(2, shuffle=True, random_state=3)
    EpochSearchCV(SoftmaxClassifier(random_state=0, callbacks=[_Counter()]), epochs=[1, 3],
                  cv=cv, refit=False).fit(X, y)
    assert fits == []  # every fold trained once through fit_epochs
    EpochSearchCV(SoftmaxClassifier(random_state=0, callbacks=[_WarmUp()]), epochs=[1, 3],
                  cv=cv, refit=False).fit(X, y)
    assert len(fits) == 4  # two folds x two epoch counts, fitted separately
    assert _epoch_search is not None
