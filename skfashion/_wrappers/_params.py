"""scikeras's parameters on skfashion's wrappers: routed and extra parameters.

``BaseWrapper(model, optimizer__learning_rate=1e-3, hidden=64)`` keeps the
routed (``optimizer__``, ``fit__``...) and the extra (``hidden``) parameters
beside its own: not attributes (scikit-learn's rule), but parameters all the
same for ``get_params``, ``set_params`` and ``clone``, and readable as
attributes, as in scikeras.
"""

import inspect

from .._fit._routing import ROUTES, is_routed

_MISSING = object()


def extra_param(est, name):
    """``est.<name>`` for an extra or routed parameter (``est.__getattr__``)."""
    extra = est.__dict__.get("_extra_params")
    if extra is not None and name in extra:
        return extra[name]
    raise AttributeError(f"{type(est).__name__!r} object has no attribute {name!r}")


def own_names(est):
    """The parameters ``type(est).__init__`` declares by name."""
    init = type(est).__init__
    names = [
        p.name for p in inspect.signature(init).parameters.values()
        if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    ]
    return names


def get_params(est, deep=True):
    """``BaseWrapper.get_params``: own, routed and extra parameters."""
    params = {}
    for name in own_names(est):
        # A subclass may take a parameter in __init__ and not store it
        # (scikeras's MLPClassifier notebook does): as in scikeras, it is
        # then not a parameter (clone leaves it at its default).
        value = getattr(est, name, _MISSING)
        if value is not _MISSING:
            params[name] = value
    for key, value in est.__dict__.items():
        if not key.startswith("_") and not key.endswith("_") and key not in params:
            params[key] = value  # a subclass's attribute set in its __init__
    params.update(est.__dict__.get("_extra_params", {}))
    if deep:
        for key, value in list(params.items()):
            if hasattr(value, "get_params") and not isinstance(value, type):
                params.update({f"{key}__{k}": v for k, v in value.get_params().items()})
    return params


def set_params(est, **params):
    """``BaseWrapper.set_params``: routed and extra names go to ``_extra_params``."""
    known = set(get_params(est, deep=False))
    extra = est.__dict__.get("_extra_params")
    if extra is None:  # an instance made without __init__ (copy.copy, __new__)
        extra = est._extra_params = {}
    for name, value in params.items():
        if name in extra or (is_routed(name) and name not in est.__dict__):
            extra[name] = value
        elif name in known:
            setattr(est, name, value)
        else:
            raise ValueError(
                f"Invalid parameter {name} for estimator {type(est).__name__}.\n"
                "This issue can likely be resolved by setting this parameter in the "
                f"{type(est).__name__} constructor:\n`{type(est).__name__}({name}="
                f"{value!r})`\nCheck the list of available parameters with "
                "`estimator.get_params().keys()`"
            )
    return est


def check_routed_names(est):
    """Refuse extra parameters with an unknown routing prefix (``unknown__x``)."""
    for name in est.__dict__.get("_extra_params", {}):
        if "__" in name and not is_routed(name):
            raise ValueError(
                f"{name}: unknown routing prefix {name.split('__', 1)[0]!r}; routed "
                f"parameters start with one of {[r + '__' for r in ROUTES]}."
            )


def user_params(est):
    """Unprefixed extra parameters (they reach the builder)."""
    return {k: v for k, v in est.__dict__.get("_extra_params", {}).items() if "__" not in k}
