"""The pickle-free file format of :meth:`save` and :func:`skfashion.load`.

A file is a zip archive holding ``skfashion.json`` (a tree of plain data: the
class names, parameters and fitted attributes of each step) and one native
``.keras`` file per Keras model. Loading runs no code from the file: the JSON
decodes to data only (``_json_codec``), classes come from skfashion's registry
or a short list of scikit-learn transformers whose fitted state is numbers,
Keras loads the models with ``safe_mode=True`` (no serialized Python code such
as Lambda layers), and the archive is read with bounded work (``_safe_zip``).
Each estimator says itself what its fitted state is (``_export_state`` and
``_import_state``); this module owns only the format.
"""

import io
import json
import os
import zipfile
from typing import Any, Union

from . import _json_codec
from .._support._backend import import_keras
from .._fit._checks import FITTED_ATTRIBUTES
from .._support._registry import lookup, names
from ._safe_zip import ArchiveError, check_archive, open_archive, read_member, write_atomic
from .._version import __version__

FORMAT = "skfashion-estimator"
FORMAT_VERSION = 2
_META = "skfashion.json"
_MAX_META = 16 << 20
_MAX_MODEL = 2 << 30
#: Members of a native .keras file, and their limits.
_KERAS_LIMITS = {"metadata.json": 1 << 20, "config.json": _MAX_META,
                 "model.weights.h5": _MAX_MODEL, "*": _MAX_MODEL}
#: scikit-learn steps whose fitted state is arrays and numbers only.
_PLAIN_SKLEARN = {
    "StandardScaler": "sklearn.preprocessing",
    "MinMaxScaler": "sklearn.preprocessing",
    "MaxAbsScaler": "sklearn.preprocessing",
}
#: Fitted attributes a Keras estimator's file may set (declared in ``_data``).
_FITTED_NAMES = frozenset(FITTED_ATTRIBUTES)


# ------------------------------------------------------------------- saving
def _encode_params(estimator):
    params, skipped = {}, []
    for name, value in estimator.get_params(deep=False).items():
        try:
            params[name] = _json_codec.encode(value)
        except _json_codec.NotPlainData:
            skipped.append(name)
    return params, skipped


def _plain_fitted(step):
    return {k: v for k, v in vars(step).items() if k.endswith("_") and not k.startswith("_")}


def _node(obj, models, skipped, prefix=""):
    from sklearn.pipeline import Pipeline

    if isinstance(obj, Pipeline):
        steps = []
        for name, step in obj.steps:
            if step is None or step == "passthrough":
                steps.append([name, None])
            else:
                steps.append([name, _node(step, models, skipped, f"{prefix}{name}__")])
        return {"kind": "pipeline", "steps": steps}
    cls_name = type(obj).__name__
    if hasattr(obj, "_export_state"):
        if lookup(cls_name) is not type(obj):
            raise TypeError(
                f"{type(obj).__module__}.{cls_name} cannot be saved in skfashion's "
                f"pickle-free format: skfashion.load builds only its own classes "
                f"({', '.join(names())}), never code named by a file, so it could not "
                "read this file back. Use pickle or joblib for a subclass (for files you "
                "trust), or save an instance of the skfashion class it extends."
            )
        params, not_saved = _encode_params(obj)
        attributes, model = obj._export_state()
        models.append(model)
        skipped.extend(prefix + p for p in not_saved)
        return {"kind": "keras", "class": cls_name, "params": params, "skipped": not_saved,
                "fitted": _json_codec.encode(attributes), "model": f"model-{len(models) - 1}.keras"}
    if lookup(cls_name) is type(obj) or _PLAIN_SKLEARN.get(cls_name) == _module_of(obj):
        params, not_saved = _encode_params(obj)
        if not_saved:
            raise TypeError(f"{cls_name} has parameters that are not plain data: {not_saved}.")
        return {"kind": "plain", "class": cls_name, "params": params,
                "fitted": _json_codec.encode(_plain_fitted(obj))}
    raise TypeError(
        f"{cls_name} cannot be saved in skfashion's pickle-free format, which holds "
        f"skfashion's estimators, Pipelines of them and {sorted(_PLAIN_SKLEARN)}. Use pickle "
        "or joblib (for files you trust) for other steps."
    )


def _module_of(obj):
    module = type(obj).__module__
    return module.rsplit(".", 1)[0] if module.count(".") > 1 else module


