"""What a fitted pipeline exports as: the plan (its steps, input, classes, outputs),
checked before anything is built or written."""

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from .._support._backend import import_keras
from .._support._pipelines import flat_steps
from ..exceptions import ExportError


#: The member of an exported ``.keras`` file that holds the labels.
LABELS_MEMBER = "skfashion.json"
_EXPORT_FORMAT = "skfashion-export"
_TRANSFORMERS = ("PixelScaler", "StandardScaler", "MinMaxScaler", "MaxAbsScaler")
_INPUT_NAME = "X"


@dataclass(frozen=True)
class _Plan:
    """What the served model is made of; decided before anything is built."""

    transformers: tuple  # (name, fitted transformer) pairs, in order
    #: The dtype each transformer computes in, as scikit-learn computes it for
    #: the input dtype: float32 for PixelScaler, the incoming float dtype for the
    #: scalers (float64 for integer input).
    step_dtypes: tuple
    estimator: Any
    model: Any  # the estimator's fitted Keras model
    input_shape: tuple  # per sample
    input_dtype: str
    classes: Optional[np.ndarray]  # None for a regressor
    activation: Optional[str]  # "softmax" or "sigmoid" a from_logits loss leaves out
    binary_one_unit: bool  # one sigmoid unit for two classes: add the 1 - p column
    n_outputs: int  # columns of the served output


def _transformer_kind(step):
    from sklearn import preprocessing

    from .._estimators._pixel_scaler import PixelScaler

    known = {PixelScaler: "PixelScaler", preprocessing.StandardScaler: "StandardScaler",
             preprocessing.MinMaxScaler: "MinMaxScaler",
             preprocessing.MaxAbsScaler: "MaxAbsScaler"}
    return known.get(type(step))


def _foreign_classes(config, found=None):
    """Class names in a Keras config that Keras alone cannot deserialize."""
    found = [] if found is None else found
    if isinstance(config, dict):
        module = config.get("module")
        if isinstance(module, str) and "class_name" in config:
            registered = config.get("registered_name")
            if not (module == "keras" or module.startswith("keras.")) or (
                    registered not in (None, config["class_name"])):
                found.append(f"{module}.{config['class_name']}")
        for value in config.values():
            _foreign_classes(value, found)
    elif isinstance(config, (list, tuple)):
        for value in config:
            _foreign_classes(value, found)
    return found


def _label_dtype(classes):
    kind = classes.dtype.kind
    if kind == "u" and classes.size and classes.max() > np.iinfo(np.int64).max:
        return np.dtype(np.uint64)  # int64 would wrap them to negative numbers
    if kind in "iub":
        return np.dtype(np.int64)
    if kind == "f":
        return np.dtype(np.float64)
    if kind in "US" or (kind == "O" and all(isinstance(c, str) for c in classes.tolist())):
        return np.dtype(object)
    raise ExportError(
        f"Class labels of type {sorted({type(c).__name__ for c in classes.tolist()})} cannot "
        "be exported: labels must be all integers, all floats or all strings."
    )


#: The methods that turn the model's outputs into what the pipeline predicts: a
#: subclass that overrides one (temperature scaling, calibration, thresholds)
#: predicts something the exported layers do not compute.
_PREDICTION_METHODS = ("predict", "predict_proba")


def _skfashion_code(function):
    module = getattr(function, "__module__", None) or ""
    return function is None or module == "skfashion" or module.startswith("skfashion.")


