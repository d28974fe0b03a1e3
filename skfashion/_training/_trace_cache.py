"""Compiled training steps shared by the fits of one architecture (issue 32).

A search fits the same network many times (clones, folds, candidates, the
refit). Compiling its training step again for every fit is most of a small
fit's cost on JAX. A runner whose step is *stateless* (the variables go in as
arguments and come out as results: Keras's JAX ``train_step``) can call a step
compiled for another model of the same architecture: the compiled program
depends on the architecture, the compile settings and the shapes, not on the
values. :func:`architecture_key` says what determines the program, and
:class:`TraceCache` keeps the compiled functions per key, bounded and safe
across threads.

The key is conservative: a model shares only where everything its step
computes is read from Keras's own classes and their configs. A ``Sequential``
of Keras's layers (nested ``Sequential`` too), compiled with Keras's losses,
metrics and optimizer, qualifies; a subclassed or functional model, a
``Lambda`` layer, a custom layer, loss, metric, activation, initializer or
regularizer does not, nor does a model, layer, optimizer, loss or metric whose
method is replaced on the instance (``model.train_step = ...``); those compile
their own steps as before. The learning rate
is left out of the key because Keras keeps it in an optimizer variable (a
learning-rate grid shares one program); every other optimizer setting is a
constant of the program and is in the key.
"""

import json
import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable, Optional

from .._keras_internals import compile_config_of, layers_of

#: Keras layers whose config does not say what they compute.
_OPAQUE_LAYERS = {"Lambda", "TFSMLayer", "JaxLayer", "FlaxLayer", "TorchModuleWrapper"}


#: Keras layers whose ``seed`` only starts the state of their ``SeedGenerator``
#: (a variable of the model, passed to a shared step like any other): the same
#: program serves every seed, and a seeded fit gives each such layer its own.
_SEED_IN_STATE = {"Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
                  "GaussianNoise", "GaussianDropout", "AlphaDropout"}


#: Methods Keras itself wraps on each instance (they run when a layer is built).
_WRAPPED_BY_KERAS = {"build", "quantize"}


class _Unsafe(Exception):
    """Something in the model is not fully described by Keras configs."""


def _unpatched(obj: Any, **allowed: Any) -> Any:
    """``obj`` if no method of its class is replaced on the instance (a
    ``model.train_step = ...`` would not be in any config); ``allowed`` names
    attributes Keras itself sets to these values."""
    cls = type(obj)
    for name, value in vars(obj).items():
        if name in allowed and value is allowed[name]:
            continue
        if (callable(value) and name not in _WRAPPED_BY_KERAS
                and callable(getattr(cls, name, None))):
            raise _Unsafe(name)
    return obj


def _keras_module(module: Any) -> bool:
    return module == "keras" or str(module).startswith("keras.")


def _keras_class(cls: type) -> bool:
    return _keras_module(cls.__module__)


def _keras_only(config: Any) -> Any:
    """``config`` (a layer's or Keras object's) if every object it names is Keras's
    own, without the seeds of initializers (they run when a model is built, never
    in a training step, and a seeded fit gives each its own seed)."""
    if isinstance(config, dict):
        module = config.get("module")
        if module is not None and not _keras_module(module):
            raise _Unsafe(module)
        if module == "keras.initializers" and isinstance(config.get("config"), dict):
            config = {**config, "config": {k: v for k, v in config["config"].items()
                                           if k != "seed"}}
        return {k: _keras_only(v) for k, v in config.items()}
    if isinstance(config, (list, tuple)):
        return [_keras_only(value) for value in config]
    if callable(config):
        raise _Unsafe(config)
    return config


def _layers(model: Any) -> list:
    import keras

    entries = []
    for layer in model.layers:
        cls = type(_unpatched(layer))
        if not _keras_class(cls) or cls.__name__ in _OPAQUE_LAYERS:
            raise _Unsafe(cls)
        if isinstance(layer, keras.Model):
            if cls is not keras.Sequential:
                raise _Unsafe(cls)
            entries.append(["Sequential", layer.trainable, _layers(layer)])
            continue
        config = dict(layer.get_config())
        config.pop("name", None)
        if cls.__name__ in _SEED_IN_STATE:
            config.pop("seed", None)
        entries.append([cls.__module__, cls.__qualname__, _keras_only(config)])
    return entries


