"""``fit_epochs``, the public epoch iterator: the oracle is ``fit`` itself.

Run to its end it must train exactly as ``fit``; left after k epochs it must
leave exactly ``fit(epochs=k)`` (same weights, history and callback events),
and at every yield the estimator must predict as that fit does.
"""

import keras
import numpy as np
import pytest
from sklearn.pipeline import make_pipeline

from skfashion import EpochSearchCV, KerasClassifier, PixelScaler, SoftmaxClassifier


class Events(keras.callbacks.Callback):
    """Records the training events a callback sees (not batch events)."""

    def __init__(self):
        super().__init__()
        self.events = []

    def on_train_begin(self, logs=None):
        self.events.append("train_begin")

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(f"epoch_end {epoch}")

    def on_train_end(self, logs=None):
        self.events.append("train_end")


def _weights(est):
    return [np.asarray(w) for w in est.model_.get_weights()]


def _assert_same_fit(a, b):
    for wa, wb in zip(_weights(a), _weights(b), strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert a.history_ == b.history_
    assert a.n_iter_ == b.n_iter_


def test_run_to_the_end_equals_fit(small):
    X, y, X_test, _ = small
    oracle = SoftmaxClassifier(epochs=3, random_state=0).fit(X, y)
    est = SoftmaxClassifier(epochs=3, random_state=0)
    assert list(est.fit_epochs(X, y)) == [1, 2, 3]
    _assert_same_fit(est, oracle)
    np.testing.assert_array_equal(est.predict_proba(X_test), oracle.predict_proba(X_test))


@pytest.mark.parametrize("stop_after", [1, 2])
def test_leaving_after_k_epochs_equals_fit_with_k_epochs(small, stop_after):
    X, y, X_test, y_test = small
    seen = Events()
    # An EMA optimizer writes its averages into the weights at Keras's ending:
    # predictions after the loop must include them, as fit's do.
    settings = dict(loss="sparse_categorical_crossentropy", optimizer="adam",
                    optimizer__use_ema=True, random_state=0, validation_split=0.2)
    oracle = KerasClassifier(_dense_model, epochs=stop_after, callbacks=[seen],
                             **settings).fit(X, y)
    events = Events()
    est = KerasClassifier(_dense_model, epochs=4, callbacks=[events], **settings)
    scores = []
    for n_iter in est.fit_epochs(X, y):
        scores.append(est.score(X_test, y_test))
        if n_iter == stop_after:
            break
    _assert_same_fit(est, oracle)
    assert events.events == seen.events  # Keras's ending ran, once
    assert events.events[-1] == "train_end" and events.events.count("train_end") == 1
    np.testing.assert_array_equal(est.predict_proba(X_test), oracle.predict_proba(X_test))
    assert len(scores) == stop_after


def _dense_model(meta):
    return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                             keras.layers.Dense(16, activation="relu"),
                             keras.layers.Dense(meta["n_classes_"], activation="softmax")])


def test_each_yield_predicts_as_that_many_epochs(small):
    X, y, X_test, _ = small
    est = SoftmaxClassifier(epochs=3, random_state=0, hidden_layer_sizes=(8,))
    at = {n: est.predict_proba(X_test) for n in est.fit_epochs(X, y)}
    for k in (1, 2, 3):
        oracle = SoftmaxClassifier(epochs=k, random_state=0, hidden_layer_sizes=(8,)).fit(X, y)
        np.testing.assert_array_equal(at[k], oracle.predict_proba(X_test))


def test_an_error_mid_training_keeps_the_previous_fit(small):
    X, y, X_test, _ = small

    class Fails(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("boom")

    est = SoftmaxClassifier(epochs=1, random_state=0).fit(X, y)
    before, history = est.predict_proba(X_test), est.history_
    est.set_params(epochs=3, callbacks=[Fails()])
    with pytest.raises(RuntimeError, match="boom"):
        for _ in est.fit_epochs(X, y):
            pass
    np.testing.assert_array_equal(est.predict_proba(X_test), before)
    assert est.history_ == history


def test_epoch_search_scores_equal_separate_fits_through_a_pipeline(sample):
    """EpochSearchCV consumes fit_epochs and fits the transformers with Pipeline[:-1]."""
    from sklearn.model_selection import GridSearchCV

    (X, y), _ = sample
    X, y = X[:600], y[:600]
    pipe = make_pipeline(PixelScaler(), SoftmaxClassifier(random_state=0))
    search = EpochSearchCV(pipe, epochs=[1, 3], cv=2).fit(X, y)
    grid = GridSearchCV(pipe, {"softmaxclassifier__epochs": [1, 3]}, cv=2).fit(X, y)
    np.testing.assert_allclose(search.cv_results_["mean_test_score"],
                               grid.cv_results_["mean_test_score"], rtol=0, atol=0)


def test_epoch_search_routes_fit_params_as_pipeline_does(sample):
    """Nested pipeline, a transformer's and the estimator's sample_weight: GridSearchCV
    (Pipeline.fit's routing) is the oracle, score for score."""
    from sklearn.model_selection import GridSearchCV
    from sklearn.preprocessing import StandardScaler

    (X, y), _ = sample
    X, y = X[:600], y[:600]
    w = np.random.RandomState(0).uniform(0.2, 2.0, len(y))
    pipe = make_pipeline(PixelScaler(), make_pipeline(
        StandardScaler(), SoftmaxClassifier(random_state=0, learning_rate=1e-3)))
    params = {"pipeline__standardscaler__sample_weight": w,
              "pipeline__softmaxclassifier__sample_weight": w}
    search = EpochSearchCV(pipe, epochs=[1, 2], cv=2).fit(X, y, **params)
    grid = GridSearchCV(pipe, {"pipeline__softmaxclassifier__epochs": [1, 2]}, cv=2)
    grid.fit(X, y, **params)
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"],
                                  grid.cv_results_["mean_test_score"])
    unweighted = EpochSearchCV(pipe, epochs=[1, 2], cv=2).fit(X, y)
    assert not np.array_equal(unweighted.cv_results_["mean_test_score"],
                              search.cv_results_["mean_test_score"])
    for bad in ({"sample_weight": w}, {"nosuchstep__sample_weight": w}):
        with pytest.raises((ValueError, KeyError)) as theirs:  # scikit-learn's own errors
            GridSearchCV(pipe, {"pipeline__softmaxclassifier__epochs": [1]}, cv=2,
                         error_score="raise").fit(X, y, **bad)
        with pytest.raises((ValueError, KeyError)) as ours:
            EpochSearchCV(pipe, epochs=[1], cv=2).fit(X, y, **bad)
        assert type(ours.value) is type(theirs.value)
