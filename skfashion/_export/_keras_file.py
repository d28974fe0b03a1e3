"""Export format ``"keras"``: one ``.keras`` file that plain
``keras.saving.load_model`` opens, the labels in its member ``skfashion.json``."""

import io
import json
import warnings
import zipfile


from ..exceptions import ExportPrecisionWarning
from ._plan import LABELS_MEMBER
from ._serving import _metadata


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
