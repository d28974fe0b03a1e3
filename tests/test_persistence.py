"""Pickle, joblib and the pickle-free format. No test here imports scikeras, which
replaces Keras's pickling process-wide; test_no_scikeras makes that visible."""

import io
import json
import pickle
import subprocess
import sys
import zipfile

import joblib
import keras
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

import skfashion
from skfashion import KerasClassifier, PixelScaler, SoftmaxClassifier


def test_no_scikeras():
    assert "scikeras" not in sys.modules


@pytest.fixture(scope="module")
def pipe(sample):
    (X, y), _ = sample
    return make_pipeline(PixelScaler(), SoftmaxClassifier(epochs=1, random_state=0)).fit(
        X[:600], y[:600])


def _build(meta):
    return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                             keras.layers.Dense(meta["n_classes_"], activation="softmax")])


SPARSE = "sparse_categorical_crossentropy"


@pytest.mark.parametrize("dump, load", [
    (pickle.dumps, pickle.loads),
    (lambda o: (joblib.dump(o, buf := io.BytesIO()), buf.getvalue())[1],
     lambda b: joblib.load(io.BytesIO(b))),
])
def test_pickle_and_joblib_round_trip(pipe, sample, dump, load):
    X_test = sample[1][0]
    restored = load(dump(pipe))
    np.testing.assert_array_equal(restored.predict_proba(X_test), pipe.predict_proba(X_test))
    assert restored[-1].model_ is not pipe[-1].model_
    # The restored model keeps its optimizer state: warm starts continue.
    clf = restored[-1].set_params(warm_start=True)
    restored.fit(sample[0][0][:600], sample[0][1][:600])
    assert clf.n_iter_ == 2


def test_unfitted_and_model_parameter_pickle():
    template = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    clf = pickle.loads(pickle.dumps(KerasClassifier(template, epochs=3, model__x=1)))
    assert isinstance(clf.model, keras.Model) and clf.epochs == 3
    assert clf.get_params()["model__x"] == 1
    assert pickle.loads(pickle.dumps(SoftmaxClassifier(epochs=4))).epochs == 4


def test_grid_search_pickles(sample):
    (X, y), (X_test, _) = sample
    search = GridSearchCV(
        make_pipeline(PixelScaler(), SoftmaxClassifier(random_state=0)),
        {"softmaxclassifier__epochs": [1, 2]}, cv=2).fit(X[:300], y[:300])
    restored = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(restored.predict_proba(X_test), search.predict_proba(X_test))


def test_round_trip_across_processes(pipe, sample, tmp_path):
    path = tmp_path / "pipe.joblib"
    joblib.dump(pipe, path)
    np.save(tmp_path / "x.npy", sample[1][0][:100])
    code = (
        "import joblib, numpy as np, sys;"
        f"p = joblib.load({str(path)!r}); x = np.load({str(tmp_path / 'x.npy')!r});"
        f"np.save({str(tmp_path / 'out.npy')!r}, p.predict_proba(x));"
        "print('scikeras' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"),
                                  pipe.predict_proba(sample[1][0][:100]))


def test_safe_save_and_load(pipe, sample, tmp_path):
    clf = pipe[-1]
    X_test = PixelScaler().transform(sample[1][0])
    path = tmp_path / "model.skf"
    assert clf.save(path) == []
    loaded = skfashion.load(path)
    assert type(loaded) is SoftmaxClassifier and loaded.get_params() == clf.get_params()
    np.testing.assert_array_equal(loaded.predict_proba(X_test), clf.predict_proba(X_test))
    assert loaded.history_ == clf.history_ and loaded.n_iter_ == clf.n_iter_
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["model-0.keras", "skfashion.json"]
        assert "pickle" not in zf.read("skfashion.json").decode()


def test_keras_classifier_save_keeps_the_model_for_refits(small, tmp_path):
    X, y, X_test, _ = small
    labels = np.array(list("abcdefghij"), dtype=object)[y]
    clf = KerasClassifier(_build, loss=SPARSE, epochs=1, random_state=0).fit(X, labels)
    with pytest.warns(UserWarning, match="not plain data"):
        pass_ = clf.set_params(callbacks=[keras.callbacks.History()])
        assert sorted(pass_.save(tmp_path / "k.skf")) == ["callbacks", "model"]
    loaded = skfashion.load(tmp_path / "k.skf")
    np.testing.assert_array_equal(loaded.classes_, clf.classes_)
    np.testing.assert_array_equal(loaded.predict_proba(X_test), clf.predict_proba(X_test))
    assert loaded.callbacks is None
    loaded.fit(X, labels)  # the loaded model is the architecture to refit
    assert loaded.n_iter_ == 1


