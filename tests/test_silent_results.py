"""Inputs that used to give silently wrong results now give the right one or an error.

Each test states its oracle: Keras's own behaviour, or the estimator's result
on the same data without the trap.
"""

import keras
import numpy as np
import pytest
from sklearn.preprocessing import FunctionTransformer

from skfashion import KerasClassifier, KerasRegressor

SPARSE = "sparse_categorical_crossentropy"


@pytest.fixture(scope="module")
def data(small):
    X, y, X_test, y_test = small
    return X[:200], y[:200], X_test[:40]


def softmax_model(meta):
    return keras.Sequential([
        keras.Input((meta["n_features_in_"],)),
        keras.layers.Dense(meta["n_classes_"], activation="softmax",
                           kernel_initializer=keras.initializers.GlorotUniform(seed=0)),
    ])


def test_a_one_unit_regressor_on_three_target_columns_is_refused(data):
    """Keras broadcasts a (n, 1) output against (n, 3) targets and trains; the
    predictions then came back as (100, 3) for 300 rows."""
    X, _, _ = data
    y = np.random.RandomState(0).normal(size=(len(X), 3))

    def one_unit(meta):
        return keras.Sequential([keras.Input((meta["n_features_in_"],)), keras.layers.Dense(1)])

    with pytest.raises(ValueError, match=r"output layer has 1 unit\(s\) but y has 3 "
                                         r"column\(s\)"):
        KerasRegressor(one_unit, loss="mse", random_state=0).fit(X, y)

    def three_units(meta):
        return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                                 keras.layers.Dense(meta["n_outputs_"])])

    reg = KerasRegressor(three_units, loss="mse", random_state=0).fit(X, y)
    assert reg.predict(X[:7]).shape == (7, 3)


@pytest.mark.parametrize("batch_size", [10**12, 2**32 + 5, 2**31])
def test_a_batch_larger_than_the_data_is_one_batch_of_all_samples(data, batch_size):
    """Keras's meaning; beyond int32 TensorFlow trained on empty batches (or 5-sample
    ones) before."""
    X, y, X_test = data
    huge = KerasClassifier(softmax_model, loss=SPARSE, batch_size=batch_size, epochs=2,
                           shuffle=False, random_state=0).fit(X, y)
    whole = KerasClassifier(softmax_model, loss=SPARSE, batch_size=len(X), epochs=2,
                            shuffle=False, random_state=0).fit(X, y)
    np.testing.assert_array_equal(huge.predict_proba(X_test), whole.predict_proba(X_test))
    assert huge.history_["loss"] == whole.history_["loss"] and huge.history_["loss"][0] > 0


class DropsARow(KerasClassifier):
    @property
    def feature_encoder(self):
        return FunctionTransformer(lambda X: X[1:])


def test_an_encoder_that_drops_rows_is_refused_as_keras_would(data):
    X, y, _ = data
    with pytest.raises(ValueError, match=r"Data cardinality is ambiguous in the training data "
                                         r"after the encoders: x sizes: \[199\], y sizes: "
                                         r"\[200\]"):
        DropsARow(softmax_model, loss=SPARSE, random_state=0).fit(X, y)


class Fails(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            raise RuntimeError("a callback failed")


def test_a_failed_refit_of_a_model_instance_keeps_the_previous_predictions(data):
    X, y, X_test = data
    model = softmax_model({"n_features_in_": X.shape[1], "n_classes_": 10})
    clf = KerasClassifier(model, loss=SPARSE, optimizer="adam", random_state=0).fit(X, y)
    before = clf.predict_proba(X_test)
    weights = [w.copy() for w in model.get_weights()]
    with pytest.raises(RuntimeError, match="a callback failed"):
        clf.set_params(epochs=3, callbacks=[Fails()]).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X_test), before)
    for a, b in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(a, b)
