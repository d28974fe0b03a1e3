"""What a traced TensorFlow function computes, as a key two traces share only when equal.

A concrete ``tf.function`` is a ``FunctionDef``: every operation with its type,
inputs, device and attributes (constants' values included), the functions it
calls, its arguments and results. Two fits whose training steps trace to equal
function definitions run the same program, whatever their configs say
(``Huber(delta)`` is a ``Const`` node, an adapted ``Normalization``'s mean a
captured tensor, ``keras.config.set_epsilon`` another constant), so the
instantiated program of the first serves the second, given the second's own
captured tensors (``_tensorflow``). :func:`function_key` turns a concrete
function into a hashable value:

- names carry no meaning: arguments, nodes and results are numbered in the
  order the definition lists them, and a called function (a ``while`` body, a
  nested ``tf.function``) is replaced by its own key;
- every attribute is compared by its serialized value, but those that only
  label (``_user_specified_name``, debug information), only place
  (``_class`` colocation, with its names numbered) or only serve
  differentiation (``_gradient_op_type``, the name of a gradient function made
  anew at every trace: the program is never differentiated again) are left out
  or numbered;
- captured inputs are arguments like the others, their values the caller's to
  pass; their dtypes and shapes (a variable's, behind its handle) are in the key.

A program that keeps state in its kernels is never shared (no key): a stateful
operation without a resource input, such as ``tf.random.normal(seed=7)``'s
``RandomStandardNormal``, keeps its stream in the instantiated function, so a
second fit running the first one's function would continue the first one's
stream where a fit of its own starts afresh (as each new model's ``model.fit``
does in Keras). State in variables (resource inputs) is each fit's own, passed
in; operations with side effects but no memory (``Assert``, ``Print``) and calls
(whose functions are walked) are fine. An operation TensorFlow does not
describe counts as one that keeps state.
"""

from typing import Any, Dict, Optional

#: Attributes that label, and only label, what they sit on.
_LABELS = frozenset({"_user_specified_name", "_original_func_name"})
#: Attributes naming a gradient function made at trace time (never run here).
_GRADIENT_NAMES = frozenset({"_gradient_op_type"})
#: Stateful operations without a resource input that keep nothing between calls:
#: side effects only, or calls and control flow (their functions are walked).
_MEMORYLESS = frozenset({"Assert", "Print", "PrintV2", "NoOp", "StatefulPartitionedCall",
                         "PartitionedCall", "If", "StatelessIf", "While", "StatelessWhile",
                         "Case", "StatelessCase"})


class _KeepsState(Exception):
    """The program keeps state in a kernel: it is not shared."""


def keeps_state(op_name: str) -> bool:
    """True if ``op_name``'s kernel may hold state from one call to the next."""
    from .._keras_internals import tensorflow_op_def

    if op_name in _MEMORYLESS:
        return False
    op_def = tensorflow_op_def(op_name)
    if op_def is None:  # not an operation TensorFlow describes: assume it does
        return True
    if not op_def.is_stateful:
        return False
    import tensorflow as tf

    return not any(arg.type == tf.resource.as_datatype_enum for arg in op_def.input_arg)


