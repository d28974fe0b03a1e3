"""KerasClassifier: a Keras model, or a function that builds one, as a classifier:
:class:`~skfashion.BaseWrapper` with the classification half (``_classifier_base``).
"""

from ._classifier_base import _ClassifierBase
from ._early_stopping import EARLY_STOPPING_CONSTRAINTS
from ._options import constraints_for
from ._registry import register
from ._wrapper import BaseWrapper


@register
class KerasClassifier(_ClassifierBase, BaseWrapper):  # type: ignore[misc]
    """A Keras model, or a function that builds one, as a scikit-learn classifier.

    A drop-in for scikeras's ``KerasClassifier`` (same parameters, routing,
    ``meta``, encoders and fitted attributes; see the README's "Migrating from
    scikeras"), with skfashion's fast training loop, scikit-learn 1.6+
    conformance and nothing patched in Keras. Labels of any type become class
    indices or one-hot rows as the compiled loss (its class or function, not its
    name) and the output width require; multilabel-indicator and
    multiclass-multioutput targets pass through to multi-unit or multi-output
    models.

    Parameters
    ----------
    model : keras.Model, callable or None, default=None
        The network, or its builder (see :class:`~skfashion.BaseWrapper`).
    build_fn : callable, default=None
        Old name of ``model`` (deprecated).
    warm_start : bool, default=False
        Keep the model between calls to ``fit``.
    random_state : int, RandomState instance or None, default=None
        An int makes fits bit-identical (initial weights, dropout, shuffling,
        validation split) in any process or thread and under any machine load,
        without changing any global random state; "Randomness" in the README
        says when this holds. None draws from the global generators, so fits
        differ.
    optimizer : str, keras.optimizers.Optimizer or its class, default="rmsprop"
        Optimizer of an uncompiled model (``optimizer__*`` routed).
    loss : str, keras.losses.Loss, its class, function or None, default=None
        Loss of an uncompiled model (``loss__*`` routed).
    metrics : list, dict, str, class or instance, default=None
        Keras metrics, recorded in ``history_``.
    batch_size : int or None, default=None
        Samples per step (None: 32; -1: all).
    validation_batch_size : int or None, default=None
        Samples per validation step.
    verbose : int, default=0
        0 silent, 1 progress bar, 2 one line per epoch.
    callbacks : callback, list or dict of callbacks or classes, default=None
        Receive the training events (instances as given).
    validation_split : float, default=0.0
        Fraction of the training data held out from its end, as in Keras.
    shuffle : bool, default=True
        Shuffle the training data before each epoch.
    run_eagerly : bool, default=False
        Run the model eagerly (debugging).
    epochs : int, default=1
        Passes over the training data per ``fit``.
    steps_per_execution : int or "auto", default="auto"
        Training steps per backend call, Keras's meaning: callbacks see batch
        events once per call. "auto" runs whole epochs per call unless a
        callback wants batch events or ``verbose=1`` draws a progress bar; then
        about 50 calls per epoch.
    class_weight : dict, "balanced" or None, default=None
        Weights per class label, multiplied into ``sample_weight``; a key that
        is not a class raises.
    early_stopping : bool, default=False
        scikit-learn style: hold out ``validation_fraction`` of the data
        (stratified for classes) unless a validation set is given
        (``validation_data``, ``validation_split``), stop after
        ``n_iter_no_change`` epochs without a ``tol`` improvement of the
        validation loss, and restore the best weights.
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping`` is on.
    n_iter_no_change : int, default=5
        Patience of early stopping, in epochs.
    tol : float, default=0.0
        Minimum decrease of the validation loss that counts as improvement.
    **kwargs
        Routed and extra builder parameters (see :class:`~skfashion.BaseWrapper`).

    Attributes
    ----------
    model_ : keras.Model
        The trained model, a plain Keras model.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_classes_ : int
        Number of classes.
    history_ : dict of lists
        Loss and metrics per epoch.
    n_iter_ : int
        Epochs recorded in ``history_``.
    loss_curve_ : list of float
        ``history_["loss"]``.
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Column names, when ``X`` had string column names.

    See Also
    --------
    SoftmaxClassifier : the Fashion-MNIST tutorial model, no builder needed.
    KerasRegressor : the same wrapper for regression.

    Examples
    --------
    >>> import keras
    >>> from sklearn.datasets import load_iris
    >>> from skfashion import KerasClassifier
    >>> def build(meta, hidden=8):
    ...     return keras.Sequential([
    ...         keras.Input((meta["n_features_in_"],)),
    ...         keras.layers.Dense(hidden, activation="relu"),
    ...         keras.layers.Dense(meta["n_classes_"], activation="softmax"),
    ...     ])
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = KerasClassifier(build, model__hidden=16, loss="sparse_categorical_crossentropy",
    ...                       optimizer="adam", optimizer__learning_rate=0.05, epochs=30,
    ...                       random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.9
    True
    """

    _parameter_constraints = {
        **BaseWrapper._parameter_constraints,
        **EARLY_STOPPING_CONSTRAINTS,
        **constraints_for("class_weight"),
    }

    def __init__(
        self,
        model=None,
        *,
        build_fn=None,
        warm_start=False,
        random_state=None,
        optimizer="rmsprop",
        loss=None,
        metrics=None,
        batch_size=None,
        validation_batch_size=None,
        verbose=0,
        callbacks=None,
        validation_split=0.0,
        shuffle=True,
        run_eagerly=False,
        epochs=1,
        steps_per_execution="auto",
        class_weight=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        tol=0.0,
        **kwargs,
    ):
        super().__init__(
            model=model, build_fn=build_fn, warm_start=warm_start, random_state=random_state,
            optimizer=optimizer, loss=loss, metrics=metrics, batch_size=batch_size,
            validation_batch_size=validation_batch_size, verbose=verbose,
            callbacks=callbacks, validation_split=validation_split, shuffle=shuffle,
            run_eagerly=run_eagerly, epochs=epochs, steps_per_execution=steps_per_execution,
            **kwargs,
        )
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol

    def _score_options(self):
        from ._routing import routed

        return routed(self.get_params(), "score")
