"""skfashion's training path: Keras's fit semantics, many steps per backend call.

``_loop.fit_epochs`` is the epoch generator every fit path consumes; the
backends' modules (``_tensorflow``, ``_jax``, ``_eager``, named in the one
registry, ``_backends.BACKENDS``) run chunks of Keras's own ``train_step`` and
compile the fast predictor's inference call, one backend each.
"""

from ._loop import (
    Abandoned,
    LoopInputs,
    Validation,
    chunk_size,
    fit_epochs,
    make_runner,
    standardize,
)
from ._run_params import watch_epochs_read

__all__ = ["Abandoned", "LoopInputs", "Validation", "chunk_size", "fit_epochs", "make_runner",
           "standardize", "watch_epochs_read"]