class _Keys:
    def __init__(self, library: Dict[str, Any]):
        self.library = library
        self.done: Dict[str, Any] = {}

    def function(self, name: str) -> Any:
        """The key of the library's function ``name`` (a name it lacks: itself)."""
        if name in self.done:
            return self.done[name]
        fdef = self.library.get(name)
        if fdef is None:  # a registered op or a function from outside: by name
            return ("named", name)
        self.done[name] = ("recursive", name)  # a function that calls itself
        self.done[name] = key = self.definition(fdef)
        return key

    def definition(self, fdef: Any) -> tuple:
        sig = fdef.signature
        names: Dict[str, str] = {}
        for i, arg in enumerate(sig.input_arg):
            names[arg.name] = f"a{i}"
        for i, node in enumerate(fdef.node_def):
            names[node.name] = f"n{i}"

        def ref(text: str) -> str:
            control = text.startswith("^")
            head, _, rest = text.lstrip("^").partition(":")
            head = names.get(head, "?" + head)
            return ("^" if control else "") + head + (":" + rest if rest else "")

        def args(defs: Any) -> tuple:
            return tuple(self.arg(a) for a in defs)

        nodes = tuple(
            (self.op(node.op), tuple(ref(i) for i in node.input), node.device,
             self.attrs(node.attr, names),
             node.experimental_type.SerializeToString(deterministic=True))
            for node in fdef.node_def)
        outputs = tuple(ref(fdef.ret[a.name]) for a in sig.output_arg)
        controls = tuple(ref(fdef.control_ret[c]) for c in sig.control_output
                         if c in fdef.control_ret)
        arg_attrs = tuple(sorted((int(i), self.attrs(a.attr, names))
                                 for i, a in fdef.arg_attr.items()))
        return ("function", args(sig.input_arg), args(sig.output_arg), bool(sig.is_stateful),
                nodes, outputs, controls, self.attrs(fdef.attr, names), arg_attrs,
                tuple(sorted(fdef.resource_arg_unique_id.items())))

    def op(self, name: str) -> Any:
        """A node's operation: a library function it calls (by its key), or an op."""
        if name in self.library:
            return ("call", self.function(name))
        if keeps_state(name):
            raise _KeepsState(name)
        return name

    def arg(self, arg: Any) -> tuple:
        return (arg.type, arg.type_attr, arg.number_attr, arg.type_list_attr, arg.is_ref,
                tuple(h.SerializeToString(deterministic=True) for h in arg.handle_data))

    def attrs(self, attrs: Any, names: Dict[str, str]) -> tuple:
        out = []
        for key in sorted(attrs):
            if key in _LABELS or key in _GRADIENT_NAMES:
                continue
            value = attrs[key]
            if key == "_class":  # colocation with named nodes ("loc:@name")
                out.append((key, tuple(names.get(s.decode().partition("@")[2], "?")
                                       for s in value.list.s)))
                continue
            out.append((key, self.attr(value)))
        return tuple(out)

    def attr(self, value: Any) -> Any:
        kind = value.WhichOneof("value")
        if kind == "func":
            return ("func", self.function(value.func.name),
                    self.attrs(value.func.attr, {}))
        if kind == "list" and len(value.list.func):
            return ("funcs", tuple((self.function(f.name), self.attrs(f.attr, {}))
                                   for f in value.list.func),
                    _without_funcs(value).SerializeToString(deterministic=True))
        return value.SerializeToString(deterministic=True)


def _without_funcs(value: Any) -> Any:
    copy = type(value)()
    copy.CopyFrom(value)
    del copy.list.func[:]
    return copy


def function_key(concrete: Any) -> Optional[tuple]:
    """A hashable value equal for two concrete functions exactly when they run
    the same program on their inputs (captured tensors included: see the module),
    or None where TensorFlow does not show its definition."""
    try:
        fdef = concrete.function_def
        library = {f.signature.name: f for f in concrete.graph.as_graph_def().library.function}
    except (AttributeError, ValueError):  # pragma: no cover - another TensorFlow
        return None
    import tensorflow as tf

    from .._keras_internals import resource_handle_data

    captures = []
    for tensor in concrete.captured_inputs:
        spec: tuple = (tensor.dtype.name, tuple(tensor.shape))
        if tensor.dtype == tf.resource:  # the variable's dtype and shape
            data = resource_handle_data(tensor)
            if data is None:
                return None
            spec += (data,)
        captures.append(spec)
    outputs = repr(tf.nest.map_structure(lambda t: (tuple(t.shape), t.dtype.name),
                                         concrete.structured_outputs))
    try:
        body = _Keys(library).definition(fdef)
    except _KeepsState:
        return None
    return (body, tuple(captures), outputs)
