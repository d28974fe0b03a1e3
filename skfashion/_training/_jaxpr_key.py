"""What a traced JAX program computes, as a key two programs share only when equal.

A jaxpr is JAX's own record of a traced function: every primitive it applies,
in order, with its parameters, the literals it inlines and the shapes and
dtypes of its values. Two fits whose training steps trace to equal jaxprs run
the same program, whatever their configs say (``Huber(delta)``, an adapted
``Normalization``, ``keras.config.set_epsilon``, a lambda reading a global all
show up in the jaxpr), so the compiled program of the first serves the second
(``_jax``). :func:`program_key` turns a closed jaxpr into a hashable value:

- variables are numbered by first appearance (names carry no meaning);
- literals and constant arrays by their bytes, dtype and shape (``0.0`` and
  ``-0.0`` differ; ``nan`` equals itself);
- parameters by value: numbers, strings, dtypes, tuples, nested jaxprs (walked
  the same way); JAX's own parameter objects (meshes, PRNG implementations,
  enums) by JAX's equality, which its own compilation caches rely on;
  functions and anything else by identity (never shared with another object);
- the top-level constants are left out: the caller passes them to the program
  as inputs (:func:`constants`), so two fits whose steps differ only in a
  constant array (each fold's adapted mean) share the program, each with its own.

The differentiation rules of ``custom_jvp_call`` / ``custom_vjp_call`` (made
anew at every trace) are left out: the program is only ever evaluated, never
differentiated again (a training step's gradient is already in its jaxpr), and
evaluating such a call runs its ``call_jaxpr`` alone, which is in the key.

A program that holds objects which may hold a model (a closure, a bound
method, any object compared by identity) is said to ``hold``: it is shared
with no other fit, and not kept (a cached program must never keep a deleted
estimator's model alive). JAX's own module-level functions (a PRNG
implementation's) hold nothing.
"""

import enum
import types
from typing import Any, Dict, Optional, Tuple

import numpy as np

#: Parameters that only matter when a call is differentiated (see above).
_DIFFERENTIATION_RULES = {
    "custom_jvp_call": {"jvp_jaxpr_fun", "jvp_jaxpr_thunk"},
    "custom_vjp_call": {"fwd_jaxpr_thunk", "bwd", "out_trees"},
    "custom_vjp_call_jaxpr": {"fwd_jaxpr_thunk", "bwd", "out_trees"},
}


class _Same:
    """An object that equals only itself (a function, an unknown parameter)."""

    __slots__ = ("obj",)

    def __init__(self, obj: Any):
        self.obj = obj

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, _Same) and other.obj is self.obj

    def __hash__(self) -> int:
        return id(self.obj)


def _array(value: Any) -> tuple:
    array = np.asarray(value)
    return ("array", str(array.dtype), array.shape, array.tobytes())


def _aval(aval: Any) -> tuple:
    return ("aval", type(aval).__qualname__, repr(aval),
            getattr(aval, "weak_type", None), _Param(aval))


class _Param:
    """A parameter object compared by JAX's own equality when JAX defines it."""

    __slots__ = ("obj", "hash")

    def __init__(self, obj: Any):
        self.obj = obj
        self.hash: Optional[int]
        try:
            self.hash = hash(obj)
        except TypeError:
            self.hash = None

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, _Param) or self.hash is None or other.hash is None:
            return isinstance(other, _Param) and other.obj is self.obj
        if type(self.obj) is not type(other.obj):
            return False
        try:
            return bool(self.obj == other.obj)
        except Exception:  # noqa: BLE001 - an equality that cannot say: not equal
            return False

    def __hash__(self) -> int:
        return self.hash if self.hash is not None else id(self.obj)


def _from_jax(obj: Any) -> bool:
    module = type(obj).__module__ or ""
    return module.split(".")[0] in ("jax", "jaxlib")


def _may_hold_objects(fn: Any) -> bool:
    """True unless ``fn`` is a plain module-level function (no closure, not bound)."""
    owner = getattr(fn, "__self__", None)
    if owner is not None and not isinstance(owner, types.ModuleType):
        return True
    return bool(getattr(fn, "__closure__", None)) or "<locals>" in str(
        getattr(fn, "__qualname__", "<locals>"))


