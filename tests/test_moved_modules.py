"""Files written before issue 41's move keep loading and predicting as then.

``tests/data/written_by_4b02b3f/`` holds estimators pickled (joblib) and saved
(``.skf``) by skfashion at commit 4b02b3f, whose modules sat flat at the
package's root, with their predictions then (``predictions.npz``; written by a
script run with that commit on the path). The pickles name the old modules
(``skfashion._softmax``...): ``skfashion._moved`` answers those names with the
modules they became.
"""

import importlib
from pathlib import Path

import joblib
import numpy as np
import pytest

import skfashion
from skfashion._moved import MOVED

FILES = Path(__file__).parent / "data" / "written_by_4b02b3f"
CASES = ["tutorial_pipeline", "keras_classifier", "keras_regressor"]


@pytest.fixture(scope="module")
def expected():
    with np.load(FILES / "predictions.npz") as data:
        return dict(data)


@pytest.mark.parametrize("how", ["joblib", "skf"])
@pytest.mark.parametrize("name", CASES)
def test_a_file_written_before_the_move_predicts_as_then(expected, name, how):
    path = FILES / f"{name}.{how}"
    if how == "joblib":
        assert b"skfashion._" in path.read_bytes()  # the old layout's module names
        est = joblib.load(path)
    else:
        est = skfashion.load(path)
    X = expected[f"{name}/X"]
    np.testing.assert_array_equal(est.predict(X), expected[f"{name}/predict"])
    if f"{name}/predict_proba" in expected:
        np.testing.assert_allclose(est.predict_proba(X), expected[f"{name}/predict_proba"],
                                   rtol=1e-6, atol=1e-7)


def test_the_old_names_are_the_new_modules():
    for old, new in MOVED.items():
        assert importlib.import_module(old) is importlib.import_module(new), old
    with pytest.raises(ImportError):
        importlib.import_module("skfashion._no_such_module")


def test_a_pickle_of_today_names_the_new_modules(tmp_path):
    import pickle

    from skfashion import PixelScaler

    data = pickle.dumps(PixelScaler())
    assert b"skfashion._estimators._pixel_scaler" in data
