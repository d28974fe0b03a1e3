"""The one registry of Keras backends: a module per backend, holding its glue.

Each module named in :data:`BACKENDS` defines, for its backend:

- ``make_runner(model, batch_size, programs)``: the :class:`~._runner.Runner` that trains
  chunks of Keras's own steps (``_loop.fit_epochs`` asks for it);
- ``compiled_call(model, example)``: a function from inputs shaped like
  ``example`` to the model's inference outputs as NumPy arrays, compiled with
  the backend's compiler (the fast predictor, ``_inference.Predictor``, uses it
  for models it does not compute itself).

A backend not named here (one Keras adds later) gets ``_eager``'s: Keras's own
steps and calls, run eagerly. Supporting a backend better is one module and
one line here.
"""

import importlib
from types import ModuleType
from typing import Optional

#: Keras backend name -> the module (in this package) with its runner and calls.
BACKENDS = {
    "tensorflow": "_tensorflow",
    "jax": "_jax",
    "torch": "_eager",
}
#: The module for any other backend.
FALLBACK = "_eager"


def backend_module(backend: Optional[str] = None) -> ModuleType:
    """The module of ``backend`` (default: Keras's active backend)."""
    if backend is None:
        import keras

        backend = keras.backend.backend()
    return importlib.import_module(f"{__package__}.{BACKENDS.get(backend, FALLBACK)}")
