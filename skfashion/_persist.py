"""Persistence: Keras models as bytes for pickling, and a pickle-free file format.

Pickling an estimator stores its Keras models in the native ``.keras`` format
through the estimator's own ``__getstate__``; nothing in Keras is patched.

``save``/``load`` write and read a zip file holding ``model.keras`` and a JSON
document of plain metadata (class name, JSON-representable parameters, classes,
fit history). Loading executes no code from the file: the JSON is data, the
class must be one of skfashion's, and Keras loads the model with
``safe_mode=True``, which refuses serialized Python code such as Lambda layers.
"""

import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from ._version import __version__

FORMAT = "skfashion-estimator"
FORMAT_VERSION = 1
_META = "skfashion.json"
_MODEL = "model.keras"


def model_to_bytes(model):
    """Serialize a Keras model, weights and optimizer state, to ``.keras`` bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, _MODEL)
        model.save(path)
        return Path(path).read_bytes()


def model_from_bytes(data, *, safe_mode=True):
    """Rebuild a Keras model from the bytes of :func:`model_to_bytes`."""
    import keras

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, _MODEL)
        Path(path).write_bytes(data)
        return keras.saving.load_model(path, compile=True, safe_mode=safe_mode)


class KerasModelBytes(bytes):
    """Marks a Keras model replaced by its ``.keras`` bytes inside a pickled state."""


def is_keras_model(obj):
    import sys

    if "keras" not in sys.modules:  # no model can exist before Keras is imported
        return False
    import keras

    return isinstance(obj, keras.Model)


def _json_value(value):
    """``value`` if it survives a JSON round trip unchanged, else raise TypeError."""
    text = json.dumps(value)
    back = json.loads(text)
    if back != value or type(back) is not type(value):
        if isinstance(value, tuple) and list(value) == back:
            return {"__tuple__": back}
        raise TypeError("not JSON-representable")
    return value


def _from_json(value):
    if isinstance(value, dict) and set(value) == {"__tuple__"}:
        return tuple(value["__tuple__"])
    return value


def _encode_array(array):
    array = np.asarray(array)
    if array.dtype.kind not in "biuUO":
        raise TypeError(f"cannot store classes of dtype {array.dtype}")
    values = array.tolist()
    if array.dtype.kind == "O" and not all(isinstance(v, str) for v in values):
        raise TypeError("object classes must all be strings to be saved")
    return {"dtype": array.dtype.str if array.dtype.kind != "O" else "O", "values": values}


def _decode_array(doc):
    dtype = np.dtype(object) if doc["dtype"] == "O" else np.dtype(doc["dtype"])
    if dtype.kind not in "biuUO":
        raise ValueError(f"unsupported dtype {doc['dtype']!r} in the file")
    return np.asarray(doc["values"], dtype=dtype)


def save_estimator(estimator, path):
    """Write a fitted estimator to ``path`` in the pickle-free format."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator)
    params, skipped = {}, []
    for name, value in estimator.get_params(deep=False).items():
        if is_keras_model(value):
            skipped.append(name)  # the fitted model itself is saved below
            continue
        try:
            params[name] = _json_value(value)
        except (TypeError, ValueError):
            skipped.append(name)
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "skfashion_version": __version__,
        "class": type(estimator).__name__,
        "params": params,
        "skipped_params": skipped,
        "classes_": _encode_array(estimator.classes_),
        "n_features_in_": int(estimator.n_features_in_),
        "feature_names_in_": (
            estimator.feature_names_in_.tolist()
            if hasattr(estimator, "feature_names_in_")
            else None
        ),
        "history_": {k: [float(x) for x in v] for k, v in estimator.history_.items()},
        "n_iter_": int(estimator.n_iter_),
    }
    path = Path(path)
    tmp = path.with_name(f".{path.name}.part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(_META, json.dumps(meta, indent=1))
        zf.writestr(_MODEL, model_to_bytes(estimator.model_))
    os.replace(tmp, path)
    return skipped


def load_estimator(path, classes):
    """Read a file written by :func:`save_estimator`; ``classes`` maps allowed names."""
    path = Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValueError(f"{path} is not a skfashion estimator file: {exc}") from exc
    with zf:
        names = set(zf.namelist())
        if _META not in names or _MODEL not in names:
            raise ValueError(
                f"{path} is not a skfashion estimator file: expected {_META} and "
                f"{_MODEL} inside, found {sorted(names)}."
            )
        try:
            meta = json.loads(zf.read(_META))
        except ValueError as exc:
            raise ValueError(f"{path}: {_META} is not valid JSON ({exc}).") from exc
        model_bytes = zf.read(_MODEL)
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"{path} is not a skfashion estimator file (wrong format tag).")
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise ValueError(
            f"{path} was written by skfashion {meta.get('skfashion_version')} in file "
            f"format {version}; skfashion {__version__} reads format {FORMAT_VERSION}. "
            f"Load it with skfashion {meta.get('skfashion_version')} and refit or "
            "re-save, or install a matching skfashion version."
        )
    cls = classes.get(meta.get("class"))
    if cls is None:
        raise ValueError(
            f"{path} holds a {meta.get('class')!r}; only {sorted(classes)} can be loaded."
        )
    model = model_from_bytes(model_bytes, safe_mode=True)
    params = {k: _from_json(v) for k, v in meta["params"].items()}
    unknown = [name for name in params if not cls._is_param_name(name)]
    if unknown:
        raise ValueError(f"{path} has parameters unknown to {cls.__name__}: {sorted(unknown)}")
    if "model" in meta["skipped_params"] and cls._is_param_name("model"):
        params["model"] = model  # refitting clones this architecture
    estimator = cls(**params)
    estimator.model_ = model
    estimator.classes_ = _decode_array(meta["classes_"])
    estimator.n_features_in_ = meta["n_features_in_"]
    if meta["feature_names_in_"] is not None:
        estimator.feature_names_in_ = np.asarray(meta["feature_names_in_"], dtype=object)
    estimator.history_ = {k: list(v) for k, v in meta["history_"].items()}
    estimator.n_iter_ = meta["n_iter_"]
    estimator._after_fit()
    return estimator
