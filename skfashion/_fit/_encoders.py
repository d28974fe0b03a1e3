"""Target encoders: labels to what the Keras model trains on, outputs back to labels.

The extension point scikeras users know (``target_encoder`` returns a
transformer with ``fit``, ``transform``, ``inverse_transform`` and
``get_metadata``), with the same classes and attributes, so a subclass written
for scikeras keeps working. The implementation is skfashion's own: NumPy
look-ups instead of a pipeline of scikit-learn encoders, so predicting one
sample stays fast, and the encoding follows the model's loss (by its class or
function) and output width, which :meth:`ClassifierLabelEncoder._adapt_to_model`
reads once the model is built.
"""

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import NotFittedError
from sklearn.utils.multiclass import type_of_target

from ._losses import BINARY, CATEGORICAL, SPARSE, loss_kind, single_loss


_UNSUPPORTED_HELP = (
    "\n\nTo implement support, subclass KerasClassifier and override ``target_encoder`` "
    "with a transformer that supports this label type (see "
    "skfashion.utils.transformers.ClassifierLabelEncoder)."
)


def _floatx():
    import keras

    return np.dtype(keras.backend.floatx())


class TargetReshaper(TransformerMixin, BaseEstimator):
    """Make 1-D targets 2-D (a column) and back.

    Attributes
    ----------
    ndim_ : int
        Dimensions of the ``y`` seen in :meth:`fit`.

    See Also
    --------
    RegressorTargetEncoder : Uses it for regression targets.

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.utils.transformers import TargetReshaper
    >>> reshaper = TargetReshaper().fit(np.array([1, 2, 3]))
    >>> reshaper.transform(np.array([1, 2, 3])).shape
    (3, 1)
    >>> reshaper.inverse_transform(np.array([[1], [2], [3]])).shape
    (3,)
    """

    def fit(self, y):
        """Record the number of dimensions of ``y``.

        Parameters
        ----------
        y : ndarray
            Targets.

        Returns
        -------
        self : TargetReshaper
        """
        self.ndim_ = np.ndim(y)
        return self

    def transform(self, y):
        """A column for 1-D ``y``; other arrays unchanged.

        Parameters
        ----------
        y : ndarray
            Targets.

        Returns
        -------
        y_2d : ndarray of at least 2 dimensions
        """
        y = np.asarray(y)
        return y.reshape(-1, 1) if y.ndim == 1 else y

    def inverse_transform(self, y):
        """Squeeze a column back to 1-D when :meth:`fit` saw 1-D targets.

        Parameters
        ----------
        y : ndarray
            Transformed targets.

        Returns
        -------
        y : ndarray
        """
        if not hasattr(self, "ndim_"):
            raise NotFittedError(
                f"This {type(self).__name__} is not initialized. You must call ``fit`` "
                "before using ``inverse_transform``."
            )
        y = np.asarray(y)
        if self.ndim_ == 1 and y.ndim == 2:
            return np.squeeze(y, axis=1)
        return y