def _rewrite(path, target, change):
    with zipfile.ZipFile(path) as zf:
        meta = json.loads(zf.read("skfashion.json"))
        model = zf.read("model-0.keras")
    change(meta)
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr("skfashion.json", json.dumps(meta))
        zf.writestr("model-0.keras", model)
    return target


def test_load_rejects_bad_files(pipe, tmp_path):
    good = tmp_path / "good.skf"
    pipe[-1].save(good)
    (tmp_path / "text.skf").write_text("hello")
    with pytest.raises(ValueError, match="text.skf is not a skfashion file"):
        skfashion.load(tmp_path / "text.skf")
    newer = _rewrite(good, tmp_path / "newer.skf", lambda m: m.update(format_version=99))
    with pytest.raises(ValueError, match="in file format 99; skfashion .* reads format 2"):
        skfashion.load(newer)
    other = _rewrite(good, tmp_path / "other.skf",
                     lambda m: m["root"].update({"class": "os.system"}))
    with pytest.raises(ValueError, match="holds a 'os.system'; only"):
        skfashion.load(other)
    bad_param = _rewrite(good, tmp_path / "p.skf", lambda m: m["root"]["params"].update(evil=1))
    with pytest.raises(ValueError, match=r"parameters unknown to SoftmaxClassifier: \['evil'\]"):
        skfashion.load(bad_param)


def with_lambda(meta):
    return keras.Sequential([keras.Input((784,)), keras.layers.Lambda(lambda t: t * 1.0),
                             keras.layers.Dense(10, activation="softmax")])


def test_load_refuses_code_in_the_model(small, tmp_path):
    X, y, _, _ = small
    clf = KerasClassifier(with_lambda, loss=SPARSE, epochs=1, random_state=0).fit(
        X[:100], y[:100])
    clf.save(tmp_path / "lambda.skf")
    with pytest.raises(ValueError, match="(?i)unsafe|safe_mode|lambda"):
        skfashion.load(tmp_path / "lambda.skf")
    # Pickle is for trusted sources: it round-trips the same model.
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X[:5]), clf.predict_proba(X[:5]))


def test_save_follows_the_umask_and_keeps_an_existing_mode(tmp_path):
    """As open() and Keras do: a new file gets 0666 & ~umask (it was always 0600),
    an existing one keeps its mode."""
    import os
    import stat

    X = np.random.RandomState(0).rand(40, 784).astype("float32")
    clf = SoftmaxClassifier(epochs=1, random_state=0).fit(X, np.arange(40) % 10)
    old = os.umask(0o022)
    try:
        clf.save(tmp_path / "new.skf")
        assert stat.S_IMODE((tmp_path / "new.skf").stat().st_mode) == 0o644
        (tmp_path / "shared.skf").write_bytes(b"")
        (tmp_path / "shared.skf").chmod(0o664)
        clf.save(tmp_path / "shared.skf")
        assert stat.S_IMODE((tmp_path / "shared.skf").stat().st_mode) == 0o664
        long_name = tmp_path / ("m" * 251 + ".skf")  # 255 bytes, the longest valid name
        clf.save(long_name)
        assert skfashion.load(long_name).n_features_in_ == 784
    finally:
        os.umask(old)


def test_a_permission_error_stays_a_permission_error(tmp_path, monkeypatch):
    """It became a plain OSError (the tests run as root, so the refusal is simulated
    where the temporary file is created)."""
    import errno
    import tempfile

    X = np.random.RandomState(0).rand(40, 784).astype("float32")
    clf = SoftmaxClassifier(epochs=1, random_state=0).fit(X, np.arange(40) % 10)

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(PermissionError, match="Cannot save to .*m.skf: Permission denied"):
        clf.save(tmp_path / "m.skf")


# ------------------------------------------------------- issue 30, items 16 and 17
class _MySoftmax(SoftmaxClassifier):
    pass


def test_save_refuses_a_subclass_it_could_not_load(sample, tmp_path):
    (X, y), _ = sample
    est = _MySoftmax(epochs=1, random_state=0).fit(X[:200].reshape(200, -1) / 255.0, y[:200])
    with pytest.raises(TypeError, match="_MySoftmax cannot be saved .* could not read"):
        est.save(tmp_path / "sub.skf")
    with pytest.raises(TypeError, match="_MySoftmax cannot be saved"):
        skfashion.save(make_pipeline(PixelScaler(), est), tmp_path / "sub.skf")
    assert not (tmp_path / "sub.skf").exists()


def _swap_steps(meta):
    """The pipeline's last step declared what it is not: a KerasClassifier holding a
    scaler's plain state, in place of the estimator."""
    steps = meta["root"]["steps"]
    scaler = dict(steps[0][1], **{"class": "KerasClassifier"})
    steps[-1][1] = scaler


