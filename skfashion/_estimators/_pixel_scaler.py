"""PixelScaler: flatten images and scale 0-255 pixel intensities to [0, 1]."""

import warnings
from numbers import Integral
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import _check_feature_names_in, check_array, validate_data

from .._support._docs import shared_doc
from .._support._images import to_rows
from .._support._memory import aligned_empty
from ..datasets._fashion_mnist import feature_names
from .._support._registry import register
from ..exceptions import AlreadyScaledWarning  # noqa: F401 (re-exported)

_MAX_PIXEL = 255


@register
class PixelScaler(TransformerMixin, BaseEstimator):
    """Flatten grayscale images and scale their 0-255 pixels to float32 in [0, 1].

    The first step of the Fashion-MNIST tutorial, ``x.reshape(-1, 784) / 255.0``,
    as a stateless transformer that fits in a :class:`~sklearn.pipeline.Pipeline`.
    The result equals the tutorial's float64 arithmetic cast to float32, bit for
    bit, in a quarter of the memory.

    Parameters
    ----------
    image_shape : tuple of (int, int) or None, default=(28, 28)
        The (height, width) the images must have. ``None`` accepts any size.

    Attributes
    ----------
    n_features_in_ : int
        Number of pixels per image seen in :meth:`fit` (784 for Fashion-MNIST).
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Column names of ``X`` when it was a DataFrame with string column names.
    input_shape_ : tuple of int
        The shape of one sample of ``X`` as :meth:`fit` received it: ``(28, 28)``
        for images, ``(784,)`` for flat rows. :func:`skfashion.export` gives the
        served model this input.
    input_dtype_ : str
        The dtype of ``X`` as :meth:`fit` received it (``"uint8"`` for the
        loaders' images): the served model's input dtype.

    See Also
    --------
    skfashion.SoftmaxClassifier : the tutorial model that follows this step.

    Notes
    -----
    Input: (n, h, w), (n, h, w, 1) or (n, h * w) arrays, or a DataFrame or a sparse
    matrix of flat images, in any real dtype with values between 0 and 255. NaN,
    infinities, negative values and values above 255 raise a ``ValueError``, as do
    boolean, complex and string data. Sparse input gives sparse output.

    Float input whose largest value is at most 1 (but not all zero) warns
    (:class:`~skfashion.exceptions.AlreadyScaledWarning`): it looks scaled already (the Keras
    tutorial's ``x / 255.0``), and dividing by 255 again leaves the model
    nearly black images. Ignore the warning for images that really are that dark.

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion import PixelScaler
    >>> images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    >>> PixelScaler(image_shape=(2, 2)).fit_transform(images)
    array([[0. , 1. , 0.2, 0.4]], dtype=float32)
    """

    _parameter_constraints = {
        "image_shape": [tuple, None],
    }

    def __init__(self, *, image_shape=(28, 28)):
        self.image_shape = image_shape

    def _check_image_shape(self):
        shape = self.image_shape
        if shape is not None and not (
            len(shape) == 2 and all(isinstance(s, Integral) and int(s) > 0 for s in shape)
        ):
            raise ValueError(
                "The 'image_shape' parameter of PixelScaler must be None or a pair of "
                f"positive integers (height, width). Got {shape!r} instead."
            )

    def _validate(self, X, *, fitted):
        self._validate_params()
        self._check_image_shape()
        raw_shape = getattr(X, "shape", None)
        X = to_rows(X, self.image_shape)  # a list becomes an array (or a clear error)
        raw_shape = tuple(raw_shape if raw_shape is not None else X.shape)
        kind = getattr(getattr(X, "dtype", None), "kind", None)
        if kind in ("U", "S") or (kind == "O" and any(
                isinstance(v, (str, bytes)) for v in np.asarray(X, dtype=object).ravel())):
            raise ValueError(
                "PixelScaler got strings; pixels must be numbers from 0 to 255. Convert "
                "text with X.astype(np.float64) if it holds numbers."
            )
        dtypes = getattr(X, "dtypes", None)  # a DataFrame's column dtypes
        if getattr(X, "dtype", None) == bool or (
            dtypes is not None and any(d == bool for d in dtypes)
        ):
            raise ValueError(
                "PixelScaler got boolean data; pixels are intensities from 0 to 255. "
                "Convert a mask with X.astype(np.uint8) * 255."
            )
        check_params = dict(
            accept_sparse=("csr", "csc"),
            dtype=[np.float32, np.float64, np.uint8, np.uint16, np.int64, np.int32],
            ensure_all_finite=True,
        )
        raw_dtype = getattr(X, "dtype", None)
        if fitted is None:  # stateless use: transform without fit records nothing
            X = check_array(X, **check_params)
        else:
            X = validate_data(self, X, reset=not fitted, **check_params)
        if fitted is False:  # what the pipeline takes: export serves this input
            self.input_shape_ = tuple(int(d) for d in raw_shape[1:])
            self.input_dtype_ = (np.dtype(raw_dtype) if isinstance(raw_dtype, np.dtype)
                                 and raw_dtype.kind in "uif" else X.dtype).name
        values = X.data if sp.issparse(X) else X
        if fitted is False:
            self._warned_already_scaled = False
        if X.dtype != np.uint8 and values.size:
            low, high = values.min(), values.max()
            if low < 0:
                raise ValueError(
                    f"Negative values in data passed to PixelScaler (minimum {low}): "
                    f"pixel values must be between 0 and {_MAX_PIXEL}. Standardized data "
                    "needs no PixelScaler."
                )
            if high > _MAX_PIXEL:
                raise ValueError(
                    f"PixelScaler got pixel values up to {high}; they must be between 0 "
                    f"and {_MAX_PIXEL}. 16-bit images need dividing by 257 first; other "
                    "data needs clipping or its own scaler."
                )
            scaled = bool(X.dtype.kind == "f" and 0 < high <= 1)
            # Once per fit: a fit that warned does not warn again at its transforms.
            if fitted is False:
                self._warned_already_scaled = scaled
            elif fitted and getattr(self, "_warned_already_scaled", False):
                scaled = False
            if scaled:
                warnings.warn(
                    f"PixelScaler got float pixels no larger than {high:g}: they look "
                    "scaled to [0, 1] already (x / 255.0), and PixelScaler divides by 255 "
                    "again, leaving nearly black images (a model then scores far lower). "
                    "Pass the 0-255 images to PixelScaler, or drop PixelScaler for data "
                    "you scaled yourself.",
                    AlreadyScaledWarning,
                    stacklevel=4,
                )
        return X

    @shared_doc
    def fit(self, X: Any, y: Any = None) -> "PixelScaler":
        """Check ``X`` and record its number of pixels; nothing is learned.

        Parameters
        ----------
        X : array-like or sparse matrix
            Images, see the class notes for accepted shapes.
        y : None
            Ignored.

        Returns
        -------
        self : PixelScaler

        {pixel_raises}
        """
        self._validate(X, fitted=False)
        return self

    @shared_doc
    def transform(self, X: Any) -> Any:
        """Flatten and scale ``X`` to float32 in [0, 1].

        Parameters
        ----------
        X : array-like or sparse matrix
            Images, see the class notes for accepted shapes.

        Returns
        -------
        X_scaled : ndarray or sparse matrix of shape (n_samples, n_pixels), float32

        {pixel_raises}
        """
        X = self._validate(X, fitted=True if hasattr(self, "n_features_in_") else None)
        if sp.issparse(X):
            X = X.astype(np.float32)
            np.divide(X.data, np.float32(_MAX_PIXEL), out=X.data)
            return X
        out = aligned_empty(X.shape, np.float32)  # lets a Keras fit borrow it uncopied
        return np.divide(X, np.float32(_MAX_PIXEL), out=out, dtype=np.float32)

    def get_feature_names_out(self, input_features=None):
        """Names of the output pixels.

        ``pixel_<row>_<column>`` for images of ``image_shape``; otherwise the input
        column names (or ``x0``, ``x1``, ...) pass through.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names, checked against ``feature_names_in_``.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        if (
            input_features is None
            and not hasattr(self, "feature_names_in_")
            and self.image_shape is not None
        ):
            return feature_names(self.image_shape)
        return _check_feature_names_in(self, input_features)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.sparse = True
        tags.input_tags.positive_only = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
