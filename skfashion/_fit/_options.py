"""The one validation engine for training options.

:data:`FIT_CONSTRAINTS` declares, once, what each option of Keras's ``fit``
accepts, as scikit-learn constraint objects. The estimators' constructor
parameters of those names take their ``_parameter_constraints`` from it
(:func:`constraints_for`; scikit-learn checks them at ``fit``), and every fit
path (``fit``, warm start, ``partial_fit``, ``fit_epochs``, ``EpochSearchCV``,
routed ``fit__*`` parameters and ``fit(**kwargs)``) collects its options as
:class:`Option` values that remember the name the user wrote, which
:func:`check_fit_options` checks with the same objects: a value is refused the
same way whichever path it took, with scikit-learn's ``InvalidParameterError``
naming that parameter.
"""

from dataclasses import dataclass, field, fields
from numbers import Integral, Real
from typing import Any, Callable, Dict, List, Optional, Union

from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    Options,
    StrOptions,
    validate_parameter_constraints,
)


@dataclass(frozen=True)
class Option:
    """A value and the name the user gave it under (``fit__epochs``, ``epochs``...)."""

    value: object
    source: str


def layer(*sources):
    """Merge option dicts; later ones win (parameters < routed < fit kwargs)."""
    merged = {}
    for source in sources:
        merged.update(source)
    return merged


def from_mapping(values, label):
    """Options from ``{name: value}``, labelled ``label.format(name=name)``."""
    return {name: Option(value, label.format(name=name)) for name, value in values.items()}


def _int(value):
    return isinstance(value, Integral) and not isinstance(value, bool)


class _Custom(HasMethods):
    """A constraint of our own that scikit-learn's validation accepts (its
    ``make_constraint`` takes instances of its own constraint classes only)."""

    def __init__(self):
        super().__init__([])


class _EpochList(_Custom):
    """A non-empty list or tuple of (1-based) epoch numbers: Keras's
    ``validation_freq=[1, 5, 10]``."""

    def is_satisfied_by(self, val):
        return (isinstance(val, (list, tuple)) and len(val) > 0
                and all(_int(v) and v >= 1 for v in val))

    def __str__(self):
        return "a non-empty list of epoch numbers (1-based)"


class _ValidationData(_Custom):
    """``(X_val, y_val)`` or ``(X_val, y_val, sample_weight_val)``."""

    def is_satisfied_by(self, val):
        return isinstance(val, (tuple, list)) and len(val) in (2, 3)

    def __str__(self):
        return "a tuple (X_val, y_val) or (X_val, y_val, sample_weight_val)"


def _at_least(low):
    return Interval(Integral, low, None, closed="left")


#: The one declaration of what each training option accepts. Estimators put
#: these constraints in their ``_parameter_constraints`` for the constructor
#: parameters of the same name (scikit-learn checks those at ``fit``), and
#: :func:`check_fit_options` checks every routed ``fit__*`` value and
#: ``fit(**kwargs)`` keyword with the same objects, so a value is accepted or
#: refused alike whichever way it came, with scikit-learn's error.
FIT_CONSTRAINTS = {
    "epochs": [_at_least(1)],
    "initial_epoch": [_at_least(0)],
    # -1: every sample in one batch (scikeras); None: Keras's 32.
    "batch_size": [_at_least(1), Options(Integral, {-1}), None],
    "validation_batch_size": [_at_least(1), Options(Integral, {-1}), None],
    # 0/1 for shuffle and booleans for verbose: as Keras's fit takes them.
    "shuffle": ["boolean", Options(Integral, {0, 1})],
    "verbose": [Options(Integral, {0, 1, 2}), StrOptions({"auto"}), "boolean"],
    "validation_split": [Interval(Real, 0, 1, closed="left")],
    "validation_data": [_ValidationData(), None],
    "validation_steps": [_at_least(1), None],
    "validation_freq": [_at_least(1), _EpochList()],
    "steps_per_epoch": [_at_least(1), None],
    "steps_per_execution": [_at_least(1), StrOptions({"auto"})],
    "class_weight": [dict, StrOptions({"balanced"}), None],
    "callbacks": "no_validation",  # instances, classes or lists of them: resolved later
    "sample_weight": "no_validation",  # checked with the data
}


#: Options of Keras's ``Model.fit`` that skfashion's training loop implements.
FIT_OPTIONS = tuple(FIT_CONSTRAINTS)


def constraints_for(*names):
    """``{name: FIT_CONSTRAINTS[name]}``, for an estimator's ``_parameter_constraints``."""
    return {name: FIT_CONSTRAINTS[name] for name in names}


def _checked(option, name, caller):
    """``option.value`` if it meets ``FIT_CONSTRAINTS[name]``; else scikit-learn's
    ``InvalidParameterError`` (a ``ValueError`` and a ``TypeError``) naming the
    option as the user wrote it."""
    validate_parameter_constraints({option.source: FIT_CONSTRAINTS[name]},
                                   {option.source: option.value}, caller_name=caller)
    return option.value


def _batch_size(value, n_samples):
    if value is None:
        return 32
    return max(1, n_samples) if value == -1 else int(value)


def _verbose(value):
    return 1 if value == "auto" else int(value)


