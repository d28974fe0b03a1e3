"""scikeras's parameters on skfashion's wrappers: routed and extra parameters.

``BaseWrapper(model, optimizer__learning_rate=1e-3, hidden=64)`` keeps the
routed (``optimizer__``, ``fit__``...) and the extra (``hidden``) parameters
beside its own: not attributes (scikit-learn's rule), but parameters all the
same for ``get_params``, ``set_params`` and ``clone``, and readable as
attributes, as in scikeras.
"""

import inspect

from ._routing import ROUTES, is_routed

_MISSING = object()


class _RoutedParamsMixin:
    """``get_params``/``set_params`` with routed and extra parameters."""

    def __getattr__(self, name):
        extra = self.__dict__.get("_extra_params")
        if extra is not None and name in extra:
            return extra[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def __name__(self):
        return type(self).__name__

    def _own_names(self):
        init = type(self).__init__
        names = [
            p.name for p in inspect.signature(init).parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        ]
        return names

    def get_params(self, deep=True):
        """Parameters of this estimator, routed and extra ones included.

        Parameters
        ----------
        deep : bool, default=True
            Also return the parameters of parameters that are estimators.

        Returns
        -------
        params : dict
        """
        params = {}
        for name in self._own_names():
            # A subclass may take a parameter in __init__ and not store it
            # (scikeras's MLPClassifier notebook does): as in scikeras, it is
            # then not a parameter (clone leaves it at its default).
            value = getattr(self, name, _MISSING)
            if value is not _MISSING:
                params[name] = value
        for key, value in self.__dict__.items():
            if not key.startswith("_") and not key.endswith("_") and key not in params:
                params[key] = value  # a subclass's attribute set in its __init__
        params.update(self.__dict__.get("_extra_params", {}))
        if deep:
            for key, value in list(params.items()):
                if hasattr(value, "get_params") and not isinstance(value, type):
                    params.update({f"{key}__{k}": v for k, v in value.get_params().items()})
        return params

    def set_params(self, **params):
        """Set parameters, routed (``optimizer__learning_rate``) and extra ones included.

        Parameters
        ----------
        **params : dict
            Parameter names and values.

        Returns
        -------
        self : object
        """
        known = set(self.get_params(deep=False))
        extra = self.__dict__.setdefault("_extra_params", {})
        for name, value in params.items():
            if name in extra or (is_routed(name) and name not in self.__dict__):
                extra[name] = value
            elif name in known:
                setattr(self, name, value)
            else:
                raise ValueError(
                    f"Invalid parameter {name} for estimator {type(self).__name__}.\n"
                    "This issue can likely be resolved by setting this parameter in the "
                    f"{type(self).__name__} constructor:\n`{type(self).__name__}({name}="
                    f"{value!r})`\nCheck the list of available parameters with "
                    "`estimator.get_params().keys()`"
                )
        return self

    def _check_params(self):
        super()._check_params()
        for name in self.__dict__.get("_extra_params", {}):
            if "__" in name and not is_routed(name):
                raise ValueError(
                    f"{name}: unknown routing prefix {name.split('__', 1)[0]!r}; routed "
                    f"parameters start with one of {[r + '__' for r in ROUTES]}."
                )

    def _user_params(self):
        """Unprefixed extra parameters (they reach the builder)."""
        return {k: v for k, v in self.__dict__.get("_extra_params", {}).items() if "__" not in k}
