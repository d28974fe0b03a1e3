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
    from skfashion import _safe_zip

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