def check_save_path(path):
    """Refuse a name that promises another format (before any work is done)."""
    if str(path).lower().endswith((".keras", ".onnx")):
        raise ValueError(
            f"Cannot save to {str(path)!r}: skfashion's file holds the whole estimator and is "
            "not a Keras (or ONNX) model. Use skfashion.export(estimator, path) for a file "
            "that keras.saving.load_model (or ONNX Runtime) opens, or another name "
            "(e.g. '.skf') for skfashion.load."
        )


def save(obj, path):
    """Write a fitted skfashion estimator, or a Pipeline of such steps, to ``path``.

    Returns
    -------
    skipped : list of str
        Parameters that are not plain data and were not stored (they take
        their default values on load).
    """
    import warnings

    from sklearn.utils.validation import check_is_fitted

    from .._support._model_bytes import model_to_bytes

    check_save_path(path)
    check_is_fitted(obj)
    models: list = []
    skipped: list = []
    root = _node(obj, models, skipped)
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION,
            "skfashion_version": __version__, "root": root}
    blobs = [model_to_bytes(m) for m in models]

    def write(fh):
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(_META, json.dumps(meta))
            for i, blob in enumerate(blobs):
                zf.writestr(f"model-{i}.keras", blob)

    write_atomic(path, write)
    shown = [p for p in skipped if not p.endswith("model")]
    if shown:
        warnings.warn(
            f"These parameters are not plain data and were not saved: {shown}; they take "
            "their default values when the file is loaded.",
            UserWarning,
            stacklevel=3,
        )
    return skipped


# ------------------------------------------------------------------ loading
def _fail(path, what):
    return ValueError(f"{path} is not a valid skfashion file: {what}")


def _keras_model(path, data):
    from .._support._model_bytes import model_from_bytes

    try:
        inner = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise _fail(path, f"a model member is not a .keras archive ({exc})") from exc
    with inner:
        check_archive(inner, _KERAS_LIMITS, label=f"{path} (Keras model)")
        _check_declared_sizes(path, inner)
    try:
        return model_from_bytes(data, safe_mode=True)
    except Exception as exc:  # Keras refuses: unsafe code, unknown classes, bad config
        raise ValueError(
            f"{path}: Keras refused to load the model in safe mode ({type(exc).__name__}: "
            f"{exc}). Files holding code (Lambda layers, custom classes) load only with "
            "pickle, from sources you trust."
        ) from exc


#: What a model's variables may declare beyond the weights its file stores (a
#: seed generator's state is not always stored, for one).
_DECLARED_SLACK = 1 << 20


