"""Keras models inside pickled estimators, custom objects included.

An estimator pickles its Keras models in Keras's native ``.keras`` format
through its own ``__getstate__``; nothing in Keras is patched. Keras can only
load a model whose custom classes and functions (a ``Model`` subclass, a custom
``Loss`` or layer) it can find by name, and finds unregistered ones nowhere, so
:class:`ModelBytes` stores them beside the bytes: by reference (module and
name, the way pickle stores classes) when they are importable, and for
classes defined inside a function, which pickle cannot store, as a token of
this process's :data:`_LOCAL_OBJECTS` table. Such a pickle then loads in the
process that wrote it, and elsewhere fails with a message that says what to do.
"""

import os
import pickle
import tempfile
import weakref
from collections import defaultdict
from pathlib import Path

#: Classes and functions defined inside functions, by token, for this process.
_LOCAL_OBJECTS: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
_MODEL_FILE = "model.keras"


def model_to_bytes(model):
    """Serialize a Keras model (weights and optimizer state) to ``.keras`` bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, _MODEL_FILE)
        model.save(path)
        return Path(path).read_bytes()


def model_from_bytes(data, *, safe_mode=True, custom_objects=None):
    """Rebuild a Keras model from the bytes of :func:`model_to_bytes`."""
    import keras

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, _MODEL_FILE)
        Path(path).write_bytes(data)
        return keras.saving.load_model(path, compile=True, safe_mode=safe_mode,
                                       custom_objects=custom_objects)


def _is_keras_object(obj):
    module = getattr(obj, "__module__", "") or ""
    return module == "keras" or module.startswith("keras.")


def _candidates(model):
    """Python classes and functions a model's configuration may refer to."""
    import keras

    from .._keras_internals import compile_config_of, layers_of

    found = [type(model)]
    for layer in layers_of(model, include_self=False):
        found.append(type(layer))
        for value in vars(layer).values():
            if callable(value) and not isinstance(value, keras.layers.Layer):
                found.append(value if isinstance(value, type) or _is_function(value)
                             else type(value))
    for obj in (getattr(model, "loss", None), getattr(model, "optimizer", None)):
        found.extend(_leaves(obj))
    config = compile_config_of(model)
    if config is not None:
        found.extend(_leaves(config.get("metrics")))
        found.extend(_leaves(config.get("weighted_metrics")))
        found.extend(_leaves(config.get("loss")))
    return [f for f in found if f is not None]


def _is_function(obj):
    import types

    return isinstance(obj, (types.FunctionType, types.BuiltinFunctionType))


def _leaves(obj):
    if obj is None or isinstance(obj, str):
        return []
    if isinstance(obj, dict):
        return [x for v in obj.values() for x in _leaves(v)]
    if isinstance(obj, (list, tuple)):
        return [x for v in obj for x in _leaves(v)]
    return [obj if isinstance(obj, type) or _is_function(obj) else type(obj)]


def custom_objects_of(model):
    """``{name: object}`` for every non-Keras class or function the model uses."""
    import keras

    out = {}
    for obj in _candidates(model):
        if _is_keras_object(obj) or getattr(obj, "__module__", None) == "builtins":
            continue
        try:
            name = keras.saving.get_registered_name(obj)
        except (TypeError, AttributeError):
            continue
        out[name] = obj
        out.setdefault(getattr(obj, "__name__", name), obj)
    return out


class _LocalRef:
    """Pickles as a token of :data:`_LOCAL_OBJECTS` (for objects pickle cannot store)."""

    def __init__(self, obj):
        self.token = f"{id(obj):x}"
        self.name = getattr(obj, "__qualname__", repr(obj))
        _LOCAL_OBJECTS[self.token] = obj

    def __reduce__(self):
        return _resolve_local, (self.token, self.name)


def _resolve_local(token, name):
    obj = _LOCAL_OBJECTS.get(token)
    if obj is None:
        raise pickle.UnpicklingError(
            f"The pickled Keras model uses {name}, a class or function defined inside a "
            "function, which pickle cannot store; it can be unpickled only in the process "
            "that pickled it. Define it at module level (or register it with "
            "keras.saving.register_keras_serializable) to pickle it elsewhere."
        )
    return obj


def _portable(obj):
    try:
        pickle.dumps(obj)
    except (pickle.PicklingError, AttributeError, TypeError):
        return _LocalRef(obj)
    return obj


class ModelBytes:
    """A Keras model as ``.keras`` bytes plus the custom objects to load it.

    Examples
    --------
    >>> import keras, pickle
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> again = pickle.loads(pickle.dumps(ModelBytes.from_model(model))).to_model()
    >>> [w.shape for w in again.get_weights()]
    [(2, 1), (1,)]
    """

    def __init__(self, data, custom_objects):
        self.data = data
        self.custom_objects = custom_objects

    @classmethod
    def from_model(cls, model):
        """Serialize ``model``."""
        objects = {name: _portable(obj) for name, obj in custom_objects_of(model).items()}
        return cls(model_to_bytes(model), objects)

    def to_model(self):
        """The model again (trusted data: Keras's safe mode is off, as for pickle)."""
        return model_from_bytes(self.data, safe_mode=False, custom_objects=self.custom_objects)


class KerasObjectConfig:
    """A Keras loss, metric or optimizer kept by class and configuration.

    Keras pickles these through its saving library, which cannot find an
    unregistered custom class when loading; the class itself (stored the way
    pickle stores classes) and ``get_config()`` rebuild it anywhere it can be
    imported.
    """

    def __init__(self, obj):
        self.cls = _portable(type(obj))
        self.config = obj.get_config()

    def to_object(self):
        """A new object of the same class and configuration."""
        return self.cls.from_config(self.config)


def freeze(value):
    """``value`` with Keras models as :class:`ModelBytes` and Keras losses, metrics
    and optimizers as :class:`KerasObjectConfig` (inside lists, tuples, dicts)."""
    import sys

    if "keras" not in sys.modules:  # nothing of Keras can exist yet
        return value
    import keras

    if isinstance(value, keras.Model):
        return ModelBytes.from_model(value)
    if isinstance(value, (keras.losses.Loss, keras.metrics.Metric, keras.optimizers.Optimizer)):
        return KerasObjectConfig(value)
    if isinstance(value, (list, tuple)):
        return type(value)(freeze(v) for v in value)
    if isinstance(value, defaultdict):  # history_ (its factory is list)
        return defaultdict(value.default_factory, {k: freeze(v) for k, v in value.items()})
    if isinstance(value, dict):
        return {k: freeze(v) for k, v in value.items()}
    return value


def thaw(value):
    """The inverse of :func:`freeze`."""
    if isinstance(value, ModelBytes):
        return value.to_model()
    if isinstance(value, KerasObjectConfig):
        return value.to_object()
    if isinstance(value, (list, tuple)):
        return type(value)(thaw(v) for v in value)
    if isinstance(value, defaultdict):
        return defaultdict(value.default_factory, {k: thaw(v) for k, v in value.items()})
    if isinstance(value, dict):
        return {k: thaw(v) for k, v in value.items()}
    return value
