"""``skfashion.export`` at its seams: every input the pipeline takes, served alike.

The oracle is the fitted pipeline: for data it was fitted on (dtype, shape,
offset, labels), the served model's labels must equal ``pipeline.predict`` and
its probabilities ``predict_proba``; what the served model cannot reproduce is
refused before anything is written. (Issue 30, items 1-5.)
"""

import os
import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, StandardScaler

from skfashion import KerasClassifier, PixelScaler, SoftmaxClassifier, export
from skfashion._export._api import ExportError, ExportPrecisionWarning

BACKEND = os.environ.get("KERAS_BACKEND", "tensorflow")
tensorflow_only = pytest.mark.skipif(BACKEND != "tensorflow",
                                     reason="ONNX and SavedModel export run on TensorFlow")


def _offset_data(dtype=np.float64, n=600):
    """Features near 1e7 with spreads of 0.1 to 100: float32 cannot centre them."""
    rng = np.random.RandomState(0)
    X = (1e7 + rng.randn(n, 5) * np.array([0.1, 1, 10, 100, 0.5])).astype(dtype)
    y = (X[:, 0] > 1e7).astype(int) + 2 * (X[:, 2] > 1e7)
    return X, y


def _served_keras(path, X):
    import keras

    return np.asarray(keras.saving.load_model(path)(X))


def _served_onnx(path, X):
    import onnxruntime

    label, proba = onnxruntime.InferenceSession(str(path)).run(None, {"X": X})
    return label, proba


@pytest.fixture(scope="module")
def offset_pipes():
    X, y = _offset_data()
    return X, y, {scaler.__name__: make_pipeline(
        scaler(), SoftmaxClassifier(epochs=3, random_state=0)).fit(X, y)
        for scaler in (StandardScaler, MinMaxScaler, MaxAbsScaler)}


@pytest.mark.skipif(BACKEND == "jax", reason="JAX computes in float32 without x64 (refused)")
@pytest.mark.parametrize("scaler", ["StandardScaler", "MinMaxScaler", "MaxAbsScaler"])
def test_float64_scalers_serve_the_pipeline_labels_in_keras(offset_pipes, scaler, tmp_path):
    X, _, pipes = offset_pipes
    pipe = pipes[scaler]
    with pytest.warns(ExportPrecisionWarning, match="served\\(X\\)"):
        path = export(pipe, tmp_path / "p.keras")
    proba = _served_keras(path, X)
    np.testing.assert_array_equal(pipe.classes_[proba.argmax(axis=1)], pipe.predict(X))
    np.testing.assert_allclose(proba, pipe.predict_proba(X), atol=1e-5)


@tensorflow_only
@pytest.mark.parametrize("scaler", ["StandardScaler", "MinMaxScaler"])
def test_float64_scalers_serve_the_pipeline_labels_in_onnx_and_saved_model(
        offset_pipes, scaler, tmp_path):
    import tensorflow as tf

    X, _, pipes = offset_pipes
    pipe = pipes[scaler]
    label, proba = _served_onnx(export(pipe, tmp_path / "p.onnx"), X)
    np.testing.assert_array_equal(label, pipe.predict(X))
    np.testing.assert_allclose(proba, pipe.predict_proba(X), atol=1e-5)
    served = tf.saved_model.load(str(export(pipe, tmp_path / "p_saved")))
    out = served.signatures["serving_default"](X=tf.constant(X))
    np.testing.assert_array_equal(out["labels"].numpy(), pipe.predict(X))


@tensorflow_only
def test_explicit_float32_input_computes_as_the_pipeline_does_on_float32(tmp_path):
    X, y = _offset_data(np.float32)
    X = X - np.float32(1e7) + np.float32(50)  # float32 can hold these
    pipe = make_pipeline(StandardScaler(), SoftmaxClassifier(epochs=2, random_state=0)).fit(X, y)
    label, proba = _served_onnx(export(pipe, tmp_path / "p.onnx", input_dtype="float32"), X)
    np.testing.assert_array_equal(label, pipe.predict(X))
    np.testing.assert_allclose(proba, pipe.predict_proba(X), atol=1e-5)


@pytest.mark.skipif(BACKEND != "jax", reason="JAX's float32 default")
def test_float64_scalers_are_refused_under_jax_without_x64(offset_pipes, tmp_path):
    _, _, pipes = offset_pipes
    with pytest.raises(ExportError, match="jax_enable_x64"):
        export(pipes["StandardScaler"], tmp_path / "p.keras")
    assert not (tmp_path / "p.keras").exists()


