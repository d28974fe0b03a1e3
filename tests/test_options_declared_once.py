"""Each training option is declared once (issue 31, item 4): its rule in
``FIT_CONSTRAINTS``, its field and default in ``FitSpec``; what reaches the
loop, a model's own ``fit`` and the estimators' constructor parameters is
derived from them. The oracle is Keras's ``Model.fit``."""

import inspect
from dataclasses import MISSING

import keras
import numpy as np
import pytest

from skfashion import KerasClassifier, SoftmaxClassifier
from skfashion._fit._options import (
    APPLIED_BY_THE_ESTIMATOR,
    FIT_CONSTRAINTS,
    SPEC_OPTIONS,
    FitSpec,
    Option,
    check_fit_options,
)

KERAS_FIT = inspect.signature(keras.Model.fit).parameters
SPARSE = "sparse_categorical_crossentropy"


def _data(n=64):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 4)).astype("float32")
    return X, (X[:, 0] > 0).astype(int)


def test_every_option_is_one_of_keras_fit_or_its_compile_setting():
    assert set(SPEC_OPTIONS) <= set(FIT_CONSTRAINTS)
    for name in SPEC_OPTIONS:
        assert name in KERAS_FIT or name == "steps_per_execution", name
        if name in KERAS_FIT and KERAS_FIT[name].default is not inspect.Parameter.empty:
            spec_field = FitSpec.__dataclass_fields__[name]
            default = (spec_field.default_factory() if spec_field.default is MISSING
                       else spec_field.default)
            # Keras's default; or what Keras makes of it (batch_size None is 32); or,
            # for verbose, silence by default, as scikit-learn's estimators (and scikeras)
            assert default == KERAS_FIT[name].default or (name, default) in (
                ("batch_size", 32), ("verbose", 0), ("callbacks", []))


def test_an_option_not_given_is_its_declared_default():
    spec = check_fit_options({}, n_samples=10, allow_extra=False)
    assert spec == FitSpec()
    given = check_fit_options({"batch_size": Option(-1, "fit__batch_size"),
                               "validation_freq": Option((1, 3), "validation_freq")},
                              n_samples=10, allow_extra=False)
    assert (given.batch_size, given.validation_freq) == (10, [1, 3])


class OwnFitModel(keras.Sequential):
    """A model with its own ``fit``: it receives every option (recorded)."""

    seen = {}

    def fit(self, *args, **kwargs):
        type(self).seen = dict(kwargs)
        return super().fit(*args, **kwargs)


def _own_fit_model(meta):
    return OwnFitModel([keras.Input((meta["n_features_in_"],)),
                        keras.layers.Dense(meta["n_classes_"], activation="softmax")])


def test_every_option_reaches_a_models_own_fit_as_keras_names_it():
    X, y = _data()
    clf = KerasClassifier(_own_fit_model, loss=SPARSE, epochs=3, batch_size=16,
                          random_state=0)
    clf.fit(X, y, validation_freq=2, validation_split=0.25, shuffle=False,
            validation_batch_size=8, steps_per_epoch=2)
    seen = OwnFitModel.seen
    passed = {name for name in SPEC_OPTIONS if name in KERAS_FIT}
    assert passed - {"class_weight"} <= set(seen)
    assert {k: seen[k] for k in ("epochs", "batch_size", "validation_freq", "validation_split",
                                 "shuffle", "validation_batch_size", "steps_per_epoch",
                                 "initial_epoch")} == {
        "epochs": 3, "batch_size": 16, "validation_freq": 2, "validation_split": 0.25,
        "shuffle": False, "validation_batch_size": 8, "steps_per_epoch": 2,
        "initial_epoch": 0}


class _WithValidationFreq(SoftmaxClassifier):
    """An estimator that offers one more option as a constructor parameter: its
    constructor is the only place that names it."""

    def __init__(self, *, validation_freq=1, validation_fraction=0.25, epochs=4,
                 early_stopping=True, random_state=0):
        super().__init__(epochs=epochs, early_stopping=early_stopping,
                         validation_fraction=validation_fraction, n_iter_no_change=10,
                         random_state=random_state)
        self.validation_freq = validation_freq


@pytest.mark.parametrize("freq", [1, 2])
def test_a_constructor_parameter_named_as_an_option_is_that_option(freq):
    """The parameter reaches the loop exactly as ``fit(validation_freq=...)`` does."""
    X, y = _data(120)
    by_param = _WithValidationFreq(validation_freq=freq).fit(X, y)
    by_kwarg = _WithValidationFreq().fit(X, y, validation_freq=freq)
    assert len(by_param.history_["val_loss"]) == 4 // freq
    assert by_param.history_ == by_kwarg.history_


def test_options_the_estimator_applies_are_not_taken_twice():
    """``class_weight`` is folded into the sample weights by the classifier, not
    also handed to the loop (it would weigh twice)."""
    assert {"callbacks", "class_weight"} <= APPLIED_BY_THE_ESTIMATOR
    X, y = _data()
    clf = SoftmaxClassifier(epochs=1, class_weight={0: 1.0, 1: 3.0}, random_state=0)
    assert "class_weight" not in clf._fit_option_values()
    assert "epochs" in clf._fit_option_values()
