"""Optimizers, losses, metrics and callbacks from estimator parameters.

Shared by every estimator (nothing here knows of one): names become Keras
classes, classes are built with their routed parameters (see ``_routing``),
instances are copied so that one estimator's fit never reuses another's
optimizer state.
"""

import inspect

from ._routing import instantiate

#: Metric names Keras resolves itself from the loss and output shape.
_KERAS_RESOLVED_METRICS = ("acc", "accuracy", "ce", "crossentropy")


def _camel_to_snake(name):
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


#: The public Keras module of each kind of object a name may stand for.
_MODULES = {"optimizer": "optimizers", "loss": "losses", "metric": "metrics"}
#: Short names Keras resolves beside its modules' own.
_ALIASES = {"loss": ("mse", "mae", "mape", "msle", "kld", "logcosh"),
            "metric": ("mse", "mae", "mape", "msle", "acc", "accuracy", "ce", "crossentropy")}
_NOT_OBJECTS = {"deserialize", "get", "serialize", "legacy", "schedules", "Loss", "Metric",
                "Optimizer", "LossScaleOptimizer", "MultiOptimizer", "OptimizerMap",
                "MeanMetricWrapper"}


def known_names(kind):
    """The names of Keras's public ``kind`` objects (``keras.losses``...) and aliases."""
    import keras

    module = getattr(keras, _MODULES[kind])
    names = [n for n in dir(module) if not n.startswith("_") and n not in _NOT_OBJECTS]
    return sorted(set(names) | set(_ALIASES.get(kind, ())))


def did_you_mean(name, candidates, accepted=None):
    """`` Did you mean 'x'?`` for the candidates closest to ``name`` that
    ``accepted(candidate)`` takes ('' when none is)."""
    import difflib

    lowered = {c.lower(): c for c in candidates}
    close = difflib.get_close_matches(str(name).lower(), list(lowered), n=6, cutoff=0.6)
    close = [c for c in close if accepted is None or accepted(lowered[c])][:3]
    if not close:
        return ""
    names = [repr(lowered[c]) for c in close]
    return " Did you mean " + (names[0] if len(names) == 1 else
                               ", ".join(names[:-1]) + " or " + names[-1]) + "?"


def _get(kind, getter, name, what):
    try:
        return getter(name)
    except ValueError:
        pass

    def accepted(candidate):  # only names this very lookup takes are suggested
        try:
            getter(candidate)
        except (ValueError, TypeError):
            return False
        return True

    module = _MODULES[kind]
    raise ValueError(  # scikeras's words first (its suite matches them)
        f"{what}={name!r}: Could not interpret {kind} identifier {name!r}: Keras has no "
        f"{kind} of that name.{did_you_mean(name, known_names(kind), accepted)} Use a Keras "
        f"{kind} name, class or instance (the names are those of keras.{module}, in either "
        "case)."
    ) from None  # Keras's own error shows skfashion's lookup, nothing of use


#: The name of the instance Keras builds to resolve an optimizer's name to its
#: class. Fixed, so that resolving in fit after fit creates its two variables
#: under the same path each time (see :func:`stable_optimizer_name`).
_PROBE_NAME = "skfashion_optimizer_probe"


def optimizer_class(name, what="optimizer"):
    """The Keras optimizer class of a name such as ``"adam"`` or ``"SGD"``."""
    import keras

    def get(identifier):
        try:  # resolved as keras.optimizers.get(name) resolves it, with a fixed name
            return keras.optimizers.get({"class_name": identifier,
                                         "config": {"name": _PROBE_NAME}})
        except TypeError:  # a registered optimizer that takes no name
            return keras.optimizers.get(identifier)

    return type(_get("optimizer", get, name, what))


def _accepts(cls, name):
    try:
        parameters = inspect.signature(cls).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == name or p.kind is p.VAR_KEYWORD for p in parameters)


