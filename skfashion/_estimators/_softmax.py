"""SoftmaxClassifier: the Fashion-MNIST tutorial model as an estimator."""

import collections
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._classifier_base import _ClassifierBase
from .._fit._compile import resolve_callbacks, resolve_optimizer
from ._early_stopping import EARLY_STOPPING_CONSTRAINTS
from .._fit._options import constraints_for
from .._fit._seeding import seed_sequence
from .._support._docs import shared_doc
from .._support._registry import register

_ACTIVATIONS = {"relu", "tanh", "sigmoid", "elu", "gelu", "selu", "swish", "linear"}


@register
@shared_doc
class SoftmaxClassifier(_ClassifierBase):
    """Softmax regression, or a multilayer perceptron, trained by Keras.

    With the defaults this is exactly the model of the Keras Fashion-MNIST
    tutorial: one ``Dense(n_classes, activation="softmax")`` layer on the flat
    input, sparse categorical cross-entropy, RMSprop with learning rate 1e-3 (the
    optimizer Keras uses when ``compile`` names none), 5 epochs of mini-batches of
    32. ``hidden_layer_sizes`` inserts hidden ``Dense`` layers, each followed by
    ``Dropout(dropout)`` when ``dropout > 0``. Every layer gets its own seed from
    ``random_state``, so no global random generator is involved.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=()
        Units of each hidden layer; ``()`` is softmax regression.
    activation : {"relu", "tanh", "sigmoid", "elu", "gelu", "selu", "swish", "linear"}, \
default="relu"
        Activation of the hidden layers.
    dropout : float in [0, 1), default=0.0
        Dropout rate after each hidden layer.
    l2 : float, default=0.0
        L2 penalty on every kernel (``keras.regularizers.L2``).
    optimizer : str, keras.optimizers.Optimizer or its class, default="rmsprop"
        The Keras optimizer; ``learning_rate`` overrides its learning rate.
    learning_rate : float, default=1e-3
        Step size of the optimizer.
    {param:epochs}
    batch_size : int or None, default=32
        Samples per gradient step (-1: all samples in one batch; None: Keras's
        32).
    metrics : list or None, default=None
        Extra Keras metrics recorded in ``history_`` (e.g. ``["accuracy"]``).
    callbacks : list of keras.callbacks.Callback instances or classes, default=None
        Receive the training events, as in Keras (the instances you pass are
        the ones called); classes are instantiated for each fit.
    {params:early_stopping}
    {param:class_weight}
    {param:shuffle}
    warm_start : bool, default=False
        Continue from the previous fit's weights and optimizer state (epochs and
        ``history_`` continue too, as in scikit-learn).
    {param:random_state}
    {param:verbose}
    {param:steps_per_execution}

    Attributes
    ----------
    model_ : keras.Sequential
        The trained Keras model. Its names are those a fresh Keras session
        gives (``sequential``; layers ``dense``, ``dense_1``..., ``dropout``...;
        the optimizer, when built from a name or class, ``rmsprop`` or its own
        class name), the same in every fit, so that a long search on
        TensorFlow does not grow memory with every fit.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_classes_ : int
        Number of classes.
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Column names, when ``X`` had string column names.
    history_ : dict of lists
        Loss and metrics per epoch (``val_*`` when validated).
    loss_curve_ : list of float
        ``history_["loss"]``.
    n_iter_ : int
        Epochs run, over all warm-started or partial fits.

    See Also
    --------
    KerasClassifier : wraps any Keras model or model builder.
    sklearn.linear_model.LogisticRegression : the classical counterpart.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from skfashion import PixelScaler, SoftmaxClassifier
    >>> from skfashion.datasets import load_sample
    >>> (X, y), (X_test, y_test) = load_sample()
    >>> pipe = make_pipeline(PixelScaler(), SoftmaxClassifier(random_state=0))
    >>> round(pipe.fit(X, y).score(X_test, y_test), 2) > 0.7
    True
    """

    _x_dtype = np.float32
    _allow_nd = False
    _multi_output = False
    _check_dtypes = False
    _reset_history_on_fit = False

    _parameter_constraints = {
        "hidden_layer_sizes": [tuple, list],
        "activation": [StrOptions(_ACTIVATIONS)],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "l2": [Interval(Real, 0, None, closed="left")],
        "optimizer": "no_validation",
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "metrics": [list, tuple, None],
        "callbacks": [list, None],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        **EARLY_STOPPING_CONSTRAINTS,
        **constraints_for("epochs", "batch_size", "class_weight", "shuffle", "verbose",
                          "steps_per_execution"),
    }

    def __init__(
        self,
        *,
        hidden_layer_sizes=(),
        activation="relu",
        dropout=0.0,
        l2=0.0,
        optimizer="rmsprop",
        learning_rate=1e-3,
        epochs=5,
        batch_size=32,
        metrics=None,
        callbacks=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        tol=0.0,
        class_weight=None,
        shuffle=True,
        warm_start=False,
        random_state=None,
        verbose=0,
        steps_per_execution="auto",
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.l2 = l2
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.metrics = metrics
        self.callbacks = callbacks
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.class_weight = class_weight
        self.shuffle = shuffle
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.steps_per_execution = steps_per_execution

    #: The tutorial's loss: labels as class indices.
    loss = "sparse_categorical_crossentropy"

    def _make_model(self, meta, seed):
        import keras

        n_classes = meta["n_classes_"]
        if meta.get("target_type_") not in ("binary", "multiclass") or n_classes < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes; got "
                f"{n_classes} class: {np.asarray(meta['classes_']).tolist()}."
            )
        sizes = tuple(self.hidden_layer_sizes)
        if not all(isinstance(s, Integral) and int(s) > 0 for s in sizes):
            raise ValueError(
                "hidden_layer_sizes must be a tuple of positive integers, e.g. (128,) or "
                f"(256, 128); got {self.hidden_layer_sizes!r}."
            )
        # One seed per initializer and dropout layer: nothing global is drawn.
        seeds = iter(seed_sequence(seed, 2 * len(sizes) + 1) if seed is not None else [])

        def kernel_init():
            return keras.initializers.GlorotUniform(seed=next(seeds, None))

        reg = keras.regularizers.L2(self.l2) if self.l2 else None
        # Fixed names, the ones a fresh Keras session gives (sequential, dense,
        # dense_1, dropout...): Keras would number them on from every model the
        # process built before, and on TensorFlow every new variable path costs
        # a kernel kept for the life of the process (see stable_optimizer_name).
        names: collections.Counter = collections.Counter()

        def name(kind):
            names[kind] += 1
            return kind if names[kind] == 1 else f"{kind}_{names[kind] - 1}"

        layers = [keras.Input((meta["n_features_in_"],))]
        for units in sizes:
            layers.append(keras.layers.Dense(units, activation=self.activation,
                                             kernel_initializer=kernel_init(),
                                             kernel_regularizer=reg, name=name("dense")))
            if self.dropout:
                layers.append(keras.layers.Dropout(self.dropout, seed=next(seeds, None),
                                                   name=name("dropout")))
        layers.append(keras.layers.Dense(n_classes, activation="softmax",
                                         kernel_initializer=kernel_init(),
                                         kernel_regularizer=reg, name=name("dense")))
        model = keras.Sequential(layers, name="sequential")
        model.compile(**self._compile_settings())
        return model, True, False

    def _compile_settings(self):
        return dict(
            optimizer=resolve_optimizer(self.optimizer, {"learning_rate": self.learning_rate}),
            loss=self.loss,
            metrics=list(self.metrics) if self.metrics is not None else None,
        )

    def _callbacks_for_fit(self, fit):
        spec = fit.callbacks or self.callbacks
        callbacks = resolve_callbacks(spec, {})
        return callbacks, any(cb is s for cb in callbacks for s in (spec or []))
