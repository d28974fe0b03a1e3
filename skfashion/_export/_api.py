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

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


from ..exceptions import ExportError, ExportPrecisionWarning  # noqa: F401 (re-exported)
from ._keras_file import _write_keras
from ._onnx import _check_onnx_support, _write_onnx
from ._plan import _plan
from ._saved_model import _check_saved_model_support, _write_saved_model
from ._serving import build_serving_model


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