def _check_declared_sizes(path, inner):
    """Bound what a ``.keras`` member declares by what it holds, before Keras builds it.

    Every HDF5 dataset of the weights must store the bytes its shape declares
    (a dataset stored empty reads back as its fill value, a compressed one can
    inflate), and the variables the config declares (measured without
    allocating them: ``_keras_internals.declared_variable_bytes``) may not
    exceed what the datasets store. Either would make Keras allocate gigabytes
    for a file of a few kilobytes.
    """
    import h5py

    from .._keras_internals import declared_variable_bytes

    try:
        config = json.loads(read_member(inner, "config.json", _MAX_META,
                                        label=f"{path} (Keras model)"))
    except (ArchiveError, KeyError, ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise _fail(path, f"its model's config.json is unreadable ({exc})") from exc
    stored = 0
    if "model.weights.h5" in inner.namelist():
        weights = read_member(inner, "model.weights.h5", _MAX_MODEL,
                              label=f"{path} (Keras model)")
        datasets = []
        try:
            with h5py.File(io.BytesIO(weights), "r") as h5:
                h5.visititems(lambda name, obj: datasets.append((name, obj)) if isinstance(
                    obj, h5py.Dataset) else None)
                for name, dataset in datasets:
                    declared = dataset.size * dataset.dtype.itemsize
                    held = dataset.id.get_storage_size()
                    if dataset.is_virtual or dataset.external or held < declared:
                        raise _fail(path, f"its weights declare {declared} bytes for {name!r} "
                                          f"but store {held}; a saved model stores all "
                                          "of them")
                    stored += held
        except OSError as exc:
            raise _fail(path, f"its model's weights are not a readable HDF5 file ({exc})") \
                from exc
    try:
        declared = declared_variable_bytes(config)
    except Exception as exc:  # noqa: BLE001 - Keras refuses the config: say so, build nothing
        raise ValueError(
            f"{path}: Keras refused to read the model's config in safe mode "
            f"({type(exc).__name__}: {str(exc)[:300]}). Files holding code (Lambda layers, "
            "custom classes) load only with pickle, from sources you trust."
        ) from exc
    if declared > stored + _DECLARED_SLACK:
        raise _fail(path, f"its model's config declares {declared:,} bytes of weights but the "
                          f"file stores {stored:,}; refusing to allocate them")


def _make(cls, params, path):
    import inspect

    signature = inspect.signature(cls.__init__)
    takes_any = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    unknown = [k for k in params if k not in signature.parameters or k == "self"]
    if unknown and not takes_any:
        raise _fail(path, f"parameters unknown to {cls.__name__}: {sorted(unknown)}")
    try:
        return cls(**params)
    except (TypeError, ValueError) as exc:
        raise _fail(path, f"{cls.__name__} refused the stored parameters ({exc})") from exc


def _decode(doc, path, what):
    try:
        return _json_codec.decode(doc)
    except (ValueError, TypeError) as exc:
        raise _fail(path, f"{what}: {exc}") from exc


def _uncompiled_copy(model):
    """The model's architecture, new and uncompiled, for refits of a loaded estimator.

    A loaded estimator whose builder could not be stored holds its architecture as the
    ``model`` parameter; ``fit`` then compiles it with the stored parameters (loss,
    optimizer, metrics), as it would have compiled the builder's model.
    ``keras.models.clone_model`` would copy the compile state too.
    """
    import keras

    try:
        return type(model).from_config(model.get_config())
    except (NotImplementedError, TypeError, ValueError):  # subclassed without a config
        return keras.models.clone_model(model)


#: Pipelines nested in pipelines, at most (skfashion writes one level; a hostile
#: file nested 12 deep once took minutes).
MAX_PIPELINE_DEPTH = 4
#: Steps of one pipeline, at most.
MAX_STEPS = 32


def _load_node(node, path, read_model, depth=0):
    if not isinstance(node, dict):
        raise _fail(path, "a step is not a JSON object")
    kind = node.get("kind")
    if kind == "pipeline":
        from sklearn.pipeline import Pipeline

        if depth >= MAX_PIPELINE_DEPTH:
            raise _fail(path, f"pipelines nested deeper than {MAX_PIPELINE_DEPTH} levels")
        steps = node.get("steps")
        if not isinstance(steps, list) or not steps or not all(
                isinstance(s, list) and len(s) == 2 and isinstance(s[0], str) for s in steps):
            raise _fail(path, "a pipeline needs a list of [name, step] pairs")
        if len(steps) > MAX_STEPS:
            raise _fail(path, f"a pipeline of {len(steps)} steps (at most {MAX_STEPS})")
        pipeline = Pipeline([
            (name, None if step is None else _load_node(step, path, read_model, depth + 1))
            for name, step in steps])
        _check_widths(pipeline, path)
        return pipeline
    cls_name: Any = node.get("class")
    if kind == "keras":
        cls = lookup(cls_name)
        if cls is None or not hasattr(cls, "_import_state"):
            raise _fail(path, f"holds a {cls_name!r}; only {names()} can be loaded")
        params = _decode(node.get("params"), path, "params")
        fitted = _decode(node.get("fitted"), path, "fitted attributes")
        if not isinstance(params, dict) or not isinstance(fitted, dict):
            raise _fail(path, "params and fitted attributes must be JSON objects")
        bad = sorted(k for k in fitted if k not in _FITTED_NAMES)
        if bad:
            raise _fail(path, f"unexpected fitted attributes {bad}")
        model = read_model(node.get("model"))
        skipped = node.get("skipped") or []
        if "model" in skipped and "model" not in params and _takes(cls, "model"):
            params["model"] = _uncompiled_copy(model)  # refits start fresh
        estimator = _make(cls, params, path)
        try:
            return estimator._import_state(fitted, model)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _fail(path, f"its fitted state is inconsistent ({exc})") from exc
    if kind == "plain":
        cls = lookup(cls_name)
        if cls is None:
            module = _PLAIN_SKLEARN.get(cls_name)
            if module is None:
                raise _fail(path, f"holds a {cls_name!r}, which cannot be loaded")
            import importlib

            cls = getattr(importlib.import_module(module), cls_name)
        params = _decode(node.get("params"), path, "params")
        fitted = _decode(node.get("fitted"), path, "fitted attributes")
        if not isinstance(params, dict) or not isinstance(fitted, dict) or not all(
                isinstance(k, str) and k.endswith("_") and not k.startswith("_")
                for k in fitted):
            raise _fail(path, f"bad state for {cls_name}")
        if hasattr(cls, "_import_state"):
            raise _fail(path, f"a step declared {cls_name} holds plain fitted state and no "
                              "model; a Keras estimator's step must hold its model")
        step = _make(cls, params, path)
        for name, value in fitted.items():  # the attributes fit set, as fit sets them
            setattr(step, name, value)
        if cls_name in _PLAIN_SKLEARN:
            _check_scaler(step, path)
        elif cls_name == "PixelScaler":
            _check_pixel_scaler(step, path)
        return step
    raise _fail(path, f"unknown step kind {kind!r}")


#: The fitted arrays of the plain scikit-learn steps: one value per feature.
_SCALER_ARRAYS = {
    "StandardScaler": ("mean_", "var_", "scale_"),
    "MinMaxScaler": ("min_", "scale_", "data_min_", "data_max_", "data_range_"),
    "MaxAbsScaler": ("max_abs_", "scale_"),
}


def _check_scaler(step, path):
    """A loaded scaler's state is what fitting one gives: one finite value per feature
    (StandardScaler leaves ``mean_``/``var_``/``scale_`` None when its options skip them),
    and no zero in ``scale_`` (scikit-learn replaces those by 1)."""
    import numpy as np

    name = type(step).__name__
    n = getattr(step, "n_features_in_", None)
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise _fail(path, f"{name}.n_features_in_ must be a positive integer, not {n!r}")
    for attribute in _SCALER_ARRAYS[name]:
        value = getattr(step, attribute, None)
        if value is None and name == "StandardScaler":
            continue
        array = np.asarray(value)
        if array.shape != (n,) or array.dtype.kind not in "fiu" or not np.all(
                np.isfinite(array)) or (attribute == "scale_" and np.any(array == 0)):
            raise _fail(path, f"{name}.{attribute} must hold {n} finite numbers, one per "
                              f"feature (and no zero scale); got {value!r:.80}")


_PIXEL_SCALER_FITTED = {"n_features_in_", "feature_names_in_", "input_shape_", "input_dtype_"}


def _check_pixel_scaler(step, path):
    """A loaded PixelScaler holds what its fit sets: the pixel count, and the input it took."""
    import math

    import numpy as np

    fitted = {k for k in vars(step) if k.endswith("_") and not k.startswith("_")}
    unknown = sorted(fitted - _PIXEL_SCALER_FITTED)
    if unknown:
        raise _fail(path, f"PixelScaler holds attributes it never sets: {unknown}")
    n = getattr(step, "n_features_in_", None)
    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 1):
        raise _fail(path, f"PixelScaler.n_features_in_ must be a positive integer, not {n!r}")
    shape = getattr(step, "input_shape_", None)
    if shape is not None and (
            not isinstance(shape, tuple) or not shape or not all(
                isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in shape)
            or (n is not None and math.prod(shape) != n)):
        raise _fail(path, f"PixelScaler.input_shape_ must be a shape of {n} pixels, "
                          f"not {shape!r:.80}")
    dtype = getattr(step, "input_dtype_", None)
    if dtype is not None:
        try:
            ok = isinstance(dtype, str) and np.dtype(dtype).kind in "uif"
        except TypeError:
            ok = False
        if not ok:
            raise _fail(path, f"PixelScaler.input_dtype_ must name a numeric dtype, "
                              f"not {dtype!r:.80}")


