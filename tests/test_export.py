"""``skfashion.export``: a fitted pipeline served without skfashion or scikit-learn.

The oracle is the pipeline itself: for each format, each fitted pipeline is
exported, then loaded in a fresh Python process in which importing skfashion or
scikit-learn fails (Keras alone, TensorFlow alone, ONNX Runtime alone), and its
predictions on the 10,000 official test images must equal ``pipeline.predict``
exactly and ``predict_proba`` within 1e-5.
"""

import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, MaxAbsScaler, MinMaxScaler, StandardScaler

import skfashion
from skfashion import KerasClassifier, KerasRegressor, PixelScaler, SoftmaxClassifier, export
from skfashion._export._api import ExportError
from skfashion.benchmark._models import fashion_cnn
from skfashion.datasets import CLASS_NAMES, load_fashion_mnist

BACKEND = os.environ.get("KERAS_BACKEND", "tensorflow")
FOOTWEAR = (5, 7, 9)  # Sandal, Sneaker, Ankle boot
SUFFIX = {"keras": ".keras", "onnx": ".onnx", "tf_saved_model": ""}
#: 1e-5 as promised on TensorFlow. Under JAX, XLA's float32 matrix products sum
#: in an order that depends on the batch: after a StandardScaler, test image 4456
#: has a corner pixel standardized to 634 (its training variance is tiny), and
#: the pipeline's own predict_proba for it moves by 2.7e-5 between a batch of 1
#: and of 10,000 (float64 truth 0.328943, pipeline 0.328918, export 0.328940).
PROBA_ATOL = 1e-5 if BACKEND == "tensorflow" else 1e-4


