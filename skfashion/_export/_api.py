"""Export a fitted pipeline as one artifact that serves without Python's ML stack.

:func:`export` turns ``Pipeline([PixelScaler(), StandardScaler(), clf])`` (or a
fitted estimator alone) into a single Keras model that takes the raw input the
pipeline takes (uint8 images, say): each transformer becomes a built-in Keras
layer (``Reshape``, ``Rescaling``, ``ReLU``), the estimator's model follows,
then what ``predict_proba`` adds (the softmax or sigmoid a ``from_logits`` loss
leaves out, the second column of a one-unit binary model). That model is
written in one of three formats:

- ``"keras"``: a ``.keras`` file that plain ``keras.saving.load_model`` opens
  on any backend, with the class labels in its member ``skfashion.json``;
- ``"tf_saved_model"``: a SavedModel directory for TensorFlow Serving whose
  ``serving_default`` signature returns ``probabilities`` and ``labels``;
- ``"onnx"``: one ONNX file with the outputs of scikit-learn's ONNX converters
  (``label`` and ``probabilities``; ``variable`` for a regressor).

Everything that can be checked is checked before anything is written: a step
that cannot be exported, a model built from classes Keras alone cannot load,
a target encoding other than skfashion's defaults.
"""

import io
import json
import math
import os
import shutil
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional

import numpy as np

from .._support._backend import import_keras
from .._support._pipelines import flat_steps
from .._version import __version__
from ..exceptions import ExportError, ExportPrecisionWarning  # noqa: F401 (re-exported)

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


# ------------------------------------------------------------------ checking
def _infer_format(path):
    """The format whose file name ``path`` has: its suffix, or none for a directory."""
    suffix = Path(path).suffix.lower()
    for fmt in _FORMATS.values():
        if suffix == fmt.suffix:
            return fmt.name
    raise ValueError(
        f"Cannot tell the export format from {str(path)!r}: give format= one of {FORMATS} "
        f"(or a path named as {', '.join(f.path_hint for f in _FORMATS.values())})."
    )


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


# ------------------------------------------------------------------- writing

def _write_keras(model, plan, path):
    from .._support._model_bytes import model_to_bytes
    from .._persistence._safe_zip import write_atomic

    if path.suffix != ".keras":
        raise ValueError(f"A Keras file's name must end in '.keras' (Keras refuses others); "
                         f"got {str(path)!r}.")
    if "float64" in plan.step_dtypes:
        warnings.warn(
            f"{path.name}: the pipeline's scalers compute in float64, and so does this "
            "model when it is called (served(X)); but Keras's predict() casts float arrays "
            "to float32 before the model, which can change labels for data with a large "
            "offset. Serve it with served(X), or export format='onnx' or 'tf_saved_model' "
            "(float64 end to end).",
            ExportPrecisionWarning,
            stacklevel=3,
        )
    buffer = io.BytesIO(model_to_bytes(model))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(LABELS_MEMBER, json.dumps(_metadata(plan)))
    write_atomic(path, lambda fh: fh.write(buffer.getvalue()))


