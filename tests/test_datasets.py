import gzip
import hashlib
import shutil
import struct

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from conftest import OFFICIAL_NAMES, link_official
from skfashion.datasets import (
    CLASS_NAMES,
    data_locations,
    fetch_fashion_mnist,
    find_data_dir,
    load_fashion_mnist,
    load_sample,
    parse_idx,
)
from skfashion.datasets import _fashion_mnist, _sample


# ------------------------------------------------------------------ IDX parser
def _idx(dims, payload):
    header = struct.pack(">BBBB", 0, 0, 8, len(dims))
    return header + struct.pack(">" + "I" * len(dims), *dims) + payload


def test_parse_idx_shapes_and_values():
    arr = parse_idx(_idx((2, 2, 3), bytes(range(12))))
    assert arr.shape == (2, 2, 3) and arr.dtype == np.uint8
    assert arr[1, 1, 2] == 11


@pytest.mark.parametrize(
    "payload, match",
    [
        (b"\x00\x00", "truncated"),
        (b"\x00\x00\x0d\x01" + b"\x00" * 8, "magic number"),
        (b"\x01\x00\x08\x01" + b"\x00" * 8, "magic number"),
        (_idx((5,), bytes(3)), "header declares shape"),
        (_idx((2,), bytes(3)), "header declares shape"),
        (b"\x00\x00\x08\x03\x00\x00", "truncated"),
    ],
)
def test_parse_idx_rejects_bad_files(payload, match):
    with pytest.raises(ValueError, match=match):
        parse_idx(payload)


def test_parse_idx_checks_dimensions():
    with pytest.raises(ValueError, match="declares 1 dimensions, expected 3"):
        parse_idx(_idx((3,), bytes(3)), expected_ndim=3)


# --------------------------------------------------------------- lookup chain
def test_locations_order(tmp_path, monkeypatch):
    monkeypatch.setenv("SKFASHION_DATA", str(tmp_path / "env"))
    labels = [label for label, _ in data_locations(tmp_path / "home")]
    assert labels[0] == "data_home argument"
    assert labels[1].startswith("SKFASHION_DATA")
    assert labels[2] == "Keras cache"
    assert "dataset-fashion-mnist" in labels[3]


def test_first_complete_location_wins(official_dir, isolated_lookup, monkeypatch):
    tmp = isolated_lookup
    keras_dir = link_official(official_dir, tmp / "keras_home" / "datasets" / "fashion-mnist")
    assert find_data_dir() == keras_dir
    env_dir = link_official(official_dir, tmp / "env")
    monkeypatch.setenv("SKFASHION_DATA", str(env_dir))
    assert find_data_dir() == env_dir
    home = link_official(official_dir, tmp / "home")
    assert find_data_dir(home) == home
    # An incomplete directory is passed over.
    partial = tmp / "partial"
    partial.mkdir()
    (partial / OFFICIAL_NAMES[0]).symlink_to(official_dir / OFFICIAL_NAMES[0])
    assert find_data_dir(partial) == env_dir


def test_missing_everywhere_offline_names_places_and_fixes(isolated_lookup):
    with pytest.raises(OSError) as info:
        load_fashion_mnist(data_home=isolated_lookup / "nowhere", download_if_missing=False)
    msg = str(info.value)
    for expected in ("data_home argument", "Keras cache", "dataset-fashion-mnist",
                     "apt-get install", "SKFASHION_DATA", "download"):
        assert expected in msg


# ------------------------------------------------------------- the real data
def test_load_matches_keras_loader(official_dir, tmp_path, monkeypatch):
    import keras

    link_official(official_dir, tmp_path / "datasets" / "fashion-mnist")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(keras.src.backend.config, "_KERAS_DIR", str(tmp_path))
    monkeypatch.setattr(keras.src.utils.file_utils, "urlretrieve",
                        lambda *a, **k: pytest.fail("Keras tried to download"))
    ours = load_fashion_mnist()
    theirs = keras.datasets.fashion_mnist.load_data()
    for (a, b), (c, d) in [(ours[0], theirs[0]), (ours[1], theirs[1])]:
        assert a.dtype == c.dtype == np.uint8 and b.dtype == d.dtype == np.uint8
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)
    assert ours[0][0].shape == (60000, 28, 28) and ours[1][0].shape == (10000, 28, 28)


def test_fetch_bunch(official_dir):
    bunch = fetch_fashion_mnist(subset="test", data_home=official_dir)
    assert bunch.data.shape == (10000, 784) and bunch.images.shape == (10000, 28, 28)
    assert bunch.target.shape == (10000,) and bunch.target_names == list(CLASS_NAMES)
    assert bunch.feature_names[:2] == ["pixel_0_0", "pixel_0_1"]
    assert len(bunch.feature_names) == 784
    np.testing.assert_array_equal(bunch.data[5], bunch.images[5].ravel())
    assert "Fashion-MNIST" in bunch.DESCR
    X, y = fetch_fashion_mnist(subset="all", return_X_y=True)
    assert X.shape == (70000, 784) and np.bincount(y).tolist() == [7000] * 10