def _regression_model(meta, compile_kwargs):
    import keras

    model = keras.Sequential([keras.Input((meta["n_features_in_"],)),
                              keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
    model.compile(**compile_kwargs)
    return model


def _logit_model(meta, compile_kwargs):
    import keras

    model = keras.Sequential([keras.Input((meta["n_features_in_"],)), keras.layers.Dense(1)])
    model.compile(**compile_kwargs)
    return model


def _cases():
    """Name -> (unfitted pipeline or estimator, target maker, input maker)."""
    import keras

    scaled = PixelScaler()
    return {
        "tutorial": (make_pipeline(PixelScaler(), SoftmaxClassifier(epochs=1, random_state=0)),
                     lambda y: y, lambda X: X),
        "mlp": (make_pipeline(PixelScaler(), SoftmaxClassifier(
            hidden_layer_sizes=(32,), dropout=0.2, epochs=1, random_state=0)),
            lambda y: y, lambda X: X),
        "cnn": (make_pipeline(PixelScaler(), KerasClassifier(
            fashion_cnn, model__filters=(4, 8), model__dense=16, loss="sparse_categorical_"
            "crossentropy", optimizer="adam", epochs=1, random_state=0)),
            lambda y: y, lambda X: X),
        "standard_scaler": (make_pipeline(PixelScaler(), StandardScaler(), SoftmaxClassifier(
            epochs=1, random_state=0)), lambda y: y, lambda X: X),
        "string_labels": (make_pipeline(PixelScaler(), SoftmaxClassifier(
            epochs=1, random_state=0)), lambda y: np.asarray(CLASS_NAMES)[y], lambda X: X),
        "binary_logits": (make_pipeline(PixelScaler(), MaxAbsScaler(), KerasClassifier(
            _logit_model, loss=keras.losses.BinaryCrossentropy(from_logits=True),
            optimizer="adam", epochs=1, random_state=0)),
            lambda y: np.isin(y, FOOTWEAR).astype(int), lambda X: X),
        "regressor": (make_pipeline(PixelScaler(), MinMaxScaler(clip=True), KerasRegressor(
            _regression_model, loss="mse", optimizer="adam", epochs=1, random_state=0)),
            lambda y: y.astype(np.float32), lambda X: X),
        "estimator_alone": (SoftmaxClassifier(epochs=1, random_state=0), lambda y: y,
                            lambda X: scaled.transform(X)),
        # issue 40: a scaler fitted on float32 rows; the served model declared
        # float64 and refused the rows the pipeline was fitted on
        "float32_rows": (make_pipeline(StandardScaler(), SoftmaxClassifier(
            epochs=1, random_state=0)), lambda y: y, lambda X: scaled.transform(X)),
    }


@pytest.fixture(scope="module")
def fitted(official_dir):
    """Each case fitted on 2,000 training images, with its oracle on the 10,000 test images."""
    (X, y), (X_test, _) = load_fashion_mnist(data_home=official_dir)
    rng = np.random.RandomState(0)
    rows = rng.choice(len(X), 2000, replace=False)
    out = {}
    for name, (est, target, inputs) in _cases().items():
        est.fit(inputs(X[rows]), target(y[rows]))
        X_in = inputs(X_test)
        is_classifier = hasattr(est, "predict_proba")
        out[name] = {
            "est": est, "X": X_in, "labels": est.predict(X_in),
            "proba": est.predict_proba(X_in) if is_classifier else None,
        }
    return out


#: Runs in a fresh process: loads each exported model with one library and
#: predicts. skfashion and scikit-learn cannot be imported there.
_SERVE = r'''
import importlib.abc, json, sys, zipfile

class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("skfashion", "sklearn"):
            raise ImportError(f"{name} must not be needed to serve an exported model")

sys.meta_path.insert(0, Refuse())
import numpy as np

fmt, manifest, result = sys.argv[1:4]
out = {}
for name, case in json.load(open(manifest)).items():
    X = np.load(case["input"])
    if fmt == "onnx":
        import onnxruntime as ort
        session = ort.InferenceSession(case["path"], providers=["CPUExecutionProvider"])
        names = [o.name for o in session.get_outputs()]
        values = dict(zip(names, session.run(None, {"X": X})))
        if "label" in values and values["label"].dtype == object:  # ONNX strings
            values["label"] = values["label"].astype(str)
        if "label" in values:
            out[name + "/labels"], out[name + "/proba"] = values["label"], values["probabilities"]
        else:
            out[name + "/labels"] = values["variable"]
    elif fmt == "keras":
        import keras
        model = keras.saving.load_model(case["path"])
        meta = json.load(zipfile.ZipFile(case["path"]).open("skfashion.json"))
        proba = model.predict(X, batch_size=1000, verbose=0)
        if meta["kind"] == "classifier":
            out[name + "/labels"] = np.array(meta["classes"])[proba.argmax(axis=1)]
            out[name + "/proba"] = proba
        else:
            out[name + "/labels"] = proba
    else:
        import tensorflow as tf
        serve = tf.saved_model.load(case["path"]).signatures["serving_default"]
        values = {k: v.numpy() for k, v in serve(X=tf.constant(X)).items()}
        if "labels" in values:
            labels = values["labels"]
            if labels.dtype == object:
                labels = np.array([v.decode("utf-8") for v in labels])
            out[name + "/labels"], out[name + "/proba"] = labels, values["probabilities"]
        else:
            out[name + "/labels"] = values["predictions"]
loaded = sorted({m.split(".")[0] for m in sys.modules} & {"skfashion", "sklearn"})
assert not loaded, loaded
np.savez(result, **out)
'''


def _serve(fmt, manifest, tmp_path):
    script = tmp_path / "serve.py"
    script.write_text(_SERVE)
    result = tmp_path / "served.npz"
    proc = subprocess.run(
        [sys.executable, str(script), fmt, str(manifest), str(result)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    with np.load(result, allow_pickle=False) as data:
        return dict(data)


def _needs(fmt):
    if fmt != "keras" and BACKEND != "tensorflow":
        pytest.skip(f"format={fmt!r} is tested on the TensorFlow backend")
    if fmt == "onnx":
        pytest.importorskip("onnxruntime")
        pytest.importorskip("tf2onnx")


@pytest.mark.parametrize("fmt", ["keras", "tf_saved_model", "onnx"])
def test_exported_predictions_equal_the_pipeline(fmt, fitted, tmp_path):
    _needs(fmt)
    manifest = {}
    for name, case in fitted.items():
        path = tmp_path / f"{name}{SUFFIX[fmt]}"
        assert export(case["est"], path, format=fmt) == path
        np.save(tmp_path / f"{name}.npy", case["X"])
        manifest[name] = {"path": str(path), "input": str(tmp_path / f"{name}.npy")}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    served = _serve(fmt, tmp_path / "manifest.json", tmp_path)
    for name, case in fitted.items():
        labels = served[f"{name}/labels"]
        if case["proba"] is None:  # the regressor: predictions, (N, 1) as scikit-learn's ONNX
            np.testing.assert_allclose(labels.reshape(case["labels"].shape), case["labels"],
                                       rtol=1e-5, atol=1e-5, err_msg=name)
            continue
        assert labels.shape == case["labels"].shape, name
        mismatched = int((labels != case["labels"]).sum())
        assert mismatched == 0, f"{name}: {mismatched} of {len(labels)} labels differ"
        assert served[f"{name}/proba"].shape == case["proba"].shape, name
        np.testing.assert_allclose(served[f"{name}/proba"], case["proba"], rtol=0,
                                   atol=PROBA_ATOL, err_msg=name)


def test_exported_keras_file_takes_raw_images_and_names_its_inputs(fitted, tmp_path):
    import keras

    case = fitted["tutorial"]
    path = export(case["est"], tmp_path / "tutorial.keras")
    model = keras.saving.load_model(path)
    assert tuple(model.inputs[0].shape) == (None, 28, 28)
    assert str(model.inputs[0].dtype).endswith("uint8")
    meta = json.load(zipfile.ZipFile(path).open("skfashion.json"))
    assert meta["classes"] == list(range(10))
    assert meta["input"] == {"shape": [None, 28, 28], "dtype": "uint8"}
    float_path = export(case["est"], tmp_path / "float.keras", input_dtype="float32")
    served = keras.saving.load_model(float_path).predict(
        case["X"][:500].astype(np.float32), verbose=0)
    np.testing.assert_array_equal(served.argmax(axis=1), case["labels"][:500])


@pytest.mark.skipif(BACKEND != "tensorflow", reason="ONNX export is tested on TensorFlow")
def test_onnx_outputs_follow_sklearn_onnx_conventions(fitted, tmp_path):
    onnx = pytest.importorskip("onnx")
    pytest.importorskip("tf2onnx")
    path = export(fitted["string_labels"]["est"], tmp_path / "m.onnx")
    proto = onnx.load(path)
    outputs = {o.name: o.type.tensor_type.elem_type for o in proto.graph.output}
    assert list(outputs) == ["label", "probabilities"]
    assert outputs["label"] == onnx.TensorProto.STRING
    assert outputs["probabilities"] == onnx.TensorProto.FLOAT
    assert [i.name for i in proto.graph.input] == ["X"]
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.UINT8
    meta = json.loads({p.key: p.value for p in proto.metadata_props}["skfashion"])
    assert meta["classes"] == sorted(CLASS_NAMES)
    reg = onnx.load(export(fitted["regressor"]["est"], tmp_path / "r.onnx"))
    assert [o.name for o in reg.graph.output] == ["variable"]
    int_labels = onnx.load(export(fitted["tutorial"]["est"], tmp_path / "t.onnx"))
    assert int_labels.graph.output[0].type.tensor_type.elem_type == onnx.TensorProto.INT64


# ------------------------------------------------------------ refusals
@pytest.fixture(scope="module")
def quick(sample):
    (X, y), _ = sample
    return X[:300], y[:300]


def _fit_quick(est, quick):
    X, y = quick
    return est.fit(X, y)


def test_unexportable_step_fails_before_writing(quick, tmp_path):
    pipe = _fit_quick(make_pipeline(PixelScaler(), PCA(5), SoftmaxClassifier(epochs=1)), quick)
    for fmt in ("keras", "onnx", "tf_saved_model"):
        path = tmp_path / f"m{SUFFIX[fmt]}"
        if fmt == "tf_saved_model":
            path = tmp_path / "saved"
        with pytest.raises(ExportError, match=r"Step 'pca' \(PCA\) cannot be exported"):
            export(pipe, path, format=fmt)
        assert not path.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left either


def test_feature_encoder_and_custom_layers_are_refused(quick, tmp_path):
    import keras

    class Encoded(SoftmaxClassifier):
        @property
        def feature_encoder(self):
            return FunctionTransformer(lambda X: np.asarray(X, dtype=np.float32) * 2)

    X, y = quick
    X = PixelScaler().transform(X)
    with pytest.raises(ExportError, match="feature_encoder"):
        export(Encoded(epochs=1).fit(X, y), tmp_path / "m.keras")

    class Doubling(keras.layers.Layer):
        def call(self, x):
            return x * 2

    def builder(meta, compile_kwargs):
        model = keras.Sequential([keras.Input((784,)), Doubling(),
                                  keras.layers.Dense(10, activation="softmax")])
        model.compile(**compile_kwargs)
        return model

    est = KerasClassifier(builder, loss="sparse_categorical_crossentropy", epochs=1).fit(X, y)
    with pytest.raises(ExportError, match="Doubling.*Keras alone cannot load"):
        export(est, tmp_path / "m.keras")
    assert list(tmp_path.iterdir()) == []


def test_multilabel_target_is_refused(quick, tmp_path):
    import keras

    def builder(meta, compile_kwargs):
        model = keras.Sequential([keras.Input((784,)),
                                  keras.layers.Dense(2, activation="sigmoid")])
        model.compile(**compile_kwargs)
        return model

    X, y = quick
    Y = np.column_stack([y % 2, y > 4]).astype(int)
    est = KerasClassifier(builder, loss="binary_crossentropy", epochs=1)
    est.fit(PixelScaler().transform(X), Y)
    with pytest.raises(ExportError, match="multilabel-indicator"):
        export(est, tmp_path / "m.keras")


def test_format_and_path_errors(quick, tmp_path):
    with pytest.raises(NotFittedError):
        export(make_pipeline(PixelScaler(), SoftmaxClassifier()), tmp_path / "m.keras")
    pipe = _fit_quick(make_pipeline(PixelScaler(), SoftmaxClassifier(epochs=1)), quick)
    with pytest.raises(ValueError, match="format must be one of"):
        export(pipe, tmp_path / "m.keras", format="tflite")
    with pytest.raises(ValueError, match="Cannot tell the export format"):
        export(pipe, tmp_path / "m.h5")
    with pytest.raises(ValueError, match="must end in '.keras'"):
        export(pipe, tmp_path / "m.bin", format="keras")
    with pytest.raises(ValueError, match="input_dtype must be"):
        export(pipe, tmp_path / "m.keras", input_dtype="U3")
    assert list(tmp_path.iterdir()) == []


def test_save_with_keras_suffix_points_to_export(quick, tmp_path):
    pipe = _fit_quick(make_pipeline(PixelScaler(), SoftmaxClassifier(epochs=1)), quick)
    for save in (pipe[-1].save, lambda path: skfashion.save(pipe, path)):
        with pytest.raises(ValueError, match=r"skfashion\.export"):
            save(tmp_path / "model.keras")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(BACKEND != "tensorflow", reason="SavedModel export needs TensorFlow")
def test_saved_model_replaces_only_an_earlier_export(quick, tmp_path):
    import tensorflow as tf

    pipe = _fit_quick(make_pipeline(PixelScaler(), SoftmaxClassifier(epochs=1)), quick)
    target = tmp_path / "served"
    export(pipe, target)
    pipe[-1].set_params(epochs=2).fit(PixelScaler().transform(quick[0]), quick[1])
    export(pipe, target)  # replaces the first export
    X = quick[0][:50]
    proba = tf.saved_model.load(str(target)).signatures["serving_default"](
        X=tf.constant(X))["probabilities"].numpy()
    np.testing.assert_allclose(proba, pipe.predict_proba(X), atol=1e-5)
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep")
    with pytest.raises(FileExistsError, match="not a SavedModel"):
        export(pipe, other)
    assert (other / "notes.txt").read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "served"]


@pytest.mark.skipif(BACKEND == "tensorflow", reason="the TensorFlow backend exports SavedModels")
def test_saved_model_on_another_backend_says_what_to_do(quick, tmp_path):
    pipe = _fit_quick(make_pipeline(PixelScaler(), SoftmaxClassifier(epochs=1)), quick)
    with pytest.raises(ValueError, match="needs the TensorFlow backend"):
        export(pipe, tmp_path / "served")
    assert not (tmp_path / "served").exists()


def test_export_command(quick, tmp_path, capsys):
    import keras

    from skfashion.cli import main

    pipe = _fit_quick(make_pipeline(PixelScaler(), SoftmaxClassifier(epochs=1)), quick)
    skfashion.save(pipe, tmp_path / "m.skf")
    assert main(["export", str(tmp_path / "m.skf"), str(tmp_path / "m.keras")]) == 0
    assert "m.keras" in capsys.readouterr().out
    X = quick[0][:100]
    proba = keras.saving.load_model(tmp_path / "m.keras").predict(X, verbose=0)
    np.testing.assert_allclose(proba, pipe.predict_proba(X), atol=1e-5)
    assert main(["export", str(tmp_path / "m.skf"), str(tmp_path / "m.h5")]) == 1
    assert "Cannot tell the export format" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "missing.skf"), str(tmp_path / "x.keras")]) == 1
