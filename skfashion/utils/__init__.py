"""Helpers for users of the wrappers (the names scikeras's users import).

``loss_name`` and ``metric_name`` give the full names Keras objects are known
by; :mod:`skfashion.utils.transformers` holds the default target encoders to
subclass.
"""

from .._fit._compile import loss_name, metric_name

__all__ = ["loss_name", "metric_name"]
