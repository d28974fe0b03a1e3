"""The one validation place for training and prediction options.

Every fit path (``fit``, warm start, ``partial_fit``, ``EpochSearchCV``, routed
``fit__*`` parameters and ``fit(**kwargs)``, every estimator class) collects its
options as :class:`Option` values that remember where they came from, and
:func:`check_fit_options` checks them all at once, so a bad value is refused
the same way whichever path it took, with an error that names the parameter
the user wrote.
"""

import numbers
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

#: Options of Keras's ``Model.fit`` that skfashion's training loop implements.
FIT_OPTIONS = (
    "batch_size", "epochs", "verbose", "callbacks", "validation_split", "validation_data",
    "shuffle", "class_weight", "sample_weight", "initial_epoch", "steps_per_epoch",
    "validation_steps", "validation_batch_size", "validation_freq", "steps_per_execution",
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


def _fail(option, expected, exc=ValueError):
    raise exc(
        f"{option.source}={option.value!r} is not valid: {expected}."
    )


def _int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_int(option, low, *, allow=()):
    """A validated integer ``>= low`` (or one of ``allow``)."""
    if option.value in allow and not isinstance(option.value, bool):
        return option.value
    if not _int(option.value):
        _fail(option, f"expected an integer >= {low}"
                      + (f" or one of {list(allow)}" if allow else ""), TypeError)
    if option.value < low:
        _fail(option, f"expected an integer >= {low}"
                      + (f" or one of {list(allow)}" if allow else ""))
    return int(option.value)


def check_batch_size(option, n_samples):
    """Samples per step: an integer >= 1, -1 for all samples, None for Keras's 32."""
    if option.value is None:
        return 32
    size = check_int(option, 1, allow=(-1,))
    if size == -1:
        return max(1, n_samples)
    return size


def check_bool(option):
    """A validated boolean."""
    if not isinstance(option.value, (bool,)) and option.value not in (0, 1):
        _fail(option, "expected True or False", TypeError)
    return bool(option.value)


def check_verbose(option):
    """Keras verbosity: 0 silent, 1 progress bar, 2 one line per epoch ("auto": 1)."""
    value = option.value
    if value == "auto":
        return 1
    if isinstance(value, bool):
        return int(value)
    if not _int(value) or value not in (0, 1, 2):
        _fail(option, 'expected 0, 1, 2 or "auto"', TypeError if not _int(value) else ValueError)
    return int(value)


def check_fraction(option):
    """A fraction in [0, 1)."""
    value = option.value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        _fail(option, "expected a float in [0, 1)", TypeError)
    if not 0 <= value < 1:
        _fail(option, "expected a float in [0, 1)")
    return float(value)


def check_steps_per_execution(option):
    """Keras's steps per call, or "auto"."""
    if option.value == "auto":
        return "auto"
    return check_int(option, 1, allow=())


def check_optional_int(option, low):
    """None or an integer ``>= low``."""
    return None if option.value is None else check_int(option, low)


def check_validation_data(option):
    """None, ``(X_val, y_val)`` or ``(X_val, y_val, sample_weight_val)``."""
    value = option.value
    if value is None:
        return None
    if not isinstance(value, (tuple, list)) or len(value) not in (2, 3):
        _fail(option, "expected a tuple (X_val, y_val) or (X_val, y_val, sample_weight_val)",
              TypeError)
    return tuple(value)


def check_validation_freq(option):
    """Keras's ``validation_freq``: an integer >= 1, or a list of (1-based) epochs."""
    value = option.value
    if isinstance(value, (list, tuple)):
        if not value or not all(_int(v) and v >= 1 for v in value):
            _fail(option, "expected an integer >= 1 or a non-empty list of epoch numbers "
                          "(1-based)")
        return [int(v) for v in value]
    return check_int(option, 1)


@dataclass
class FitOptions:
    """One training call, validated: what ``fit`` was asked, and what the loop runs.

    :func:`check_fit_options` fills the options; the estimator then resolves
    ``initial_epoch`` (a warm start continues from its history) and, for its
    own epoch loop, adds the loop's inputs (the callbacks in effect, the
    validation data, the shuffling generator and the training-sample count)
    with :func:`dataclasses.replace`. ``epochs`` always counts the epochs of
    this call, as in scikeras: training runs from ``initial_epoch`` to
    :attr:`end_epoch`.
    """

    epochs: int
    initial_epoch: int
    batch_size: int
    shuffle: bool
    verbose: int
    callbacks: list
    validation_split: float
    validation_data: tuple
    validation_batch_size: int
    validation_steps: int
    validation_freq: int
    steps_per_epoch: int
    steps_per_execution: object
    class_weight: object
    extra: dict
    #: The loop's inputs (see the class docstring); ``rng`` is required by the
    #: loop, never a silent unseeded default.
    validation: Any = None  # a _training.Validation
    rng: Optional[np.random.RandomState] = None
    #: Training samples the estimator counted from the user's data (None: not
    #: checked); the data given to the loop must have exactly these.
    n_train: Optional[int] = None

    @property
    def end_epoch(self):
        """The epoch index training stops at (Keras's ``epochs`` argument)."""
        return self.initial_epoch + self.epochs


def check_fit_options(options, *, n_samples, allow_extra):
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

    Returns
    -------
    FitOptions
    """
    def get(name, default=None):
        return options.get(name, Option(default, name))

    extra = {name: opt.value for name, opt in options.items() if name not in FIT_OPTIONS}
    if extra and not allow_extra:
        name = sorted(extra)[0]
        raise TypeError(
            f"{options[name].source}: fit() got an unexpected keyword argument {name!r}. "
            f"skfashion's training loop accepts {sorted(FIT_OPTIONS)}; a model with its own "
            "fit() method receives other options."
        )
    validation_data = check_validation_data(get("validation_data"))
    validation_split = check_fraction(get("validation_split", 0.0))
    return FitOptions(
        epochs=check_int(get("epochs", 1), 1),
        initial_epoch=check_int(get("initial_epoch", 0), 0),
        batch_size=check_batch_size(get("batch_size"), n_samples),
        shuffle=check_bool(get("shuffle", True)),
        verbose=check_verbose(get("verbose", 0)),
        callbacks=get("callbacks", []).value,
        validation_split=validation_split,
        validation_data=validation_data,
        validation_batch_size=(
            None if get("validation_batch_size").value is None
            else check_batch_size(get("validation_batch_size"), n_samples)
        ),
        validation_steps=check_optional_int(get("validation_steps"), 1),
        validation_freq=check_validation_freq(get("validation_freq", 1)),
        steps_per_epoch=check_optional_int(get("steps_per_epoch"), 1),
        steps_per_execution=check_steps_per_execution(get("steps_per_execution", "auto")),
        class_weight=get("class_weight").value,
        extra=extra,
    )