def stable_optimizer_name(cls, params):
    """``params`` with a ``name`` for an optimizer built from a name or class.

    Keras names each new optimizer ``rm_sprop``, ``rm_sprop_1``, ... and its
    variables' paths start with that name. On TensorFlow a variable's path is an
    attribute of the operation that creates it, and TensorFlow keeps a kernel for
    every distinct attribute set it runs, for the life of the process: new names
    on every fit cost memory that is never returned (about 35 KB per variable).
    A fixed name (the lower-cased class name, unless the user routed one) keeps
    the paths equal from fit to fit. Names mean nothing else to an optimizer.
    """
    if "name" in params or not _accepts(cls, "name"):
        return params
    return {**params, "name": cls.__name__.lower()}


def resolve_optimizer(optimizer, params, *, what="optimizer"):
    """A new optimizer from a name, class or instance, with routed ``params``.

    An instance is copied from its configuration (overridden by ``params``), so
    the estimator's parameter is never trained itself and clones stay
    independent.
    """
    import keras

    if optimizer is None:
        return None
    if isinstance(optimizer, str):
        optimizer = optimizer_class(optimizer, what)
    if isinstance(optimizer, keras.optimizers.Optimizer):
        config = {**optimizer.get_config(), **params}
        try:
            return type(optimizer).from_config(config)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{what}: {type(optimizer).__name__} refused the routed arguments "
                f"{sorted(params)} ({exc})."
            ) from exc
    if inspect.isclass(optimizer) and issubclass(optimizer, keras.optimizers.Optimizer):
        try:
            return instantiate(optimizer, stable_optimizer_name(optimizer, params), what=what)
        except TypeError:
            raise
        except ValueError as exc:  # Keras reports unknown arguments as ValueError
            raise TypeError(
                f"{what}: {optimizer.__name__} refused the routed arguments "
                f"{sorted(params)} ({exc})."
            ) from exc
    raise TypeError(
        f"{what} must be a name such as 'rmsprop', a keras.optimizers.Optimizer class or "
        f"instance, or None; got {optimizer!r} of type {type(optimizer).__name__}."
    )


def _loss_item(loss, has_params, what="loss"):
    """Name -> what Keras resolves (function or instance), or its class when the
    name gets routed parameters."""
    import keras

    from ._losses import loss_class_for

    if not isinstance(loss, str):
        return loss
    resolved = _get("loss", keras.losses.get, loss, what)
    if not has_params:
        return resolved
    if isinstance(resolved, keras.losses.Loss):
        return type(resolved)
    cls = loss_class_for(resolved)
    if cls is None:
        raise TypeError(
            f"The loss {loss!r} is a function without a Loss class, so routed loss__* "
            "parameters cannot be applied to it. Pass a keras.losses.Loss class instead."
        )
    return cls


def _map_leaves(items, fn):
    if isinstance(items, dict):
        return {k: _map_leaves(v, fn) for k, v in items.items()}
    if isinstance(items, (list, tuple)):
        return type(items)(_map_leaves(v, fn) for v in items)
    return fn(items)


def resolve_loss(loss, params, *, what="loss"):
    """Losses from names, classes or instances (or lists and dicts of them).

    A name with routed ``loss__*`` parameters becomes its ``Loss`` class (a
    function name such as ``"sparse_categorical_crossentropy"`` the class that
    wraps it), so ``from_logits`` and friends apply; an instance with
    parameters is rebuilt from its configuration.
    """
    import keras

    if loss is None:
        return None
    loss = _map_leaves(loss, lambda item: _loss_item(item, bool(params)))

    def rebuild(item):
        if isinstance(item, keras.losses.Loss) and params:
            own = {k: v for k, v in params.items() if "__" not in k}
            return type(item).from_config({**item.get_config(), **own})
        return item

    if isinstance(loss, keras.losses.Loss) and params:
        return rebuild(loss)
    return instantiate(loss, params, what=what)


def _metric_item(metric):
    import keras

    if not isinstance(metric, str) or metric in _KERAS_RESOLVED_METRICS:
        return metric
    return _get("metric", keras.metrics.get, metric, "metrics")