def _check_widths(pipeline, path):
    """Each step takes as many features as the step before it gives."""
    width = None
    for name, step in pipeline.steps:
        if step is None:
            continue
        takes = getattr(step, "n_features_in_", None)
        if width is not None and isinstance(takes, int) and takes != width:
            raise _fail(path, f"step {name!r} takes {takes} features but the step before "
                              f"it gives {width}")
        width = _output_width(step)


def _output_width(step):
    if type(step).__name__ in _PLAIN_SKLEARN:
        return step.n_features_in_
    if type(step).__name__ == "PixelScaler":
        return 784
    return None


def _takes(cls, name):
    import inspect

    return name in inspect.signature(cls.__init__).parameters


def _refuse_model_files(path, zf):
    """A Keras model file (one ``export`` or Keras wrote) is not skfashion's: say how to open it."""
    members = set(zf.namelist())
    if {"config.json", "metadata.json"} <= members:  # save nests its models: never here
        exported = _META in members  # export's labels member has the same name
        raise ValueError(
            f"{path} is a Keras model file"
            + (" written by skfashion.export (a served model, without the pipeline's "
               "Python objects)" if exported else "")
            + ", not a file of skfashion.save. Open it with "
            "keras.saving.load_model(path)"
            + (", the class labels being in its skfashion.json member (see the guide's "
               "'Serving')" if exported else "; to use it in a pipeline, pass the loaded "
               "model as KerasClassifier(model=...)")
            + ". skfashion.load reads the files that skfashion.save writes (.skf)."
        )