def _input_spec(transformers, est):
    """``(per-sample shape, dtype)`` of what the pipeline was fitted on.

    A ``PixelScaler`` records the images it was fitted on (shape and dtype).
    ``MinMaxScaler`` and ``MaxAbsScaler`` keep a float input's dtype in their
    ``scale_`` (float64 for integers); ``StandardScaler`` keeps none, so the
    estimator's ``X_dtype_`` after it tells where recorded, else float64, which
    serves float32 and float64 data alike exactly.
    """
    first: Any = transformers[0][1] if transformers else None
    kind = _transformer_kind(first) if first is not None else None
    if kind == "PixelScaler":
        shape = getattr(first, "input_shape_", None)
        if shape is None:  # used without fit (stateless), or fitted by skfashion < 0.4
            shape = first.image_shape if first.image_shape is not None else (
                first.n_features_in_,)
        return tuple(shape), np.dtype(getattr(first, "input_dtype_", None) or "uint8")
    recorded = np.dtype(getattr(est, "X_dtype_", None) or "O")
    if kind is None:
        X_shape = getattr(est, "X_shape_", None)
        shape = tuple(X_shape[1:]) if X_shape is not None else (est.n_features_in_,)
        return shape, recorded if recorded.kind == "f" else np.dtype("float32")
    if kind in ("MinMaxScaler", "MaxAbsScaler"):
        return (first.n_features_in_,), np.asarray(first.scale_).dtype
    only_scalers = all(_transformer_kind(step) != "PixelScaler" for _, step in transformers)
    dtype = recorded if only_scalers and recorded.kind == "f" else np.dtype("float64")
    return (first.n_features_in_,), dtype


def _step_dtypes(transformers, dtype):
    """The dtype each transformer computes in, following scikit-learn's rules."""
    out = []
    for _, step in transformers:
        if _transformer_kind(step) == "PixelScaler":
            dtype = np.dtype("float32")  # x / 255 as float32, whatever comes in
        elif dtype.kind != "f":
            dtype = np.dtype("float64")  # scikit-learn's scalers: integers to float64
        out.append(dtype.name)
    return tuple(out)


def _check_precision(step_dtypes):
    """A float64 step must compute in float64: refuse where Keras cannot."""
    keras = import_keras()
    if "float64" not in step_dtypes or keras.backend.backend() != "jax":
        return
    import jax

    if not getattr(jax.config, "jax_enable_x64", False):
        raise ExportError(
            "The pipeline's scalers compute in float64 (scikit-learn keeps float64 input "
            "in float64), but JAX computes in float32 unless 64-bit mode is on, and the "
            "served model's labels could differ from the pipeline's. Export under "
            "KERAS_BACKEND=tensorflow, or set jax.config.update('jax_enable_x64', True) "
            "before importing Keras, or pass input_dtype='float32' to serve float32 "
            "input (then the pipeline, too, computes in float32 for that input)."
        )


