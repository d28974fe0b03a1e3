"""The one place where skfashion reaches into Keras's (and TensorFlow's) private parts.

Each function here uses something Keras or TensorFlow does not document
(``keras.src``, a private attribute, a protocol between Keras's own classes),
says why, and is pinned by ``tests/test_keras_internals.py``: a Keras upgrade
that moves it fails that test with the name of the function to fix, here. No
other module of the package touches them (``tests/test_keras_internals.py``
checks that too, strings naming a private module included).

Every use has a checked fallback: where a release moves or changes what a
function here reads, it says so once with a
:class:`~skfashion.exceptions.KerasInternalsWarning` (:func:`changed`) and
takes a slower path that gives the same results (no shared trace, the
model's own ``fit``, variables that keep their debug names...), never a wrong
result or a crash. ``tests/test_internals_fallbacks.py`` simulates each change.
No function leaves a patch installed after the block that needed it.
"""

import threading
import warnings
from contextlib import contextmanager
from typing import Any

#: Where each private part is (a name changed here is what a test simulates).
_GLOBAL_STATE = "keras.src.backend.common.global_state"
_SEED_GENERATOR = "keras.src.random.seed_generator"
_TF_CONTEXT = "tensorflow.python.eager.context"
_TF_OPS = "tensorflow.python.framework.ops"
_OP_DEF_REGISTRY = "tensorflow.python.framework.op_def_registry"
_JAX_CONFIG = "jax._src.config"
_FLATTEN_LAYERS = "_flatten_layers"
_COMPILE_CONFIG = "_compile_config"
_SYMBOLIC_BUILD = "_symbolic_build"
_JAX_STATE_SYNC = "jax_state_sync"
_HANDLE_DATA = "_handle_data"

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

    from .exceptions import KerasInternalsWarning

    warnings.warn(
        f"{part} is not as skfashion expects it (Keras {keras.__version__}, backend "
        f"{keras.backend.backend()}): {cost}. Results are unchanged; please report this "
        "with your Keras and TensorFlow versions.",
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
def _keras_global_state():
    """Keras's ``global_state`` module and its name for the global ``SeedGenerator``,
    or None (said once) where they moved."""
    global_state, seed_generator = _module(_GLOBAL_STATE), _module(_SEED_GENERATOR)
    name = getattr(seed_generator, "GLOBAL_SEED_GENERATOR", None)
    if global_state is not None and name is not None \
            and callable(getattr(global_state, "get_global_attribute", None)):
        return global_state, name
    else:
        changed("keras.src.backend.common.global_state (Keras's global seed)",
                "keras.random draws without a seed inside a model builder are not seeded "
                "by random_state")
        return None


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


# ------------------------------------------------------------------ models
def layers_of(model, *, include_self):
    """Every layer inside ``model`` (nested ones too), Keras's own traversal
    (``_flatten_layers``); where it moved, the public ``layers`` of each model,
    recursively (said once: layers a subclassed model holds only as attributes
    are then missed by the seed coverage check, which builds twice instead)."""
    flatten = getattr(model, _FLATTEN_LAYERS, None)
    if flatten is not None:
        return flatten(include_self=include_self)
    changed("Layer._flatten_layers", "skfashion walks the public Model.layers instead, "
            "and a model whose initial weights it cannot prove seeded is built twice")
    found, stack, seen = [], [model], set()
    while stack:
        layer = stack.pop(0)
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        if layer is not model or include_self:
            found.append(layer)
        stack.extend(getattr(layer, "layers", None) or ())
    return found


def compile_config_of(model):
    """The arguments ``model.compile`` received (a dict), or None if not compiled;
    where Keras keeps them elsewhere, the compiled metric objects (said once)."""
    if not hasattr(model, _COMPILE_CONFIG):
        changed("Model._compile_config", "custom metric classes are found from "
                "model.metrics instead of the compile arguments")
        metrics = list(getattr(model, "metrics", None) or ())
        return {"metrics": metrics} if metrics else None
    config = getattr(model, _COMPILE_CONFIG)
    return None if config is None else config.config


def compile_token(model):
    """An object that stays the same until ``model`` is compiled again (the
    ``_compile_config`` ``compile`` makes anew), or None where Keras has none:
    then a model's compiled steps are not remembered between training calls.
    Keras's own ``model.fit`` keeps its ``train_function`` until then too."""
    if not hasattr(model, _COMPILE_CONFIG):
        changed("Model._compile_config", "a model's traced steps are traced again at "
                "every training call (partial_fit, warm starts: slower)")
        return None
    return getattr(model, _COMPILE_CONFIG)


def training_loop_available(model):
    """True when skfashion's training loop can train ``model``: Keras's symbolic
    build (``Model._symbolic_build``) and, on JAX, its callbacks' state protocol
    (``jax_state_sync``) are where the loop expects them. Otherwise (said once) a
    fit trains through Keras's own ``model.fit`` (slower, same training), and a
    search fits each number of epochs from scratch."""
    import keras

    missing = [name for name in (_SYMBOLIC_BUILD,) if not callable(getattr(model, name, None))]
    if keras.backend.backend() == "jax" and not callable(getattr(model, _JAX_STATE_SYNC, None)):
        missing.append(_JAX_STATE_SYNC)
    if missing:
        changed(f"Model.{', Model.'.join(missing)}",
                "skfashion trains through Keras's own model.fit (slower, the same "
                "training), and searches fit each number of epochs from scratch")
        return False
    return True


def symbolic_build(model, batch):
    """Build ``model``'s variables, metrics and optimizer for ``batch`` (Keras's
    own step before training: ``model.fit`` calls it on its first batch).
    Only called where :func:`training_loop_available`."""
    model._symbolic_build(data_batch=batch)


# -------------------------------------------------------------- JAX state
def jax_trace_context():
    """JAX's trace context (``jax._src.config.trace_context()``): the configuration
    JAX's own compilation caches key on (matmul precision, x64, the Threefry
    algorithm...). A compiled program serves another fit only under the same
    one (``_training._jaxpr_key``). None where JAX has no such function: then
    no program is shared."""
    config = _module(_JAX_CONFIG)
    trace_context = _private(config, "trace_context", "jax._src.config.trace_context",
                             "no JAX program is shared between fits (each fit compiles "
                             "its own: slower)")
    if trace_context is None:
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
    if not hasattr(handle, _HANDLE_DATA):
        changed("a TensorFlow resource handle's _handle_data", _UNSHARED)
        return None
    data = getattr(handle, _HANDLE_DATA)
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
    op_def_registry = _module(_OP_DEF_REGISTRY)
    get = _private(op_def_registry, "get", "tensorflow.python.framework.op_def_registry.get",
                   _UNSHARED)
    return None if get is None else get(name)


_UNSHARED = "no TensorFlow program is shared between fits (each fit traces its own: slower)"


#: The method of TensorFlow's ``ConcreteFunction`` that runs it with given captures.
_CALL_FLAT = "_call_flat"


def can_call_with_captures(concrete):
    """True when :func:`call_with_captures` can run the trace ``concrete`` with
    other captures: its class has ``_call_flat(tensor_inputs, captured_inputs)``.
    Otherwise (said once) each fit runs the chunk it traced itself."""
    import inspect

    method = getattr(type(concrete), _CALL_FLAT, None)
    try:
        params = list(inspect.signature(method).parameters) if callable(method) else []
    except (TypeError, ValueError):
        params = []
    if params[1:] != ["tensor_inputs", "captured_inputs"]:
        changed(f"ConcreteFunction.{_CALL_FLAT}(tensor_inputs, captured_inputs)", _UNSHARED)
        return False
    return True


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
    return getattr(concrete, _CALL_FLAT)(flat, captured_inputs=captures)


# ------------------------------------------------------- TensorFlow memory
#: The module of TensorFlow whose functions register the all-reduce gradients.
_DISTRIBUTE_MODULE = "tensorflow.python.distribute.distribute_lib"


def tensorflow_gradient_registry():
    """TensorFlow's process-wide registry of custom gradient functions (a dict),
    or None (said once) where it moved."""
    registry = getattr(getattr(_module(_TF_OPS), "_gradient_registry", None), "_registry", None)
    if not isinstance(registry, dict):
        changed("tensorflow.python.framework.ops._gradient_registry._registry",
                "each fit's traced graph stays alive in TensorFlow's gradient registry "
                "(about 2.5 MB per fit, as in plain Keras)")
        return None
    return registry


def _defined_in_distribute(fn, depth=4):
    """True if ``fn`` or a function in its closures comes from tf.distribute."""
    if depth < 0 or not callable(fn):
        return False
    if getattr(fn, "__module__", "") == _DISTRIBUTE_MODULE:
        return True
    for cell in getattr(fn, "__closure__", None) or ():
        try:
            content = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if _defined_in_distribute(content, depth - 1):
            return True
    return False


@contextmanager
def release_all_reduce_gradients():
    """Drop the gradient functions a traced optimizer step leaves in TensorFlow.

    Keras's TensorFlow optimizer sums gradients with
    ``tf.distribute.get_replica_context().all_reduce``, which, when traced,
    registers a ``tf.custom_gradient`` in TensorFlow's process-wide gradient
    registry under a unique name and never removes it. The entry keeps the whole
    traced training graph alive: about 2.5 MB per fit, without bound, in plain
    Keras as well. Nothing ever looks the entry up (it would only serve to
    differentiate through an optimizer update), so the entries this block's
    tracing registered for an all-reduce are removed on exit. Entries of anyone
    else (other names, or functions not from tf.distribute) are left alone.
    """
    registry = tensorflow_gradient_registry()
    if registry is None:
        yield
        return
    before = set(registry)
    try:
        yield
    finally:
        for name in set(registry) - before:
            entry = registry.get(name)
            if (
                name.startswith("CustomGradient-")
                and entry is not None
                and _defined_in_distribute(entry.get("type"))
            ):
                registry.pop(name, None)


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

    found = _keras_global_state()
    key = "uninitialized_variables"
    before = (None if found is None else
              list(found[0].get_global_attribute(key, [], set_to_default=True)))
    try:
        with keras.StatelessScope(initialize_variables=False):
            model = keras.saving.deserialize_keras_object(
                dict(config, compile_config=None), safe_mode=True)
            variables = list(model.variables)
        return sum(math.prod(v.shape) * np.dtype(v.dtype).itemsize for v in variables)
    finally:
        if found is not None:
            found[0].set_global_attribute(key, before)


_UNNAMED = threading.local()
_UNNAMED_LOCK = threading.Lock()
#: Blocks open in the process, and TensorFlow's function while the wrapper is in.
_UNNAMED_STATE: dict = {"open": 0, "original": None, "wrapper": None}
#: The function of ``gen_resource_variable_ops`` that creates a variable's handle.
_VAR_HANDLE_OP = "var_handle_op"


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
    ``gen_resource_variable_ops.var_handle_op(..., debug_name=name, ...)``; while
    any block is open in the process, a wrapper stands there that passes an
    empty ``debug_name`` for the threads with an open block and every other call
    through unchanged; when the last block closes, TensorFlow's function is put
    back (unless someone replaced the wrapper meanwhile: then theirs stays).
    Where the function moved (said once), variables keep their debug names
    (memory grows per fit, as in plain Keras). Other backends: nothing to do.
    """
    import keras

    if keras.backend.backend() != "tensorflow":
        yield
        return
    from tensorflow.python.ops import gen_resource_variable_ops as generated

    with _UNNAMED_LOCK:
        if _UNNAMED_STATE["open"] == 0:
            original = getattr(generated, _VAR_HANDLE_OP, None)
            if not callable(original):
                changed(f"tensorflow.python.ops.gen_resource_variable_ops.{_VAR_HANDLE_OP}",
                        "variables keep their debug names, and TensorFlow keeps an eager "
                        "kernel per variable a fit creates (about 35 KB each, as in plain "
                        "Keras)")
                original = None
            else:
                def var_handle_op(*args, **kwargs):
                    if getattr(_UNNAMED, "depth", 0) and "debug_name" in kwargs:
                        kwargs["debug_name"] = ""
                    return original(*args, **kwargs)

                setattr(generated, _VAR_HANDLE_OP, var_handle_op)
                _UNNAMED_STATE["wrapper"] = var_handle_op
            _UNNAMED_STATE["original"] = original
        _UNNAMED_STATE["open"] += 1
    depth = getattr(_UNNAMED, "depth", 0)
    _UNNAMED.depth = depth + 1
    try:
        yield
    finally:
        _UNNAMED.depth = depth
        with _UNNAMED_LOCK:
            _UNNAMED_STATE["open"] -= 1
            if _UNNAMED_STATE["open"] == 0:
                wrapper = _UNNAMED_STATE["wrapper"]
                if wrapper is not None and getattr(generated, _VAR_HANDLE_OP, None) is wrapper:
                    setattr(generated, _VAR_HANDLE_OP, _UNNAMED_STATE["original"])
                _UNNAMED_STATE.update(original=None, wrapper=None)
