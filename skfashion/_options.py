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

from dataclasses import dataclass
from numbers import Integral, Real
from typing import List, Optional, Union

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

    Frozen: the estimator resolves ``initial_epoch`` (a warm start continues
    from its history) into a new spec with :func:`dataclasses.replace`, and
    gives the loop its own inputs (the callbacks in effect, the validation
    data, the shuffling generator, the training-sample count) separately, as
    ``_training.LoopInputs``. ``epochs`` always counts the epochs of this
    call, as in scikeras: training runs from ``initial_epoch`` to
    :attr:`end_epoch`.
    """

    epochs: int
    initial_epoch: int
    batch_size: int
    shuffle: bool
    verbose: int
    callbacks: list  # as given: instances, classes or lists (resolved per fit)
    validation_split: float
    validation_data: Optional[tuple]
    validation_batch_size: Optional[int]
    validation_steps: Optional[int]
    validation_freq: Union[int, List[int]]
    steps_per_epoch: Optional[int]
    steps_per_execution: object
    class_weight: object
    extra: dict

    @property
    def end_epoch(self):
        """The epoch index training stops at (Keras's ``epochs`` argument)."""
        return self.initial_epoch + self.epochs


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
    defaults = {"epochs": 1, "initial_epoch": 0, "shuffle": True, "verbose": 0,
                "validation_split": 0.0, "validation_freq": 1, "steps_per_execution": "auto",
                "callbacks": []}

    def get(name):
        option = options.get(name)
        if option is None:
            return defaults.get(name)
        return _checked(option, name, caller)

    extra = {name: opt.value for name, opt in options.items() if name not in FIT_OPTIONS}
    if extra and not allow_extra:
        name = sorted(extra)[0]
        raise TypeError(
            f"{options[name].source}: fit() got an unexpected keyword argument {name!r}. "
            f"skfashion's training loop accepts {sorted(FIT_OPTIONS)}; a model with its own "
            "fit() method receives other options."
        )
    validation_data, freq = get("validation_data"), get("validation_freq")
    validation_batch_size, steps = get("validation_batch_size"), get("steps_per_execution")
    return FitSpec(
        epochs=int(get("epochs")),
        initial_epoch=int(get("initial_epoch")),
        batch_size=_batch_size(get("batch_size"), n_samples),
        shuffle=bool(get("shuffle")),
        verbose=_verbose(get("verbose")),
        callbacks=get("callbacks"),
        validation_split=float(get("validation_split")),
        validation_data=None if validation_data is None else tuple(validation_data),
        validation_batch_size=(None if validation_batch_size is None
                               else _batch_size(validation_batch_size, n_samples)),
        validation_steps=get("validation_steps"),
        validation_freq=[int(v) for v in freq] if isinstance(freq, (list, tuple)) else int(freq),
        steps_per_epoch=get("steps_per_epoch"),
        steps_per_execution=steps if steps == "auto" else int(steps),
        class_weight=get("class_weight"),
        extra=extra,
    )
