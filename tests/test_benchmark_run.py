"""The benchmark's Keras runs (issue 21: training curves with a test curve):
trained through ``fit_epochs``, with the test set scored after each epoch while
the clock is stopped. Oracles: a plain ``Pipeline.fit`` of the same seeded model
(the same predictions), and scikit-learn's metrics on the final model (the
last point of each curve)."""

import numpy as np
import pytest
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
    # Each prediction's probability, for the report's most confident mistakes
    # (issue 33, item 4): predict_proba's row maximum of the same model.
    np.testing.assert_allclose(run["y_confidence"], np.round(proba.max(axis=1), 4), atol=1e-4)


def test_classical_runs_have_no_curves(sample):
    (X, y), (X_test, y_test) = sample
    run = fit_once("logistic", X[:300], y[:300], X_test[:100], y_test[:100])
    assert run["history"] == {} and run["y_confidence"] == []
    assert run["fit_seconds"] > 0


def test_report_shows_the_most_confident_mistakes_and_flags_a_busy_machine(tmp_path, monkeypatch):
    """The report's misclassified figure is what docs/guide/benchmark.rst says:
    the best Keras model's most confident mistakes with their probability (the
    oracle: the mistakes sorted by the recorded confidence). A run that began
    on a busy machine says so on the accuracy-time figure."""
    pytest.importorskip("matplotlib")
    from skfashion.benchmark import Result, write_report
    from skfashion.benchmark import _report
    from skfashion.plotting import AccuracyTimeDisplay, MisclassifiedDisplay

    y_test = np.arange(40) % 10
    y_pred = y_test.copy()
    y_pred[[3, 7, 12, 25, 31]] = (y_pred[[3, 7, 12, 25, 31]] + 1) % 10
    confidence = np.linspace(0.3, 0.99, 40)[::-1].round(4)  # earlier rows surer
    confidence[31] = 0.999
    images = np.zeros((40, 28, 28), np.uint8)
    runs = [{"seed": 0, "accuracy": 0.875, "fit_seconds": 1.0, "predict_seconds": 0.01}]
    keras_result = Result(model="softmax", label="SoftmaxClassifier", keras=True, runs=runs,
                          accuracy=0.875, accuracy_std=0.0, fit_seconds=1.0, fit_std=0.0,
                          predict_ms_per_1000=250.0, n_train=100, n_test=40,
                          y_pred=y_pred.tolist(), y_confidence=confidence.tolist())
    classical = Result(model="logistic", label="LogisticRegression", keras=False,
                       runs=runs, accuracy=0.9, accuracy_std=0.0, fit_seconds=1.0, fit_std=0.0,
                       predict_ms_per_1000=100.0, n_train=100, n_test=40,
                       y_pred=y_test.tolist())
    seen = {}
    misclassified, accuracy_time = (MisclassifiedDisplay.from_predictions.__func__,
                                    AccuracyTimeDisplay.from_results.__func__)

    def spy_misclassified(cls, *args, **kwargs):
        seen["mistakes"] = disp = misclassified(cls, *args, **kwargs)
        return disp

    def spy_accuracy_time(cls, *args, **kwargs):
        seen["accuracy_time"] = disp = accuracy_time(cls, *args, **kwargs)
        return disp

    monkeypatch.setattr(MisclassifiedDisplay, "from_predictions", classmethod(spy_misclassified))
    monkeypatch.setattr(AccuracyTimeDisplay, "from_results", classmethod(spy_accuracy_time))
    monkeypatch.setattr(_report.os, "cpu_count", lambda: 2)
    report = write_report([keras_result, classical], tmp_path / "r", X_test=images,
                          y_test=y_test, data_source="test data",
                          context={"load_average_start": "1.50, 1.25, 1.00 (1, 5, 15 min)"})
    wrong = np.flatnonzero(y_pred != y_test)
    expected = wrong[np.argsort(-confidence[wrong], kind="stable")]
    np.testing.assert_array_equal(seen["mistakes"].y_true, y_test[expected])
    np.testing.assert_allclose(seen["mistakes"].confidence, confidence[expected])
    assert "most confident mistakes" in report.read_text()
    # the methods say how prediction is timed (issue 43, item 2)
    assert "on the whole test set after a first, untimed warm-up call" in report.read_text()
    note = seen["accuracy_time"].figure_._suptitle
    assert note is not None and "load average 1.50 on 2 cores" in note.get_text()

    quiet = write_report([keras_result, classical], tmp_path / "q", X_test=images,
                         y_test=y_test, data_source="test data",
                         context={"load_average_start": "0.20, 0.25, 0.30 (1, 5, 15 min)"})
    assert quiet.exists() and seen["accuracy_time"].figure_._suptitle is None


