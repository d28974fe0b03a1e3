"""Checking the data an estimator is given: X, y, sample and class weights.

All estimators validate through these functions, in ``fit``, ``partial_fit``,
``predict`` and ``score`` alike, so a bad input gets the same error on every
path. Conventions are scikit-learn's (``validate_data``: feature counts,
feature names, finite values, consistent lengths) with scikeras's additions
for its estimators: inputs of any dimension, targets of several columns, and,
when ``check_dtypes`` is on, later calls may not change X's or y's dtype to
one that does not cast safely.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import _check_sample_weight, validate_data


def _floatx():
    import keras

    return np.dtype(keras.backend.floatx())


def _kind(data):
    dtype = getattr(data, "dtype", None)
    if dtype is None:
        dtypes = getattr(data, "dtypes", None)  # a DataFrame
        if dtypes is not None:
            return "O" if any(np.dtype(d).kind in "OUS" for d in dtypes if _is_np(d)) else "f"
        try:
            dtype = np.asarray(data).dtype
        except (ValueError, TypeError):
            return "O"
    return np.dtype(dtype).kind if _is_np(dtype) else "O"


def _is_np(dtype):
    try:
        np.dtype(dtype)
    except TypeError:
        return False
    return True


def _already_valid(est, X, x_dtype):
    """True when ``validate_data(est, X, reset=False)`` would return ``X`` itself.

    Prediction of one image is dominated by ``validate_data`` (about 90 of 100
    microseconds); the common case is answered here first: a plain 2-D float
    ndarray of the fitted width and dtype, an estimator fitted without feature
    names, finite values (the sum is finite exactly when every value is, unless
    it overflows: then the full check decides). Anything else takes the full
    path, with its errors and warnings.
    """
    if type(X) is not np.ndarray or X.ndim != 2 or X.dtype.kind != "f" or X.shape[0] < 1:
        return False
    if x_dtype is not None and X.dtype != np.dtype(x_dtype):
        return False
    if X.shape[1] != getattr(est, "n_features_in_", None) or hasattr(est, "feature_names_in_"):
        return False
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(X.sum()))


#: Facts about the training data that ``check_data`` records (scikit-learn's and scikeras's).
DATA_FACTS = ("n_features_in_", "feature_names_in_", "X_dtype_", "X_shape_", "y_dtype_",
              "y_ndim_")
#: The public fitted attributes of skfashion's Keras estimators, declared once:
#: the data facts, the target type, the encoders, what skfashion's own encoders'
#: ``get_metadata()`` adds, and the history. (A user's encoder may add more:
#: ``_fitted_keys`` lists what one fit set.) Persistence accepts these names.
FITTED_ATTRIBUTES = DATA_FACTS + (
    "target_type_", "target_encoder_", "feature_encoder_", "n_outputs_",
    "n_outputs_expected_", "classes_", "n_classes_", "history_",
)


def check_data(est, X, y, *, reset, x_dtype=None, allow_nd=True, multi_output=True,
               y_numeric=False, check_dtypes=False, require_y=True):
    """Validate ``X`` (and ``y``); set or check ``n_features_in_`` and the like.

    Parameters
    ----------
    est : estimator
        Receives ``n_features_in_``, ``feature_names_in_`` (when ``reset``) and,
        with ``check_dtypes``, ``X_dtype_``, ``X_shape_``, ``y_dtype_``,
        ``y_ndim_``; without, ``X_dtype_`` alone (the numeric dtype ``X`` came
        in, before any conversion: what an exported pipeline serves).
    X : array-like, sparse matrix or DataFrame
        Inputs, of any number of dimensions.
    y : array-like or None
        Targets; None only when ``require_y`` is False.
    reset : bool
        First fit (record) or later call (check).
    x_dtype : dtype or None
        Convert X to this dtype; None keeps numeric dtypes (object becomes
        Keras's float type).
    allow_nd : bool
        Accept X of more than two dimensions (images for a convolutional model).
    multi_output : bool
        Accept 2-D targets; else a column vector warns and is flattened.
    y_numeric : bool
        Targets must be numbers (regression).
    check_dtypes : bool
        scikeras's rule: later calls may not change dtypes to ones that do not
        cast safely, nor the number of dimensions.
    require_y : bool
        Refuse ``y=None``.

    Returns
    -------
    X : ndarray or scipy.sparse.csr_matrix
        Finite; sparse input stays sparse (CSR).
    y : ndarray or None
    """
    if not reset and y is None and _already_valid(est, X, x_dtype):
        if check_dtypes:
            _check_dtypes(est, X, None, reset=False)
        return X, None
    if not allow_nd and getattr(X, "ndim", 2) > 2:
        name = type(est).__name__
        raise ValueError(
            f"Found array with dim {X.ndim}. {name} expected <= 2: it takes one row of "
            f"features per sample, and X has shape {X.shape}. For images, put PixelScaler "
            f"before it (make_pipeline(PixelScaler(), {name}(...))), or flatten them with "
            "X.reshape(len(X), -1)."
        )
    received = getattr(X, "dtype", None)
    dtype = x_dtype if x_dtype is not None else (_floatx() if _kind(X) in "OUSV" else None)
    kwargs = dict(accept_sparse=("csr", "csc", "coo"), allow_nd=allow_nd, dtype=dtype,
                  ensure_all_finite=True)
    if y is None:
        if require_y:
            raise ValueError(
                f"This {type(est).__name__} estimator requires y to be passed, but the "
                "target y is None."
            )
        X = validate_data(est, X, reset=reset, **kwargs)
    else:
        X, y = validate_data(est, X, y, reset=reset, multi_output=multi_output,
                             y_numeric=y_numeric, **kwargs)
        if y_numeric and y.dtype.kind in "OUS":
            y = y.astype(_floatx())
    if sp.issparse(X):
        # Kept sparse (rows are densified batch by batch when training and
        # predicting); CSR slices rows cheaply.
        X = X.tocsr()
    if check_dtypes:
        _check_dtypes(est, X, y, reset=reset)
    elif reset and isinstance(received, np.dtype) and received.kind in "biuf":
        est.X_dtype_ = received  # what fit was given, before any conversion (export serves it)
    return X, y


def _check_dtypes(est, X, y, *, reset):
    name = type(est).__name__
    if reset:
        est.X_dtype_, est.X_shape_ = X.dtype, X.shape
        if y is not None:
            est.y_dtype_, est.y_ndim_ = y.dtype, y.ndim
        return
    if not np.can_cast(X.dtype, est.X_dtype_):
        raise ValueError(
            f"Got X with dtype {X.dtype}, but this {name} expected {est.X_dtype_} and "
            f"casting from {X.dtype} to {est.X_dtype_} is not safe! Convert X with "
            f"X.astype({str(est.X_dtype_)!r}) or fit a new model."
        )
    if X.ndim != len(est.X_shape_):
        raise ValueError(
            f"X has {X.ndim} dimensions, but this {name} is expecting "
            f"{len(est.X_shape_)} dimensions in X."
        )
    if X.shape[1:] != est.X_shape_[1:]:
        raise ValueError(
            f"X has shape {X.shape[1:]}, but this {name} is expecting X of shape "
            f"{est.X_shape_[1:]}."
        )
    if y is not None and hasattr(est, "y_dtype_"):
        if not np.can_cast(y.dtype, est.y_dtype_):
            raise ValueError(
                f"Got y with dtype {y.dtype}, but this {name} expected {est.y_dtype_} and "
                f"casting from {y.dtype} to {est.y_dtype_} is not safe!"
            )
        if y.ndim != est.y_ndim_:
            raise ValueError(
                f"y has {y.ndim} dimensions, but this {name} is expecting {est.y_ndim_} "
                "dimensions in y."
            )


_ZERO_WEIGHTS = (
    "Sample weights must contain at least one non-zero number: only zeros were passed in "
    "sample_weight, so there is nothing to train on. No training samples had any weight."
)


def _all_zero(sample_weight):
    try:
        values = np.asarray(sample_weight, dtype=float)
    except (TypeError, ValueError):
        return False  # scikit-learn's check explains what is wrong
    return values.size > 0 and not np.any(values)


def check_sample_weight(sample_weight, X):
    """Weights as a float array; all zeros or negative values are refused.

    Returns None when ``sample_weight`` is None.
    """
    if sample_weight is None:
        return None
    if _all_zero(sample_weight):
        raise ValueError(_ZERO_WEIGHTS)
    return _check_sample_weight(sample_weight, X, dtype=_floatx(), ensure_non_negative=True)


def drop_zero_weight(weight, *arrays):
    """Remove samples of weight 0 (as if they were not there, scikit-learn's meaning)."""
    if weight is None or np.all(weight):
        return (weight, *arrays)
    keep = weight != 0
    return (weight[keep], *(a[keep] if a is not None else None for a in arrays))


def class_weight_to_sample_weight(class_weight, y, classes):
    """Per-sample weights of ``class_weight`` (a dict or "balanced") for labels ``y``.

    Raises
    ------
    ValueError
        If a key of ``class_weight`` is not a class of the data (scikit-learn's
        ``LogisticRegression`` refuses it too).
    """
    from sklearn.utils.class_weight import compute_sample_weight

    if class_weight is None:
        return None
    if isinstance(class_weight, dict):
        known = set(np.asarray(classes).tolist())
        unknown = [k for k in class_weight if k not in known]
        if unknown:
            raise ValueError(
                f"class_weight has keys {unknown} that are not classes of y; the classes "
                f"are {np.asarray(classes).tolist()}. Use the labels themselves as keys."
            )
    elif not (isinstance(class_weight, str) and class_weight == "balanced"):
        raise ValueError(
            f"class_weight must be a dict of {{label: weight}}, 'balanced' or None; got "
            f"{class_weight!r}."
        )
    return compute_sample_weight(class_weight, np.asarray(y)).astype(_floatx())


def keras_class_weight(class_weight, y_encoded):
    """Keras's ``class_weight`` (keys: class indices of the encoded targets)."""
    if class_weight is None:
        return None
    y = np.asarray(y_encoded)
    index = y.argmax(axis=1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(len(y), -1)[:, 0]
    index = np.round(index).astype(int)
    weights = np.ones(len(y), dtype=_floatx())
    for key, value in class_weight.items():
        weights[index == int(key)] = value
    return weights


def tail_split(data, fraction):
    """Keras's ``validation_split``: the last ``fraction`` of the samples."""
    import keras

    n = int(keras.tree.flatten(data)[0].shape[0])
    split_at = int(np.floor(n * (1.0 - fraction)))
    if split_at in (0, n):
        raise ValueError(
            f"Training data contains {n} samples, which is not sufficient to split it into "
            f"a validation and training set as specified by `validation_split={fraction}`. "
            "Either provide more data, or a different value for the `validation_split` "
            "argument."
        )
    head = keras.tree.map_structure(lambda a: None if a is None else a[:split_at], data)
    tail = keras.tree.map_structure(lambda a: None if a is None else a[split_at:], data)
    return head, tail


def stratified_split(y_labels, fraction, rng):
    """scikit-learn's early-stopping split: train and validation indices, stratified."""
    import math

    from sklearn.model_selection import train_test_split

    n = len(y_labels)
    n_val = math.ceil(fraction * n)
    if n_val < 1 or n - n_val < 1:
        raise ValueError(
            f"early_stopping needs a validation set: validation_fraction={fraction} of {n} "
            f"samples leaves {n - n_val} for training and {n_val} for validation. Use more "
            "samples or change validation_fraction."
        )
    stratify = None
    if y_labels is not None:
        _, counts = np.unique(y_labels, return_counts=True, axis=0)
        if counts.min() >= 2 and n_val >= len(counts):
            stratify = y_labels
    train_idx, val_idx = train_test_split(
        np.arange(n), test_size=n_val, random_state=rng, stratify=stratify
    )
    return np.sort(train_idx), np.sort(val_idx)


def input_scale(X, *, sample=False):
    """The largest absolute value in ``X`` (of about 64 of its rows with ``sample``).

    None for inputs that are not numeric arrays. Used to notice inputs scaled
    differently at prediction than at fit (images scaled twice, or not at all).
    """
    if not isinstance(X, np.ndarray) or X.dtype.kind not in "fiub" or X.size == 0:
        return None
    if sample:
        X = X[:: max(1, len(X) // 64)]
    # Two reductions, no temporary array (abs() would copy the training set).
    return max(float(X.max()), -float(X.min()))


#: Fit and predict inputs whose largest values differ by this factor or more were
#: almost surely scaled differently (pixels: 255 between scaled and raw).
SCALE_RATIO = 50.0


def warn_if_rescaled(fit_scale, X, name):
    """Warn when ``X``'s range differs from the training data's by orders of magnitude.

    Returns True when it warned.
    """
    import warnings

    scale = input_scale(X, sample=True)
    if not fit_scale or not scale or np.isnan(scale):
        return False
    ratio = max(scale, fit_scale) / min(scale, fit_scale)
    if ratio < SCALE_RATIO:
        return False
    warnings.warn(
        f"X reaches {scale:.4g} here but the training data of this {name} reached "
        f"{fit_scale:.4g} ({ratio:.0f} times {'more' if scale > fit_scale else 'less'}): the "
        "inputs look scaled differently from fit (images scaled twice, or not at all?). "
        "Predictions on such inputs are meaningless; scale them as the training data was "
        "(put PixelScaler and the estimator in one Pipeline). Shown once per fit.",
        UserWarning,
        stacklevel=4,
    )
    return True


def check_cardinality(x, y, sample_weight=None, *, what="the training data"):
    """Keras's "Data cardinality is ambiguous" check, after the encoders ran.

    An encoder that drops or adds rows would otherwise pair inputs with the
    targets of other samples, silently.
    """
    import keras

    sizes = {name: sorted({int(np.shape(a)[0]) for a in keras.tree.flatten(data)})
             for name, data in (("x", x), ("y", y), ("sample_weight", sample_weight))
             if data is not None}
    if len({n for ns in sizes.values() for n in ns}) > 1:
        listed = ", ".join(f"{name} sizes: {ns}" for name, ns in sizes.items())
        raise ValueError(
            f"Data cardinality is ambiguous in {what} after the encoders: {listed}. Make "
            "sure feature_encoder and target_encoder return one row per sample."
        )
