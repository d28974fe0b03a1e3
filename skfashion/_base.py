"""The estimator machinery shared by KerasClassifier and SoftmaxClassifier."""

import copy
import math
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from ._persist import (
    KerasModelBytes,
    is_keras_model,
    load_estimator,
    model_from_bytes,
    model_to_bytes,
    save_estimator,
)
from ._random import keras_seed


#: How X is checked in fit and predict: finite float32, sparse densified after.
_CHECK_X = dict(accept_sparse=("csr", "csc", "coo"), dtype=np.float32, ensure_all_finite=True)


def _loss_name(loss):
    if isinstance(loss, str):
        return loss
    return getattr(loss, "name", None) or getattr(loss, "__name__", "") or ""


class BaseKerasClassifier(ClassifierMixin, BaseEstimator):
    """Fitting, prediction and persistence shared by the Keras classifiers.

    Subclasses implement ``_build_model(meta)``, returning a compiled Keras model
    whose single output has ``meta["n_classes_"]`` units (or 1 sigmoid unit with
    a binary loss for two classes), and ``_make_callbacks()``.
    """

    _parameter_constraints = {
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "metrics": [list, tuple, None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "shuffle": ["boolean"],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # ----------------------------------------------------------------- fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network for ``epochs`` epochs.

        With ``warm_start=True`` and an earlier fit, training continues from the
        current weights and optimizer state; otherwise a new model is built.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Training data; sparse input is densified in float32.
        y : array-like of shape (n_samples,)
            Class labels of any type.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights, multiplied by ``class_weight`` when both are set.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        reset = not (self.warm_start and hasattr(self, "model_"))
        epochs = self._fit_option("epochs")
        return self._fit(X, y, sample_weight, classes=None, epochs=epochs, reset=reset,
                         early_stopping=self.early_stopping)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train one epoch on ``(X, y)``, continuing from the current weights.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels; all must be in ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class of the whole data. Required on the first call, optional
            (and then checked) afterwards.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        first = not hasattr(self, "model_")
        if first and classes is None:
            raise ValueError(
                "classes must be passed on the first call to partial_fit: the network's "
                "output size depends on every class of the data, e.g. "
                "partial_fit(X, y, classes=np.unique(y_all))."
            )
        return self._fit(X, y, sample_weight, classes=classes, epochs=1, reset=first,
                         early_stopping=False)

    def _fit_option(self, name):
        """The value of a training-loop option (KerasClassifier adds ``fit__`` routing)."""
        return getattr(self, name)

    def _validate_X(self, X, *, reset):
        X = validate_data(self, X, reset=reset, **_CHECK_X)
        return X.toarray() if sp.issparse(X) else X

    def _init_classes(self, y, classes):
        if classes is None:
            found = np.unique(y)
        else:
            found = np.asarray(classes)
            if found.ndim != 1 or len(np.unique(found)) != len(found):
                raise ValueError(
                    f"classes must be a 1-D array of distinct labels; got {classes!r}."
                )
            found = np.unique(found)
        if len(found) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes; got 1 class: "
                f"{found.tolist()}."
            )
        return found

    def _encode(self, y):
        idx = np.searchsorted(self.classes_, y)
        idx = np.clip(idx, 0, len(self.classes_) - 1)
        unknown = self.classes_[idx] != y
        if unknown.any():
            raise ValueError(
                f"y contains labels not in classes_: {np.unique(y[unknown]).tolist()}. "
                f"Known classes: {self.classes_.tolist()}. Pass every class to the first "
                "partial_fit(classes=...), or fit a new model."
            )
        return idx.astype(np.int32)

    def _target_mode(self, model):
        name = _loss_name(model.loss)
        units = model.outputs[0].shape[-1]
        n_classes = len(self.classes_)
        if "sparse" in name:
            mode = "index"
        elif name.startswith("binary") and units == 1:
            mode = "binary"
        else:
            mode = "onehot"
        expected = 1 if mode == "binary" else n_classes
        if units != expected or (mode == "binary" and n_classes != 2):
            raise ValueError(
                f"The model's output layer has {units} units but the data has {n_classes} "
                f"classes and the loss is {name or model.loss!r}. Build the last layer with "
                "meta['n_classes_'] units and a softmax activation (or, for two classes and "
                "a binary loss, 1 sigmoid unit)."
            )
        return mode

    def _targets(self, y_idx):
        if self._target_mode_ == "index":
            return y_idx
        if self._target_mode_ == "binary":
            return y_idx.astype(np.float32)
        return np.eye(len(self.classes_), dtype=np.float32)[y_idx]

    def _sample_weight(self, sample_weight, y_idx, X):
        weight = _check_sample_weight(sample_weight, X, dtype=np.float32, ensure_non_negative=True)
        if self.class_weight is not None:
            weight = weight * compute_sample_weight(
                self.class_weight if self.class_weight == "balanced" else {
                    np.searchsorted(self.classes_, k): v for k, v in self.class_weight.items()
                },
                y_idx,
            ).astype(np.float32)
        return np.ascontiguousarray(weight, dtype=np.float32)

    def _meta(self, X):
        return {
            "n_features_in_": self.n_features_in_,
            "n_classes_": len(self.classes_),
            "classes_": self.classes_,
            "target_type_": "binary" if len(self.classes_) == 2 else "multiclass",
            "n_outputs_expected_": 1,
            "X_shape_": X.shape,
            "X_dtype_": X.dtype,
        }

    def _as_model_input(self, X, model):
        shape = tuple(model.inputs[0].shape[1:])
        if shape == X.shape[1:]:
            return X
        if math.prod(shape) != X.shape[1]:
            raise ValueError(
                f"The model expects inputs of shape {shape} ({math.prod(shape)} values per "
                f"sample) but X has {X.shape[1]} features."
            )
        return X.reshape((len(X), *shape))

    def _fit(self, X, y, sample_weight, *, classes, epochs, reset, early_stopping):
        from ._train import EpochRunner, as_tensor

        X, y = validate_data(self, X, y, reset=reset, **_CHECK_X)
        if sp.issparse(X):
            X = X.toarray()
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if reset:
            self.classes_ = self._init_classes(y, classes)
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"classes={np.asarray(classes).tolist()} differs from the classes of the "
                f"first call, {self.classes_.tolist()}."
            )
        y_idx = self._encode(y)
        weight = self._sample_weight(sample_weight, y_idx, X)
        rng = check_random_state(self.random_state)
        seed = None if self.random_state is None else int(rng.randint(np.iinfo(np.int32).max))

        with keras_seed(seed):
            if reset:
                model = self._build_model(self._meta(X))
                self._target_mode_ = self._target_mode(model)
                history, n_iter = {}, 0
            else:
                model = self.model_
                history = {k: list(v) for k, v in self.history_.items()}
                n_iter = self.n_iter_
            X = self._as_model_input(X, model)
            targets = self._targets(y_idx)
            train_idx, val_idx = np.arange(len(X)), None
            if early_stopping:
                train_idx, val_idx = self._validation_split(y_idx, rng)
            batch_size = self._fit_option("batch_size")
            shuffle = self._fit_option("shuffle")
            runner = EpochRunner(model, batch_size, targets)
            x_t, y_t, w_t = as_tensor(X), as_tensor(targets), as_tensor(weight)
            if val_idx is not None:
                import tensorflow as tf

                val = tuple(tf.gather(t, val_idx) for t in (x_t, y_t, w_t))
            steps = -(-len(train_idx) // batch_size)
            callbacks = self._callback_list(model, epochs, early_stopping, steps)
            model.stop_training = False
            callbacks.on_train_begin()
            for epoch in range(epochs):
                callbacks.on_epoch_begin(epoch)
                callbacks.on_train_batch_begin(0)
                order = rng.permutation(train_idx) if shuffle else train_idx
                logs = runner.train_epoch(x_t, y_t, w_t, order)
                callbacks.on_train_batch_end(steps - 1, logs)
                if val_idx is not None:
                    logs.update({f"val_{k}": v for k, v in runner.evaluate(*val).items()})
                if not math.isfinite(logs["loss"]):
                    raise ValueError(
                        f"Training diverged: the loss is {logs['loss']} after epoch "
                        f"{n_iter + 1}. Lower the learning rate or scale the inputs "
                        "(PixelScaler for images)."
                    )
                for key, value in logs.items():
                    history.setdefault(key, []).append(value)
                n_iter += 1
                callbacks.on_epoch_end(epoch, logs)
                hook = getattr(self, "_tf_epoch_hook", None)
                if hook is not None:  # EpochSearchCV scores the model after each epoch
                    self.model_, self.history_, self.n_iter_ = model, history, n_iter
                    self._after_fit()
                    hook(n_iter)
                if model.stop_training:
                    break
            callbacks.on_train_end(logs)

        self.model_ = model
        self.history_ = history
        self.n_iter_ = n_iter
        self._after_fit()
        return self

    def _validation_split(self, y_idx, rng):
        n = len(y_idx)
        n_val = math.ceil(self.validation_fraction * n)
        if n_val < 1 or n - n_val < 1:
            raise ValueError(
                f"early_stopping needs a validation set: validation_fraction="
                f"{self.validation_fraction} of {n} samples leaves {n - n_val} for training "
                f"and {n_val} for validation. Use more samples or change validation_fraction."
            )
        counts = np.bincount(y_idx)
        stratify = y_idx if counts[counts > 0].min() >= 2 and n_val >= len(counts) else None
        train_idx, val_idx = train_test_split(
            np.arange(n), test_size=n_val, random_state=rng, stratify=stratify
        )
        return np.sort(train_idx), np.sort(val_idx)

    def _callback_list(self, model, epochs, early_stopping, steps):
        import keras

        callbacks = self._make_callbacks()
        if early_stopping:
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor="val_loss",
                    patience=self.n_iter_no_change,
                    min_delta=self.tol,
                    restore_best_weights=True,
                )
            )
        verbose = int(self._fit_option("verbose"))
        return keras.callbacks.CallbackList(
            callbacks, add_progbar=bool(verbose), model=model, verbose=verbose,
            epochs=epochs, steps=steps,
        )

    def _copy_callbacks(self, callbacks):
        """Fresh copies of callback instances, so a fit never changes a parameter."""
        return [copy.deepcopy(cb) for cb in callbacks]

    def _after_fit(self):
        """Derive the inference path from ``model_`` (after fit, load or unpickle)."""
        from ._fast import ForwardPass

        current = getattr(self, "_tf_forward", None)
        if not (current is not None and current.kind == "traced" and current.model is self.model_):
            self._tf_forward = ForwardPass(self.model_)  # a traced call follows the weights
        if not hasattr(self, "_target_mode_"):
            self._target_mode_ = self._target_mode(self.model_)
        loss = self.model_.loss
        self._from_logits_ = bool(getattr(loss, "from_logits", False))

    @property
    def loss_curve_(self):
        """Training loss per epoch, ``history_["loss"]`` (after fit)."""
        return self.history_["loss"]

    # -------------------------------------------------------------- prediction
    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), float32
            Each row sums to 1.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        X = self._as_model_input(X, self.model_)
        out = self._tf_forward(X)
        if self._target_mode_ == "binary":
            out = out.reshape(-1)
            if self._from_logits_:
                from ._fast import _np_sigmoid

                out = _np_sigmoid(out)
            return np.stack([1 - out, out], axis=1)
        if self._from_logits_:
            from ._fast import _np_softmax

            out = _np_softmax(out)
        return out

    def predict(self, X):
        """Predicted class labels, ``classes_[argmax(predict_proba(X))]``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def score(self, X, y, sample_weight=None):
        """Mean accuracy of ``predict(X)`` against ``y``.

        Labels in ``y`` that were never seen in fit raise a ``ValueError``
        instead of silently counting as errors.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
        """
        check_is_fitted(self)
        y_arr = column_or_1d(y, warn=True)
        unseen = np.setdiff1d(np.unique(y_arr), self.classes_)
        if unseen.size:
            raise ValueError(
                f"y contains labels never seen in fit: {unseen.tolist()}. Known classes: "
                f"{self.classes_.tolist()}."
            )
        return super().score(X, y_arr, sample_weight=sample_weight)

    # ------------------------------------------------------------- persistence
    def __getstate__(self):
        state = {k: v for k, v in self.__dict__.items() if not k.startswith("_tf_")}
        for key, value in state.items():
            if is_keras_model(value):
                state[key] = KerasModelBytes(model_to_bytes(value))
        return state

    def __setstate__(self, state):
        state = dict(state)
        for key, value in state.items():
            if isinstance(value, KerasModelBytes):
                state[key] = model_from_bytes(bytes(value), safe_mode=False)
        self.__dict__.update(state)
        if "model_" in state:
            self._after_fit()

    def save(self, path):
        """Save the fitted estimator to ``path`` without pickle.

        The file (a zip of the Keras ``.keras`` model and JSON metadata) can be
        loaded with :func:`skfashion.load` even from an untrusted source: loading
        runs no code stored in the file. Parameters that are not plain data (a
        builder function, callback objects) are not stored: they are listed in the
        returned list and take their default values on load. For a
        ``KerasClassifier`` the loaded model itself becomes the ``model``
        parameter, so the loaded estimator can be refitted.

        Parameters
        ----------
        path : str or path-like
            Destination file; written atomically.

        Returns
        -------
        skipped : list of str
            Names of the parameters that were not stored.
        """
        skipped = save_estimator(self, path)
        if [p for p in skipped if p != "model"]:
            warnings.warn(
                f"These parameters are not plain data and were not saved: {skipped}; "
                "they take their default values when the file is loaded.",
                UserWarning,
            )
        return skipped

    @classmethod
    def _is_param_name(cls, name):
        return name in cls._get_param_names()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.non_deterministic = self.random_state is None
        return tags


def load(path):
    """Load an estimator saved with ``save(path)``; safe for untrusted files.

    Parameters
    ----------
    path : str or path-like
        A file written by :meth:`SoftmaxClassifier.save` or
        :meth:`KerasClassifier.save`.

    Returns
    -------
    estimator : SoftmaxClassifier or KerasClassifier
        The fitted estimator.

    Raises
    ------
    ValueError
        If the file is not a skfashion estimator file, was written in an
        incompatible format version, or holds a model Keras refuses in safe mode.
    """
    from ._keras import KerasClassifier
    from ._softmax import SoftmaxClassifier

    classes = {c.__name__: c for c in (KerasClassifier, SoftmaxClassifier)}
    return load_estimator(path, classes)
