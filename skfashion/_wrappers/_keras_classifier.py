"""KerasClassifier: a Keras model, or a function that builds one, as a classifier:
:class:`~skfashion.BaseWrapper` with the classification half (``_classifier_base``).
"""

from .._estimators._classifier_base import _ClassifierBase
from .._estimators._early_stopping import EARLY_STOPPING_CONSTRAINTS
from .._fit._options import constraints_for
from .._support._docs import shared_doc
from .._support._registry import register
from ._base_wrapper import BaseWrapper


@register
@shared_doc
class KerasClassifier(_ClassifierBase, BaseWrapper):  # type: ignore[misc]
    """A Keras model, or a function that builds one, as a scikit-learn classifier.

    A drop-in for scikeras's ``KerasClassifier`` (same parameters, routing,
    ``meta``, encoders and fitted attributes; see
    :doc:`Migrating from scikeras </guide/migrating>`), with skfashion's fast
    training loop, scikit-learn 1.6+ conformance and nothing patched in Keras.
    Labels of any type become class indices or one-hot rows as the compiled loss
    (its class or function, not its name) and the output width require; multilabel-indicator and
    multiclass-multioutput targets pass through to multi-unit or multi-output
    models.

    Parameters
    ----------
    {params:wrapper}
    {param:class_weight}
    {params:early_stopping}
    {param:kwargs}

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
        from .._fit._routing import routed

        return routed(self.get_params(), "score")