def _compiled_object(obj: Any) -> Any:
    """A loss or metric argument of ``compile``, described, if it is Keras's own."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [_compiled_object(o) for o in obj]
    if isinstance(obj, dict):
        return {str(k): _compiled_object(v) for k, v in sorted(obj.items())}
    cls = obj if isinstance(obj, type) else type(obj)
    if isinstance(obj, type) or not hasattr(obj, "get_config"):
        # a class, or a function: Keras's own by where it is defined
        module = getattr(obj, "__module__", "") or ""
        if not _keras_module(module) or not hasattr(obj, "__qualname__"):
            raise _Unsafe(obj)
        return [module, obj.__qualname__]
    if not _keras_class(cls):
        raise _Unsafe(cls)
    return [cls.__module__, cls.__qualname__, _keras_only(_unpatched(obj).get_config())]


def _optimizer(optimizer: Any) -> list:
    cls = type(_unpatched(optimizer))
    if not _keras_class(cls):
        raise _Unsafe(cls)
    config = dict(optimizer.get_config())
    config.pop("name", None)
    if isinstance(config.get("learning_rate"), (int, float)):
        # a variable of the optimizer (its state), not a constant of the program
        config.pop("learning_rate")
    return [cls.__module__, cls.__qualname__, _keras_only(config)]


def _variables(variables: Any) -> list:
    return [[list(v.shape), str(v.dtype), bool(v.trainable)] for v in variables]


def architecture_key(model: Any, *extra: Any) -> Optional[str]:
    """What determines ``model``'s compiled training and test steps, or None.

    None where the model is not one whose step another model's compiled step
    can stand for (see the module's description); ``extra`` adds what the
    backend's program depends on besides the model (its numeric settings).
    """
    import keras

    if type(model) is not keras.Sequential or not model.built or model.optimizer is None:
        return None
    compiled = compile_config_of(model)
    if compiled is None:
        return None
    try:
        # compile stores its loss argument as ``model.loss``, over the TensorFlow
        # trainer's ``loss`` method (the argument is in the key)
        _unpatched(model, loss=compiled.get("loss"))
        for part in (*layers_of(model, include_self=False), *model.metrics):
            _unpatched(part)
        key = {
            "floatx": keras.config.floatx(),
            "trainable": model.trainable,
            "inputs": [[list(t.shape), str(t.dtype)] for t in model.inputs],
            "layers": _layers(model),
            "optimizer": _optimizer(model.optimizer),
            "compile": {name: _compiled_object(compiled.get(name))
                        for name in ("loss", "loss_weights", "metrics", "weighted_metrics",
                                     "steps_per_execution", "jit_compile")},
            "variables": [_variables(model.trainable_variables),
                          _variables(model.non_trainable_variables),
                          _variables(model.optimizer.variables),
                          _variables(model.metrics_variables)],
            "extra": list(extra),
        }
        return json.dumps(key, sort_keys=True, default=_refuse)
    except (_Unsafe, TypeError, ValueError, AttributeError):
        return None


def _refuse(obj: Any) -> Any:
    raise _Unsafe(obj)


class TraceCache:
    """A bounded, thread-safe map from keys to compiled functions (least
    recently used dropped first)."""

    def __init__(self, size: int):
        self.size = size
        self._entries: "OrderedDict[Hashable, Any]" = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The functions kept for ``key``, made by ``build()`` the first time."""
        if self.size <= 0:
            return build()
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
            return self._keep(key, build())

    def put(self, key: Hashable, value: Any) -> None:
        """Keep ``value`` for ``key`` (in place of what was kept)."""
        with self._lock:
            self._keep(key, value)

    def discard(self, key: Hashable) -> None:
        """Drop what is kept for ``key``, if anything."""
        with self._lock:
            self._entries.pop(key, None)

    def _keep(self, key: Hashable, value: Any) -> Any:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()
