"""The run behind ``skfashion benchmark``: fit, time and score every model.

Every model is fitted through the same ``Pipeline([PixelScaler(), model])`` on
the same training data and scored on the same test images. Models whose result
depends on the seed are fitted once per repeat (seeds ``random_state``,
``random_state + 1``, ...), so the table shows a mean and a spread; the others
are fitted once.
"""

import time
import warnings
from dataclasses import asdict, dataclass, field
from typing import Optional

import numpy as np

from ._models import MODELS, PAPER_ACCURACY, resolve_models
from ._stats import mcnemar

#: The test images are predicted in this many chunks (progress, and an estimate).
PREDICT_CHUNKS = 10


@dataclass
class Result:
    """One model's results over its runs.

    A dataclass: each parameter is kept as the attribute of its name.
    :meth:`from_runs` makes one from the runs, as :func:`run_benchmark` does.

    Parameters
    ----------
    model, label : str
        Name and display name.
    keras : bool
        A Keras model.
    runs : list of dict
        Per run: ``seed``, ``accuracy``, ``fit_seconds``, ``predict_seconds``.
    accuracy, accuracy_std : float
        Mean and standard deviation of the test accuracy over the runs.
    fit_seconds, fit_std : float
        Mean and standard deviation of the fit time.
    predict_ms_per_1000 : float
        Mean time to predict 1,000 test images.
    paper_accuracy : float or None, default=None
        The published figure for this kind of model.
    predict_std : float, default=0.0
        Standard deviation of the prediction time over the runs (ms per 1,000
        images; 0 for a model run once).
    n_train, n_test : int, default=0
        Training and test images.
    y_pred : list, default=[]
        Test predictions of the first run.
    history : dict, default={}
        Training history of the first run (Keras models).
    y_confidence : list, default=[]
        The probability the first run gave each test prediction (the row
        maximum of ``predict_proba``; Keras models).

    See Also
    --------
    run_benchmark : Returns one per model.
    format_table : The results as a Markdown table.

    Examples
    --------
    >>> from skfashion.benchmark import Result
    >>> runs = [{"seed": 0, "accuracy": 0.75, "fit_seconds": 1.0, "predict_seconds": 0.002,
    ...          "y_pred": [0, 1, 2, 2]},
    ...         {"seed": 1, "accuracy": 0.85, "fit_seconds": 1.2, "predict_seconds": 0.002}]
    >>> result = Result.from_runs("softmax", runs, n_train=3000)
    >>> result.label, round(result.accuracy, 2), round(result.accuracy_std, 4), result.n_test
    ('SoftmaxClassifier (tutorial)', 0.8, 0.0707, 4)
    >>> result.predict_ms_per_1000  # 2 ms for 4 images
    500.0
    """

    model: str
    label: str
    keras: bool
    runs: list
    accuracy: float
    accuracy_std: float
    fit_seconds: float
    fit_std: float
    predict_ms_per_1000: float
    paper_accuracy: Optional[float] = None
    predict_std: float = 0.0  # ms per 1,000 images, over the runs
    n_train: int = 0
    n_test: int = 0
    y_pred: list = field(default_factory=list, repr=False)
    history: dict = field(default_factory=dict, repr=False)
    y_confidence: list = field(default_factory=list, repr=False)

    @property
    def total_seconds(self):
        """Fit plus prediction of the whole test set, the time a user pays."""
        return self.fit_seconds + self.predict_ms_per_1000 * self.n_test / 1e6

    def row(self):
        """The public fields, without the per-sample predictions and history.

        Returns
        -------
        row : dict
        """
        d = asdict(self)
        for per_sample in ("y_pred", "history", "y_confidence"):
            d.pop(per_sample)
        return d

    @classmethod
    def from_runs(cls, model, runs, *, n_train=0, n_test=None):
        """The result of one of :data:`MODELS`' runs: their mean and spread.

        This is how :func:`run_benchmark` summarizes a model's repeats: the mean
        and standard deviation (``ddof=1``; 0 for one run) of the accuracy, fit
        time and prediction time, with the label, kind and published figure
        from :data:`MODELS` and :data:`PAPER_ACCURACY`.

        Parameters
        ----------
        model : str
            A key of :data:`MODELS`.
        runs : list of dict
            Per run: ``seed``, ``accuracy``, ``fit_seconds`` and
            ``predict_seconds`` (for the whole test set); the first run may
            also hold ``y_pred``, ``history`` and ``y_confidence``.
        n_train : int, default=0
            Training images.
        n_test : int, default=None
            Test images; None takes the length of the first run's ``y_pred``.

        Returns
        -------
        result : Result

        Raises
        ------
        ValueError
            An unknown model, no runs, a run without one of the four figures,
            or no ``n_test`` and no ``y_pred`` to count it from.
        """
        if model not in MODELS:
            raise ValueError(f"Unknown model {model!r}; known: {', '.join(MODELS)}.")
        if not runs:
            raise ValueError(f"No runs of {model!r} to summarize.")
        figures = ("seed", "accuracy", "fit_seconds", "predict_seconds")
        for run in runs:
            missing = [k for k in figures if k not in run]
            if missing:
                raise ValueError(f"A run of {model!r} lacks {', '.join(missing)}.")
        first = runs[0]
        if n_test is None:
            if "y_pred" not in first:
                raise ValueError("n_test is needed where the first run has no y_pred.")
            n_test = len(first["y_pred"])
        spec = MODELS[model]

        def mean_std(key, scale=1.0):
            values = scale * np.array([r[key] for r in runs], dtype=float)
            return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0

        accuracy, accuracy_std = mean_std("accuracy")
        fit_seconds, fit_std = mean_std("fit_seconds")
        predict_ms, predict_std = mean_std("predict_seconds", 1e6 / n_test)
        return cls(
            model=model, label=spec.label, keras=spec.keras,
            runs=[{k: r[k] for k in figures} for r in runs],
            accuracy=accuracy, accuracy_std=accuracy_std, fit_seconds=fit_seconds,
            fit_std=fit_std, predict_ms_per_1000=predict_ms, predict_std=predict_std,
            paper_accuracy=PAPER_ACCURACY.get(model), n_train=n_train, n_test=n_test,
            y_pred=first.get("y_pred", []), history=first.get("history", {}),
            y_confidence=first.get("y_confidence", []),
        )


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


