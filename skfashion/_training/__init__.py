"""skfashion's training path: Keras's fit semantics, many steps per backend call.

``_loop.fit_epochs`` is the epoch generator every fit path consumes; the
runners (``_tensorflow``, ``_jax``, ``_eager``) run chunks of Keras's own
``train_step`` on one backend each.
"""

from ._loop import Abandoned, Validation, chunk_size, fit_epochs, make_runner, standardize
from ._run_params import watch_epochs_read

__all__ = ["Abandoned", "Validation", "chunk_size", "fit_epochs", "make_runner", "standardize",
           "watch_epochs_read"]
