"""Pickling and pickle-free saving of skfashion's Keras estimators.

:func:`export_state` gives an estimator's fitted state as plain data and
:func:`import_state` takes it back (checked by :func:`_check_imported` against
the model before anything is set); the estimators' ``_export_state`` and
``_import_state`` call them, and :mod:`skfashion._persistence._skf` owns the file format.
"""

import math
from typing import Any

from .._fit._state import FitState, _Fitted, _is_identity, new_history


def get_state(est):
    """``est.__getstate__()``: the instance dict, the model as bytes."""
    from .._support._model_bytes import ModelBytes, freeze

    state = {}
    for key, value in vars(est).items():
        if key == "_fitted":
            value = {
                "model": ModelBytes.from_model(value.model),
                "feature_encoder": value.feature_encoder,
                "target_encoder": value.target_encoder,
                "shared": value.shared,
            }
        else:
            value = freeze(value)
        state[key] = value
    return state


def set_state(est, state):
    """``est.__setstate__(state)``: the inverse of :func:`get_state`."""
    from .._support._model_bytes import thaw

    state = dict(state)
    fitted = state.pop("_fitted", None)
    state = {key: thaw(value) for key, value in state.items()}
    if fitted is not None:
        state["_fitted"] = _Fitted(
            fitted["model"].to_model(), fitted["feature_encoder"],
            fitted["target_encoder"], shared=fitted["shared"],
        )
    FitState(est).load(state)


def export_state(est):
    """The fitted state as plain Python values, for :mod:`skfashion._persistence._skf`.

    Returns
    -------
    attributes : dict
        Fitted attributes (numbers, strings, dtypes, tuples, arrays, dicts of
        lists), the encoders as ``(class name, state)``.
    model : keras.Model
        The fitted model.
    """
    from ._encoder_state import export_encoder

    state = FitState(est)
    fitted = state.require()
    attributes = {
        name: value for name, value in state.declared().items()
        if not name.startswith("_") and name not in ("target_encoder_", "feature_encoder_")
    }
    attributes["target_encoder_"] = export_encoder(est.target_encoder_)
    attributes["feature_encoder_"] = export_encoder(est.feature_encoder_)
    return attributes, fitted.model


def import_state(est, attributes, model):
    """Restore what :func:`export_state` gave (used when loading a file)."""
    from ._encoder_state import import_encoder

    staged = dict(attributes)
    staged["target_encoder_"] = import_encoder(*attributes["target_encoder_"])
    staged["feature_encoder_"] = import_encoder(*attributes["feature_encoder_"])
    _check_imported(staged, model)
    if "history_" in staged:  # a defaultdict(list), as a fit leaves it
        staged["history_"] = new_history(staged["history_"])
    features = staged["feature_encoder_"]
    staged["_fitted"] = _Fitted(
        model, None if _is_identity(features) else features, staged["target_encoder_"],
        shared=False,
    )
    FitState(est).commit(staged)
    return est


def _check_imported(state, model):
    """Refuse a loaded fitted state that no fit could have produced with ``model``.

    A file declaring 3 classes for a 10-output model, or a ``history_`` that is
    not a dict of per-epoch lists, would load and then fail (or mislead) at
    ``predict`` or ``partial_fit``; it fails at load instead.
    """
    history = state.get("history_", {})
    if not isinstance(history, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(
                isinstance(x, (int, float, list)) and not isinstance(x, bool) for x in v)
            for k, v in history.items()):
        raise ValueError("history_ must map metric names to lists of per-epoch values")
    n_features = state.get("n_features_in_")
    if n_features is not None and (not isinstance(n_features, int) or isinstance(
            n_features, bool) or n_features < 1):
        raise ValueError(f"n_features_in_ must be a positive integer, not {n_features!r}")
    names = state.get("feature_names_in_")
    if names is not None and len(names) != n_features:
        raise ValueError(f"{len(names)} feature names for {n_features} features")
    classes = state.get("classes_")
    if classes is not None and len(classes) != state.get("n_classes_", len(classes)):
        raise ValueError(f"{len(classes)} classes_ but n_classes_={state['n_classes_']}")
    encoder = state.get("target_encoder_")
    if hasattr(encoder, "_adapt_to_model"):
        encoder._adapt_to_model(model)  # the output layer's width against the targets
    shape = state.get("X_shape_")
    if shape is not None and n_features is not None and (
            len(shape) < 2 or shape[1] != n_features):
        raise ValueError(f"n_features_in_={n_features} but the training data had shape "
                         f"{tuple(shape)}")
    sample = tuple(shape[1:]) if shape is not None else (
        (n_features,) if n_features is not None else None)
    inputs: Any = getattr(model, "inputs", None) or ()
    if (sample is not None and len(inputs) == 1 and _is_identity(state["feature_encoder_"])
            and None not in inputs[0].shape[1:]
            and math.prod(inputs[0].shape[1:]) != math.prod(sample)):
        raise ValueError(f"the model takes inputs of shape {tuple(inputs[0].shape[1:])} but "
                         f"the estimator was fitted on samples of shape {sample}")
