"""The comparison behind ``skfashion benchmark`` and ``benchmarks/bench_classical.py``.

Every model is fitted through the same ``Pipeline([PixelScaler(), model])`` on the
same training data and scored on the same test images.
"""

import time
from dataclasses import asdict, dataclass, field

import numpy as np

#: Fashion-MNIST test accuracy of each classifier's best configuration in the
#: benchmark of Xiao, Rasul and Vollgraf (2017), Table 3.
PAPER_ACCURACY = {
    "svc": 0.897,
    "gradient_boosting": 0.880,
    "random_forest": 0.873,
    "mlp_sklearn": 0.871,
    "knn": 0.854,
    "logistic": 0.842,
    "linear_svc": 0.836,
    "sgd": 0.819,
}


def _softmax(random_state, n_jobs):
    from ._softmax import SoftmaxClassifier

    return SoftmaxClassifier(random_state=random_state, metrics=["accuracy"])


def _mlp(random_state, n_jobs):
    from ._softmax import SoftmaxClassifier

    return SoftmaxClassifier(
        hidden_layer_sizes=(512,), dropout=0.3, optimizer="adam", learning_rate=1e-3,
        batch_size=128, epochs=40, early_stopping=True, validation_fraction=0.1,
        n_iter_no_change=5, metrics=["accuracy"], random_state=random_state,
    )


def _logistic(random_state, n_jobs):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=100)


def _sgd(random_state, n_jobs):
    from sklearn.linear_model import SGDClassifier

    return SGDClassifier(random_state=random_state, n_jobs=n_jobs)


def _linear_svc(random_state, n_jobs):
    from sklearn.svm import LinearSVC

    return LinearSVC(C=0.1, random_state=random_state)


def _knn(random_state, n_jobs):
    from sklearn.neighbors import KNeighborsClassifier

    return KNeighborsClassifier(n_neighbors=5, weights="distance", p=1, n_jobs=n_jobs)


def _random_forest(random_state, n_jobs):
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(n_estimators=100, criterion="entropy", max_depth=100,
                                  n_jobs=n_jobs, random_state=random_state)


def _mlp_sklearn(random_state, n_jobs):
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(hidden_layer_sizes=(100,), activation="relu", early_stopping=True,
                         random_state=random_state)


def _svc(random_state, n_jobs):
    from sklearn.svm import SVC

    return SVC(C=10, kernel="rbf")


@dataclass(frozen=True)
class ModelSpec:
    name: str
    label: str
    make: object
    keras: bool = False
    optional: bool = False
    note: str = ""


MODELS = {
    spec.name: spec
    for spec in [
        ModelSpec("softmax", "SoftmaxClassifier (tutorial)", _softmax, keras=True),
        ModelSpec("mlp", "SoftmaxClassifier MLP (512,), dropout 0.3", _mlp, keras=True),
        ModelSpec("logistic", "LogisticRegression", _logistic),
        ModelSpec("sgd", "SGDClassifier", _sgd),
        ModelSpec("linear_svc", "LinearSVC", _linear_svc),
        ModelSpec("knn", "KNeighborsClassifier (5, distance, p=1)", _knn),
        ModelSpec("random_forest", "RandomForestClassifier (100, entropy)", _random_forest),
        ModelSpec("mlp_sklearn", "MLPClassifier (100,)", _mlp_sklearn),
        ModelSpec("svc", "SVC (C=10, rbf)", _svc, optional=True,
                  note="optional because slow: on 2 cores with the full data it took 282 s "
                       "to fit and 94 s to predict the 10,000 test images (accuracy 0.900, "
                       "measured 2026-11-27); add it with --models"),
    ]
}
DEFAULT_MODELS = [name for name, spec in MODELS.items() if not spec.optional]


@dataclass
class Result:
    model: str
    label: str
    accuracy: float
    fit_seconds: float
    predict_ms_per_1000: float
    paper_accuracy: float = None
    n_train: int = 0
    n_test: int = 0
    keras: bool = False
    y_pred: list = field(default_factory=list, repr=False)
    history: dict = field(default_factory=dict, repr=False)

    def row(self):
        """The public fields, without the per-sample predictions and history."""
        d = asdict(self)
        d.pop("y_pred")
        d.pop("history")
        return d


