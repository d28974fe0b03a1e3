"""No silent wrong results, bounded work on untrusted files, clean failures."""

import gzip
import io
import json
import zipfile

import keras
import numpy as np
import pytest

import skfashion
from skfashion import KerasClassifier, SoftmaxClassifier

SPARSE = "sparse_categorical_crossentropy"


@pytest.fixture(scope="module")
def data(small):
    X, y, X_test, _ = small
    return X[:300], y[:300], X_test[:50]


@pytest.fixture(scope="module")
def saved(data, tmp_path_factory):
    X, y, _ = data
    path = tmp_path_factory.mktemp("saved") / "model.skf"
    SoftmaxClassifier(epochs=1, random_state=0).fit(X, y).save(path)
    return path


def test_class_weight_key_that_is_not_a_class_raises(data):
    X, y, _ = data
    labels = np.array(["apple", "cherry", "pear"])[y % 3]
    for est in (SoftmaxClassifier(epochs=1, class_weight={"banana": 1000.0}),
                KerasClassifier(lambda meta: keras.Sequential([
                    keras.Input((784,)), keras.layers.Dense(3, activation="softmax")]),
                    loss=SPARSE, class_weight={"banana": 1000.0})):
        with pytest.raises(ValueError, match=r"keys \['banana'\] that are not classes of y; "
                                             r"the classes are \['apple', 'cherry', 'pear'\]"):
            est.fit(X, labels)


def test_parameters_a_precompiled_model_ignores_are_reported(data):
    X, y, _ = data
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")])
    model.compile(loss=SPARSE, optimizer="sgd")
    with pytest.warns(UserWarning, match=r"not used: \['optimizer', 'optimizer__learning_rate'\]"):
        KerasClassifier(model, optimizer="adam", optimizer__learning_rate=0.1).fit(X, y)
    with pytest.raises(ValueError, match="but model compiled with"):
        KerasClassifier(model, loss="categorical_crossentropy").fit(X, y)


def test_a_saved_and_loaded_classifier_refits_with_its_parameters(data, tmp_path):
    X, y, X_test = data

    def build(meta):
        return keras.Sequential([keras.Input((784,)),
                                 keras.layers.Dense(10, activation="softmax")])

    clf = KerasClassifier(build, loss=SPARSE, optimizer="sgd", random_state=0).fit(X, y)
    clf.save(tmp_path / "k.skf")
    loaded = skfashion.load(tmp_path / "k.skf")
    np.testing.assert_array_equal(loaded.predict_proba(X_test), clf.predict_proba(X_test))
    loaded.fit(X, y)  # the stored architecture, compiled with the stored parameters
    assert isinstance(loaded.model_.optimizer, keras.optimizers.SGD)


# ----------------------------------------------------------------- saving
def test_a_failed_save_leaves_no_temporary_file_and_names_the_target(data, tmp_path):
    X, y, _ = data
    clf = SoftmaxClassifier(epochs=1, random_state=0).fit(X, y)
    target = tmp_path / "dir.skf"
    target.mkdir()
    with pytest.raises(IsADirectoryError, match="dir.skf: it is a directory"):
        clf.save(target)
    with pytest.raises(OSError, match="Cannot save to .*missing/m.skf: No such file"):
        clf.save(tmp_path / "missing" / "m.skf")  # works as root too, unlike a read-only dir
    assert [p.name for p in tmp_path.rglob(".*part")] == []


def test_an_interrupted_save_cleans_up(data, tmp_path, monkeypatch):
    from skfashion._persistence import _safe_zip

    X, y, _ = data
    clf = SoftmaxClassifier(epochs=1, random_state=0).fit(X, y)

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_safe_zip.os, "fsync", disk_full)
    with pytest.raises(OSError, match=r"Cannot save to .*m.skf: No space left on device"):
        clf.save(tmp_path / "m.skf")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------- hostile files
