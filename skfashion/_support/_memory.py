"""Memory helpers: 64-byte aligned arrays that TensorFlow can use without a copy."""

import numpy as np

#: TensorFlow's CPU kernels require this alignment of a buffer they borrow.
ALIGNMENT = 64


def aligned_empty(shape, dtype=np.float32):
    """An uninitialised C-contiguous array whose data starts on a 64-byte boundary.

    NumPy only guarantees 16-byte alignment; TensorFlow refuses (aborts on) a
    borrowed buffer with less than 64. Arrays made here can be handed to
    TensorFlow by DLPack without copying.

    Examples
    --------
    >>> a = aligned_empty((3, 5))
    >>> a.ctypes.data % ALIGNMENT, a.shape, a.dtype
    (0, (3, 5), dtype('float32'))
    """
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    raw = np.empty(nbytes + ALIGNMENT, dtype=np.uint8)
    offset = (-raw.ctypes.data) % ALIGNMENT
    return raw[offset : offset + nbytes].view(dtype).reshape(shape)


def is_aligned(array):
    """True if ``array``'s data starts on a 64-byte boundary."""
    return array.ctypes.data % ALIGNMENT == 0
