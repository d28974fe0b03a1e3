"""Prediction for skfashion's Keras estimators: validated input through the model.

The fast path (``_inference.Predictor``) serves plain calls; Keras's own
``model.predict`` runs when options, predict callbacks or a model's own
``predict`` ask for it.
"""

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._data import check_data, warn_if_rescaled


def _overridden(model, method):
    """True if ``model`` has its own ``method`` (a subclass or an instance attribute)."""
    import keras

    if method in vars(model):
        return True
    return getattr(type(model), method, None) is not getattr(keras.Model, method)


def _wants_predict_events(callback):
    import keras

    base = keras.callbacks.Callback
    return any(
        getattr(type(callback), name, None) is not getattr(base, name)
        for name in ("on_predict_begin", "on_predict_end", "on_predict_batch_begin",
                     "on_predict_batch_end")
    )


class _PredictMixin:
    """``predict`` and the model outputs behind it (and ``predict_proba``)."""

    def _outputs(self, X, kwargs, *, proba):
        """Validated ``X`` through the model: ``(fitted, outputs)``.

        Under the estimator's fit lock (``_fit_guard``): a fit in another thread
        never leaves this call a model in the middle of an epoch, or half-staged
        attributes.
        """
        from ._fit_guard import fit_guard

        with fit_guard(self).lock:
            return self._locked_outputs(X, kwargs, proba=proba)

    def _locked_outputs(self, X, kwargs, *, proba):
        fitted = self._require_fitted()
        X, _ = check_data(self, X, None, reset=False, x_dtype=self._x_dtype,
                          allow_nd=self._allow_nd, check_dtypes=self._check_dtypes,
                          require_y=False)
        if not self.__dict__.get("_rescale_warned", True):
            self.__dict__["_rescale_warned"] = warn_if_rescaled(
                self.__dict__.get("_input_scale"), X, type(self).__name__)
        X = fitted.model_input(X)
        from ._training._sparse import is_sparse  # imports Keras: not at import time

        if not isinstance(X, np.ndarray) and is_sparse(X):
            # dense rows a block at a time, never the whole matrix
            import keras

            from ._training._sparse import dense_blocks

            parts = [self._model_outputs(fitted, block, kwargs, proba=proba)
                     for block in dense_blocks(X)]
            return fitted, keras.tree.map_structure(
                lambda *arrays: np.concatenate(arrays), *parts)
        return fitted, self._model_outputs(fitted, X, kwargs, proba=proba)

    def _model_outputs(self, fitted, X, kwargs, *, proba):
        from ._inference import to_probabilities

        model = fitted.model
        args = {name: opt.value for name, opt in self._predict_option_values().items()}
        args.update(kwargs)
        if args.get("batch_size") == -1:
            if not hasattr(X, "shape"):
                raise ValueError(
                    "`batch_size=-1` requires that `X` implement `shape` (the "
                    "feature_encoder made X a structure of several inputs)."
                )
            args["batch_size"] = X.shape[0]
        callbacks = [cb for cb in self._predict_callbacks() if _wants_predict_events(cb)]
        if kwargs or callbacks or _overridden(model, "predict"):
            args.setdefault("verbose", 0)
            if callbacks:
                args["callbacks"] = callbacks
            out = model.predict(x=X, **args)
            return to_probabilities(out, model) if proba else out
        predictor = fitted.predictor()
        return predictor.proba(X) if proba else predictor.outputs(X)

    def predict(self, X: ArrayLike, **kwargs: Any) -> np.ndarray:
        """Predictions for ``X``: the model's outputs decoded by the target encoder.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, ...)
            Inputs.
        **kwargs : dict
            Options of Keras's ``Model.predict`` (then ``model.predict`` runs).

        Returns
        -------
        y_pred : ndarray

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit`` (or ``initialize``).
        ValueError
            ``X`` unlike the training inputs: another number of features, another
            shape, NaN or infinite values.
        """
        fitted, out = self._outputs(X, kwargs, proba=False)
        encoder = fitted.target_encoder
        return encoder.inverse_transform(out) if encoder is not None else out
