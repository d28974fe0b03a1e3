"""TensorFlow: traced programs run with other captures, what a trace's key reads,
and what a fit would otherwise leave behind (gradient registry entries, eager
kernels of variable debug names)."""

import threading
from contextlib import contextmanager

from ._changes import _module, _private, changed


_TF_OPS = "tensorflow.python.framework.ops"
_OP_DEF_REGISTRY = "tensorflow.python.framework.op_def_registry"
_HANDLE_DATA = "_handle_data"


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

    if not hasattr(handle, _HANDLE_DATA):
        changed("a TensorFlow resource handle's _handle_data (its value's size)",
                "the traces kept for sharing are not bounded by the bytes they hold, "
                "only by their number")
        return 0
    data = getattr(handle, _HANDLE_DATA)
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
        added = [name for name in set(registry) - before if name.startswith("CustomGradient-")]
        released = 0
        for name in added:
            entry = registry.get(name)
            if entry is not None and _defined_in_distribute(entry.get("type")):
                registry.pop(name, None)
                released += 1
        if added and not released:  # the trace left entries none of which we recognise
            changed(f"the module of TensorFlow's all-reduce ({_DISTRIBUTE_MODULE})",
                    "each fit's traced graph stays alive in TensorFlow's gradient "
                    "registry (about 2.5 MB per fit, as in plain Keras)")


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