def test_result_from_runs_is_the_runs_mean_and_spread():
    """``Result.from_runs`` (what ``run_benchmark`` uses) against ``statistics``:
    means, sample standard deviations, prediction time per 1,000 test images, and
    the first run's predictions; its refusals name what is wrong."""
    import statistics

    from skfashion.benchmark import MODELS, PAPER_ACCURACY, Result

    runs = [{"seed": 3, "accuracy": 0.8, "fit_seconds": 2.0, "predict_seconds": 0.03,
             "y_pred": [1, 2, 3], "history": {"loss": [1.0]}, "y_confidence": [0.9] * 3},
            {"seed": 4, "accuracy": 0.9, "fit_seconds": 3.0, "predict_seconds": 0.06,
             "y_pred": [0, 0, 0]}]
    result = Result.from_runs("logistic", runs, n_train=10)
    assert (result.label, result.keras) == (MODELS["logistic"].label, False)
    assert result.paper_accuracy == PAPER_ACCURACY["logistic"]
    assert result.accuracy == pytest.approx(0.85)
    assert result.accuracy_std == pytest.approx(statistics.stdev([0.8, 0.9]))
    assert result.fit_std == pytest.approx(statistics.stdev([2.0, 3.0]))
    assert result.n_test == 3 and result.n_train == 10
    assert result.predict_ms_per_1000 == pytest.approx(1e6 * 0.045 / 3)
    assert result.predict_std == pytest.approx(1e6 * statistics.stdev([0.03, 0.06]) / 3)
    assert result.y_pred == [1, 2, 3] and result.history == {"loss": [1.0]}
    assert result.runs == [{k: r[k] for k in ("seed", "accuracy", "fit_seconds",
                                              "predict_seconds")} for r in runs]
    one = Result.from_runs("softmax", runs[1:], n_test=1000)
    assert (one.accuracy_std, one.fit_std, one.predict_std, one.n_test) == (0.0, 0.0, 0.0, 1000)
    assert one.predict_ms_per_1000 == pytest.approx(60.0)  # 60 ms for 1,000 images

    with pytest.raises(ValueError, match="Unknown model 'nope'"):
        Result.from_runs("nope", runs)
    with pytest.raises(ValueError, match="No runs"):
        Result.from_runs("softmax", [])
    with pytest.raises(ValueError, match="lacks fit_seconds"):
        Result.from_runs("softmax", [{"seed": 0, "accuracy": 1.0, "predict_seconds": 1.0}])
    with pytest.raises(ValueError, match="n_test is needed"):
        Result.from_runs("softmax", [{k: runs[0][k] for k in ("seed", "accuracy",
                                                              "fit_seconds", "predict_seconds")}])


def test_prediction_is_timed_warmed_on_the_whole_test_set(sample, monkeypatch):
    """Issue 43, item 2: a benchmark people publish times a warmed call on the whole
    test set (median of several), the first call apart, outside the progress
    updates, for every model alike: every call ``fit_once`` times predicts every
    test image, a slow first call is reported apart and leaves the figure, and
    the predictions are the same pipeline's (the oracle: it fitted alone)."""
    import time

    from sklearn.pipeline import Pipeline

    from skfashion.benchmark import _run

    (X, y), (X_test, y_test) = sample
    X, y, X_test, y_test = X[:300], y[:300], X_test[:200], y_test[:200]
    calls, phases = [], []
    real = Pipeline.predict

    def predict(self, X, **params):  # the first call of a model costs more (a warm-up)
        calls.append(len(X))
        if len(calls) == 1:
            time.sleep(0.3)
        return real(self, X, **params)

    class Progress:
        def phase(self, what, fraction=None):
            phases.append((what, len(calls)))

    monkeypatch.setattr(Pipeline, "predict", predict)
    run = fit_once("logistic", X, y, X_test, y_test, progress=Progress())
    assert calls == [len(X_test)] * (1 + _run.PREDICT_REPEATS)  # whole test set, each call
    assert run["first_predict_seconds"] >= 0.3 > run["predict_seconds"]  # the warm-up apart
    # progress between calls, never inside the timed ones
    assert [n for what, n in phases if what == "predict"] == list(
        range(1, 2 + _run.PREDICT_REPEATS))
    oracle = make_pipeline(PixelScaler(), MODELS["logistic"].make(0, 1)).fit(X, y)
    np.testing.assert_array_equal(run["y_pred"], real(oracle, X_test))


def test_a_slow_prediction_is_timed_on_fewer_warmed_calls():
    """Past the time budget, one warmed call is the figure (k-neighbours on the full
    data takes minutes per call); a fast model gets every repeat."""
    from skfashion.benchmark._run import time_prediction

    class Model:
        calls = 0

        def predict(self, X):
            Model.calls += 1
            return np.zeros(len(X))

    X = np.zeros((7, 3))
    y_pred, first, median = time_prediction(Model(), X, repeats=5, budget=0.0)
    assert Model.calls == 2 and y_pred.shape == (7,) and first >= 0 and median >= 0
    Model.calls = 0
    time_prediction(Model(), X, repeats=5, budget=60.0)
    assert Model.calls == 6
