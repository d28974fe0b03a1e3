"""The small real subset of Fashion-MNIST shipped inside the package."""

import hashlib
from pathlib import Path
from typing import Tuple

import numpy as np

SAMPLE_PATH = Path(__file__).parent / "data" / "fashion_mnist_sample.npz"
#: SHA-256 of the shipped file, written by ``tools/make_sample.py``.
SAMPLE_SHA256 = "021b7e500367380aac7897aa542e7186b7b70bfca1521aa2f92abf91d2473fe9"
#: Images per class in each split of the sample.
SAMPLE_PER_CLASS = {"train": 300, "test": 100}


def load_sample() -> Tuple[Tuple[np.ndarray, np.ndarray], Tuple[np.ndarray, np.ndarray]]:
    """Load the small real subset of Fashion-MNIST that ships with skfashion.

    3,000 training images (300 per class) drawn from the official training set and
    1,000 test images (100 per class) from the official test set, stratified, with a
    fixed seed by ``tools/make_sample.py``. It needs no download, so tests, docs
    and the quick main job work offline. Same layout as :func:`load_fashion_mnist`.

    Returns
    -------
    (x_train, y_train), (x_test, y_test) : tuple of tuples of ndarrays
        ``uint8`` arrays of shape (3000, 28, 28), (3000,), (1000, 28, 28), (1000,).

    Raises
    ------
    OSError
        If the shipped file fails its checksum (a broken installation).

    See Also
    --------
    load_fashion_mnist : The full data set.

    Examples
    --------
    >>> from skfashion.datasets import load_sample
    >>> (x_train, y_train), (x_test, y_test) = load_sample()
    >>> x_train.shape, x_train.dtype, y_test.shape
    ((3000, 28, 28), dtype('uint8'), (1000,))
    """
    payload = SAMPLE_PATH.read_bytes()
    digest = hashlib.sha256(payload).hexdigest()
    if digest != SAMPLE_SHA256:
        raise OSError(
            f"The embedded sample {SAMPLE_PATH} is corrupt (SHA-256 {digest}, expected "
            f"{SAMPLE_SHA256}). Reinstall skfashion."
        )
    with np.load(SAMPLE_PATH, allow_pickle=False) as npz:
        return (npz["x_train"], npz["y_train"]), (npz["x_test"], npz["y_test"])
