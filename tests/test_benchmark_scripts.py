"""The scripts in benchmarks/ stay runnable: they are not imported by the package,
so nothing else would notice when a module they use moves."""

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SCRIPTS = sorted(p.name for p in BENCHMARKS.glob("bench_*.py"))


def test_there_are_scripts():
    assert "bench_speed.py" in SCRIPTS and len(SCRIPTS) >= 6


@pytest.mark.parametrize("script", [*SCRIPTS, "_harness.py"])
def test_every_skfashion_name_a_script_imports_exists(script):
    """Imports inside the workers run only in a benchmark; check them here."""
    tree = ast.parse((BENCHMARKS / script).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("skfashion"):
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name), f"{script}: {node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("skfashion"):
                    importlib.import_module(alias.name)


@pytest.mark.parametrize("script", SCRIPTS)
def test_help(script):
    proc = subprocess.run([sys.executable, str(BENCHMARKS / script), "--help"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "usage:" in proc.stdout


def test_harness_describes_the_machine():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        harness = importlib.import_module("_harness")
        assert "cores" in harness.machine()
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_the_conformance_builder_builds_what_skfashion_checks_build():
    """scikeras gets the same builder as skfashion's checks (it once got a stale
    signature, and every scikeras check failed on a TypeError instead)."""
    import inspect

    sys.path.insert(0, str(BENCHMARKS))
    try:
        conformance = importlib.import_module("bench_conformance")
    finally:
        sys.path.remove(str(BENCHMARKS))
    from skfashion._testing import small_mlp

    assert inspect.signature(conformance._builder).parameters.keys() == \
        inspect.signature(small_mlp).parameters.keys()
    model = conformance._builder({"target_type_": "multiclass", "n_features_in_": 4,
                                  "n_classes_": 3}, {"loss": None, "optimizer": "adam"})
    assert model.output_shape == (None, 3) and model.compiled