def test_load_checks_each_steps_declared_class_against_its_state(pipe, tmp_path):
    good = tmp_path / "good.skf"
    skfashion.save(pipe, good)
    swapped = _rewrite(good, tmp_path / "swapped.skf", _swap_steps)
    with pytest.raises(ValueError, match="swapped.skf is not a valid skfashion file: a step "
                                         "declared KerasClassifier holds plain fitted state"):
        skfashion.load(swapped)


@pytest.mark.parametrize("fitted", [
    {"n_features_in_": 784, "mean_": [0.0]},
    {"n_features_in_": 784, "input_shape_": [28, 29]},
    {"n_features_in_": 784, "input_shape_": [28, 28], "input_dtype_": "object"},
    {"n_features_in_": -1},
], ids=["foreign attribute", "wrong shape", "object dtype", "negative width"])
def test_load_checks_a_pixel_scalers_state(pipe, tmp_path, fitted):
    from skfashion._persistence import _json_codec

    good = tmp_path / "good.skf"
    skfashion.save(pipe, good)
    state = {k: tuple(v) if k == "input_shape_" else v for k, v in fitted.items()}
    bad = _rewrite(good, tmp_path / "bad.skf", lambda m: m["root"]["steps"][0][1].update(
        fitted=_json_codec.encode(state)))
    with pytest.raises(ValueError, match="bad.skf is not a valid skfashion file: PixelScaler"):
        skfashion.load(bad)


# ---------------------------------------------------------------- issue 30, item 15
def _rewrite_model(path, target, change_member):
    """Copy a saved file with one member of its inner .keras model changed."""
    import io

    with zipfile.ZipFile(path) as zf:
        meta = zf.read("skfashion.json")
        inner = zipfile.ZipFile(io.BytesIO(zf.read("model-0.keras")))
        members = {name: inner.read(name) for name in inner.namelist()}
    members.update(change_member(members))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, data in members.items():
            out.writestr(name, data)
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr("skfashion.json", meta)
        zf.writestr("model-0.keras", buffer.getvalue())
    return target


def test_load_bounds_what_a_models_config_declares(pipe, tmp_path):
    """A config declaring Dense(units=20_000_000): (784 + 1) * 2e7 float32 = 62.8 GB, in a file
    of tens of KB, is refused before Keras allocates anything."""
    good = tmp_path / "good.skf"
    pipe[-1].save(good)

    def huge(members):
        config = json.loads(members["config.json"])
        text = json.dumps(config).replace('"units": 10', '"units": 20000000')
        assert text != json.dumps(config)
        return {"config.json": text.encode()}

    bomb = _rewrite_model(good, tmp_path / "bomb.skf", huge)
    assert bomb.stat().st_size < 128 << 10
    with pytest.raises(ValueError, match=r"bomb.skf is not a valid skfashion file: its "
                                         r"model's config declares 62,800,000,000 bytes of "
                                         r"weights but the file stores [\d,]+; refusing"):
        skfashion.load(bomb)
    assert skfashion.load(good).n_features_in_ == 784  # the real file still loads


def test_load_refuses_weights_that_store_less_than_they_declare(pipe, tmp_path):
    """An HDF5 dataset with no stored data reads back as its fill value, of any size."""
    import io

    import h5py

    good = tmp_path / "good.skf"
    pipe[-1].save(good)

    def unwritten(members):
        with h5py.File(io.BytesIO(members["model.weights.h5"]), "r") as h5:
            names = []
            h5.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
        buffer = io.BytesIO(members["model.weights.h5"])
        with h5py.File(buffer, "r+") as h5:
            del h5[names[0]]
            h5.create_dataset(names[0], shape=(20_000_000, 10), dtype="f4")  # never written
        return {"model.weights.h5": buffer.getvalue()}

    bomb = _rewrite_model(good, tmp_path / "fill.skf", unwritten)
    assert bomb.stat().st_size < 128 << 10
    with pytest.raises(ValueError, match=r"fill.skf is not a valid skfashion file: its weights "
                                         r"declare 800000000 bytes for .* but store 0"):
        skfashion.load(bomb)


# ------------------------------------------------------------ issue 33, item 6
@pytest.mark.parametrize("written_by", ["export", "keras"])
def test_load_of_a_keras_model_file_says_what_it_is_and_how_to_open_it(pipe, tmp_path,
                                                                       written_by):
    path = tmp_path / "m.keras"
    if written_by == "export":
        skfashion.export(pipe, path)
    else:
        pipe[-1].model_.save(path)
    with pytest.raises(ValueError) as info:
        skfashion.load(path)
    message = str(info.value)
    assert "is a Keras model file" in message and "keras.saving.load_model(path)" in message
    assert ("skfashion.export" in message) == (written_by == "export")
    assert "model-10.keras" not in message  # no list of skfashion's member names
    keras.saving.load_model(path)  # and the advice works
