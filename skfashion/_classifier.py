"""Classification: labels of any type in, class probabilities and labels out.

:class:`_ClassifierBase` is the classification half shared by
:class:`KerasClassifier` and :class:`~skfashion.SoftmaxClassifier`;
:class:`KerasClassifier` adds it to :class:`~skfashion.BaseWrapper`.
"""

from typing import TYPE_CHECKING, Any, Optional, Tuple

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.utils.multiclass import type_of_target

from ._data import class_weight_to_sample_weight
from ._early_stopping import _EarlyStoppingMixin
from ._encoders import ClassifierLabelEncoder
from ._options import constraints_for
from ._wrapper import BaseWrapper
from ._registry import register


class _ClassifierBase:
    """Classifier behaviour over ``_BaseKeras``: encoder, class weights, probabilities."""

    _requires_y = True

    if TYPE_CHECKING:  # provided by _BaseKeras, which every class using this mixin extends
        def _outputs(self, X: Any, kwargs: dict, *, proba: bool) -> Tuple[Any, Any]: ...

        def _require_fitted(self) -> Any: ...

    @property
    def target_encoder(self):
        """A new :class:`~skfashion.utils.transformers.ClassifierLabelEncoder`.

        Override in a subclass for other target types; ``predict_proba`` needs
        an ``inverse_transform(y, return_proba=False)``.
        """
        classes = self.__dict__.get("_partial_classes")
        categories = "auto" if classes is None else [classes]
        return ClassifierLabelEncoder(loss=getattr(self, "loss", None), categories=categories)

    def _type_of_target(self, y):
        target_type = type_of_target(y)
        classes = self.__dict__.get("_partial_classes")
        if target_type == "binary" and classes is not None:
            target_type = type_of_target(classes)  # a multiclass problem seen in part
        return target_type

    def fit(self, X, y, sample_weight=None, **kwargs):
        """Build a model (or keep it, with ``warm_start``) and train it on ``(X, y)``.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, ...)
            Training inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Labels of any type (or one-hot / multilabel indicator rows).
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights, multiplied by ``class_weight``; samples of weight
            0 are left out.
        **kwargs : dict
            Options of Keras's ``Model.fit`` for this call.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        ValueError
            Invalid parameters (scikit-learn's ``InvalidParameterError`` is one), or
            invalid data: NaN or infinite values, ``X`` and ``y`` of different
            lengths, a ``y`` missing, labels the loss cannot take.
        TypeError
            A model builder that returns no ``keras.Model``, or ``fit`` options Keras's
            ``Model.fit`` does not take.
        """
        if not (getattr(self, "warm_start", False) and self.initialized_):
            self.__dict__.pop("_partial_classes", None)
        return super().fit(X, y, sample_weight=sample_weight, **kwargs)

    def partial_fit(self, X, y, classes=None, sample_weight=None, **kwargs):
        """Train one epoch on ``(X, y)``, continuing from the current model.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, ...)
            Training inputs.
        y : array-like of shape (n_samples,)
            Labels; all must be in ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class of the whole data, on the first call; the classes of
            the first ``y`` when omitted (as in scikeras). Later calls may repeat
            it.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights.
        **kwargs : dict
            Options of Keras's ``Model.fit`` for this call.

        Returns
        -------
        self : object
            The updated estimator.

        Raises
        ------
        ValueError
            Invalid parameters (scikit-learn's ``InvalidParameterError`` is one), or
            invalid data: NaN or infinite values, ``X`` and ``y`` of different
            lengths, a ``y`` missing, labels the loss cannot take, ``classes``
            other than the first call's, or labels not in ``classes``.
        TypeError
            A model builder that returns no ``keras.Model``, or ``fit`` options Keras's
            ``Model.fit`` does not take, ``epochs`` or ``initial_epoch`` among them.
        """
        if classes is not None:
            classes = np.asarray(classes)
            if self.initialized_:
                known = getattr(self, "classes_", None)
                if known is not None and not np.array_equal(np.unique(classes), known):
                    raise ValueError(
                        f"classes={classes.tolist()} differs from the classes of the first "
                        f"call, {np.asarray(known).tolist()}."
                    )
            else:
                self._partial_classes = classes
        elif not self.initialized_:
            self.__dict__.pop("_partial_classes", None)
        return super().partial_fit(X, y, sample_weight=sample_weight, **kwargs)

    def _sample_weight_for_classes(self, y, sample_weight, options, encoder):
        class_weight = getattr(self, "class_weight", None)
        if class_weight is None:
            return sample_weight
        weights = class_weight_to_sample_weight(class_weight, y, encoder.classes_)
        return weights if sample_weight is None else sample_weight * weights

    def predict_proba(self, X: ArrayLike, **kwargs: Any) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, ...)
            Inputs.
        **kwargs : dict
            Options of Keras's ``Model.predict`` (then ``model.predict`` runs).

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            For a model compiled with ``from_logits=True``, the logits go through
            a softmax (or a sigmoid), so each row sums to 1.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit`` (or ``initialize``).
        ValueError
            ``X`` unlike the training inputs: another number of features, another
            shape, NaN or infinite values.
        """
        fitted, out = self._outputs(X, kwargs, proba=True)
        return fitted.target_encoder.inverse_transform(out, return_proba=True)

    def predict(self, X: ArrayLike, **kwargs: Any) -> np.ndarray:
        """Predicted labels, ``classes_[argmax(predict_proba(X))]``.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, ...)
            Inputs.
        **kwargs : dict
            Options of Keras's ``Model.predict`` (then ``model.predict`` runs).

        Returns
        -------
        y_pred : ndarray
            Labels shaped like the training targets.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit`` (or ``initialize``).
        ValueError
            ``X`` unlike the training inputs: another number of features, another
            shape, NaN or infinite values.
        """
        fitted, out = self._outputs(X, kwargs, proba=True)
        return fitted.target_encoder.inverse_transform(out)

    def score(self, X: ArrayLike, y: ArrayLike,
              sample_weight: Optional[ArrayLike] = None) -> float:
        """Mean accuracy of ``predict(X)`` against ``y``.

        Labels never seen in fit raise a ``ValueError`` instead of silently
        counting as errors.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Test inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit`` (or ``initialize``).
        ValueError
            ``X`` unlike the training inputs: another number of features, another
            shape, NaN or infinite values.
            Also labels in ``y`` never seen in ``fit``.
        """
        from ._data import check_sample_weight, drop_zero_weight

        self._require_fitted()
        y = np.asarray(y)
        classes = getattr(self, "classes_", None)
        if classes is not None and y.ndim == 1 and getattr(self, "target_type_", None) in (
                "binary", "multiclass"):
            unseen = [label for label in np.unique(y).tolist()
                      if label not in set(np.asarray(classes).tolist())]
            if unseen:
                raise ValueError(
                    f"y contains labels never seen in fit: {unseen}. Known classes: "
                    f"{np.asarray(classes).tolist()}."
                )
        y_pred = self.predict(X)
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, y_pred)
            sample_weight, y, y_pred = drop_zero_weight(sample_weight, y, y_pred)
        return self.scorer(y, y_pred, sample_weight=sample_weight, **self._score_options())

    def _score_options(self):
        return {}

    @staticmethod
    def scorer(y_true, y_pred, **kwargs):
        """Accuracy (``sklearn.metrics.accuracy_score``); override to change it.

        Parameters
        ----------
        y_true : array-like
            True labels.
        y_pred : array-like
            Predicted labels.
        **kwargs : dict
            Passed to ``accuracy_score`` (``sample_weight``, ``score__*``).

        Returns
        -------
        score : float
        """
        return accuracy_score(y_true, y_pred, **kwargs)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True
        return tags


@register
class KerasClassifier(_EarlyStoppingMixin, _ClassifierBase, ClassifierMixin,  # type: ignore[misc]
                      BaseWrapper):
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
        **_EarlyStoppingMixin._early_stopping_constraints,
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
