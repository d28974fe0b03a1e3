"""Importing Keras with an error that says which backends are installed.

Keras imports its backend when it is first imported: TensorFlow unless
``KERAS_BACKEND`` (or ``~/.keras/keras.json``) names another. On a JAX-only or
PyTorch-only install that is a bare ``ModuleNotFoundError: No module named
'tensorflow'``, raised from deep inside Keras. skfashion's entry points (fit,
predict, load, the command line) import Keras through :func:`import_keras`,
which turns that into an error naming the installed backends and the setting
that chooses one.
"""

import importlib.util
import os

#: Keras's backends and the module each needs.
BACKENDS = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}


def installed_backends():
    """The Keras backends whose module can be imported here.

    Examples
    --------
    >>> set(installed_backends()) <= {"tensorflow", "jax", "torch"}
    True
    """
    found = []
    for name, module in BACKENDS.items():
        try:
            if importlib.util.find_spec(module) is not None:
                found.append(name)
        except (ImportError, ValueError, AttributeError):  # a module made unimportable
            pass
    return found


def import_keras():
    """``import keras``, or an ``ImportError`` that says how to choose a backend."""
    try:
        import keras
    except ImportError as exc:
        missing = (getattr(exc, "name", None) or "").split(".")[0]
        if missing not in BACKENDS.values():
            raise
        chosen = os.environ.get("KERAS_BACKEND")
        setting = (f"KERAS_BACKEND={chosen}" if chosen else
                   "KERAS_BACKEND is not set, so Keras uses the backend of ~/.keras/keras.json "
                   "or its default, tensorflow")
        installed = installed_backends()
        fixes = [f"set KERAS_BACKEND={b}" for b in installed]
        from ._optional import install_hint

        fixes.append(install_hint(missing, {"torch": "torch"}.get(missing, missing)))
        raise ImportError(
            f"Keras cannot load its backend {missing!r}, which is not installed ({setting}). "
            f"Installed backends: {', '.join(installed) or 'none'}. To fix: "
            f"{'; or '.join(fixes)}."
        ) from exc
    return keras
