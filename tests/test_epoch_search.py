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