class _EpochProgress:
    """A Keras callback that reports each epoch to a :class:`Progress`."""

    def __new__(cls, progress, epochs):
        import keras

        class EpochProgress(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                logs = logs or {}
                shown = ", ".join(f"{k} {v:.4f}" for k, v in logs.items())
                progress.detail(f"epoch {epoch + 1}/{epochs}: {shown}", (epoch + 1) / epochs)

        return EpochProgress()


def resolve_models(names):
    """Validate a list of model names (None: the default list)."""
    if names is None:
        return list(DEFAULT_MODELS)
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        raise ValueError(
            f"Unknown model(s) {unknown}; choose from {list(MODELS)}."
        )
    return list(dict.fromkeys(names))


def fit_and_score(name, X_train, y_train, X_test, y_test, *, random_state=0, n_jobs=1,
                  progress=None):
    """Fit one model of ``MODELS`` in the shared pipeline; return its :class:`Result`."""
    from sklearn.pipeline import make_pipeline

    from ._pixel import PixelScaler

    spec = MODELS[name]
    estimator = spec.make(random_state, n_jobs)
    if progress is not None and spec.keras:
        estimator.set_params(callbacks=[_EpochProgress(progress, estimator.epochs)])
    pipe = make_pipeline(PixelScaler(), estimator)
    t0 = time.perf_counter()
    pipe.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    y_pred = pipe.predict(X_test)
    predict_seconds = time.perf_counter() - t0
    return Result(
        model=name, label=spec.label, accuracy=float(np.mean(y_pred == y_test)),
        fit_seconds=fit_seconds,
        predict_ms_per_1000=1e6 * predict_seconds / len(X_test),
        paper_accuracy=PAPER_ACCURACY.get(name), n_train=len(X_train), n_test=len(X_test),
        keras=spec.keras, y_pred=y_pred.tolist(),
        history=dict(getattr(pipe[-1], "history_", {})),
    )


def run_benchmark(X_train, y_train, X_test, y_test, *, models=None, random_state=0,
                  n_jobs=1, progress=None, distributed=False):
    """Fit and score each model; return a list of :class:`Result`.

    Parameters
    ----------
    X_train, y_train, X_test, y_test : ndarray
        Images (any shape :class:`~skfashion.PixelScaler` accepts) and labels.
    models : list of str, default=None
        Names from ``MODELS``; None runs ``DEFAULT_MODELS`` (all but SVC).
    random_state : int, default=0
        Seed of every model that has one.
    n_jobs : int, default=1
        Passed to the models that parallelise (forests, neighbours, SGD).
    progress : Progress, default=None
        Receives one step per model, and each epoch of the Keras models.
    distributed : bool, default=False
        Fit the models concurrently as joblib tasks of the active backend (use
        it inside ``joblib.parallel_config(backend="dask")`` to spread them over a
        Dask cluster). Fit times then include contention between tasks.
    """
    names = resolve_models(models)
    if distributed:
        from joblib import Parallel, delayed

        tasks = (
            delayed(fit_and_score)(name, X_train, y_train, X_test, y_test,
                                   random_state=random_state, n_jobs=n_jobs)
            for name in names
        )
        results = []
        if progress is not None:
            progress.start(f"fit {len(names)} models as parallel tasks")
        for result in Parallel(n_jobs=-1, return_as="generator")(tasks):
            results.append(result)
            if progress is not None:
                progress.detail(f"{result.label}: accuracy {result.accuracy:.4f}",
                                len(results) / len(names))
        if progress is not None:
            progress.count += len(names) - 1
            progress.done(f"{len(names)} models fitted")
        return results
    results = []
    for name in names:
        if progress is not None:
            progress.start(f"fit {MODELS[name].label}")
        result = fit_and_score(name, X_train, y_train, X_test, y_test,
                               random_state=random_state, n_jobs=n_jobs, progress=progress)
        results.append(result)
        if progress is not None:
            progress.done(f"{result.label}: accuracy {result.accuracy:.4f}, "
                          f"fit {result.fit_seconds:.1f} s")
    return results


def format_table(results):
    """A Markdown table of the results, best accuracy first."""
    header = ("| model | test accuracy | paper | fit (s) | predict (ms / 1,000 images) |\n"
              "|---|---:|---:|---:|---:|\n")
    rows = []
    for r in sorted(results, key=lambda r: -r.accuracy):
        paper = f"{r.paper_accuracy:.3f}" if r.paper_accuracy is not None else ""
        rows.append(f"| {r.label} | {r.accuracy:.4f} | {paper} | {r.fit_seconds:.1f} | "
                    f"{r.predict_ms_per_1000:.2f} |")
    return header + "\n".join(rows) + "\n"