@pytest.fixture(scope="module")
def images(sample):
    (X, y), _ = sample
    rng = np.random.RandomState(1)
    fractional = np.clip(X[:400] + rng.rand(400, 28, 28) * 0.9, 0, 255)  # float64
    return X[:400], y[:400], fractional


@pytest.mark.parametrize("form", ["float64 images", "flat uint8 rows", "image_shape=None",
                                  "images with a channel axis"])
def test_served_input_is_what_the_pixel_scaler_was_fitted_on(images, form, tmp_path):
    X, y, fractional = images
    X_in, scaler = {
        "float64 images": (fractional, PixelScaler()),
        "flat uint8 rows": (X.reshape(len(X), -1), PixelScaler()),
        "image_shape=None": (X, PixelScaler(image_shape=None)),
        "images with a channel axis": (X[..., np.newaxis], PixelScaler()),
    }[form]
    pipe = make_pipeline(scaler, SoftmaxClassifier(epochs=1, random_state=0)).fit(X_in, y)
    path = export(pipe, tmp_path / "p.keras")
    import keras

    model = keras.saving.load_model(path)
    assert tuple(model.inputs[0].shape[1:]) == X_in.shape[1:]
    assert str(model.inputs[0].dtype).endswith(X_in.dtype.name)
    proba = np.asarray(model(X_in))
    np.testing.assert_array_equal(proba.argmax(axis=1), pipe.predict(X_in))
    np.testing.assert_allclose(proba, pipe.predict_proba(X_in), atol=1e-5)
    if BACKEND == "tensorflow":
        label, _ = _served_onnx(export(pipe, tmp_path / "p.onnx"), X_in)
        np.testing.assert_array_equal(label, pipe.predict(X_in))


@tensorflow_only
def test_uint64_labels_above_int64_come_out_whole(images, tmp_path):
    import tensorflow as tf

    X, y, _ = images
    labels = np.array([2**63 + 5, 2**64 - 1, 7], dtype=np.uint64)[y % 3]
    pipe = make_pipeline(PixelScaler(), SoftmaxClassifier(epochs=1, random_state=0)).fit(
        X, labels)
    label, _ = _served_onnx(export(pipe, tmp_path / "p.onnx"), X)
    assert label.dtype == np.uint64
    np.testing.assert_array_equal(label, pipe.predict(X))
    served = tf.saved_model.load(str(export(pipe, tmp_path / "p_saved")))
    out = served.signatures["serving_default"](X=tf.constant(X))
    np.testing.assert_array_equal(out["labels"].numpy(), pipe.predict(X))


class _Tempered(SoftmaxClassifier):
    def predict_proba(self, X, **kwargs):
        p = super().predict_proba(X, **kwargs) ** 0.3
        return p / p.sum(axis=1, keepdims=True)


class _Thresholded(KerasClassifier):
    def predict(self, X, **kwargs):
        return np.where(self.predict_proba(X)[:, 1] > 0.9, self.classes_[1], self.classes_[0])


def _binary_model(meta):
    import keras

    return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                             keras.layers.Dense(2, activation="softmax")])


@pytest.mark.parametrize("est", [
    _Tempered(epochs=1, random_state=0),
    _Thresholded(_binary_model, loss="sparse_categorical_crossentropy", epochs=1,
                 random_state=0),
], ids=["predict_proba", "predict"])
def test_prediction_overrides_are_refused_before_writing(images, est, tmp_path):
    X, y, _ = images
    pipe = make_pipeline(PixelScaler(), est).fit(X, y % 2)
    assert not np.allclose(pipe.predict_proba(X), super(type(est), est).predict_proba(
        PixelScaler().transform(X))) or type(est) is _Thresholded
    method = "predict_proba" if type(est) is _Tempered else "predict"
    with pytest.raises(ExportError, match=f"overrides {method}"):
        export(pipe, tmp_path / "p.keras")
    assert not (tmp_path / "p.keras").exists()


@pytest.mark.parametrize("bad", ["foo", "complex64", "bool"])
def test_bad_input_dtype_is_a_value_error(images, bad, tmp_path):
    X, y, _ = images
    pipe = make_pipeline(PixelScaler(), SoftmaxClassifier(epochs=1, random_state=0)).fit(X, y)
    with pytest.raises(ValueError, match="input_dtype must"):
        export(pipe, tmp_path / "p.keras", input_dtype=bad)
