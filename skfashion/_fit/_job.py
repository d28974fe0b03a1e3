"""One training call's data, typed: the job ``_stage`` checks and encodes, the
split into training and validation data, and the small helpers on Keras data
structures (arrays, dicts and lists of arrays, sparse matrices)."""

import warnings
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from ._state import _Fitted
from ._options import FitSpec


@dataclass(frozen=True)
class _Job:
    """One training call, checked and encoded by ``_stage`` (typed: no string keys).

    ``X``, ``y`` and ``w`` are the training data as the model takes it (after
    the encoders, samples of weight 0 dropped); validation data is derived
    from them and the options by ``_validation`` into a :class:`_Split`, whose
    fields name the training and the validation data separately.
    """

    staged: dict
    fitted: _Fitted
    X: Any
    y: Any
    y_labels: Any
    w: Any
    fit: FitSpec  # checked: initial_epoch resolved
    rng: Any  # the fit's np.random.RandomState (shuffles, splits)
    passthrough: bool = False
    inputs: Optional[tuple] = None  # the user's (X, y), to warn if validation_data is them
    checks: Any = None  # the fit's ``_plan.DataChecks`` (validation data is checked so)


@dataclass(frozen=True)
class _Split:
    """One training call's data: what it trains on, what it validates on.

    Named fields, so the training data and the validation data cannot trade
    places unseen (they once did: ``fit(validation_data=...)`` trained on the
    validation set). ``held_out`` counts the samples taken out of the user's
    training data for validation (0 for ``validation_data``).
    """

    train: tuple
    validation: Any  # a _training.Validation, or None
    held_out: int
    stopping: Optional[tuple] = None


def _warn_if_training_data(validation_data, inputs):
    """Warn when ``validation_data`` is the training data (same object or values).

    Validation scores on the training data measure the fit, not generalization:
    almost always a mistake (a swapped argument, a split not applied).
    """
    X_val, y_val = validation_data[0], validation_data[1]
    X, y = inputs
    same = X_val is X and y_val is y
    if not same:
        try:
            a, b = np.asarray(X_val), np.asarray(X)
            same = a.shape == b.shape and np.array_equal(a, b) and np.array_equal(
                np.asarray(y_val), np.asarray(y))
        except (TypeError, ValueError):  # structures that are not arrays
            same = False
    if same:
        warnings.warn(
            "validation_data is the training data: the val_* scores will measure how well "
            "the model fits its training set, not how it generalizes. Pass held-out data "
            "(e.g. from train_test_split), or use validation_split.",
            UserWarning,
            stacklevel=5,
        )


def _take(array, idx):
    import keras

    if array is None:
        return None
    return keras.tree.map_structure(lambda a: a[idx], array)


def _with_weights(data):
    x, y, w = data
    if w is None:
        w = np.ones(len(keras_first(y)), dtype=np.float32)
    return (x, y, w)


def keras_first(data):
    import keras

    return keras.tree.flatten(data)[0]


def _dense(data):
    """``data`` with its sparse matrices densified, dtypes kept (Keras's own ``fit``)."""
    from .._training._sparse import densify

    return densify(data, keras_dtypes=False)


def _n_rows(data):
    from .._training._sparse import n_samples

    return n_samples(data)


def _plain(value):
    value = np.asarray(value)
    return float(value) if value.ndim == 0 else value.tolist()
