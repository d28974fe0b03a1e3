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
from ._skf_checks import (
    _KERAS_LIMITS,
    _MAX_META,
    _MAX_MODEL,
    _META,
    _PLAIN_SKLEARN,
    _check_declared_sizes,
    _check_pixel_scaler,
    _check_scaler,
    _check_widths,
    _fail,
    _refuse_model_files,
    _takes,
)


FORMAT = "skfashion-estimator"
FORMAT_VERSION = 2
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
    _warn_of_builders(obj, skipped)
    shown = [p for p in skipped if not p.endswith("model")]
    if shown:
        warnings.warn(
            f"These parameters are not plain data and were not saved: {shown}; they take "
            "their default values when the file is loaded.",
            UserWarning,
            stacklevel=3,
        )
    return skipped


def _warn_of_builders(obj, skipped):
    """Say that a model builder (code) is not saved, and what ``model`` loads as."""
    import warnings

    params = obj.get_params(deep=True) if hasattr(obj, "get_params") else {}
    builders = [name for name in skipped if name.endswith("model")
                and callable(params.get(name)) and not _is_keras_model(params.get(name))]
    if not builders:
        return
    described = ", ".join(f"{name}={getattr(params[name], '__name__', params[name])!r}"
                          for name in builders)
    warnings.warn(
        f"The model builder is code, not data, and is not saved ({described}): the "
        "loaded estimator predicts as this one does, and its `model` parameter is the "
        "fitted Keras model instead of the builder. To fit again from the builder, set it "
        f"back: set_params({builders[0]}=...).",
        UserWarning, stacklevel=3)


def _is_keras_model(value):
    import keras

    return isinstance(value, keras.Model)


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