@dataclass(frozen=True)
class FitSpec:
    """What one training call asks for, checked once (:func:`check_fit_options`).

    A field per option of :data:`FIT_CONSTRAINTS` that the loop runs, its
    default what Keras's ``fit`` does when the option is not given (values
    are normalized by :data:`_NORMALIZE`: ``batch_size=None`` is 32). Frozen:
    the estimator resolves ``initial_epoch`` (a warm start continues from its
    history) into a new spec with :func:`dataclasses.replace`, and gives the
    loop its own inputs (the callbacks in effect, the validation data, the
    shuffling generator, the training-sample count) separately, as
    ``_training.LoopInputs``. ``epochs`` always counts the epochs of this
    call, as in scikeras: training runs from ``initial_epoch`` to
    :attr:`end_epoch`. Options a model's own ``fit`` takes beyond these are
    in ``extra``.
    """

    epochs: int = 1
    initial_epoch: int = 0
    batch_size: int = 32
    shuffle: bool = True
    verbose: int = 0
    callbacks: Any = field(default_factory=list)  # as given: resolved per fit
    validation_split: float = 0.0
    validation_data: Optional[tuple] = None
    validation_batch_size: Optional[int] = None
    validation_steps: Optional[int] = None
    validation_freq: Union[int, List[int]] = 1
    steps_per_epoch: Optional[int] = None
    steps_per_execution: Union[int, str] = "auto"
    class_weight: Any = None
    extra: dict = field(default_factory=dict)

    @property
    def end_epoch(self):
        """The epoch index training stops at (Keras's ``epochs`` argument)."""
        return self.initial_epoch + self.epochs


#: Options of :class:`FitSpec` in the order it declares them (``extra`` aside).
SPEC_OPTIONS = tuple(f.name for f in fields(FitSpec) if f.name != "extra")

#: How a checked value becomes its :class:`FitSpec` field, given the number of
#: training samples (options not named here are taken as given).
_NORMALIZE: Dict[str, Callable[[Any, int], Any]] = {
    "epochs": lambda v, n: int(v),
    "initial_epoch": lambda v, n: int(v),
    "batch_size": lambda v, n: _batch_size(v, n),
    "shuffle": lambda v, n: bool(v),
    "verbose": lambda v, n: _verbose(v),
    "validation_split": lambda v, n: float(v),
    "validation_data": lambda v, n: None if v is None else tuple(v),
    "validation_batch_size": lambda v, n: None if v is None else _batch_size(v, n),
    "validation_freq": lambda v, n: [int(e) for e in v] if isinstance(v, (list, tuple))
    else int(v),
    "steps_per_execution": lambda v, n: v if v == "auto" else int(v),
}

#: Options that an estimator's constructor parameter of the same name does not
#: feed as it is: callbacks are resolved per fit (``_callbacks_for_fit``), and a
#: classifier folds ``class_weight`` into the sample weights.
APPLIED_BY_THE_ESTIMATOR = frozenset({"callbacks", "class_weight", "sample_weight"})


def offered_options(est):
    """The training options ``est``'s parameters feed (names of :data:`FIT_OPTIONS`).

    scikeras's rule for its wrappers: the parameters named in the estimator's
    ``_fit_kwargs`` (scikeras's set of ``Model.fit`` arguments, which a subclass
    may change) go to ``fit``, plus skfashion's own ``_loop_options``
    (``steps_per_execution``). Any other estimator: every training option.
    :data:`APPLIED_BY_THE_ESTIMATOR` are never fed as they are.
    """
    routed = getattr(est, "_fit_kwargs", None)
    names = FIT_OPTIONS if routed is None else (
        set(routed) | set(getattr(est, "_loop_options", ())))
    return tuple(name for name in FIT_OPTIONS
                 if name in names and name not in APPLIED_BY_THE_ESTIMATOR)


def constructor_options(est, params=None):
    """``{name: Option}`` for each of ``est``'s parameters that is a training option
    it feeds (:func:`offered_options`), with the value ``get_params()`` gives
    (``params``, when the caller has them), as scikeras reads them: a parameter
    taken by the subclass's ``__init__``, set by a parent's or passed through
    ``**kwargs``, whichever way it was stored.
    """
    if params is None:
        params = est.get_params(deep=False)
    return {name: Option(params[name], name) for name in offered_options(est)
            if name in params}


def check_fit_options(options, *, n_samples, allow_extra, caller="fit"):
    """Validate the collected options of one training call.

    Parameters
    ----------
    options : dict of str to Option
        Every option of this call, from parameters, routing and keywords.
    n_samples : int
        Training samples (for ``batch_size=-1``).
    allow_extra : bool
        Accept options the loop does not know (they go to a model's own
        ``fit``); otherwise they are refused as ``model.fit`` would refuse them.
    caller : str, default="fit"
        Who checks (the estimator's name), for the error messages.

    Returns
    -------
    FitSpec

    Raises
    ------
    sklearn.utils._param_validation.InvalidParameterError
        If a value does not meet :data:`FIT_CONSTRAINTS` (a ``ValueError``
        and a ``TypeError``, as scikit-learn raises for parameters).
    """
    extra = {name: opt.value for name, opt in options.items() if name not in FIT_OPTIONS}
    if extra and not allow_extra:
        name = sorted(extra)[0]
        raise TypeError(
            f"{options[name].source}: fit() got an unexpected keyword argument {name!r}. "
            f"skfashion's training loop accepts {sorted(FIT_OPTIONS)}; a model with its own "
            "fit() method receives other options."
        )
    values = {}
    for name in SPEC_OPTIONS:
        if name in options:
            value = _checked(options[name], name, caller)
            normalize = _NORMALIZE.get(name)
            values[name] = value if normalize is None else normalize(value, n_samples)
    return FitSpec(extra=extra, **values)