def _zip(path, members, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _meta(saved):
    with zipfile.ZipFile(saved) as zf:
        return json.loads(zf.read("skfashion.json")), zf.read("model-0.keras")


@pytest.mark.parametrize("change, match", [
    (lambda m: m["root"].pop("params"), "params and fitted attributes must be JSON objects"),
    (lambda m: m["root"].update({"class": "os.system"}), "holds a 'os.system'; only"),
    (lambda m: m["root"].update({"kind": "pickle"}), "unknown step kind 'pickle'"),
    (lambda m: m["root"]["fitted"].update({"__class__": 1}), r"unknown special form"),
    (lambda m: m["root"]["fitted"].update({"model_": 1}), r"unexpected fitted attributes"),
    (lambda m: m["root"]["fitted"].update(
        {"classes_": {"__array__": {"dtype": "<f8", "shape": [2], "values": [1]}}}),
     "array values do not match the shape"),
    (lambda m: m["root"]["params"].update(
        {"epochs": {"__dtype__": "|V8"}}), "is not allowed"),
    (lambda m: m["root"]["fitted"].update({"target_encoder_": ["os", {}]}),
     "unknown encoder 'os'"),
    (lambda m: m["root"]["fitted"].pop("target_encoder_"), "inconsistent"),
    (lambda m: m["root"].update({"model": "../../etc/passwd"}), "model member .* is missing"),
    (lambda m: m.pop("root"), "a step is not a JSON object"),
])
def test_malformed_files_are_a_value_error_naming_the_file(saved, tmp_path, change, match):
    meta, model = _meta(saved)
    change(meta)
    bad = _zip(tmp_path / "bad.skf", {"skfashion.json": json.dumps(meta),
                                      "model-0.keras": model})
    with pytest.raises(ValueError, match=match) as info:
        skfashion.load(bad)
    assert str(bad) in str(info.value)


def test_inflating_metadata_is_refused_before_reading(saved, tmp_path):
    meta, model = _meta(saved)
    padded = json.dumps(meta) + " " * (20 << 20)  # 20 MB of padding compresses to ~20 KB
    bomb = _zip(tmp_path / "bomb.skf", {"skfashion.json": padded, "model-0.keras": model})
    assert bomb.stat().st_size < 200_000
    with pytest.raises(ValueError, match="declares .* bytes, more than"):
        skfashion.load(bomb)


def test_a_compressed_model_bomb_is_refused(saved, tmp_path):
    meta, _ = _meta(saved)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("config.json", "{}")
        zf.writestr("metadata.json", "{}")
        zf.writestr("model.weights.h5", b"\0" * (50 << 20))  # 50 MB of zeros
    bomb = _zip(tmp_path / "bomb.skf", {"skfashion.json": json.dumps(meta),
                                        "model-0.keras": inner.getvalue()})
    with pytest.raises(ValueError, match="compressed .*:1, beyond"):
        skfashion.load(bomb)


def test_unexpected_members_and_names_are_refused(saved, tmp_path):
    meta, model = _meta(saved)
    evil = _zip(tmp_path / "evil.skf", {"skfashion.json": json.dumps(meta),
                                        "model-0.keras": model, "../evil.py": "x"})
    with pytest.raises(ValueError, match="unsafe member name"):
        skfashion.load(evil)
    extra = _zip(tmp_path / "extra.skf", {"skfashion.json": json.dumps(meta),
                                          "model-0.keras": model, "payload.pkl": "x"})
    with pytest.raises(ValueError, match="unexpected member 'payload.pkl'"):
        skfashion.load(extra)


# ------------------------------------------------------------- data files
def test_a_gzip_bomb_under_an_official_name_stops_at_the_official_size(tmp_path):
    from skfashion.datasets import load_fashion_mnist

    bomb = tmp_path / "train-images-idx3-ubyte.gz"
    with gzip.open(bomb, "wb") as fh:
        fh.write(b"\0" * (64 << 20))  # 64 MB of zeros; the official file has 47,040,016
    assert bomb.stat().st_size < 200_000
    for name in ("train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                 "t10k-labels-idx1-ubyte.gz"):
        (tmp_path / name).write_bytes(gzip.compress(b"x"))
    with pytest.raises(OSError, match="decompresses to more than the 47040016 bytes"):
        load_fashion_mnist(data_home=tmp_path, download_if_missing=False)


def test_an_unreadable_data_home_says_which_and_why(tmp_path, monkeypatch):
    from pathlib import Path

    from skfashion.datasets import find_data_dir

    real = Path.is_file

    def denied(self):
        if self.parent == tmp_path:
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "is_file", denied)
    with pytest.raises(OSError, match=f"data_home argument {tmp_path} cannot be read "
                                      r"\(Permission denied\)"):
        find_data_dir(tmp_path)


# ------------------------------------------- hostile files: bounded, validated
@pytest.fixture(scope="module")
def saved_pipeline(data, tmp_path_factory):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y, _ = data
    path = tmp_path_factory.mktemp("saved") / "pipeline.skf"
    skfashion.save(make_pipeline(StandardScaler(), SoftmaxClassifier(epochs=1, random_state=0))
                   .fit(X, y), path)
    return path


def _rewrite(saved, tmp_path, change, name="bad.skf"):
    meta, model = _meta(saved)
    change(meta)
    return _zip(tmp_path / name, {"skfashion.json": json.dumps(meta), "model-0.keras": model})


def _refused(path, match):
    with pytest.raises(ValueError, match=match) as info:
        skfashion.load(path)
    assert str(path) in str(info.value)


def _array(values, dtype="<U1"):
    return {"__array__": {"dtype": dtype, "shape": [len(values)], "values": values}}


def test_a_fitted_state_no_fit_could_give_is_refused_at_load(saved, tmp_path):
    """It used to load and fail at predict (IndexError) or partial_fit."""
    def three_classes(meta):
        fitted = meta["root"]["fitted"]
        fitted["classes_"] = _array(["a", "b", "c"])
        fitted["n_classes_"] = 3
        fitted["target_encoder_"]["__tuple__"][1]["classes_"] = _array(["a", "b", "c"])
        fitted["target_encoder_"]["__tuple__"][1]["n_classes_"] = 3

    _refused(_rewrite(saved, tmp_path, three_classes),
             "output layer has 10 units but the data has 3 classes")
    _refused(_rewrite(saved, tmp_path, lambda m: m["root"]["fitted"].update(
        {"history_": [1.0, 2.0]})), "history_ must map metric names to lists")
    _refused(_rewrite(saved, tmp_path, lambda m: m["root"]["fitted"].update(
        {"n_features_in_": 5})), r"the model takes inputs of shape \(784,\) but the "
                                 r"estimator was fitted on samples of shape \(5,\)")
    _refused(_rewrite(saved, tmp_path, lambda m: m["root"]["fitted"].update(
        {"X_shape_": {"__tuple__": [300, 5]}})),
        r"n_features_in_=784 but the training data had shape \(300, 5\)")
    _refused(_rewrite(saved, tmp_path, lambda m: m["root"]["fitted"].update(
        {"X_shape_": {"__tuple__": [300, 28, 27]}, "n_features_in_": 28})),
        r"the model takes inputs of shape \(784,\) but the estimator was fitted on "
        r"samples of shape \(28, 27\)")


@pytest.mark.parametrize("attribute, value, match", [
    ("mean_", [0.0], r"StandardScaler.mean_ must hold 784 finite numbers"),
    ("scale_", [float("nan")] * 784, r"StandardScaler.scale_ must hold 784 finite numbers"),
    ("scale_", [0.0] * 784, r"no zero scale"),
])
def test_a_pipeline_step_with_a_broken_state_is_refused(saved_pipeline, tmp_path, attribute,
                                                        value, match):
    """A StandardScaler with a one-entry mean_ used to load and predict one label for
    every image."""
    def change(meta):
        step = meta["root"]["steps"][0][1]
        step["fitted"][attribute] = {"__array__": {"dtype": "<f8", "shape": [len(value)],
                                                   "values": value}}

    meta, model = _meta(saved_pipeline)
    change(meta)
    bad = _zip(tmp_path / "bad.skf", {"skfashion.json": json.dumps(meta),
                                      "model-0.keras": model})
    _refused(bad, match)


def test_a_huge_declared_dtype_is_refused_without_allocating(saved, tmp_path):
    """60 bytes of JSON once cost 1.6 GB: an 8-element array of 250-million-character
    strings."""
    import tracemalloc

    bomb = _rewrite(saved, tmp_path, lambda m: m["root"]["fitted"].update(
        {"classes_": _array(["a"] * 8, dtype="<U250000000")}))
    tracemalloc.start()
    try:
        _refused(bomb, r"takes 1000000000 bytes per element, more than the 4096")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 << 20


def test_deep_documents_are_refused(saved, tmp_path):
    def nest(meta, depth=12):
        node = meta["root"]
        for _ in range(depth):
            node = {"kind": "pipeline", "steps": [["p", node]]}
        meta["root"] = node

    _refused(_rewrite(saved, tmp_path, nest), "pipelines nested deeper than 4 levels")
    deep = _rewrite(saved, tmp_path, lambda m: m["root"]["params"].update(
        {"epochs": json.loads("[" * 500 + "]" * 500)}))
    _refused(deep, "nested deeper than 64 levels")
    meta, model = _meta(saved)
    text = json.dumps(meta)[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    _refused(_zip(tmp_path / "deep.skf", {"skfashion.json": text, "model-0.keras": model}),
             "is not valid JSON")


def test_corrupt_archives_are_a_value_error_naming_the_file(saved, tmp_path):
    meta, model = _meta(saved)
    stored = _zip(tmp_path / "stored.skf", {"skfashion.json": json.dumps(meta),
                                            "model-0.keras": model},
                  compression=zipfile.ZIP_STORED)
    data = bytearray(stored.read_bytes())
    at = data.index(b'"format"')
    data[at + 1] ^= 0x01  # one flipped bit inside the metadata: a CRC mismatch
    flipped = tmp_path / "flipped.skf"
    flipped.write_bytes(bytes(data))
    _refused(flipped, "is corrupt")
    twice = tmp_path / "twice.skf"
    with pytest.warns(UserWarning, match="Duplicate name"):
        with zipfile.ZipFile(twice, "w") as zf:
            zf.writestr("skfashion.json", json.dumps(meta))
            zf.writestr("model-0.keras", model)
            zf.writestr("skfashion.json", json.dumps(meta))
    _refused(twice, "contains the member 'skfashion.json' twice")


def test_devices_and_links_to_them_are_not_read(tmp_path):
    """load('/dev/zero') read until MemoryError."""
    _refused(pytest.importorskip("pathlib").Path("/dev/zero"), "not a regular file")
    link = tmp_path / "model.skf"
    link.symlink_to("/dev/zero")
    _refused(link, "not a regular file")


@pytest.mark.parametrize("change, match", [
    (lambda m: m.update({"classes_": {"dtype": "<U250000000", "values": ["a"]}}),
     "bytes per element"),
    (lambda m: m.update({"classes_": {"dtype": "nonsense", "values": ["a"]}}),
     "unknown dtype"),
    (lambda m: m.update({"history_": {"loss": 5}}), "TypeError"),
    (lambda m: m.update({"n_features_in_": "784"}), "n_features_in_ and history_"),
])
def test_malformed_format_1_files_are_a_value_error(saved, tmp_path, change, match):
    _, model = _meta(saved)
    meta = {"format": "skfashion-estimator", "format_version": 1, "class": "SoftmaxClassifier",
            "params": {"epochs": 1}, "classes_": {"dtype": "<i8", "values": list(range(10))},
            "n_features_in_": 784, "history_": {"loss": [1.0]}}
    change(meta)
    bad = _zip(tmp_path / "v1.skf", {"skfashion.json": json.dumps(meta), "model.keras": model})
    _refused(bad, match)