def _replace_directory(path, write):
    """Write a directory next to ``path`` with ``write(tmp)``, then move it to ``path``.

    An existing ``path`` is replaced only if it is a SavedModel (it holds
    ``saved_model.pb``), never another directory or a file.
    """
    if path.exists() and not (path.is_dir() and (path / "saved_model.pb").exists()):
        raise FileExistsError(
            f"Cannot export to {path}: it exists and is not a SavedModel directory "
            "(skfashion replaces only an earlier export)."
        )
    parent = path.parent if str(path.parent) else Path(".")
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name[:64]}.", suffix=".part", dir=parent))
    try:
        write(tmp / "saved_model")
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name[:64]}.", suffix=".old",
                                        dir=parent))
            os.replace(path, old / "saved_model")
            os.replace(tmp / "saved_model", path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp / "saved_model", path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write_saved_model(model, plan, path):
    import tensorflow as tf

    keras = import_keras()
    spec = tf.TensorSpec((None, *plan.input_shape), plan.input_dtype, name=_INPUT_NAME)
    archive = keras.export.ExportArchive()
    archive.track(model)
    if plan.classes is not None:
        classes = tf.constant(plan.classes.astype(_label_dtype(plan.classes)))

        def serve(X):
            proba = model(X, training=False)
            return {"probabilities": proba,
                    "labels": tf.gather(classes, tf.argmax(proba, axis=1))}
    else:
        def serve(X):
            return {"predictions": model(X, training=False)}
    archive.add_endpoint("serving_default", serve, input_signature=[spec])
    meta = json.dumps(_metadata(plan))

    def write(target):
        archive.write_out(str(target), verbose=False)
        (target / "assets.extra").mkdir(exist_ok=True)
        (target / "assets.extra" / LABELS_MEMBER).write_text(meta)

    _replace_directory(path, write)


def _write_onnx(model, plan, path):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from .._persistence._safe_zip import write_atomic

    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "model.onnx")
        with warnings.catch_warnings():  # Keras's tf2onnx patch probes np.object
            warnings.filterwarnings("ignore", message=".*np.object.*", category=FutureWarning)
            model.export(raw, format="onnx", verbose=False)
        proto = onnx.load(raw)
    graph = proto.graph
    (net_out,) = [o.name for o in graph.output]
    del graph.output[:]
    if plan.classes is not None:
        label_dtype = _label_dtype(plan.classes)
        values = plan.classes.astype(label_dtype)
        if label_dtype == object:
            names: Any = [str(v).encode("utf-8") for v in values]  # STRING: bytes
            classes = helper.make_tensor("classes", TensorProto.STRING, [len(values)], names)
            label_type = TensorProto.STRING
        else:
            classes = numpy_helper.from_array(values, name="classes")
            label_type = {"i": TensorProto.INT64, "u": TensorProto.UINT64,
                          "f": TensorProto.DOUBLE}[label_dtype.kind]
        graph.initializer.append(classes)
        graph.node.extend([
            helper.make_node("Identity", [net_out], ["probabilities"]),
            helper.make_node("ArgMax", ["probabilities"], ["label_index"], axis=1,
                             keepdims=0),
            helper.make_node("Gather", ["classes", "label_index"], ["label"], axis=0),
        ])
        graph.output.extend([
            helper.make_tensor_value_info("label", label_type, ["N"]),
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT,
                                          ["N", plan.n_outputs]),
        ])
    else:
        graph.node.append(helper.make_node("Identity", [net_out], ["variable"]))
        graph.output.append(helper.make_tensor_value_info(
            "variable", TensorProto.FLOAT, ["N", plan.n_outputs]))
    entry = proto.metadata_props.add()
    entry.key, entry.value = "skfashion", json.dumps(_metadata(plan))
    proto.producer_name, proto.producer_version = "skfashion", __version__
    onnx.checker.check_model(proto)
    data = proto.SerializeToString()
    write_atomic(path, lambda fh: fh.write(data))


def _check_saved_model_support():
    backend = import_keras().backend.backend()
    if backend != "tensorflow":
        raise ValueError(
            "format='tf_saved_model' needs the TensorFlow backend (KERAS_BACKEND=tensorflow); "
            f"the backend is {backend!r}. Export format='keras' here and convert that file "
            "under TensorFlow, or export ONNX."
        )


def _check_onnx_support():
    backend = import_keras().backend.backend()
    missing = []
    for module in ("onnx", "tf2onnx") if backend in ("tensorflow", "jax") else ("onnx",):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise ImportError(
            f"format='onnx' needs {' and '.join(missing)}: pip install 'skfashion[onnx]'."
        )


@dataclass(frozen=True)
class ExportFormat:
    """One export format: everything about it in one record.

    ``export`` finds the format by ``name`` (or by the path's ``suffix``), runs
    ``check`` (can this installation write it?) before any work, then ``write``;
    the command line takes its choices and help from these records.
    """

    name: str
    suffix: str  # the file name's suffix; "" for a directory
    path_hint: str  # how a path of this format looks, for messages and help
    served_by: str  # what opens the result, for the command line's help
    write: Any  # (model, plan, path) -> None
    check: Any = None  # () -> None, raising when this installation cannot write it


def export(estimator, path, *, format=None, input_dtype=None):
    """Write a fitted pipeline (or estimator) as one model that serves without skfashion.

    See :func:`skfashion.export` for the parameters.
    """
    path = Path(os.fspath(path))
    name = _infer_format(path) if format is None else format
    if name not in _FORMATS:
        raise ValueError(f"format must be one of {FORMATS}; got {name!r}.")
    fmt = _FORMATS[name]
    plan = _plan(estimator, input_dtype)
    if fmt.check is not None:
        fmt.check()
    fmt.write(build_serving_model(plan), plan, path)
    return path


#: The export formats, by name, in the order help and messages list them.
_FORMATS = {f.name: f for f in (
    ExportFormat("keras", ".keras", "'<name>.keras'", "keras.saving.load_model", _write_keras),
    ExportFormat("tf_saved_model", "", "a directory name", "TensorFlow Serving, tf.saved_model",
                 _write_saved_model, _check_saved_model_support),
    ExportFormat("onnx", ".onnx", "'<name>.onnx'", "ONNX Runtime", _write_onnx,
                 _check_onnx_support),
)}
FORMATS = tuple(_FORMATS)
