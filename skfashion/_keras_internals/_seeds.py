"""Seeding a fit without leaving global state changed: Keras's global seed,
TensorFlow's seed readers routed per thread, PyTorch's unseeded dropout."""

import threading
from contextlib import contextmanager
from typing import Any

from ._changes import _module, changed
from ._models import _keras_global_state, layers_of


_TF_CONTEXT = "tensorflow.python.eager.context"


def seed_torch_dropout(model):
    """On PyTorch, make ``model``'s unseeded random generators draw from their own state.

    Keras's torch backend draws the dropout masks of a layer whose
    ``SeedGenerator`` was created without a seed (``_initial_seed is None``)
    from torch's global generator, which a seeded fit does not control; every
    other backend draws them from the generator's state, seeded when the layer
    was built. Marking each such generator as seeded with the seed its state
    started from makes the torch backend do the same, so a seeded fit is
    reproducible there too (its masks then differ from plain Keras's, which come
    from torch's global generator).
    """
    import keras

    if keras.backend.backend() != "torch":
        return
    for layer in layers_of(model, include_self=True):
        for value in vars(layer).values():
            if not isinstance(value, keras.random.SeedGenerator):
                continue
            if _SEED_ATTRIBUTE not in vars(value):
                changed("SeedGenerator._initial_seed (PyTorch dropout)",
                        "dropout masks of layers without a seed draw from torch's global "
                        "generator, so a seeded fit on PyTorch may not repeat itself")
                return
            if getattr(value, _SEED_ATTRIBUTE) is None:
                setattr(value, _SEED_ATTRIBUTE,
                        int(keras.ops.convert_to_numpy(value.state)[0]))


#: The attribute of Keras's ``SeedGenerator`` that says it was seeded.
_SEED_ATTRIBUTE = "_initial_seed"


# ----------------------------------------------------------------- seeding
def keras_seed_state():
    """Keras's global seed and global ``SeedGenerator``, as a pair to restore later.

    ``keras.utils.set_random_seed`` sets them; Keras offers no getter.
    """
    found = _keras_global_state()
    if found is None:
        return (None, None)
    global_state, generator_name = found
    return (global_state.get_global_attribute("global_random_seed"),
            global_state.get_global_attribute(generator_name))


def set_keras_seed_state(seed, generator=None):
    """Set Keras's global seed (``generator=None``: a new one is made from it on use)."""
    found = _keras_global_state()
    if found is None:
        return
    global_state, generator_name = found
    global_state.set_global_attribute("global_random_seed", seed)
    global_state.set_global_attribute(generator_name, generator)


#: What :class:`_ThreadSeeds` replaces in TensorFlow's eager ``context`` module.
_TF_SEED_FUNCTIONS = ("global_seed", "internal_operation_seed", "set_global_seed")


def tensorflow_seed_context():
    """TensorFlow's eager context (``global_seed``/``set_global_seed``), or None
    when TensorFlow is not imported (then no TensorFlow code depends on its seed),
    or where it no longer has the functions :class:`_ThreadSeeds` routes (said once:
    then TensorFlow's own random ops in a builder are not seeded by a fit)."""
    import sys

    if sys.modules.get("tensorflow") is None:
        return None
    context = _module(_TF_CONTEXT)
    if context is None or not all(callable(getattr(context, name, None))
                                  for name in _TF_SEED_FUNCTIONS + ("context",)):
        changed("tensorflow.python.eager.context's seed functions",
                "TensorFlow's own random ops (tf.random.* without an op seed) inside a "
                "model builder are not seeded by random_state")
        return None
    return context