class ClassifierLabelEncoder(TransformerMixin, BaseEstimator):
    """Default target encoder of :class:`~skfashion.KerasClassifier`.

    Binary and multiclass labels of any type become class indices (a float
    column, for sparse and binary losses) or one-hot rows (categorical losses);
    multilabel-indicator and multiclass-multioutput targets pass through.

    Parameters
    ----------
    loss : str, keras.losses.Loss, function or None, default=None
        The estimator's loss, a first guess of the encoding; the compiled
        model's loss and output width decide it once the model exists.
    categories : "auto" or list of one array, default="auto"
        Every class of the whole data, or "auto" for the classes of ``y``.

    Attributes
    ----------
    classes_ : ndarray or None
        The classes (None for multiclass-multioutput targets).
    n_classes_ : int or None
        Number of classes.
    n_outputs_ : int
        Outputs of the target seen in :meth:`fit`.
    n_outputs_expected_ : int
        Outputs the Keras model must have.

    See Also
    --------
    skfashion.KerasClassifier.target_encoder : Where it is used; override to change it.
    sklearn.preprocessing.LabelEncoder : The scikit-learn encoder of one label column.

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.utils.transformers import ClassifierLabelEncoder
    >>> enc = ClassifierLabelEncoder(loss="sparse_categorical_crossentropy")
    >>> enc.fit_transform(np.array(["cat", "dog", "cat"])).ravel()
    array([0., 1., 0.], dtype=float32)
    >>> enc.inverse_transform(np.array([[0.9, 0.1], [0.2, 0.8]]))
    array(['cat', 'dog'], dtype='<U3')
    """

    def __init__(self, loss=None, categories="auto"):
        self.loss = loss
        self.categories = categories

    def __getstate__(self):
        # The loss may be a custom Keras Loss: Keras pickles those through its
        # saving library, which cannot find an unregistered class again; keep
        # it by class and configuration instead (as the estimator does).
        from .._support._model_bytes import freeze

        state = super().__getstate__()
        state["loss"] = freeze(state.get("loss"))
        return state

    def __setstate__(self, state):
        from .._support._model_bytes import thaw

        state = dict(state)
        state["loss"] = thaw(state.get("loss"))
        super().__setstate__(state)

    def _type_of_target(self, y):
        target_type = type_of_target(y)
        if target_type == "binary" and not _is_auto(self.categories):
            # a multiclass problem whose first batch has two classes
            target_type = type_of_target(np.asarray(self.categories[0]))
        return target_type

    def fit(self, y):
        """Learn the classes and the encoding of ``y``.

        Parameters
        ----------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Targets.

        Returns
        -------
        self : ClassifierLabelEncoder
        """
        y = np.asarray(y)
        target_type = self._type_of_target(y)
        self._y_shape = y.shape
        self._y_dtype = y.dtype
        self.n_outputs_ = 1
        self.n_outputs_expected_ = 1
        if target_type in ("binary", "multiclass"):
            if _is_auto(self.categories):
                classes = np.unique(y)
            else:
                classes = np.asarray(self.categories[0])
                if len(np.unique(classes)) != len(classes):
                    raise ValueError(f"classes must be distinct labels; got {classes.tolist()}.")
                classes = np.sort(classes)
            self.classes_ = classes
            self.n_classes_ = len(classes)
            self._mode = "onehot" if loss_kind(self.loss) == CATEGORICAL else "index"
        elif target_type == "multilabel-indicator":
            self.classes_ = np.arange(y.shape[1])
            self.n_classes_ = y.shape[1]
            self._mode = "passthrough"
            if y.min() == 0 and (y.sum(axis=1) == 1).all():
                target_type = "multiclass-onehot"
        elif target_type == "multiclass-multioutput":
            self.classes_ = None  # type: ignore[assignment]  # no single set of classes
            self.n_classes_ = None  # type: ignore[assignment]
            self._mode = "passthrough"
        else:
            raise ValueError(f"Unknown label type: {target_type}." + _UNSUPPORTED_HELP)
        self._target_type = target_type
        return self

    def _adapt_to_model(self, model):
        """Choose index or one-hot targets from the compiled model; check its output.

        Called by the estimator once the model is built and compiled.
        """
        if getattr(self, "_target_type", None) == "multiclass-onehot" and len(
                getattr(model, "outputs", None) or ()) == 1:
            loss = single_loss(model)
            if loss_kind(loss) == SPARSE:
                raise ValueError(
                    f"y is one-hot (rows of {self.n_classes_} zeros and ones, one 1 each) but "
                    f"the loss is {_loss_label(loss)}, which takes class indices. Use "
                    "loss=\"categorical_crossentropy\" for one-hot targets, or pass the "
                    "labels themselves (y.argmax(axis=1)) with the sparse loss."
                )
        if getattr(self, "_mode", "passthrough") == "passthrough" or len(
                getattr(model, "outputs", None) or ()) != 1:
            return  # a subclass encoding its own target types keeps its encoding
        units = model.outputs[0].shape[-1]
        loss = single_loss(model)
        kind = loss_kind(loss)
        n = self.n_classes_
        if kind == CATEGORICAL or (kind != SPARSE and units != 1):
            mode, valid = "onehot", units == n
        elif kind == SPARSE:
            mode, valid = "index", units == n
        else:  # one output unit: a sigmoid for two classes (or a custom loss)
            mode, valid = "index", n <= 2 or kind != BINARY
        if not valid:
            raise ValueError(
                f"The model's output layer has {units} units but the data has {n} classes "
                f"and the loss is {_loss_label(loss)}. Build the last layer with "
                "meta['n_classes_'] units and a softmax activation (or, for two classes and "
                "a binary loss, 1 sigmoid unit)."
            )
        self._mode = mode

    def _indices(self, y):
        y = np.asarray(y).reshape(-1)
        classes = self.classes_
        try:
            idx = np.clip(np.searchsorted(classes, y), 0, len(classes) - 1)
            known = np.asarray(classes[idx] == y, dtype=bool)
        except TypeError:  # labels of mixed types: look each one up
            lookup = {c: i for i, c in enumerate(classes.tolist())}
            idx = np.array([lookup.get(v, -1) for v in y.tolist()], dtype=np.int64)
            known = idx >= 0
        if known.all():
            return idx
        unknown = sorted(set(y[~known].tolist()), key=str)
        raise ValueError(
            f"Found unknown categories {unknown} in y: y contains labels not in "
            f"classes_: {unknown}. Known classes: {classes.tolist()}. Pass every "
            "class to the first partial_fit(classes=...), or fit a new model."
        )

    def transform(self, y):
        """Encode ``y`` for the model.

        Parameters
        ----------
        y : ndarray
            Targets of the type seen in :meth:`fit`.

        Returns
        -------
        y_encoded : ndarray
            Class indices (a column), one-hot rows, or ``y`` itself.
        """
        if self._mode == "passthrough":
            return y
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] != 1:
            raise ValueError(
                f"y has {y.shape[1]} features (columns) but this {type(self).__name__} was "
                f"fitted on targets of shape {self._y_shape}."
            )
        idx = self._indices(y)
        if self._mode == "onehot":
            return np.eye(self.n_classes_, dtype=_floatx())[idx]
        return idx.astype(_floatx()).reshape(-1, 1)

    def inverse_transform(self, y, return_proba=False):
        """Class labels (or probabilities) from the model's outputs.

        Parameters
        ----------
        y : ndarray
            Model outputs: probabilities per class, or one sigmoid column.
        return_proba : bool, default=False
            Return the probabilities (two columns for a sigmoid output) instead
            of labels.

        Returns
        -------
        y_pred : ndarray
            Labels shaped like the fitted ``y``, or probabilities of shape
            (n_samples, n_classes).
        """
        target_type = self._target_type
        if target_type in ("binary", "multiclass"):
            y = np.asarray(y)
            if y.ndim == 1:
                y = y.reshape(-1, 1)
            if y.shape[1] == 1 and self.n_classes_ == 2:
                y = np.column_stack([1 - y[:, 0], y[:, 0]])
            if return_proba:
                return y[:, 0] if y.shape[1] == 1 else y  # one output unit: 1-D, as scikeras
            labels = self.classes_[np.argmax(y, axis=1)]
            return labels.reshape(-1, *self._y_shape[1:])
        if return_proba:
            return y
        if target_type == "multiclass-onehot":
            y = np.asarray(y)
            out = np.zeros(y.shape, dtype=int)
            out[np.arange(len(y)), np.argmax(y, axis=-1)] = 1
            return out
        if target_type == "multilabel-indicator":
            return np.around(y).astype(int, copy=False)
        raise NotImplementedError(
            "Class-predictions are not clearly defined for 'multiclass-multioutput' target "
            "types." + _UNSUPPORTED_HELP
        )

    def get_metadata(self):
        """Metadata the estimator copies to itself and gives to model builders.

        Returns
        -------
        meta : dict
            ``classes_``, ``n_classes_``, ``n_outputs_``, ``n_outputs_expected_``.
        """
        return {
            "classes_": self.classes_,
            "n_classes_": self.n_classes_,
            "n_outputs_": self.n_outputs_,
            "n_outputs_expected_": self.n_outputs_expected_,
        }


