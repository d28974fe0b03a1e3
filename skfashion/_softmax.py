"""SoftmaxClassifier: the Fashion-MNIST tutorial model as an estimator."""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseKerasClassifier
from ._keras import resolve_optimizer

_ACTIVATIONS = {"relu", "tanh", "sigmoid", "elu", "gelu", "selu", "swish", "linear"}


class SoftmaxClassifier(BaseKerasClassifier):
    """Softmax regression, or a multilayer perceptron, trained by Keras.

    With the defaults this is exactly the model of the Keras Fashion-MNIST
    tutorial: one ``Dense(n_classes, activation="softmax")`` layer on the flat
    input, sparse categorical cross-entropy, RMSprop with learning rate 1e-3 (the
    optimizer Keras uses when ``compile`` names none), 5 epochs of mini-batches of
    32. ``hidden_layer_sizes`` inserts hidden ``Dense`` layers, each followed by
    ``Dropout(dropout)`` when ``dropout > 0``.

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
    epochs : int, default=5
        Passes over the training data per ``fit``.
    batch_size : int, default=32
        Samples per gradient step.
    metrics : list or None, default=None
        Extra Keras metrics recorded in ``history_`` (e.g. ``["accuracy"]``).
    callbacks : list of keras.callbacks.Callback, default=None
        Copied at each fit, then called at the start and end of each epoch.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (stratified), stop after
        ``n_iter_no_change`` epochs without a ``tol`` improvement of the
        validation loss, and restore the best weights.
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping`` is on.
    n_iter_no_change : int, default=5
        Patience of early stopping, in epochs.
    tol : float, default=0.0
        Minimum decrease of the validation loss that counts as improvement.
    class_weight : dict, "balanced" or None, default=None
        Weights per class label, multiplied into ``sample_weight``.
    shuffle : bool, default=True
        Shuffle the training data before each epoch.
    warm_start : bool, default=False
        Continue from the previous fit's weights and optimizer state.
    random_state : int, RandomState instance or None, default=None
        An int makes fits bit-identical (weights, dropout, shuffling, validation
        split) without changing any global random state. None draws from NumPy's
        global generator and Keras's global seed state.
    verbose : int, default=0
        0 silent, 1 progress bar, 2 one line per epoch.

    Attributes
    ----------
    model_ : keras.Sequential
        The trained Keras model.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` had string column names.
    history_ : dict of lists
        Loss and metrics per epoch (``val_*`` with early stopping).
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

    _parameter_constraints = {
        **BaseKerasClassifier._parameter_constraints,
        "hidden_layer_sizes": [tuple, list],
        "activation": [StrOptions(_ACTIVATIONS)],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "l2": [Interval(Real, 0, None, closed="left")],
        "optimizer": "no_validation",
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "callbacks": [list, None],
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

    def _build_model(self, meta):
        import keras

        sizes = tuple(self.hidden_layer_sizes)
        if not all(isinstance(s, Integral) and s > 0 for s in sizes):
            raise ValueError(
                "hidden_layer_sizes must be a tuple of positive integers, e.g. (128,) or "
                f"(256, 128); got {self.hidden_layer_sizes!r}."
            )
        reg = keras.regularizers.L2(self.l2) if self.l2 else None
        layers = [keras.Input((meta["n_features_in_"],))]
        for units in sizes:
            layers.append(
                keras.layers.Dense(units, activation=self.activation, kernel_regularizer=reg)
            )
            if self.dropout:
                layers.append(keras.layers.Dropout(self.dropout))
        layers.append(
            keras.layers.Dense(meta["n_classes_"], activation="softmax", kernel_regularizer=reg)
        )
        model = keras.Sequential(layers)
        model.compile(
            optimizer=resolve_optimizer(self.optimizer, learning_rate=self.learning_rate),
            loss="sparse_categorical_crossentropy",
            metrics=list(self.metrics) if self.metrics is not None else None,
        )
        return model

    def _make_callbacks(self):
        return self._copy_callbacks(self.callbacks or [])