class _Keys:
    """One key computation (nested jaxprs that recur are walked once)."""

    def __init__(self, core: Any):
        self.core = core
        self.seen: Dict[int, Any] = {}  # by id: the jaxprs stay alive during the walk
        self.holds = False  # something compared by identity that may hold a model

    def jaxpr(self, jaxpr: Any) -> tuple:
        known = self.seen.get(id(jaxpr))
        if known is not None:
            return known
        numbers: Dict[Any, int] = {}
        core = self.core

        def ref(v: Any) -> Any:
            if isinstance(v, core.Literal):
                return ("literal", _array(v.val), _aval(v.aval))
            if type(v).__name__ == "DropVar":  # an unused output (jax.extend has it from 0.6)
                return ("drop", _aval(v.aval))
            if v not in numbers:
                numbers[v] = len(numbers)
            return numbers[v]

        def binder(v: Any) -> tuple:
            return (ref(v), _aval(v.aval))

        head = (tuple(binder(v) for v in jaxpr.constvars),
                tuple(binder(v) for v in jaxpr.invars))
        eqns = []
        for eqn in jaxpr.eqns:
            name = eqn.primitive.name
            skip = _DIFFERENTIATION_RULES.get(name, ())
            params = tuple(sorted((k, self.value(v)) for k, v in eqn.params.items()
                                  if k not in skip))
            ctx = getattr(eqn, "ctx", None)
            eqns.append((name, _Param(eqn.primitive), tuple(ref(v) for v in eqn.invars),
                         params, tuple(binder(v) for v in eqn.outvars),
                         self.value(eqn.effects), ("ctx", repr(ctx), _Param(ctx))))
        key = ("jaxpr", head, tuple(eqns), tuple(ref(v) for v in jaxpr.outvars),
               self.value(jaxpr.effects))
        self.seen[id(jaxpr)] = key
        return key

    def value(self, v: Any) -> Any:
        core = self.core
        if isinstance(v, core.ClosedJaxpr):
            return ("closed", self.jaxpr(v.jaxpr), tuple(_array(c) for c in v.consts))
        if isinstance(v, core.Jaxpr):
            return self.jaxpr(v)
        if v is None or isinstance(v, (bool, str, bytes)):
            return (type(v).__name__, v)
        if isinstance(v, enum.Enum):
            return ("enum", type(v).__module__, type(v).__qualname__, v.name)
        if isinstance(v, int):
            return ("int", int(v))
        if isinstance(v, float):
            return ("float", float(v).hex())
        if isinstance(v, complex):
            return ("complex", v.real.hex(), v.imag.hex())
        if isinstance(v, np.dtype):
            return ("dtype", str(v), _Param(v))
        if isinstance(v, (np.ndarray, np.generic)) or (
                _from_jax(v) and hasattr(v, "dtype") and hasattr(v, "shape")
                and not isinstance(v, type)):
            try:
                return _array(v)
            except Exception:  # noqa: BLE001 - not an array after all
                return ("object", _Param(v))
        if isinstance(v, tuple) and hasattr(v, "_fields"):  # a NamedTuple
            return ("namedtuple", type(v).__module__, type(v).__qualname__,
                    tuple(self.value(x) for x in v))
        if isinstance(v, (tuple, list)):
            return (type(v).__name__, tuple(self.value(x) for x in v))
        if isinstance(v, (set, frozenset)):
            items = [self.value(x) for x in v]
            return ("set", frozenset(items))
        if isinstance(v, dict):
            return ("dict", tuple(sorted((repr(k), self.value(x)) for k, x in v.items())))
        if callable(v) and not _from_jax(v):
            self.holds = self.holds or _may_hold_objects(v)
            return ("callable", _Same(v))
        if _from_jax(v):
            return ("jax", type(v).__qualname__, _Param(v))
        self.holds = True
        return ("object", _Same(v))


def jax_core() -> Any:
    """``jax.extend.core`` (JAX's public module of its program types), or None
    where the installed JAX lacks it: then no program is shared."""
    try:
        import jax.extend.core as core
    except ImportError:  # pragma: no cover - an older JAX
        return None
    needed = ("ClosedJaxpr", "Jaxpr", "Literal", "jaxpr_as_fun")
    if not all(hasattr(core, name) for name in needed):  # pragma: no cover - JAX < 0.5
        return None
    return core


def program_key(closed: Any) -> Optional[Tuple[Any, bool]]:
    """``(key, holds)``: a hashable value equal for two closed jaxprs exactly when
    they compute the same function of their inputs and constants under the same
    configuration (see the module), and whether the program holds objects that
    may hold a model; None where this JAX does not let skfashion read its jaxprs
    or its configuration."""
    from .._keras_internals import jax_trace_context

    core, context = jax_core(), jax_trace_context()
    if core is None or context is None:
        return None
    keys = _Keys(core)
    consts = tuple(("const", str(np.asarray(c).dtype) if not hasattr(c, "dtype")
                    else str(c.dtype), tuple(np.shape(c))) for c in closed.consts)
    key = ("program", keys.jaxpr(closed.jaxpr), consts, _Param(context))
    return key, keys.holds