def _check_estimator(name, est):
    from sklearn.utils.validation import check_is_fitted

    from .._estimators._keras_base import _BaseKeras
    from .._fit._encoders import ClassifierLabelEncoder, RegressorTargetEncoder

    where = f"step {name!r} ({type(est).__name__})" if name else type(est).__name__
    if not isinstance(est, _BaseKeras):
        raise ExportError(
            f"{where} cannot be exported: the last step must be a skfashion estimator "
            "(SoftmaxClassifier, KerasClassifier, KerasRegressor)."
        )
    check_is_fitted(est)
    overridden = [name for name in _PREDICTION_METHODS
                  if not _skfashion_code(getattr(type(est), name, None))]
    if overridden:
        raise ExportError(
            f"{where} overrides {', '.join(overridden)}, which the served model cannot "
            "reproduce: it would serve the base class's predictions, not yours. Put the "
            "change into the Keras model (a layer, e.g. a temperature-scaling Rescaling "
            "before the softmax), or serve the pipeline from Python (skfashion.save)."
        )
    from .._fit._state import FitState

    fitted = FitState(est).require()
    if fitted.feature_encoder is not None:
        raise ExportError(
            f"{where} has a feature_encoder ({type(fitted.feature_encoder).__name__}), which "
            "is Python code that cannot become part of the exported model. Move the "
            "transformation into the model (a Keras layer) or into a pipeline step that "
            f"can be exported ({', '.join(_TRANSFORMERS)})."
        )
    model = fitted.model
    inputs, outputs = getattr(model, "inputs", None), getattr(model, "outputs", None)
    if not inputs or not outputs or len(inputs) != 1 or len(outputs) != 1:
        raise ExportError(
            f"{where}: only a Keras model with one input and one output can be exported "
            f"(a Functional or Sequential model); {type(model).__name__} has "
            f"{len(inputs or ())} input(s) and {len(outputs or ())} output(s)."
        )
    own_class = f"{type(model).__module__}.{type(model).__name__}"
    try:
        foreign = _foreign_classes(model.get_config())
    except NotImplementedError:
        foreign = [own_class]
    if not type(model).__module__.startswith("keras."):
        foreign.append(own_class)
    if foreign:
        raise ExportError(
            f"{where}: its model uses {sorted(set(foreign))}, which Keras alone cannot load "
            "(a served model must not need your code). Build it from Keras's own layers, "
            "or save it with skfashion.save for Python use."
        )
    encoder = est.target_encoder_
    if type(encoder) is RegressorTargetEncoder:
        return fitted, None
    if type(encoder) is not ClassifierLabelEncoder or est.target_type_ not in (
            "binary", "multiclass"):
        raise ExportError(
            f"{where}: only single-label classification (binary or multiclass targets, "
            "the default target encoder) and regression with the default encoder can be "
            f"exported; this one has target type {est.target_type_!r} and target encoder "
            f"{type(encoder).__name__}."
        )
    return fitted, np.asarray(est.classes_)


def _plan(obj, input_dtype):
    from sklearn.utils.validation import check_is_fitted

    from .._fit._losses import from_logits, loss_kind, single_loss

    steps = flat_steps(obj)
    if not steps:
        raise ExportError("The pipeline has no steps to export.")
    *transformers, (est_name, est) = steps
    for name, step in transformers:
        if _transformer_kind(step) is None:
            raise ExportError(
                f"Step {name!r} ({type(step).__name__}) cannot be exported: the steps before "
                f"the estimator must be among {', '.join(_TRANSFORMERS)}, which become "
                "Keras layers."
            )
        check_is_fitted(step)
    fitted, classes = _check_estimator(est_name, est)
    model = fitted.model
    input_shape, fitted_dtype = _input_spec(transformers, est)
    dtype = _check_input_dtype(input_dtype) if input_dtype is not None else fitted_dtype
    step_dtypes = _step_dtypes(transformers, dtype)
    _check_precision(step_dtypes)

    units = model.outputs[0].shape[-1]
    loss = single_loss(model)
    activation = None
    if loss is not None and from_logits(loss):
        activation = "sigmoid" if units == 1 or loss_kind(loss) == "binary" else "softmax"
    binary_one_unit = False
    if classes is not None:
        binary_one_unit = units == 1 and len(classes) == 2
        if not binary_one_unit and units != len(classes):
            raise ExportError(
                f"The model of {type(est).__name__} has {units} output unit(s) for "
                f"{len(classes)} classes; only one unit per class (or one sigmoid unit for "
                "two classes) can be exported."
            )
        _label_dtype(classes)
    n_outputs = len(classes) if classes is not None else units
    return _Plan(tuple(transformers), step_dtypes, est, model, input_shape, dtype.name,
                 classes, activation, binary_one_unit, n_outputs)


def _check_input_dtype(input_dtype):
    """``input_dtype`` as a NumPy dtype: an integer or float type, else a ValueError."""
    try:
        dtype = np.dtype(input_dtype)
    except TypeError as exc:
        raise ValueError(
            f"input_dtype must name an integer or float dtype ('uint8', 'float32', "
            f"'float64'...); got {input_dtype!r}."
        ) from exc
    if dtype.kind not in "uif":
        raise ValueError(
            f"input_dtype must be an integer or float dtype ('uint8', 'float32', "
            f"'float64'...); got {dtype}."
        )
    return dtype
