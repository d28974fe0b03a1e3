"""Plain values to JSON and back, for the pickle-free file format.

Only data: numbers, strings, booleans, None, lists, dicts, tuples, NumPy
dtypes and arrays of numbers or strings. Decoding builds nothing else, so a
file can describe no object to create and no code to run.
"""

import numpy as np

_ARRAY_KINDS = "biufU"  # bool, int, uint, float, str; object arrays must hold str
#: Bytes per element of any stored dtype: a 64-character string (U64) is 256 bytes.
#: A file declaring ``<U250000000`` asked for a gigabyte per element.
MAX_ITEMSIZE = 4096
#: Nesting of lists and objects in a document (real files nest a few levels).
MAX_DEPTH = 64


class NotPlainData(TypeError):
    """A value the format cannot hold as data."""


def encode(value):
    """A JSON-compatible form of ``value``.

    Raises
    ------
    NotPlainData
        If ``value`` is not plain data (a function, a Keras object...).

    Examples
    --------
    >>> encode((1, "a")), decode(encode((1, "a")))
    ({'__tuple__': [1, 'a']}, (1, 'a'))
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, np.generic):
        return encode(value.item())
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in value):
            return {k: encode(v) for k, v in value.items()}
        return {"__dict__": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, np.dtype):
        if value.kind not in _ARRAY_KINDS + "O":
            raise NotPlainData(f"dtype {value} cannot be stored")
        return {"__dtype__": value.str if value.kind != "O" else "O"}
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "O":
            if not all(isinstance(v, str) for v in value.ravel().tolist()):
                raise NotPlainData("object arrays must hold strings only")
            dtype = "O"
        elif value.dtype.kind in _ARRAY_KINDS:
            dtype = value.dtype.str
        else:
            raise NotPlainData(f"arrays of dtype {value.dtype} cannot be stored")
        return {"__array__": {"dtype": dtype, "shape": list(value.shape),
                              "values": value.ravel().tolist()}}
    raise NotPlainData(f"{type(value).__name__} is not plain data")


def _dtype(text):
    if text == "O":
        return np.dtype(object)
    if not isinstance(text, str):
        raise ValueError(f"a dtype must be a string, got {text!r}")
    try:
        dtype = np.dtype(text)
    except TypeError as exc:
        raise ValueError(f"unknown dtype {text!r}") from exc
    if dtype.kind not in _ARRAY_KINDS:
        raise ValueError(f"dtype {text!r} is not allowed")
    if dtype.itemsize > MAX_ITEMSIZE:
        raise ValueError(
            f"dtype {text!r} takes {dtype.itemsize} bytes per element, more than the "
            f"{MAX_ITEMSIZE} a real file uses"
        )
    return dtype


def decode(value, _depth=0):
    """The value :func:`encode` described.

    Raises
    ------
    ValueError
        If the document is not of the forms :func:`encode` writes, or nests
        deeper than :data:`MAX_DEPTH`.
    """
    if value is None or isinstance(value, (bool, str, int, float)):
        return value
    if _depth > MAX_DEPTH:
        raise ValueError(f"values nested deeper than {MAX_DEPTH} levels")
    depth = _depth + 1
    if isinstance(value, list):
        return [decode(v, depth) for v in value]
    if not isinstance(value, dict):
        raise ValueError(f"unexpected JSON value of type {type(value).__name__}")
    if len(value) == 1:
        (key, inner), = value.items()
        if key == "__tuple__":
            if not isinstance(inner, list):
                raise ValueError("__tuple__ must hold a list")
            return tuple(decode(v, depth) for v in inner)
        if key == "__dict__":
            if not isinstance(inner, list) or not all(
                    isinstance(p, list) and len(p) == 2 for p in inner):
                raise ValueError("__dict__ must hold [key, value] pairs")
            return {_hashable(decode(k, depth)): decode(v, depth) for k, v in inner}
        if key == "__dtype__":
            return _dtype(inner)
        if key == "__array__":
            return _array(inner)
    if any(isinstance(k, str) and k.startswith("__") for k in value):
        raise ValueError(f"unknown special form {sorted(value)}")
    return {k: decode(v, depth) for k, v in value.items()}


def _hashable(key):
    if isinstance(key, list):
        raise ValueError("a dict key cannot be a list")
    return key


def _array(doc):
    if not isinstance(doc, dict) or set(doc) != {"dtype", "shape", "values"}:
        raise ValueError("__array__ needs exactly dtype, shape and values")
    dtype = _dtype(doc["dtype"])
    shape = doc["shape"]
    if not isinstance(shape, list) or not all(isinstance(s, int) and s >= 0 for s in shape):
        raise ValueError(f"bad array shape {shape!r}")
    values = doc["values"]
    if not isinstance(values, list) or len(values) != int(np.prod(shape, dtype=np.int64)):
        raise ValueError("array values do not match the shape")
    if dtype.kind == "O":
        if not all(isinstance(v, str) for v in values):
            raise ValueError("object arrays must hold strings only")
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out.reshape(shape)
    if not all(isinstance(v, (int, float, bool, str)) for v in values):
        raise ValueError("array values must be numbers or strings")
    try:
        return np.asarray(values, dtype=dtype).reshape(shape)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"array values do not fit dtype {dtype}: {exc}") from exc
