"""The one place where skfashion reaches into Keras's (and TensorFlow's) private parts.

Each function here uses something Keras or TensorFlow does not document
(``keras.src``, a private attribute, a protocol between Keras's own classes),
says why, and is pinned by ``tests/test_keras_internals.py``: a Keras upgrade
that moves it fails that test with the name of the function to fix, here. No
other module of the package touches them (``tests/test_keras_internals.py``
checks that too).
"""

import threading
from contextlib import contextmanager
from typing import Any


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
    from keras.src.random.seed_generator import SeedGenerator

    if keras.backend.backend() != "torch":
        return
    for layer in model._flatten_layers(include_self=True):
        for value in vars(layer).values():
            if isinstance(value, SeedGenerator) and value._initial_seed is None:
                value._initial_seed = int(keras.ops.convert_to_numpy(value.state)[0])


# ----------------------------------------------------------------- seeding
def seed_generator_class():
    """Keras's ``SeedGenerator`` class (the state of dropout and random layers)."""
    from keras.src.random.seed_generator import SeedGenerator

    return SeedGenerator


def keras_seed_state():
    """Keras's global seed and global ``SeedGenerator``, as a pair to restore later.

    ``keras.utils.set_random_seed`` sets them; Keras offers no getter.
    """
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator

    return (global_state.get_global_attribute("global_random_seed"),
            global_state.get_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR))


def set_keras_seed_state(seed, generator=None):
    """Set Keras's global seed (``generator=None``: a new one is made from it on use)."""
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator

    global_state.set_global_attribute("global_random_seed", seed)
    global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, generator)


def tensorflow_seed_context():
    """TensorFlow's eager context (``global_seed``/``set_global_seed``), or None
    when TensorFlow is not imported (then no TensorFlow code depends on its seed)."""
    import sys

    if sys.modules.get("tensorflow") is None:
        return None
    from tensorflow.python.eager import context

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
            self.module.context().clear_kernel_cache()
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


# ------------------------------------------------------------------ models
def layers_of(model, *, include_self):
    """Every layer inside ``model`` (nested ones too), Keras's own traversal."""
    return model._flatten_layers(include_self=include_self)


def compile_config_of(model):
    """The arguments ``model.compile`` received (a dict), or None if not compiled."""
    config = getattr(model, "_compile_config", None)
    return None if config is None else config.config


def compile_token(model):
    """An object that stays the same until ``model`` is compiled again (the
    ``_compile_config`` ``compile`` makes anew), or None where Keras has none:
    then a model's compiled steps are not remembered between training calls.
    Keras's own ``model.fit`` keeps its ``train_function`` until then too."""
    return getattr(model, "_compile_config", None)


def symbolic_build(model, batch):
    """Build ``model``'s variables, metrics and optimizer for ``batch`` (Keras's
    own step before training: ``model.fit`` calls it on its first batch)."""
    model._symbolic_build(data_batch=batch)


# -------------------------------------------------------------- JAX state
def jax_trace_context():
    """JAX's trace context (``jax._src.config.trace_context()``): the configuration
    JAX's own compilation caches key on (matmul precision, x64, the Threefry
    algorithm...). A compiled program serves another fit only under the same
    one (``_training._jaxpr_key``). None where JAX has no such function: then
    no program is shared."""
    try:
        from jax._src import config
    except ImportError:  # pragma: no cover
        return None
    trace_context = getattr(config, "trace_context", None)
    if trace_context is None:  # pragma: no cover - another JAX
        return None
    try:
        context = trace_context()
        hash(context)
    except Exception:  # noqa: BLE001 - a context that cannot be compared: no sharing
        return None
    return context


def jax_state_synced(model):
    """False while Keras's JAX callbacks protocol holds newer values than the variables."""
    return getattr(model, "_jax_state_synced", True)


def offer_jax_state(model, trainable, non_trainable, optimizer, metrics):
    """Offer carried JAX values to callbacks as Keras's JAX trainer does
    (``Callback.model`` calls ``model.jax_state_sync()``, which reads these)."""
    model._jax_state = {
        "trainable_variables": trainable,
        "non_trainable_variables": non_trainable,
        "optimizer_variables": optimizer,
        "metrics_variables": metrics,
    }
    model._jax_state_synced = False


def clear_jax_state(model):
    """The variables hold the current values again."""
    model._jax_state = None
    model._jax_state_synced = True


# ------------------------------------------------- TensorFlow traced calls
def resource_handle_data(handle):
    """What a TensorFlow resource handle says of the value behind it (a variable's
    dtype and shape, as serialized ``HandleData``), or None where it says nothing.

    A traced function reads a variable through its handle, and its definition
    does not record the variable's shape; two traces that differ only there are
    the same graph, run on values of other shapes, so the key of a trace
    (``_training._graph_key``) holds this of every captured handle.
    """
    data = getattr(handle, "_handle_data", None)
    if data is None or not getattr(data, "is_set", False):
        return None
    return data.SerializeToString(deterministic=True)


def resource_value_bytes(handle):
    """The bytes of the value behind a TensorFlow resource handle (a variable's),
    from its ``_handle_data`` (0 where it says nothing)."""
    import math

    import tensorflow as tf

    data = getattr(handle, "_handle_data", None)
    return sum(math.prod(max(d.size, 0) for d in shaped.shape.dim)
               * tf.as_dtype(shaped.dtype).size
               for shaped in getattr(data, "shape_and_type", ()))


