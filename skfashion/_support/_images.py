"""Image arrays: flat rows and (height, width) images, one converter each way.

Used by :class:`~skfashion.PixelScaler` (images to rows, strictly checked), the
plotting Displays (rows back to images) and the data set loaders.
"""

import numpy as np


def describe_accepted(image_shape):
    """The input shapes accepted for images of ``image_shape`` (for messages)."""
    if image_shape is None:
        return "(n_samples, height, width), (n_samples, height, width, 1) or (n_samples, n_pixels)"
    h, w = image_shape
    return f"(n_samples, {h}, {w}), (n_samples, {h}, {w}, 1) or (n_samples, {h * w})"


def to_rows(X, image_shape, *, who="PixelScaler"):
    """Flatten (n, h, w) and (n, h, w, 1) arrays to (n, h * w); check the sizes.

    Rows (n, n_pixels) pass through (checked against ``image_shape``); sparse
    matrices and DataFrames pass through unchanged (2-D by construction).
    """
    if hasattr(X, "iloc") or hasattr(X, "tocsr"):
        return X
    if not isinstance(X, np.ndarray):
        try:
            X = np.asarray(X)
        except ValueError as exc:
            raise ValueError(
                f"{who} got a ragged input (rows of different lengths); every image must "
                "have the same number of pixels."
            ) from exc
    expect = describe_accepted(image_shape)
    shape = X.shape
    if X.ndim < 2:
        raise ValueError(
            f"{who} got a {X.ndim}-D array of shape {shape}; accepted shapes: {expect}. "
            "Reshape your data: X.reshape(1, -1) for one flat image, X[np.newaxis] for one "
            "2-D image."
        )
    if X.ndim == 4 and shape[-1] == 1:
        X = X[..., 0]
    if X.ndim == 3:
        if image_shape is not None and X.shape[1:] != tuple(image_shape):
            raise ValueError(
                f"{who} got images of shape {shape[1:]}, expected {tuple(image_shape)}. "
                f"Accepted input shapes: {expect}. Resize the images or set "
                "image_shape=None to accept any size."
            )
        return X.reshape(len(X), int(np.prod(X.shape[1:], dtype=np.int64)))
    if X.ndim == 2:
        if image_shape is not None and shape[1] != image_shape[0] * image_shape[1]:
            raise ValueError(
                f"{who} got {shape[1]} features per sample, expected "
                f"{image_shape[0] * image_shape[1]} pixels of {tuple(image_shape)} images. "
                f"Accepted input shapes: {expect}."
            )
        return X
    raise ValueError(
        f"{who} got an array of shape {shape}; accepted shapes: {expect}. Colour images (a "
        "last axis of 3) are not supported: convert to grayscale."
    )


def to_images(X, image_shape=None):
    """(n, h, w) images from rows (square unless ``image_shape`` says) or images."""
    X = np.asarray(X)
    if X.ndim == 4 and X.shape[-1] == 1:
        X = X[..., 0]
    if X.ndim == 2:
        if image_shape is None:
            side = int(round(np.sqrt(X.shape[1])))
            if side * side != X.shape[1]:
                raise ValueError(
                    f"Cannot show flat images of {X.shape[1]} pixels: not a square; pass "
                    "(n, height, width) images or image_shape=(height, width)."
                )
            image_shape = (side, side)
        X = X.reshape(len(X), *image_shape)
    if X.ndim != 3:
        raise ValueError(f"Expected images of shape (n, height, width); got {X.shape}.")
    return X
