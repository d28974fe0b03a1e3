"""The benchmark's Keras runs (issue 21: training curves with a test curve):
trained through ``fit_epochs``, with the test set scored after each epoch while
the clock is stopped. Oracles: a plain ``Pipeline.fit`` of the same seeded model
(the same predictions), and scikit-learn's metrics on the final model (the
last point of each curve)."""

import numpy as np
from sklearn.metrics import accuracy_score, log_loss
from sklearn.pipeline import make_pipeline

from skfashion import PixelScaler
from skfashion.benchmark import MODELS
from skfashion.benchmark._run import fit_once


def test_keras_runs_record_test_curves_without_changing_the_fit(sample):
    (X, y), (X_test, y_test) = sample
    X, y, X_test, y_test = X[:600], y[:600], X_test[:300], y_test[:300]
    run = fit_once("softmax", X, y, X_test, y_test, seed=3)

    oracle = make_pipeline(PixelScaler(), MODELS["softmax"].make(3, 1)).fit(X, y)
    np.testing.assert_array_equal(run["y_pred"], oracle.predict(X_test))
    history = run["history"]
    epochs = oracle[-1].epochs
    assert len(history["loss"]) == len(history["test_loss"]) == epochs
    np.testing.assert_allclose(history["loss"], oracle[-1].history_["loss"], rtol=1e-6)
    proba = oracle.predict_proba(X_test)
    np.testing.assert_allclose(history["test_loss"][-1],
                               log_loss(y_test, proba, labels=oracle.classes_), rtol=1e-5)
    assert history["test_accuracy"][-1] == accuracy_score(y_test, oracle.predict(X_test))
    assert history["test_loss"][0] > history["test_loss"][-1]  # it learned, epoch by epoch


def test_classical_runs_have_no_curves(sample):
    (X, y), (X_test, y_test) = sample
    run = fit_once("logistic", X[:300], y[:300], X_test[:100], y_test[:100])
    assert run["history"] == {}
    assert run["fit_seconds"] > 0