class _ThreadSeeds:
    """TensorFlow's seed readers, routed for the threads that opened a block.

    ``tensorflow.python.eager.context`` reads the global seed with
    ``global_seed()`` and draws an eager operation's seed with
    ``internal_operation_seed()`` (from ``random_seed.get_seed``, and a
    ``tf.function``'s graph takes its seed from the former); ``tf.random.set_seed``
    sets it with ``set_global_seed()``. While a block is open, the three module
    functions are replaced by these, which answer (and seed) a thread with an
    open block from its own seed and generator and every other thread from
    TensorFlow's (its context is left untouched); when the last block closes,
    TensorFlow's functions are put back.
    """

    def __init__(self):
        self.local = threading.local()
        self.lock = threading.Lock()
        self.open = 0
        self.module: Any = None
        self.originals: Any = None

    def state(self):
        return getattr(self.local, "state", None)

    def global_seed(self):
        state = self.state()
        if state is None:
            return self.originals[0]()
        if not state["cleared"]:
            # What tf.random.set_seed does besides setting the seed: a stateful
            # kernel cached by an earlier block would continue its stream.
            state["cleared"] = True
            clear = getattr(self.module.context(), "clear_kernel_cache", None)
            if clear is None:
                changed("TensorFlow's context().clear_kernel_cache",
                        "a stateful random op of a builder continues its stream from an "
                        "earlier fit instead of restarting")
            else:
                clear()
        return state["seed"]

    def internal_operation_seed(self):
        state = self.state()
        if state is None:
            return self.originals[1]()
        self.global_seed()  # the clear, as before any draw of TensorFlow's
        return state["rng"].randint(0, _MAXINT32)

    def set_global_seed(self, seed):
        """``tf.random.set_seed`` inside the block (a builder that seeds itself):
        the block's seed and generator for this thread, as set_seed sets them."""
        import random

        state = self.state()
        if state is None:
            return self.originals[2](seed)
        state.update(seed=seed, rng=random.Random(int(seed) if seed is not None else None),
                     cleared=False)

    @contextmanager
    def block(self, module, seed):
        import random

        with self.lock:
            if self.open == 0:
                self.module = module
                self.originals = (module.global_seed, module.internal_operation_seed,
                                  module.set_global_seed)
                module.global_seed = self.global_seed
                module.internal_operation_seed = self.internal_operation_seed
                module.set_global_seed = self.set_global_seed
            self.open += 1
        outer = self.state()
        self.local.state = {"seed": seed, "rng": random.Random(seed), "cleared": False}
        try:
            yield
        finally:
            self.local.state = outer
            with self.lock:
                self.open -= 1
                if self.open == 0:
                    (module.global_seed, module.internal_operation_seed,
                     module.set_global_seed) = self.originals


#: TensorFlow's ``_MAXINT32``: the bound of an eager operation's drawn seed.
_MAXINT32 = 2**31 - 1
_TF_SEEDS = _ThreadSeeds()


@contextmanager
def tensorflow_global_seed(seed):
    """TensorFlow's global seed is ``seed`` for this thread in the block, as after
    ``tf.random.set_seed(seed)``; other threads and the code after the block see
    TensorFlow's own seed and stream, untouched.

    TensorFlow keeps one global seed per process (its eager context's), so
    ``tf.random.set_seed`` would change the draws of every thread. Instead the
    two functions through which TensorFlow reads it (``context.global_seed``
    and ``context.internal_operation_seed``) answer this thread from the
    block's seed and a generator seeded as ``set_seed`` seeds TensorFlow's, and
    every other thread from TensorFlow's own (:class:`_ThreadSeeds`). At the
    first read of the seed in the block (a draw, or a trace), TensorFlow's
    kernel cache is cleared, as ``set_seed`` does, so that a stateful random op
    starts its stream as after ``set_seed`` every time a block runs (the one
    effect another thread can see: an explicitly op-seeded eager random op of
    its own restarts too, as after any ``set_seed``). A block that never reads
    the seed clears nothing (Keras's own layers never do: their randomness is
    stateless). Not a TensorFlow process: nothing to do.
    """
    module = tensorflow_seed_context()
    if module is None:
        yield
        return
    with _TF_SEEDS.block(module, seed):
        yield
