"""Export format ``"tf_saved_model"``: a SavedModel directory for TensorFlow
Serving (``serving_default`` returns ``probabilities`` and ``labels``)."""

import json
import os
import shutil
import tempfile
from pathlib import Path


from .._support._backend import import_keras
from ._plan import LABELS_MEMBER, _INPUT_NAME, _label_dtype
from ._serving import _metadata


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


def _check_saved_model_support():
    backend = import_keras().backend.backend()
    if backend != "tensorflow":
        raise ValueError(
            "format='tf_saved_model' needs the TensorFlow backend (KERAS_BACKEND=tensorflow); "
            f"the backend is {backend!r}. Export format='keras' here and convert that file "
            "under TensorFlow, or export ONNX."
        )
