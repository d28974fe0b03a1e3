"""What :func:`~._skf.load` checks before it builds anything from a file: the
sizes a Keras member declares against what it stores, the fitted state of
each scikit-learn step and of ``PixelScaler``, the widths that pass between
steps, and no model file where none belongs."""

import io
import json

from ._safe_zip import ArchiveError, read_member


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


# ------------------------------------------------------------------ loading
def _fail(path, what):
    return ValueError(f"{path} is not a valid skfashion file: {what}")


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
    if declared is None:  # fail closed: an unmeasured model could allocate without bound
        raise _fail(path, "this Keras does not let skfashion measure the weights its model "
                          "declares before building it (see the KerasInternalsWarning), so "
                          "it is not loaded")
    if declared > stored + _DECLARED_SLACK:
        raise _fail(path, f"its model's config declares {declared:,} bytes of weights but the "
                          f"file stores {stored:,}; refusing to allocate them")


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