def load(path: Union[str, "os.PathLike[str]"]) -> Any:
    """Load an estimator or pipeline saved by ``save``; safe for untrusted files.

    Parameters
    ----------
    path : str or path-like
        A file written by ``save`` of a skfashion estimator, or by
        :func:`skfashion.save` of a Pipeline.

    Returns
    -------
    estimator : estimator or Pipeline
        The fitted estimator (or pipeline).

    Raises
    ------
    ValueError
        If the file is not a skfashion file, was written in an incompatible
        format version, is over the size limits of real files, or holds a model
        Keras refuses in safe mode. The message names the file.

    See Also
    --------
    save : Write the file this function reads.
    export : Write a model that serves without skfashion.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn.pipeline import make_pipeline
    >>> from skfashion import PixelScaler, SoftmaxClassifier, load, save
    >>> from skfashion.datasets import load_sample
    >>> (X, y), (X_test, y_test) = load_sample()
    >>> pipe = make_pipeline(PixelScaler(), SoftmaxClassifier(epochs=1, random_state=0))
    >>> path = Path(tempfile.mkdtemp()) / "pipe.skf"
    >>> save(pipe.fit(X[:500], y[:500]), path)
    []
    >>> same = load(path)
    >>> bool((same.predict(X_test) == pipe.predict(X_test)).all())
    True
    """
    import_keras()  # the models inside need a backend: say which are installed
    with open_archive(path) as zf:
        _refuse_model_files(path, zf)
        limits = {_META: _MAX_META, "model.keras": _MAX_MODEL,
                  **{f"model-{i}.keras": _MAX_MODEL for i in range(16)}}
        try:
            infos = check_archive(zf, limits, label=str(path))
        except ArchiveError as exc:
            raise _fail(path, exc) from exc
        members = {info.filename for info in infos}
        if _META not in members:
            raise _fail(path, f"expected {_META} inside, found {sorted(members)}")
        try:
            meta = json.loads(read_member(zf, _META, _MAX_META, label=str(path)))
        except ArchiveError as exc:
            raise _fail(path, exc) from exc
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise _fail(path, f"{_META} is not valid JSON ({type(exc).__name__}: "
                              f"{str(exc)[:200]})") from exc
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise _fail(path, "wrong format tag")
        version = meta.get("format_version")
        if version not in (1, FORMAT_VERSION):
            raise ValueError(
                f"{path} was written by skfashion {meta.get('skfashion_version')} in file "
                f"format {version}; skfashion {__version__} reads format {FORMAT_VERSION} "
                f"(and 1). Load it with skfashion {meta.get('skfashion_version')} and refit "
                "or re-save, or install a matching skfashion version."
            )

        def read_model(name):
            if not isinstance(name, str) or name not in members:
                raise _fail(path, f"model member {name!r} is missing")
            return _keras_model(path, read_member(zf, name, _MAX_MODEL, label=str(path)))

        try:
            if version == 1:
                from ._skf_v1 import load_v1

                return load_v1(meta, path, read_model, _make, _fail)
            return _load_node(meta.get("root"), path, read_model)
        except (TypeError, KeyError, AttributeError, IndexError, OverflowError,
                RecursionError) as exc:
            # A value of an unexpected type deep in a hostile document: the checks
            # above are for the forms real files take; anything else is refused here.
            raise _fail(path, f"{type(exc).__name__}: {str(exc)[:200]}") from exc
