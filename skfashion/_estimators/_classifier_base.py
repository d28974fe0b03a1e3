"""The classification half shared by :class:`~skfashion.KerasClassifier` and
:class:`~skfashion.SoftmaxClassifier`: labels of any type in, class
probabilities and labels out, ``class_weight``, ``partial_fit``'s ``classes``.
"""

from typing import Any, Optional

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.utils.multiclass import type_of_target

from ._keras_base import _BaseKeras, _Est
from .._fit._checks import class_weight_to_sample_weight
from .._support._docs import shared_doc
from .._fit._encoders import ClassifierLabelEncoder
from .._fit._state import FitState
from .._predict._outputs import outputs


class _ClassifierBase(ClassifierMixin, _BaseKeras):
    """Classifier behaviour over ``_BaseKeras``: encoder, class weights, probabilities."""

    _requires_y = True

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

    @shared_doc
    def fit(self: _Est, X: ArrayLike, y: ArrayLike, sample_weight: Optional[ArrayLike] = None,
            **kwargs: Any) -> _Est:
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

        {fit_raises}
        """
        if not (getattr(self, "warm_start", False) and self.initialized_):
            FitState(self).remove("_partial_classes")
        return super().fit(X, y, sample_weight=sample_weight, **kwargs)

    def partial_fit(  # type: ignore[override]  # scikit-learn's order: classes first
            self: _Est, X: ArrayLike, y: ArrayLike, classes: Optional[ArrayLike] = None,
            sample_weight: Optional[ArrayLike] = None, **kwargs: Any) -> _Est:
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
            FitState(self).remove("_partial_classes")
        return super().partial_fit(X, y, sample_weight=sample_weight, **kwargs)

    def _sample_weight_for_classes(self, y, sample_weight, options, encoder):
        class_weight = getattr(self, "class_weight", None)
        if class_weight is None:
            return sample_weight
        weights = class_weight_to_sample_weight(class_weight, y, encoder.classes_)
        return weights if sample_weight is None else sample_weight * weights

    @shared_doc
    def predict_proba(self, X: ArrayLike, **kwargs: Any) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        {predict_data}

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            For a model compiled with ``from_logits=True``, the logits go through
            a softmax (or a sigmoid), so each row sums to 1.

        {predict_raises}
        """
        fitted, out = outputs(self, X, kwargs, proba=True)
        return fitted.target_encoder.inverse_transform(out, return_proba=True)

    @shared_doc
    def predict(self, X: ArrayLike, **kwargs: Any) -> np.ndarray:
        """Predicted labels, ``classes_[argmax(predict_proba(X))]``.

        Parameters
        ----------
        {predict_data}

        Returns
        -------
        y_pred : ndarray
            Labels shaped like the training targets.

        {predict_raises}
        """
        fitted, out = outputs(self, X, kwargs, proba=True)
        return fitted.target_encoder.inverse_transform(out)

    @shared_doc
    def score(self, X: ArrayLike, y: ArrayLike,
              sample_weight: Optional[ArrayLike] = None) -> float:
        """Mean accuracy of ``predict(X)`` against ``y``.

        Labels never seen in fit raise a ``ValueError`` instead of silently
        counting as errors.

        Parameters
        ----------
        {score_data}

        Returns
        -------
        score : float

        {predict_raises}
            Also labels in ``y`` never seen in ``fit``.
        """
        from .._fit._checks import check_sample_weight, drop_zero_weight

        FitState(self).require()
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
