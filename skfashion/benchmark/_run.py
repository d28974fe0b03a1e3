"""The run behind ``skfashion benchmark``: fit, time and score every model.

Every model is fitted through the same ``Pipeline([PixelScaler(), model])`` on
the same training data and scored on the same test images. Models whose result
depends on the seed are fitted once per repeat (seeds ``random_state``,
``random_state + 1``, ...), so the table shows a mean and a spread; the others
are fitted once.
"""

import time
import warnings

import numpy as np

from ._models import MODELS, resolve_models
from ._result import Result


#: Timed predictions of the whole test set after the first (warm-up) call, at
#: most; the table reports their median, every model alike. After the first timed
#: call, more are made only while the timed calls took under PREDICT_BUDGET_S in
#: all (a model that takes minutes per call, such as k-neighbours on the full
#: data, is timed on one warmed call).
PREDICT_REPEATS = 5
PREDICT_BUDGET_S = 5.0


class _EpochProgress:
    """A Keras callback reporting each epoch to the benchmark's progress display."""

    def __new__(cls, progress, run, runs, epochs):
        import keras

        class EpochProgress(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                shown = ", ".join(f"{k} {v:.4f}" for k, v in (logs or {}).items())
                progress.phase(f"fit {run}/{runs}, epoch {epoch + 1}/{epochs}: {shown}",
                               (epoch + 1) / epochs)

        return EpochProgress()


def time_prediction(pipe, X_test, repeats=PREDICT_REPEATS, budget=PREDICT_BUDGET_S,
                    progress=None):
    """Predict the whole test set, warmed; ``(y_pred, first_s, median_s)``.

    The first call warms the model up (a compiled step, caches: what a service
    pays once) and is timed apart; the figure of the table is the median of the
    calls after it (``repeats`` at most, at least one; no new one once they took
    ``budget`` seconds in all), each one call of ``pipe.predict`` on every test
    image, as a benchmark people publish times it. Progress is reported between
    the calls, never inside one.
    """
    times = []
    y_pred = None
    for i in range(1 + max(1, repeats)):
        t0 = time.perf_counter()
        out = pipe.predict(X_test)
        times.append(time.perf_counter() - t0)
        if y_pred is None:
            y_pred = out
        if progress is not None:
            progress.phase("predict", (i + 1) / (1 + max(1, repeats)))
        if i >= 1 and sum(times[1:]) >= budget:
            break
    return np.asarray(y_pred), times[0], float(np.median(times[1:]))


def fit_once(name, X_train, y_train, X_test, y_test, *, seed=0, n_jobs=1, progress=None,
             run=1, runs=1):
    """Fit one model of ``MODELS`` with one seed; return a run's dict.

    ``predict_seconds`` is the median of warmed calls predicting the whole test
    set (:func:`time_prediction`), ``first_predict_seconds`` the first call's.
    The run also carries ``y_pred`` and ``history``, and for Keras models
    ``y_confidence``: each prediction's probability (``predict_proba``'s row
    maximum, computed after the timed prediction, with the clock stopped).
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.pipeline import make_pipeline

    from .._estimators._pixel_scaler import PixelScaler

    spec = MODELS[name]
    estimator = spec.make(seed, n_jobs)
    if progress is not None and spec.keras:
        estimator.set_params(callbacks=[_EpochProgress(progress, run, runs, estimator.epochs)])
    elif progress is not None:
        progress.phase(f"fit {run}/{runs}")
    pipe = make_pipeline(PixelScaler(), estimator)
    with warnings.catch_warnings():
        # The classical models run with fixed iteration budgets (LogisticRegression:
        # 100 lbfgs iterations, as is usual in this comparison); the table shows
        # what that budget reaches, so their convergence warnings are noise here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        if spec.keras:
            fit_seconds, test_curves = _fit_keras(pipe, X_train, y_train, X_test, y_test)
        else:
            t0 = time.perf_counter()
            pipe.fit(X_train, y_train)
            fit_seconds, test_curves = time.perf_counter() - t0, {}
    y_pred, first_predict_seconds, predict_seconds = time_prediction(
        pipe, X_test, progress=progress)
    confidence = []
    if spec.keras:  # for the report's most confident mistakes; not timed
        confidence = np.round(pipe.predict_proba(X_test).max(axis=1), 4).tolist()
    return {
        "seed": seed, "accuracy": float(np.mean(y_pred == y_test)),
        "fit_seconds": fit_seconds, "predict_seconds": predict_seconds,
        "first_predict_seconds": first_predict_seconds,
        "y_pred": y_pred.tolist(), "y_confidence": confidence,
        "history": {**getattr(pipe[-1], "history_", {}), **test_curves},
    }


def _fit_keras(pipe, X_train, y_train, X_test, y_test):
    """Fit a ``Pipeline([PixelScaler(), keras estimator])`` as ``pipe.fit`` would
    (``fit_epochs`` trains exactly as ``fit``), and score the test set after each
    epoch with the clock stopped: the training curves get a test curve, and
    neither the training nor the fit time changes.

    Returns ``(fit_seconds, {"test_loss": [...], "test_accuracy": [...]})``.
    """
    from sklearn.metrics import log_loss

    scaler, estimator = pipe[0], pipe[-1]
    t0 = time.perf_counter()
    X = scaler.fit_transform(X_train)
    fit_seconds = time.perf_counter() - t0
    X_test = scaler.transform(X_test)
    curves: dict = {"test_loss": [], "test_accuracy": []}
    t0 = time.perf_counter()
    for _ in estimator.fit_epochs(X, y_train):
        fit_seconds += time.perf_counter() - t0
        proba = estimator.predict_proba(X_test)
        curves["test_loss"].append(float(log_loss(y_test, proba, labels=estimator.classes_)))
        curves["test_accuracy"].append(
            float(np.mean(estimator.classes_[proba.argmax(axis=1)] == y_test)))
        t0 = time.perf_counter()
    fit_seconds += time.perf_counter() - t0
    return fit_seconds, curves


def _seeds(name, repeats, random_state):
    return [random_state + r for r in range(repeats)] if MODELS[name].seeded else [random_state]


def run_benchmark(X_train, y_train, X_test, y_test, *, models=None, repeats=1, random_state=0,
                  n_jobs=1, progress=None, distributed=False):
    """Fit and score each model; return a list of :class:`Result`.

    Parameters
    ----------
    X_train, y_train, X_test, y_test : ndarray
        Images (any shape :class:`~skfashion.PixelScaler` accepts) and labels.
    models : list of str or str, default=None
        Names from ``MODELS``; None runs ``DEFAULT_MODELS`` (all but SVC).
    repeats : int, default=1
        Runs of each seeded model, with seeds ``random_state + r``.
    random_state : int, default=0
        Seed of the first run.
    n_jobs : int, default=1
        Passed to the models that parallelise (forests, neighbours, SGD).
    progress : object, default=None
        Receives ``start``, ``phase`` and ``done`` calls (see ``_progress``).
    distributed : bool, default=False
        Run the fits as joblib tasks of the active backend (inside
        ``joblib.parallel_config(backend="dask")`` they spread over a Dask
        cluster). Times then include contention between tasks.

    Returns
    -------
    results : list of Result

    See Also
    --------
    format_table : The results as a table.
    compare_best : McNemar's test of the best Keras and classical models.
    write_report : The report with pictures.

    Examples
    --------
    >>> from skfashion.benchmark import run_benchmark
    >>> from skfashion.datasets import load_sample
    >>> (X, y), (X_test, y_test) = load_sample()
    >>> results = run_benchmark(X[:600], y[:600], X_test[:200], y_test[:200],
    ...                         models=["softmax", "logistic"])
    >>> [(r.model, r.keras, len(r.runs), 0.5 < r.accuracy < 1) for r in results]
    [('softmax', True, 1, True), ('logistic', False, 1, True)]
    """
    names = resolve_models(models)
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be a positive integer; got {repeats!r}.")
    n_train, n_test = len(X_train), len(X_test)
    jobs = [(name, seed) for name in names for seed in _seeds(name, repeats, random_state)]
    if distributed:
        from joblib import Parallel, delayed

        if progress is not None:
            progress.start(f"{len(jobs)} fits as parallel tasks", len(jobs))
        out = Parallel(n_jobs=-1)(
            delayed(fit_once)(name, X_train, y_train, X_test, y_test, seed=seed, n_jobs=n_jobs)
            for name, seed in jobs
        )
        if progress is not None:
            progress.done(f"{len(jobs)} fits done")
        by_name: dict = {}
        for (name, _), run in zip(jobs, out):
            by_name.setdefault(name, []).append(run)
        return [Result.from_runs(name, by_name[name], n_train=n_train, n_test=n_test)
                for name in names]
    results = []
    for name in names:
        seeds = _seeds(name, repeats, random_state)
        if progress is not None:
            progress.start(MODELS[name].label, len(seeds))
        runs = [fit_once(name, X_train, y_train, X_test, y_test, seed=seed, n_jobs=n_jobs,
                         progress=progress, run=i + 1, runs=len(seeds))
                for i, seed in enumerate(seeds)]
        result = Result.from_runs(name, runs, n_train=n_train, n_test=n_test)
        results.append(result)
        if progress is not None:
            means = f", means of {len(runs)} runs" if len(runs) > 1 else ""
            progress.done(f"{result.label}: accuracy {result.accuracy:.4f}, "
                          f"fit {result.fit_seconds:.1f} s{means}")
    return results
