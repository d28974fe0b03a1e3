"""scikeras's seven documentation notebooks run on skfashion with only the import
changed, and print what scikeras prints (issue: notebooks drop-in).

The scripts are ``examples/scikeras_notebooks`` (generated from scikeras 0.13.0
by ``_convert.py``, MIT notice kept). Each runs in its own process as the
benchmark runs it (``benchmarks/bench_notebooks.py``: small data, Python's,
NumPy's and Keras's global generators seeded first, so that no figure is
chance). The oracle is scikeras itself: ``tests/data/scikeras_notebooks.json``
holds what the same scripts printed on scikeras 0.13.0 in this environment
(written by ``python benchmarks/bench_notebooks.py --repeats 2 --out ...``),
under seeds 0 and 1. A figure passes when skfashion's (seed 0) differs from
scikeras's seed-0 figure by at most twice what scikeras's own two seeds differ
by, and at least by a floor per kind of figure (one validation sample of the
Basic_Usage notebook is 0.05 of its accuracy). A notebook that fails on
scikeras too (Meta_Estimators) must fail at the same line with the same error.
Timings and peak memory are the benchmark's business, not the tests'.
"""

import importlib.util
import json
import os
from pathlib import Path

import keras
import pytest

ROOT = Path(__file__).resolve().parents[1]
ORACLE = json.loads((ROOT / "tests" / "data" / "scikeras_notebooks.json").read_text())
#: The smallest tolerance per kind of figure (absolute).
FLOORS = {"size": 0.005, "AutoEncoder": 0.01, "default": 0.1}


def _bench():
    spec = importlib.util.spec_from_file_location(
        "bench_notebooks", ROOT / "benchmarks" / "bench_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _floor(label):
    for key, value in FLOORS.items():
        if key in label:
            return value
    return FLOORS["default"]


def _compared(label):
    return "memit" not in label and "seconds" not in label


@pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                    reason="scikeras's notebooks import TensorFlow's logger")
@pytest.mark.skipif(not os.path.exists("/usr/share/datasets/fashion-mnist")
                    and not os.environ.get("SKFASHION_DATA"),
                    reason="Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
@pytest.mark.parametrize("name", sorted(ORACLE))
def test_notebook_prints_what_scikeras_prints(name):
    source = (ROOT / "examples" / "scikeras_notebooks" / f"{name}.py").read_text()
    assert "scikeras.wrappers" not in source.split('"""', 2)[-1]  # only skfashion is used
    ours = _bench().run(name, "skfashion", quick=True, seed=0)
    first, second = ORACLE[name]["scikeras"][:2]
    assert ours["error"] == first["error"], (ours["error"], first["error"])
    assert first["figures"], f"{name}: the oracle has no printed figure"
    assert sorted(ours["figures"]) == sorted(first["figures"])  # the same lines printed
    for label in filter(_compared, first["figures"]):
        expected = first["figures"][label]
        spread = abs(expected - second["figures"].get(label, expected))
        tolerance = max(2 * spread, _floor(label))
        got = ours["figures"][label]
        assert abs(got - expected) <= tolerance, (
            f"{name}: {label!r} is {got} on skfashion, {expected} on scikeras "
            f"(tolerance {tolerance:.3g}; scikeras's seeds differ by {spread:.3g})")
