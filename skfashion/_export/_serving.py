"""The served Keras model a plan describes: the transformers as Keras layers, the
estimator's model, then what ``predict_proba`` adds; and the metadata every
format stores beside it."""

import math
from typing import Any, Dict

import numpy as np

from .._support._backend import import_keras
from .._version import __version__
from ..exceptions import ExportError
from ._plan import _EXPORT_FORMAT, _INPUT_NAME, _transformer_kind


# ------------------------------------------------------------------ building
def _transformer_layers(keras, name, step, x, dtype):
    """Apply ``step`` to the Keras tensor ``x`` as built-in layers computing in ``dtype``.

    ``dtype`` is the one scikit-learn computes the step in (``_step_dtypes``):
    a StandardScaler on float64 input centres in float64, where float32 would
    lose the data's spread next to a large mean.
    """
    layers = keras.layers
    kind = _transformer_kind(step)
    tag = name.replace("__", "_") or kind.lower()

    def floats(value):
        return value if np.isscalar(value) else np.asarray(value, dtype=dtype)

    def rescaling(scale, offset=0.0, *, name):
        return layers.Rescaling(floats(scale), floats(offset), name=name, dtype=dtype)

    if kind == "PixelScaler":
        if len(x.shape) > 2:
            x = layers.Reshape((math.prod(x.shape[1:]),), name=f"{tag}_flatten")(x)
        return rescaling(1.0 / 255, name=tag)(x)
    if kind == "StandardScaler":
        # (x - mean) / scale in two steps, as scikit-learn computes it: the one-step
        # x * (1 / scale) - mean / scale cancels badly where the variance is tiny.
        if step.with_mean and step.mean_ is not None:
            x = rescaling(1.0, -np.asarray(step.mean_, np.float64), name=f"{tag}_center")(x)
        if step.with_std and step.scale_ is not None:
            x = rescaling(1.0 / np.asarray(step.scale_, np.float64), name=tag)(x)
        return x
    if kind == "MaxAbsScaler":
        return rescaling(1.0 / np.asarray(step.scale_, np.float64), name=tag)(x)
    # MinMaxScaler: X * scale_ + min_, then clipped to feature_range when clip=True
    x = rescaling(step.scale_, step.min_, name=tag)(x)
    if step.clip:
        low, high = (float(v) for v in step.feature_range)
        x = rescaling(1.0, -low, name=f"{tag}_shift")(x)
        x = layers.ReLU(max_value=high - low, name=f"{tag}_clip", dtype=dtype)(x)
        x = rescaling(1.0, low, name=f"{tag}_unshift")(x)
    return x


def build_serving_model(plan):
    """The Keras model: raw input -> transformers as layers -> model -> probabilities."""
    keras = import_keras()
    layers = keras.layers
    inputs = keras.Input(shape=plan.input_shape, dtype=plan.input_dtype, name=_INPUT_NAME)
    x = inputs
    for (name, step), dtype in zip(plan.transformers, plan.step_dtypes):
        x = _transformer_layers(keras, name, step, x, dtype)
    # A copy without compile state (a served model needs no loss): the
    # estimator's own model and graph stay untouched.
    model = type(plan.model).from_config(plan.model.get_config())
    model.set_weights(plan.model.get_weights())
    shape = tuple(model.inputs[0].shape[1:])
    if None not in shape and shape != tuple(x.shape[1:]):
        if math.prod(shape) != math.prod(x.shape[1:]):
            raise ExportError(
                f"The model expects inputs of shape {shape} but the pipeline gives it "
                f"{tuple(x.shape[1:])}."
            )
        x = layers.Reshape(shape, name="to_model_input")(x)
    x = model(x)
    if plan.activation is not None:
        x = layers.Activation(plan.activation, name="from_logits")(x)
    if plan.binary_one_unit:
        x = layers.Concatenate(name="both_classes")(
            [layers.Rescaling(-1.0, 1.0, name="one_minus")(x), x])
    out_name = "probabilities" if plan.classes is not None else "predictions"
    outputs = layers.Identity(name=out_name)(x)
    served = keras.Model(inputs, outputs, name="skfashion_export")
    served(np.zeros((1, *plan.input_shape), dtype=plan.input_dtype))  # exporters need a call
    return served


def _metadata(plan):
    meta: Dict[str, Any] = {
        "format": _EXPORT_FORMAT, "skfashion_version": __version__,
        "input": {"shape": [None, *plan.input_shape], "dtype": plan.input_dtype}}
    if plan.classes is not None:
        meta.update(kind="classifier", classes=plan.classes.tolist())
    else:
        y_shape = plan.estimator.target_encoder_._y_shape
        meta.update(kind="regressor", target_ndim=len(y_shape))
    return meta
