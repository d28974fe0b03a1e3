"""Export format ``"onnx"``: one ONNX file with the outputs of scikit-learn's ONNX
converters (``label`` and ``probabilities``; ``variable`` for a regressor)."""

import json
import os
import tempfile
import warnings
from typing import Any


from .._support._backend import import_keras
from .._support._optional import install_hint
from .._version import __version__
from ._plan import _label_dtype
from ._serving import _metadata


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
            f"format='onnx' needs {' and '.join(missing)}: "
            f"{install_hint('onnx', ' '.join(missing))}."
        )
