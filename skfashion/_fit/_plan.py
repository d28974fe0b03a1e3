"""What one fit needs of its estimator, read once when the fit starts.

A fit's path (:mod:`._staging`, :mod:`._path`) takes a :class:`FitPlan` and the
data instead of reading the estimator's class rules as it goes: how the data
is checked, whether the fit is a warm start, whether it keeps the history. What
the path still asks the estimator, it asks at the moment scikeras asks it,
because a subclass may change it on the way (``_initialize`` may set
parameters that the options, the compile arguments and early stopping then
read): scikeras's extension points (``_initialize``, ``_validation``,
``_fit_keras_model``, ``target_encoder``, ``feature_encoder``,
``_type_of_target``) and the estimator's own steps they call
(``_fit_option_values``, ``_make_model``, ``_compile_settings``,
``_early_stopping``, ``_callbacks_for_fit``, ``_sample_weight_for_classes``).
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DataChecks:
    """How an estimator's data is checked: its class's rules (``check_data``)."""

    #: Convert X to this dtype; None keeps numeric dtypes.
    x_dtype: Any = None
    #: Accept X of more than two dimensions.
    allow_nd: bool = True
    #: Accept 2-D targets (else a column vector warns and is flattened).
    multi_output: bool = True
    #: Targets must be numbers (regression).
    y_numeric: bool = False
    #: scikeras's rule: later calls may not change dtypes unsafely.
    check_dtypes: bool = False
    #: A fit refuses ``y=None``.
    requires_y: bool = True

    @classmethod
    def of(cls, est: Any) -> "DataChecks":
        return cls(x_dtype=est._x_dtype, allow_nd=est._allow_nd,
                   multi_output=est._multi_output, y_numeric=est._y_numeric,
                   check_dtypes=est._check_dtypes, requires_y=est._requires_y)


@dataclass(frozen=True)
class FitPlan:
    """What one training call (``fit``, ``partial_fit``, ``fit_epochs``) needs of
    its estimator, read once when it starts (:func:`plan_fit`)."""

    checks: DataChecks
    #: Continue the current model (``partial_fit``, or ``warm_start`` once fitted).
    warm: bool
    #: ``partial_fit``: one epoch, continuing the history.
    partial: bool
    #: A warm ``fit`` starts its history anew (scikeras's ``_reset_history_on_fit``)?
    reset_history_on_fit: bool


def plan_fit(est: Any, *, partial: bool) -> FitPlan:
    """The plan of a training call of ``est``: its class rules and its state now."""
    warm = bool((partial or getattr(est, "warm_start", False)) and est.initialized_)
    return FitPlan(checks=DataChecks.of(est), warm=warm, partial=partial,
                   reset_history_on_fit=bool(est._reset_history_on_fit))
