"""Parse the IDX binary format of the MNIST family of data sets.

The format is a 4-byte magic number (two zero bytes, a type code and the number
of dimensions), one big-endian ``uint32`` per dimension, then the values.
Fashion-MNIST only uses unsigned bytes, the one type accepted here.
"""

import struct

import numpy as np

_UBYTE = 0x08


def parse_idx(payload, *, name="<bytes>", expected_ndim=None):
    """Return the array stored in the IDX ``payload`` (a bytes-like object).

    Parameters
    ----------
    payload : bytes
        The whole, decompressed content of an IDX file.
    name : str, default="<bytes>"
        Used in error messages to say which file is wrong.
    expected_ndim : int, default=None
        If given, the number of dimensions the file must declare.

    Returns
    -------
    array : ndarray of dtype uint8
        A read-only view on ``payload`` with the declared shape.

    Raises
    ------
    ValueError
        If the magic number, the declared dimensions or the payload size are wrong.

    See Also
    --------
    load_fashion_mnist : Reads the four official IDX files with it.

    Examples
    --------
    >>> import struct
    >>> raw = struct.pack(">BBBBI", 0, 0, 8, 1, 3) + bytes([7, 8, 9])
    >>> parse_idx(raw)
    array([7, 8, 9], dtype=uint8)
    """
    if len(payload) < 4:
        raise ValueError(
            f"{name} is not an IDX file: it has {len(payload)} bytes, fewer than the "
            "4-byte header. The file is truncated; delete it and fetch it again."
        )
    zero1, zero2, dtype_code, ndim = struct.unpack_from(">BBBB", payload, 0)
    if zero1 != 0 or zero2 != 0 or dtype_code != _UBYTE or ndim == 0:
        raise ValueError(
            f"{name} is not an unsigned-byte IDX file: its magic number is "
            f"0x{payload[:4].hex()}, expected 0x000008NN with NN the number of "
            "dimensions. The file is corrupt or of another format."
        )
    if expected_ndim is not None and ndim != expected_ndim:
        raise ValueError(
            f"{name} declares {ndim} dimensions, expected {expected_ndim}: "
            "an image file and a label file may have been swapped."
        )
    header = 4 + 4 * ndim
    if len(payload) < header:
        raise ValueError(
            f"{name} is truncated: its header needs {header} bytes, the file has "
            f"{len(payload)}. Delete it and fetch it again."
        )
    shape = struct.unpack_from(">" + "I" * ndim, payload, 4)
    expected = header + int(np.prod(shape, dtype=np.int64))
    if len(payload) != expected:
        raise ValueError(
            f"{name} has {len(payload)} bytes but its header declares shape {shape}, "
            f"which needs {expected}: the file is truncated or corrupt. "
            "Delete it and fetch it again."
        )
    return np.frombuffer(payload, dtype=np.uint8, offset=header).reshape(shape)
