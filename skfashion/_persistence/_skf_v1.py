"""Reading files of format 1 (skfashion before the scikeras-compatible wrappers).

Format 1 held one classifier: its class, JSON parameters, ``classes_``,
``n_features_in_``, ``feature_names_in_``, ``history_`` and ``model.keras``.
They load as the same classifier today, with the encoders a fit would give.
"""

import numpy as np

from . import _json_codec
from .._support._registry import lookup

_V1_CLASSES = ("SoftmaxClassifier", "KerasClassifier")


def _classes(doc, path, fail):
    if not isinstance(doc, dict) or set(doc) != {"dtype", "values"}:
        raise fail(path, "classes_ must have dtype and values")
    kind = doc["dtype"]
    try:
        dtype = _json_codec.decode({"__dtype__": kind})  # bounded: no 1 GB string dtypes
    except ValueError as exc:
        raise fail(path, f"classes_: {exc}") from exc
    if dtype.kind not in "biuUO" or not isinstance(doc["values"], list):
        raise fail(path, f"unsupported classes dtype {kind!r}")
    return np.asarray(doc["values"], dtype=dtype)


def load_v1(meta, path, read_model, make, fail):
    """The estimator a format-1 file describes."""
    from .._fit._encoders import ClassifierLabelEncoder

    name = meta.get("class")
    cls = lookup(name)
    if name not in _V1_CLASSES or cls is None:
        raise fail(path, f"holds a {name!r}; only {list(_V1_CLASSES)} can be loaded from "
                         "format 1")
    params = meta.get("params")
    if not isinstance(params, dict):
        raise fail(path, "params must be a JSON object")
    params = {k: tuple(v["__tuple__"]) if isinstance(v, dict) and set(v) == {"__tuple__"}
              else v for k, v in params.items()}
    model = read_model("model.keras")
    if "model" in (meta.get("skipped_params") or []) and name == "KerasClassifier":
        import keras

        params["model"] = keras.models.clone_model(model)
    estimator = make(cls, params, path)
    classes = _classes(meta.get("classes_"), path, fail)
    n_features = meta.get("n_features_in_")
    history = meta.get("history_")
    if not isinstance(n_features, int) or not isinstance(history, dict):
        raise fail(path, "n_features_in_ and history_ are missing")
    encoder = ClassifierLabelEncoder(loss="sparse_categorical_crossentropy").fit(classes)
    encoder._adapt_to_model(model)
    attributes = {
        "n_features_in_": n_features,
        "X_dtype_": np.dtype(np.float32), "X_shape_": (0, n_features),
        "y_dtype_": classes.dtype, "y_ndim_": 1,
        "target_type_": "binary" if len(classes) == 2 else "multiclass",
        "history_": {str(k): [float(x) for x in v] for k, v in history.items()},
        **encoder.get_metadata(),
        "target_encoder_": ("ClassifierLabelEncoder", {}),
        "feature_encoder_": ("identity", {}),
    }
    if meta.get("feature_names_in_") is not None:
        attributes["feature_names_in_"] = np.asarray(meta["feature_names_in_"], dtype=object)
    from ._encoder_state import export_encoder

    attributes["target_encoder_"] = export_encoder(encoder)
    return estimator._import_state(attributes, model)
