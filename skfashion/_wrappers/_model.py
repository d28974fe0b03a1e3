"""The model of a ``BaseWrapper``: scikeras's rules for building and compiling it.

A ``keras.Model`` instance, a builder function (``model=`` or ``build_fn=``)
or a subclass's ``_keras_build_fn``; builders receive ``meta``,
``compile_kwargs`` and ``params`` when they ask for them, and are built under
the estimator's seed. A model that comes compiled must agree with the
estimator's ``loss``.
"""

import inspect
import warnings
from numbers import Integral

from .._fit._compile import resolve_loss, resolve_metrics, resolve_optimizer
from .._fit._seeding import seeded_build
from .._fit._routing import routed


def _accepts(fn, name):
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == name and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
               for p in parameters)


def _accepts_kwargs(fn):
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.kind == p.VAR_KEYWORD for p in parameters)


def _has_loss(loss):
    if loss is None:
        return False
    if isinstance(loss, dict):
        return any(_has_loss(v) for v in loss.values())
    if isinstance(loss, (list, tuple)) or type(loss).__name__ == "ListWrapper":
        return any(_has_loss(v) for v in loss)
    return True


def builder_of(est):
    """``(builder, instance)``: what makes the model (scikeras's rules)."""
    import keras

    model = est.model
    if model is None and est.build_fn is not None:
        model = est.build_fn
        warnings.warn(
            "``build_fn`` will be renamed to ``model`` in a future release, at which "
            "point use of ``build_fn`` will raise an Error instead.",
            UserWarning,
            stacklevel=6,
        )
    if model is None:
        if not hasattr(est, "_keras_build_fn"):
            raise ValueError(
                "If not using the ``build_fn`` param, you must implement "
                "``_keras_build_fn``: pass model=<a keras.Model or a function that "
                "builds one>."
            )
        return est._keras_build_fn, None
    if isinstance(model, keras.Model):
        return None, model
    if callable(model):
        if hasattr(est, "_keras_build_fn"):
            raise ValueError(
                "This class cannot implement ``_keras_build_fn`` if using the `model` "
                "parameter"
            )
        return model, None
    raise TypeError(
        "``model`` must be a callable, a Keras Model instance or None; got "
        f"{type(model).__name__}."
    )


def wrapper_seed(est, drawn):
    """scikeras's seeding: an integer ``random_state`` is the seed of the build.

    The model then starts from the initial weights that scikeras's
    ``random_state`` and plain Keras after ``keras.utils.set_random_seed``
    give it (see :func:`~skfashion._fit._seeding.seeded_build`); a RandomState
    instance gives a seed drawn from it.
    """
    random_state = getattr(est, "random_state", None)
    if isinstance(random_state, Integral) and not isinstance(random_state, bool):
        return int(random_state)
    return drawn


def make_model(est, meta, seed):
    builder, instance = est._builder()
    if instance is not None:
        return instance, False, True
    params = est.get_params()
    arguments = {**est._user_params(), **routed(params, "model", strict=True)}
    wants_all = _accepts_kwargs(builder)
    takes_compile = wants_all or _accepts(builder, "compile_kwargs")

    def build():
        kwargs = dict(arguments)
        if wants_all or _accepts(builder, "meta"):
            kwargs["meta"] = dict(meta)
        if wants_all or _accepts(builder, "compile_kwargs"):
            kwargs["compile_kwargs"] = est._compile_settings()
        if wants_all or _accepts(builder, "params"):
            kwargs["params"] = est.get_params()
        return builder(**kwargs)

    return seeded_build(build, seed), takes_compile, False


def compile_settings(est):
    params = est.get_params()
    settings = {k: params[k] for k in sorted(est._compile_kwargs) if k in params}
    settings.update(routed(params, "compile"))
    settings["optimizer"] = resolve_optimizer(
        settings.get("optimizer"), routed(params, "optimizer", strict=True))
    settings["loss"] = resolve_loss(settings.get("loss"), routed(params, "loss"))
    settings["metrics"] = resolve_metrics(settings.get("metrics"), routed(params, "metrics"))
    return settings


def check_compiled_model(est, model, compile_applied):
    if not _has_loss(getattr(model, "loss", None)):
        raise ValueError(
            "No valid loss function found. You must provide a loss or a compiled "
            "model: pass loss=... to the estimator, or compile the model with a loss in "
            "the builder."
        )
    if getattr(model, "optimizer", None) is None:
        raise ValueError(
            "You must provide an optimizer or a compiled model: pass optimizer=... (e.g. "
            "'rmsprop') or compile the model with an optimizer in the builder."
        )
    _check_loss_agrees(est, model)
    if compile_applied:
        return
    params = est.get_params()
    ignored = [k for k in ("optimizer", "metrics") if not _is_default(est, k)]
    ignored += sorted(k for k in params if "__" in k and k.split("__", 1)[0] in
                      ("optimizer", "metrics", "compile")
                      and k != "compile__steps_per_execution")
    if ignored:
        warnings.warn(
            f"The model came compiled (by a builder that takes no compile_kwargs, or "
            f"passed compiled), so these parameters were not used: {ignored}. Take "
            "compile_kwargs in the builder, or return an uncompiled model, to apply them.",
            UserWarning,
            stacklevel=6,
        )


def _check_loss_agrees(est, model):
    """scikeras's rule: a non-default ``loss`` must be the loss the model compiled with."""
    import keras

    from .._fit._compile import loss_name

    parameter = inspect.signature(type(est).__init__).parameters.get("loss")
    default = None if parameter is None else parameter.default
    given, got = est.loss, model.loss
    simple = (str, keras.losses.Loss, type)
    if not all(isinstance(x, simple) for x in (given, got)):
        return  # lists, dicts, functions: nothing to compare by name
    try:
        given_name, got_name = loss_name(given), loss_name(got)
        default_name = loss_name(default) if default is not None else None
    except (TypeError, ValueError):
        return
    if given_name != default_name and got_name != given_name:
        raise ValueError(
            f"loss={given!r} but model compiled with {got!r}. Data may not match loss "
            "function! Compile the model with the loss parameter (take compile_kwargs in "
            "the builder) or leave loss at its default."
        )


def _is_default(est, name):
    parameter = inspect.signature(type(est).__init__).parameters.get(name)
    if parameter is None:
        return True
    value = getattr(est, name)
    return value is parameter.default or (isinstance(value, str) and value == parameter.default)
