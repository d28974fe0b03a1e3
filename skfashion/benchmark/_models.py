"""The models of the benchmark, and the published figures they are compared with.

Every model is fitted through the same ``Pipeline([PixelScaler(), model])``.
The Keras models are skfashion estimators: the tutorial (``softmax``), an MLP
(``mlp``) and a small convolutional network built with ``KerasClassifier`` and
a builder (``cnn``), the model Keras exists for.
"""

from dataclasses import dataclass
from typing import Any, Callable

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


def fashion_cnn(meta, compile_kwargs, filters=(32, 64), dense=128, dropout=0.3):
    """Two convolution blocks and a dense layer for 28x28 grayscale images.

    Flat rows (``PixelScaler`` output) are reshaped to images by the estimator,
    since the model's input is (28, 28, 1).

    Parameters
    ----------
    meta : dict
        The estimator's metadata (``n_classes_``).
    compile_kwargs : dict
        The estimator's compile settings.
    filters : tuple of int, default=(32, 64)
        Filters of the two 3x3 convolutions, each followed by 2x2 max pooling.
    dense : int, default=128
        Units of the hidden dense layer.
    dropout : float, default=0.3
        Dropout rate before the dense layers.

    Returns
    -------
    model : keras.Model
        The compiled model.

    See Also
    --------
    skfashion.KerasClassifier : The estimator that calls it.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from skfashion import KerasClassifier, PixelScaler
    >>> from skfashion.benchmark import fashion_cnn
    >>> from skfashion.datasets import load_sample
    >>> (X, y), _ = load_sample()
    >>> cnn = KerasClassifier(fashion_cnn, model__filters=(4, 8), model__dense=16,
    ...                       loss="sparse_categorical_crossentropy", epochs=1, random_state=0)
    >>> pipe = make_pipeline(PixelScaler(), cnn).fit(X[:300], y[:300])
    >>> pipe[-1].model_.input_shape, pipe.predict_proba(X[:2]).shape
    ((None, 28, 28, 1), (2, 10))
    """
    import keras
    from keras import layers

    inputs = keras.Input((28, 28, 1))
    x = inputs
    for n in filters:
        x = layers.Conv2D(n, 3, activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(dropout)(x)
    x = layers.Dense(dense, activation="relu")(x)
    outputs = layers.Dense(meta["n_classes_"], activation="softmax")(x)
    model = keras.Model(inputs, outputs, name="fashion_cnn")
    model.compile(**compile_kwargs)
    return model


def _softmax(random_state, n_jobs):
    from .._estimators._softmax import SoftmaxClassifier

    return SoftmaxClassifier(random_state=random_state, metrics=["accuracy"])


def _mlp(random_state, n_jobs):
    from .._estimators._softmax import SoftmaxClassifier

    return SoftmaxClassifier(
        hidden_layer_sizes=(512,), dropout=0.3, optimizer="adam", learning_rate=1e-3,
        batch_size=128, epochs=40, early_stopping=True, validation_fraction=0.1,
        n_iter_no_change=5, metrics=["accuracy"], random_state=random_state,
    )


def _cnn(random_state, n_jobs):
    from .._wrappers._keras_classifier import KerasClassifier

    return KerasClassifier(
        fashion_cnn, loss="sparse_categorical_crossentropy", optimizer="adam",
        metrics=["accuracy"], epochs=15, batch_size=128, random_state=random_state,
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
    """A model of the benchmark.

    Attributes
    ----------
    name : str
        Its name on the command line.
    label : str
        Its name in tables and pictures.
    make : callable
        ``make(random_state, n_jobs)`` returns a new, unfitted estimator.
    keras : bool
        A Keras model (trained by skfashion).
    seeded : bool
        Its result depends on ``random_state``: it is fitted once per repeat.
    optional : bool
        Run only when asked for with ``--models``.
    note : str
        Why it is optional.
    """

    name: str
    label: str
    make: Callable[[int, int], Any]
    keras: bool = False
    seeded: bool = True
    optional: bool = False
    note: str = ""


MODELS = {
    spec.name: spec
    for spec in [
        ModelSpec("softmax", "SoftmaxClassifier (tutorial)", _softmax, keras=True),
        ModelSpec("mlp", "SoftmaxClassifier MLP (512,), dropout 0.3", _mlp, keras=True),
        ModelSpec("cnn", "KerasClassifier CNN (2 conv blocks)", _cnn, keras=True),
        ModelSpec("logistic", "LogisticRegression", _logistic, seeded=False),
        ModelSpec("sgd", "SGDClassifier", _sgd),
        ModelSpec("linear_svc", "LinearSVC", _linear_svc),
        ModelSpec("knn", "KNeighborsClassifier (5, distance, p=1)", _knn, seeded=False),
        ModelSpec("random_forest", "RandomForestClassifier (100, entropy)", _random_forest),
        ModelSpec("mlp_sklearn", "MLPClassifier (100,)", _mlp_sklearn),
        ModelSpec("svc", "SVC (C=10, rbf)", _svc, seeded=False, optional=True,
                  note="slow (282 s to fit the full data on 2 cores, 2026-11-27): "
                       "--models svc"),
    ]
}
DEFAULT_MODELS = [name for name, spec in MODELS.items() if not spec.optional]


def resolve_models(names):
    """Validate model names (None: the default list); spaces around names are fine.

    Parameters
    ----------
    names : list of str, str or None
        Names from :data:`MODELS`, or one comma-separated string.

    Returns
    -------
    names : list of str
        Without duplicates, in the order given.

    Raises
    ------
    ValueError
        If a name is not one of :data:`MODELS`.

    See Also
    --------
    MODELS : Every model's name.
    run_benchmark : Runs the models named.

    Examples
    --------
    >>> from skfashion.benchmark import resolve_models
    >>> resolve_models("softmax, logistic,softmax")
    ['softmax', 'logistic']
    >>> resolve_models(["logreg"])
    Traceback (most recent call last):
    ...
    ValueError: ...
    """
    if names is None:
        return list(DEFAULT_MODELS)
    if isinstance(names, str):
        names = names.split(",")
    names = [n.strip() for n in names if n.strip()]
    unknown = [n for n in names if n not in MODELS]
    if unknown or not names:
        raise ValueError(
            f"Unknown model(s) {unknown}; choose from {list(MODELS)}." if unknown
            else f"No model named; choose from {list(MODELS)}."
        )
    return list(dict.fromkeys(names))
