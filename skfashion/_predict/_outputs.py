"""Prediction for skfashion's Keras estimators: validated input through the model
(:func:`outputs`; the estimators' ``predict`` and ``predict_proba`` decode it).

The fast path (``_inference.Predictor``) serves plain calls; Keras's own
``model.predict`` runs when options, predict callbacks or a model's own
``predict`` ask for it.
"""

import numpy as np

from .._fit._checks import check_data, warn_if_rescaled
from .._fit._state import FitState
from .._support._models import overridden as _overridden


def _wants_predict_events(callback):
    import keras

    base = keras.callbacks.Callback
    return any(
        getattr(type(callback), name, None) is not getattr(base, name)
        for name in ("on_predict_begin", "on_predict_end", "on_predict_batch_begin",
                     "on_predict_batch_end")
    )


def outputs(est, X, kwargs, *, proba):
    """Validated ``X`` through ``est``'s model: ``(fitted, outputs)``.

    Under the estimator's fit lock (``_fit_guard``): a fit in another thread
    never leaves this call a model in the middle of an epoch, or half-staged
    attributes.
    """
    from .._fit._guard import fit_guard

    with fit_guard(est).lock:
        return _locked_outputs(est, X, kwargs, proba=proba)


def _locked_outputs(est, X, kwargs, *, proba):
    state = FitState(est)
    fitted = state.require()
    X, _ = check_data(est, X, None, reset=False, x_dtype=est._x_dtype,
                      allow_nd=est._allow_nd, check_dtypes=est._check_dtypes,
                      require_y=False)
    if not state.get("_rescale_warned", True):
        state.set(_rescale_warned=warn_if_rescaled(
            state.get("_input_scale"), X, type(est).__name__))
    X = fitted.model_input(X)
    from .._training._sparse import is_sparse  # imports Keras: not at import time

    if not isinstance(X, np.ndarray) and is_sparse(X):
        # dense rows a block at a time, never the whole matrix
        import keras

        from .._training._sparse import dense_blocks

        parts = [_model_outputs(est, fitted, block, kwargs, proba=proba)
                 for block in dense_blocks(X)]
        return fitted, keras.tree.map_structure(
            lambda *arrays: np.concatenate(arrays), *parts)
    return fitted, _model_outputs(est, fitted, X, kwargs, proba=proba)


def _model_outputs(est, fitted, X, kwargs, *, proba):
    from ._fast_path import to_probabilities

    model = fitted.model
    args = {name: opt.value for name, opt in est._predict_option_values().items()}
    args.update(kwargs)
    if args.get("batch_size") == -1:
        if not hasattr(X, "shape"):
            raise ValueError(
                "`batch_size=-1` requires that `X` implement `shape` (the "
                "feature_encoder made X a structure of several inputs)."
            )
        args["batch_size"] = X.shape[0]
    callbacks = [cb for cb in est._callbacks_for_predict() if _wants_predict_events(cb)]
    if kwargs or callbacks or _overridden(model, "predict"):
        args.setdefault("verbose", 0)
        if callbacks:
            args["callbacks"] = callbacks
        out = model.predict(x=X, **args)
        return to_probabilities(out, model) if proba else out
    from ._fast_path import predictor_for

    predictor = predictor_for(fitted)
    return predictor.proba(X) if proba else predictor.outputs(X)
