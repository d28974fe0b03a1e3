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
    clf = KerasClassifier(model, loss=SPARSE, random_state=0).fit(X, y)
    before = clf.predict_proba(X_test)
    weights = [w.copy() for w in model.get_weights()]
    with pytest.raises(RuntimeError, match="a callback failed"):
        clf.set_params(epochs=3, callbacks=[Fails()]).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X_test), before)
    for a, b in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(a, b)


def test_images_without_pixel_scaler_get_advice(sample):
    from skfashion import SoftmaxClassifier

    (X, y), _ = sample
    with pytest.raises(ValueError, match=r"Found array with dim 3. SoftmaxClassifier expected "
                                         r"<= 2: .* X has shape \(100, 28, 28\). For images, "
                                         r"put PixelScaler before it"):
        SoftmaxClassifier(epochs=1).fit(X[:100], y[:100])


def test_inputs_scaled_otherwise_than_at_fit_warn_once(sample):
    """Scaled twice (all values under 1/255) or not at all (0-255 floats): the
    predictions are meaningless, and nothing said so."""
    import warnings

    from sklearn.pipeline import make_pipeline

    from skfashion import PixelScaler, SoftmaxClassifier

    (X, y), (X_test, _) = sample
    pipe = make_pipeline(PixelScaler(), SoftmaxClassifier(epochs=1, random_state=0))
    pipe.fit(X[:300], y[:300])
    clf, scaled = pipe[-1], PixelScaler().transform(X_test[:20])
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # the right scaling: no warning
        pipe.predict(X_test[:20])
        clf.predict(scaled)
    with pytest.warns(UserWarning, match=r"X reaches 0.003922 here but the training data of "
                                         r"this SoftmaxClassifier reached 1 \(255 times less\)"):
        clf.predict(scaled / 255)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # once per fit
        clf.predict(scaled / 255)
    clf.fit(PixelScaler().transform(X[:300]), y[:300])
    with pytest.warns(UserWarning, match=r"X reaches 255 here .* \(255 times more\)"):
        clf.predict(X_test[:20].reshape(20, -1).astype("float32"))


def test_a_missing_backend_says_which_are_installed(tmp_path):
    """A JAX-only install without KERAS_BACKEND: a raw ``ModuleNotFoundError:
    tensorflow`` from inside Keras, from fit and from the command line."""
    import os
    import subprocess
    import sys

    code = """
import sys
sys.modules["tensorflow"] = None  # an install without TensorFlow
import numpy as np
from skfashion import SoftmaxClassifier
from skfashion.cli import main
try:
    SoftmaxClassifier(epochs=1).fit(np.random.rand(20, 784), np.arange(20) % 10)
except ImportError as exc:
    print(exc)
print("exit", main(["train", "--quick", "--epochs", "1"]))
"""
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    env["KERAS_HOME"] = str(tmp_path)  # no keras.json naming another backend
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=tmp_path)
    lines = out.stdout.splitlines()
    assert lines[0].startswith("Keras cannot load its backend 'tensorflow', which is not "
                               "installed (KERAS_BACKEND is not set"), out.stdout + out.stderr
    assert "Installed backends: jax" in lines[0] and "set KERAS_BACKEND=jax" in lines[0]
    assert lines[-1] == "exit 1"
    assert "skfashion: error: Keras cannot load its backend 'tensorflow'" in out.stderr
    assert "Traceback" not in out.stderr