def _predict(pipe, X_test, progress):
    parts = []
    for i, chunk in enumerate(np.array_split(np.arange(len(X_test)), PREDICT_CHUNKS)):
        parts.append(pipe.predict(X_test[chunk]))
        if progress is not None:
            progress.phase("predict", (i + 1) / PREDICT_CHUNKS)
    return np.concatenate(parts)


def fit_once(name, X_train, y_train, X_test, y_test, *, seed=0, n_jobs=1, progress=None,
             run=1, runs=1):
    """Fit one model of ``MODELS`` with one seed; return a run's dict.

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
    t0 = time.perf_counter()
    y_pred = _predict(pipe, X_test, progress)
    predict_seconds = time.perf_counter() - t0
    confidence = []
    if spec.keras:  # for the report's most confident mistakes; not timed
        confidence = np.round(pipe.predict_proba(X_test).max(axis=1), 4).tolist()
    return {
        "seed": seed, "accuracy": float(np.mean(y_pred == y_test)),
        "fit_seconds": fit_seconds, "predict_seconds": predict_seconds,
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


def compare_best(results, y_test):
    """McNemar's test between the best Keras model and the best classical model.

    Uses the first run of each (same test images, same seed).

    Parameters
    ----------
    results : list of Result
        From :func:`run_benchmark`.
    y_test : array-like of shape (n_samples,)
        The test labels.

    Returns
    -------
    comparison : dict or None
        The two models and :func:`~skfashion.benchmark.mcnemar`'s result;
        None when the results lack one of the two kinds.

    See Also
    --------
    format_comparison : The result as a sentence.
    run_benchmark : Makes the results compared.

    Examples
    --------
    >>> from skfashion.benchmark import Result, compare_best
    >>> def first_run(accuracy, y_pred):
    ...     return [{"seed": 0, "accuracy": accuracy, "fit_seconds": 1.0,
    ...              "predict_seconds": 0.002, "y_pred": y_pred}]
    >>> results = [Result.from_runs("softmax", first_run(0.75, [0, 1, 2, 2])),
    ...            Result.from_runs("logistic", first_run(0.5, [0, 1, 1, 1]))]
    >>> comparison = compare_best(results, y_test=[0, 1, 2, 3])
    >>> comparison["a_label"], comparison["b_label"], comparison["p_value"]
    ('SoftmaxClassifier (tutorial)', 'LogisticRegression', 1.0)
    """
    keras_best = max((r for r in results if r.keras), key=lambda r: r.accuracy, default=None)
    classical = max((r for r in results if not r.keras), key=lambda r: r.accuracy, default=None)
    if keras_best is None or classical is None:
        return None
    test = mcnemar(y_test, keras_best.y_pred, classical.y_pred)
    return {"a": keras_best.model, "a_label": keras_best.label,
            "a_accuracy": keras_best.runs[0]["accuracy"], "b": classical.model,
            "b_label": classical.label, "b_accuracy": classical.runs[0]["accuracy"], **test}


def format_table(results):
    """A Markdown table of the results, best mean accuracy first.

    Parameters
    ----------
    results : list of Result
        From :func:`run_benchmark`.

    Returns
    -------
    table : str

    See Also
    --------
    write_report : Writes this table, and more, to files.

    Examples
    --------
    >>> from skfashion.benchmark import Result, format_table
    >>> run = {"seed": 0, "accuracy": 0.75, "fit_seconds": 1.0, "predict_seconds": 0.002,
    ...        "y_pred": [0, 1, 2, 2]}
    >>> classical = Result.from_runs("logistic", [{**run, "accuracy": 0.5, "seed": None}])
    >>> keras_model = Result.from_runs("softmax", [run])
    >>> print(format_table([classical, keras_model]).splitlines()[2])
    | SoftmaxClassifier (tutorial) | 0.7500 | ...
    """
    header = "| " + " | ".join(TABLE_COLUMNS) + " |\n|---|---:|---:|---:|---:|---:|\n"
    rows = ["| " + " | ".join(cells) + " |" for cells in table_rows(results)]
    return header + "\n".join(rows) + "\n"


#: The columns of the results table (Markdown, the terminal and report.html).
TABLE_COLUMNS = ("model", "test accuracy", "runs", "paper", "fit (s)",
                 "predict (ms / 1,000 images)")


def table_rows(results):
    """The cells of the results table, best mean accuracy first.

    Means with ± one standard deviation over the runs where a model ran more
    than once (accuracy, fit time and prediction time alike).

    Parameters
    ----------
    results : list of Result
        From :func:`run_benchmark`.

    Returns
    -------
    rows : list of tuple of str
        One tuple of cells per model, in the order of ``TABLE_COLUMNS``.
    """
    rows = []
    for r in sorted(results, key=lambda r: -r.accuracy):
        several = len(r.runs) > 1
        paper = f"{r.paper_accuracy:.3f}" if r.paper_accuracy is not None else ""
        rows.append((
            r.label,
            f"{r.accuracy:.4f}" + (f" ± {r.accuracy_std:.4f}" if several else ""),
            str(len(r.runs)), paper,
            f"{r.fit_seconds:.1f}" + (f" ± {r.fit_std:.1f}" if several else ""),
            f"{r.predict_ms_per_1000:.2f}" + (f" ± {r.predict_std:.2f}" if several else ""),
        ))
    return rows


def format_comparison(comparison):
    """One sentence on :func:`compare_best`'s result.

    Parameters
    ----------
    comparison : dict or None
        From :func:`compare_best`.

    Returns
    -------
    text : str
        Empty when there is nothing to compare.

    See Also
    --------
    compare_best : Makes the comparison this describes.

    Examples
    --------
    >>> from skfashion.benchmark import format_comparison
    >>> print(format_comparison({
    ...     "a_label": "SoftmaxClassifier (tutorial)", "a_accuracy": 0.75,
    ...     "b_label": "LogisticRegression", "b_accuracy": 0.5, "b": 1, "c": 0,
    ...     "method": "exact McNemar (binomial)", "p_value": 1.0}))
    SoftmaxClassifier (tutorial) (0.7500) against LogisticRegression (0.5000) on the same test
    images, first run of each: 1 images only the first gets right, 0 only the second; exact
    McNemar (binomial) p = 1, a difference within what chance explains (p >= 0.05).
    """
    if comparison is None:
        return ""
    verdict = ("more than chance (p < 0.05)" if comparison["p_value"] < 0.05
               else "within what chance explains (p >= 0.05)")
    return (
        f"{comparison['a_label']} ({comparison['a_accuracy']:.4f}) against "
        f"{comparison['b_label']} ({comparison['b_accuracy']:.4f}) on the same test images, "
        f"first run of each: {comparison['b']} images only the first gets right, "
        f"{comparison['c']} only the second; {comparison['method']} p = "
        f"{comparison['p_value']:.3g}, a difference {verdict}."
    )