def resolve_metrics(metrics, params, *, what="metrics"):
    """Metrics from names, classes or instances; a single metric becomes a list."""
    if metrics is None:
        return None
    metrics = _map_leaves(metrics, _metric_item)
    metrics = instantiate(metrics, params, what=what)
    if not isinstance(metrics, (list, tuple, dict)):
        metrics = [metrics]
    return metrics


def resolve_callbacks(callbacks, params, *, what="callbacks"):
    """Callback instances: classes built with ``callbacks__*``, instances kept.

    Accepts one callback, a list (possibly nested) or a dict of them; the
    instances the user passed are returned themselves, so they see the events.
    """
    import keras

    if callbacks is None:
        return []
    built = instantiate(callbacks, params, what=what)
    if isinstance(built, dict):
        built = list(built.values())
    elif not isinstance(built, (list, tuple)):
        built = [built]
    flat = list(keras.tree.flatten(list(built)))
    for cb in flat:
        if not isinstance(cb, keras.callbacks.Callback):
            raise TypeError(
                f"{what} contains {cb!r} of type {type(cb).__name__}. If specified, "
                "``callbacks`` must be one of:\n"
                " - A dict of string keys with callbacks or lists of callbacks as values\n"
                " - A list of callbacks or lists of callbacks\n"
                " - A single callback\n"
                "Where each callback can be a instance of `keras.callbacks.Callback` or a "
                "subclass of it, which skfashion instantiates with the callbacks__* "
                "parameters."
            )
    return flat


def loss_name(loss):
    """A loss's full snake-case name (``"mse"`` gives ``"mean_squared_error"``).

    Parameters
    ----------
    loss : str, function, keras.losses.Loss or its class
        The loss.

    Returns
    -------
    name : str
        Its full name.

    See Also
    --------
    metric_name : The same for metrics.

    Examples
    --------
    >>> loss_name("BinaryCrossentropy"), loss_name("mse")
    ('binary_crossentropy', 'mean_squared_error')
    """
    import keras

    return _full_name(
        loss, keras.losses.get, keras.losses.Loss, snake_functions=True,
        refusal="``loss`` must be a string, a function, an instance of ``keras.losses.Loss``"
                " or a type inheriting from ``keras.losses.Loss``")


def metric_name(metric):
    """A metric's full name (``"mae"`` gives ``"mean_absolute_error"``).

    Parameters
    ----------
    metric : str, function, keras.metrics.Metric or its class
        The metric.

    Returns
    -------
    name : str
        Its full name.

    See Also
    --------
    loss_name : The same for losses.

    Examples
    --------
    >>> metric_name("mae"), metric_name("BinaryAccuracy")
    ('mean_absolute_error', 'binary_accuracy')
    """
    import keras

    return _full_name(
        metric, keras.metrics.get, keras.metrics.Metric, snake_functions=False,
        refusal="``metric`` must be a string, a function, an instance of"
                " ``keras.metrics.Metric`` or a type inheriting from"
                " ``keras.metrics.Metric``")


def _full_name(value, get, base, *, snake_functions, refusal):
    """What :func:`loss_name` and :func:`metric_name` share (scikeras's rules and
    messages): a class is instantiated, the value resolved with Keras's ``get``,
    and named by its class (snake case) or function name."""
    if inspect.isclass(value):
        value = value()
    if not (isinstance(value, (str, base)) or callable(value)):
        raise TypeError(refusal)
    resolved = get(value)
    if isinstance(resolved, base):
        return _camel_to_snake(type(resolved).__name__)
    if hasattr(resolved, "__name__"):
        return _camel_to_snake(resolved.__name__) if snake_functions else resolved.__name__
    return resolved


def history_key(key):
    """The ``history_`` name of a Keras log key: metrics by their full name."""
    if key == "loss" or key.startswith("val_"):
        return key
    try:
        return metric_name(key)
    except (ValueError, TypeError):
        return key  # a custom metric keeps its name