def test_fetch_as_frame(official_dir):
    pd = pytest.importorskip("pandas")
    bunch = fetch_fashion_mnist(subset="test", as_frame=True)
    assert isinstance(bunch.data, pd.DataFrame) and bunch.data.columns[-1] == "pixel_27_27"
    assert bunch.target.name == "class" and bunch.frame.shape == (10000, 785)


def test_fetch_rejects_bad_subset():
    with pytest.raises(InvalidParameterError, match="subset"):
        fetch_fashion_mnist(subset="validation")


def test_truncated_file_is_an_error(official_dir, tmp_path):
    home = link_official(official_dir, tmp_path / "home")
    name = "t10k-labels-idx1-ubyte.gz"
    (home / name).unlink()
    (home / name).write_bytes((official_dir / name).read_bytes()[:-100])
    with pytest.raises(OSError, match="truncated or corrupt"):
        load_fashion_mnist(data_home=home)


def test_wrong_content_is_an_error(official_dir, tmp_path):
    home = link_official(official_dir, tmp_path / "home")
    name = "t10k-labels-idx1-ubyte.gz"
    data = bytearray(gzip.decompress((official_dir / name).read_bytes()))
    data[100] = (data[100] + 1) % 10  # one label changed: still a valid IDX file
    (home / name).unlink()
    (home / name).write_bytes(gzip.compress(bytes(data)))
    with pytest.raises(OSError, match="wrong content: SHA-256"):
        load_fashion_mnist(data_home=home)


# ---------------------------------------------------------------- downloading
def test_download_verifies_and_writes_atomically(official_dir, isolated_lookup, monkeypatch):
    mirror = link_official(official_dir, isolated_lookup / "mirror")
    monkeypatch.setattr(_fashion_mnist, "MIRRORS", (mirror.as_uri() + "/",))
    target = isolated_lookup / "download"
    (X, y), (X_test, y_test) = load_fashion_mnist(data_home=target)
    assert sorted(p.name for p in target.iterdir()) == sorted(OFFICIAL_NAMES)
    assert X.shape == (60000, 28, 28) and y_test.shape == (10000,)


def test_download_refuses_corrupt_file_and_leaves_nothing(official_dir, isolated_lookup,
                                                          monkeypatch):
    mirror = isolated_lookup / "mirror"
    mirror.mkdir()
    for name in OFFICIAL_NAMES:
        shutil.copy(official_dir / name, mirror / name)
    (mirror / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"not the data"))
    monkeypatch.setattr(_fashion_mnist, "MIRRORS", (mirror.as_uri() + "/",))
    target = isolated_lookup / "download"
    with pytest.raises(OSError, match="(?s)download failed.*wrong content"):
        load_fashion_mnist(data_home=target)
    assert not (target / "t10k-labels-idx1-ubyte.gz").exists()
    assert not [p for p in target.iterdir() if p.name.endswith(".part")]


def test_unreachable_mirror_gives_the_fixes(isolated_lookup, monkeypatch):
    monkeypatch.setattr(_fashion_mnist, "MIRRORS", ((isolated_lookup / "void").as_uri() + "/",))
    with pytest.raises(OSError, match="(?s)Could not download.*apt-get install"):
        load_fashion_mnist(data_home=isolated_lookup / "target")


def test_unwritable_data_home(isolated_lookup):
    blocker = isolated_lookup / "a_file"
    blocker.write_text("x")
    with pytest.raises(OSError, match="Cannot create the data directory"):
        load_fashion_mnist(data_home=blocker / "sub")


# ------------------------------------------------------------ embedded sample
def test_sample_is_small_stratified_and_real(sample):
    (X, y), (X_test, y_test) = sample
    assert X.shape == (3000, 28, 28) and X.dtype == np.uint8
    assert X_test.shape == (1000, 28, 28)
    assert np.bincount(y).tolist() == [300] * 10
    assert np.bincount(y_test).tolist() == [100] * 10
    assert _sample.SAMPLE_PATH.stat().st_size < 2_500_000


def test_sample_rows_come_from_the_official_files(sample, official_dir):
    (X, y), (X_test, y_test) = sample
    (X_full, y_full), (X_full_test, y_full_test) = load_fashion_mnist()
    index = {hashlib.sha1(img.tobytes()).digest(): lab for img, lab in zip(X_full, y_full)}
    assert all(index.get(hashlib.sha1(img.tobytes()).digest()) == lab for img, lab in zip(X, y))
    index = {hashlib.sha1(img.tobytes()).digest(): lab
             for img, lab in zip(X_full_test, y_full_test)}
    assert all(index.get(hashlib.sha1(i.tobytes()).digest()) == lab
               for i, lab in zip(X_test, y_test))


def test_corrupt_sample_is_detected(tmp_path, monkeypatch):
    broken = tmp_path / "sample.npz"
    data = bytearray(_sample.SAMPLE_PATH.read_bytes())
    data[-10] ^= 0xFF
    broken.write_bytes(bytes(data))
    monkeypatch.setattr(_sample, "SAMPLE_PATH", broken)
    with pytest.raises(OSError, match="embedded sample .* is corrupt"):
        load_sample()
