"""How a changed private part is said (once, with a KerasInternalsWarning) and found."""

import threading
import warnings
from typing import Any


_CHANGED: set = set()
_CHANGED_LOCK = threading.Lock()


def changed(part, cost):
    """Say once per process that ``part`` is not as skfashion expects it, and what
    the fallback costs (a :class:`~skfashion.exceptions.KerasInternalsWarning`)."""
    with _CHANGED_LOCK:
        if part in _CHANGED:
            return
        _CHANGED.add(part)
    import keras

    from ..exceptions import KerasInternalsWarning

    warnings.warn(
        f"{part} is not as skfashion expects it (Keras {keras.__version__}, backend "
        f"{keras.backend.backend()}): {cost}. Please report this with your Keras and "
        "TensorFlow versions.",
        KerasInternalsWarning, stacklevel=3)


def _module(name) -> Any:
    """The module ``name``, or None where it is not there."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _private(obj, name, part, cost):
    """``obj.name``, or None after saying once that ``part`` changed (:func:`changed`)."""
    value = getattr(obj, name, None)
    if value is None:
        changed(part, cost)
    return value