class RegressorTargetEncoder(TransformerMixin, BaseEstimator):
    """Default target encoder of :class:`~skfashion.KerasRegressor`.

    Attributes
    ----------
    n_outputs_ : int
        Outputs of the target seen in :meth:`fit`.
    n_outputs_expected_ : int
        Outputs the Keras model must have (1: one output of any width).

    See Also
    --------
    skfashion.KerasRegressor.target_encoder : Where it is used; override to change it.

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion.utils.transformers import RegressorTargetEncoder
    >>> enc = RegressorTargetEncoder().fit(np.array([1.5, 2.5]))
    >>> enc.n_outputs_, enc.n_outputs_expected_, enc.transform(np.array([1.5, 2.5]))
    (1, 1, array([1.5, 2.5]))
    """

    def fit(self, y):
        """Record the shape and type of ``y``.

        Parameters
        ----------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Targets.

        Returns
        -------
        self : RegressorTargetEncoder
        """
        y = np.asarray(y)
        self._y_dtype = y.dtype
        self._y_shape = y.shape
        self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        self.n_outputs_expected_ = 1
        return self

    def transform(self, y):
        """Check that ``y`` has the outputs seen in :meth:`fit`; return it.

        Parameters
        ----------
        y : ndarray
            Targets.

        Returns
        -------
        y : ndarray
        """
        y = np.asarray(y)
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        if n_outputs != self.n_outputs_:
            raise ValueError(
                f"Detected ``y`` to have {n_outputs} outputs with ``y.shape = {y.shape}``, "
                f"but this {type(self).__name__} has {self.n_outputs_} outputs."
            )
        return y

    def inverse_transform(self, y):
        """Model outputs shaped like the fitted ``y``.

        Parameters
        ----------
        y : ndarray
            Model outputs.

        Returns
        -------
        y_pred : ndarray
        """
        return np.asarray(y).reshape(-1, *self._y_shape[1:])

    def _adapt_to_model(self, model):
        """Refuse a model whose single 2-D output is not as wide as ``y`` has columns.

        Keras broadcasts ``(n, 1)`` outputs against ``(n, 3)`` targets and trains
        without a word; predictions would then come back with the wrong shape.
        """
        outputs: Any = getattr(model, "outputs", None) or ()
        if len(outputs) != 1 or len(outputs[0].shape) != 2:
            return
        units = outputs[0].shape[-1]
        if units is not None and units != self.n_outputs_:
            raise ValueError(
                f"The model's output layer has {units} unit(s) but y has {self.n_outputs_} "
                f"column(s) (y.shape = {self._y_shape}). Build the last layer with "
                "meta['n_outputs_'] units."
            )

    def get_metadata(self):
        """Metadata the estimator copies to itself and gives to model builders.

        Returns
        -------
        meta : dict
            ``n_outputs_`` and ``n_outputs_expected_``.
        """
        return {"n_outputs_": self.n_outputs_, "n_outputs_expected_": self.n_outputs_expected_}


def _is_auto(categories):
    return isinstance(categories, str) and categories == "auto"


def _loss_label(loss):
    """A loss as the user wrote it: its name, a function's name or a Loss's class."""
    import types

    if loss is None or isinstance(loss, str):
        return repr(loss)
    if isinstance(loss, (types.FunctionType, types.BuiltinFunctionType)):
        return loss.__name__
    return type(loss).__name__