def tensorflow_op_def(name):
    """TensorFlow's ``OpDef`` of the operation ``name`` (whether it is stateful,
    its inputs' types), or None where TensorFlow does not describe it. From
    ``tensorflow.python.framework.op_def_registry``, which TensorFlow's own
    graph building reads; no public API says whether an op is stateful. Without
    it, every operation counts as one that keeps state (no trace is shared)."""
    try:
        from tensorflow.python.framework import op_def_registry
    except ImportError:  # pragma: no cover - another TensorFlow
        return None
    get = getattr(op_def_registry, "get", None)
    return None if get is None else get(name)


def call_with_captures(concrete, args, captures):
    """Run the ``tf.function`` trace ``concrete`` on ``args`` (the structure
    it was traced for) with ``captures`` in place of what its graph captured.

    A concrete function passes its captured tensors (the handles of the
    variables its graph uses, and any constant) as inputs after the
    arguments; ``ConcreteFunction.__call__`` passes the ones it traced with,
    ``_call_flat`` whichever it is given. Same program, other variables.
    """
    import tensorflow as tf

    flat = tf.nest.flatten(args, expand_composites=True)
    return concrete._call_flat(flat, captured_inputs=captures)


# ------------------------------------------------------- TensorFlow memory
def tensorflow_gradient_registry():
    """TensorFlow's process-wide registry of custom gradient functions (a dict)."""
    from tensorflow.python.framework import ops

    return ops._gradient_registry._registry


def declared_variable_bytes(config):
    """The bytes of the variables the model ``config`` declares, without allocating them.

    ``config`` is a ``.keras`` file's ``config.json`` (plain data). Keras
    builds a model from its config by allocating every variable, so a few
    bytes declaring ``Dense(units=20_000_000)`` would allocate gigabytes
    before anything could be compared (issue 30, item 15). Inside Keras's
    ``StatelessScope`` (``keras.src.backend.common.stateless_scope``) a new
    variable records its shape and initializer and defers its value;
    ``initialize_variables=False`` keeps it deferred when the scope ends, and
    the thread's list of deferred variables (``global_state``'s
    ``"uninitialized_variables"``, which a later ``initialize_all_variables()``
    would fill) is put back as it was, so nothing declared here is ever
    allocated. Deserialization runs in safe mode (no code from the file).
    """
    import math

    import keras
    import numpy as np
    from keras.src.backend.common import global_state
    from keras.src.backend.common.stateless_scope import StatelessScope

    key = "uninitialized_variables"
    before = list(global_state.get_global_attribute(key, [], set_to_default=True))
    try:
        with StatelessScope(initialize_variables=False):
            model = keras.saving.deserialize_keras_object(
                dict(config, compile_config=None), safe_mode=True)
            variables = list(model.variables)
        return sum(math.prod(v.shape) * np.dtype(v.dtype).itemsize for v in variables)
    finally:
        global_state.set_global_attribute(key, before)


_UNNAMED = threading.local()
_UNNAMED_LOCK = threading.Lock()


@contextmanager
def tensorflow_variables_without_debug_names():
    """On TensorFlow, variables created by this thread in the block carry no ``debug_name``.

    TensorFlow keeps a kernel for every distinct (operation, attributes) pair it
    runs eagerly, for the life of the process, and creating a variable runs
    ``VarHandleOp`` with the variable's scoped path as its ``debug_name``
    attribute (``sequential_7/dense_12/kernel``). Keras numbers every new model,
    layer, optimizer and seed generator, so every fit added kernels (about 35 KB
    per variable) that were never freed. ``debug_name`` only labels the handle
    for TensorFlow's debugging messages: the variable's name and path (Keras's
    and ``tf.Variable.name``) come from elsewhere and stay as they are.

    TensorFlow's ``resource_variable_ops`` calls
    ``gen_resource_variable_ops.var_handle_op(..., debug_name=name, ...)``; a
    wrapper installed there once (the first time this is used) passes an empty
    ``debug_name`` while a block of the calling thread is open, and passes every
    call through unchanged otherwise. Other backends: nothing to do.
    """
    import keras

    if keras.backend.backend() != "tensorflow":
        yield
        return
    from tensorflow.python.ops import gen_resource_variable_ops as generated

    with _UNNAMED_LOCK:
        if not getattr(generated.var_handle_op, "_skfashion_wrapper", False):
            def var_handle_op(*args, **kwargs):
                if getattr(_UNNAMED, "depth", 0) and "debug_name" in kwargs:
                    kwargs["debug_name"] = ""
                return var_handle_op.__wrapped__(*args, **kwargs)  # type: ignore

            var_handle_op._skfashion_wrapper = True  # type: ignore[attr-defined]
            var_handle_op.__wrapped__ = generated.var_handle_op  # type: ignore[attr-defined]
            generated.var_handle_op = var_handle_op
    depth = getattr(_UNNAMED, "depth", 0)
    _UNNAMED.depth = depth + 1
    try:
        yield
    finally:
        _UNNAMED.depth = depth
