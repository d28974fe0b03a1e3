"""Routed parameters: ``optimizer__learning_rate=0.01`` reaches the optimizer.

The naming follows scikeras, so its users' code keeps working: a parameter
``<destination>__<name>`` is meant for ``<destination>`` (``model``, ``fit``,
``compile``, ``predict``, ``optimizer``, ``loss``, ``metrics``, ``callbacks``,
``score``), and one more level of ``__`` selects an element of a list or dict
(``loss__0__from_logits``, ``callbacks__es__patience``) or an argument of an
argument (``loss__param1__foo_kwarg``). Digits name positional arguments.
"""

import inspect

#: Destinations of routed parameters.
ROUTES = ("model", "fit", "compile", "predict", "optimizer", "loss", "metrics", "callbacks",
          "score")


def is_routed(name):
    """True for ``<destination>__...`` names of one of :data:`ROUTES`."""
    return "__" in name and name.split("__", 1)[0] in ROUTES


def routed(params, destination, *, strict=False):
    """The ``destination__*`` entries of ``params``, with the prefix removed.

    ``strict`` drops names that route further (``optimizer__a__b`` is not an
    argument of the optimizer).

    Examples
    --------
    >>> routed({"loss__a": 1, "loss__0__b": 2, "fit__c": 3}, "loss")
    {'a': 1, '0__b': 2}
    >>> routed({"loss__a": 1, "loss__0__b": 2}, "loss", strict=True)
    {'a': 1}
    """
    prefix = destination + "__"
    out = {}
    for key, value in params.items():
        if key.startswith(prefix):
            rest = key[len(prefix):]
            if strict and "__" in rest:
                continue
            out[rest] = value
    return out


def _own(params):
    return {k: v for k, v in params.items() if "__" not in k}


def _describe(item):
    return getattr(item, "__name__", None) or type(item).__name__


def instantiate(items, params, *, what, base=None):
    """Build ``items`` with ``params``: classes are called, containers recursed.

    ``items`` may be a class (called with the parameters meant for it), a list,
    tuple or dict of such items (each gets the shared parameters plus those
    routed to its index or key), or anything else, which must then receive no
    parameter.

    Parameters
    ----------
    items : object
        What to build.
    params : dict
        Routed parameters relative to ``items`` (prefix already removed).
    what : str
        The routed name of ``items`` (``"loss"``, ``"loss__0"``...), for errors.
    base : dict, default=None
        Shared parameters inherited from an enclosing list or dict.

    Raises
    ------
    TypeError
        If a non-class receives parameters, or a class refuses one.
    """
    if inspect.isclass(items):
        arguments = {**(base or {}), **_own(params)}
        for name, value in list(arguments.items()):
            arguments[name] = instantiate(value, routed(params, name), what=f"{what}__{name}")
        positional = sorted((int(k), v) for k, v in arguments.items() if k.isdigit())
        keywords = {k: v for k, v in arguments.items() if not k.isdigit()}
        try:
            return items(*(v for _, v in positional), **keywords)
        except TypeError as exc:
            raise TypeError(
                f"{what}: {_describe(items)} refused the routed arguments "
                f"{sorted(arguments)} ({exc}). Check the names of the {what}__* parameters "
                f"against {_describe(items)}'s signature."
            ) from exc
    if isinstance(items, (list, tuple, dict)):
        shared = {**(base or {}), **_own(params)}
        keys = items.keys() if isinstance(items, dict) else range(len(items))
        built = {
            key: instantiate(items[key], routed(params, str(key)), what=f"{what}__{key}",
                             base=shared)
            for key in keys
        }
        if isinstance(items, dict):
            return built
        return type(items)(built[i] for i in range(len(items)))
    extra = {**(base or {}), **_own(params)}
    if extra:
        raise TypeError(
            f'TypeError: "{items}" object of type "{type(items)}" does not accept parameters '
            f"because it's not a class. However, it received parameters \"{extra}\" "
            f"(from the {what}__* parameters). Pass the class instead, e.g. "
            f"{what}={type(items).__name__}, to have them applied."
        )
    return items
