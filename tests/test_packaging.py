"""The package as users get it (issue 33, item 3): ``python -m build`` makes an
sdist and a wheel; the wheel holds the embedded sample, the data set's
description and ``py.typed``; installed into a fresh virtual environment, it
runs the quick start from a directory where the source tree is out of reach.

The environment reuses the running environment's installed dependencies
(TensorFlow is not downloaded in a test): those of the interpreter's system
site (``--system-site-packages``) and, where the tests run inside a virtual
environment, that environment's too (its site-packages directories listed in a
``.pth`` file: ``--system-site-packages`` alone would see the base
interpreter's, without them). It gets skfashion only from the wheel; the test
checks that the skfashion it imports is the wheel's.
"""

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import keras
import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="the package is built once, under the default backend")

QUICK_START = r"""
import json, sys
import skfashion
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from skfashion import PixelScaler, SoftmaxClassifier
from skfashion.datasets import load_sample

(X, y), (X_test, y_test) = load_sample()
X_tr, X_val, y_tr, y_val = train_test_split(X, y, test_size=0.2, random_state=42)
pipe = Pipeline([("scale", PixelScaler()), ("clf", SoftmaxClassifier(random_state=42))])
score = pipe.fit(X_tr, y_tr).score(X_val, y_val)
print(json.dumps({"file": skfashion.__file__, "version": skfashion.__version__,
                  "score": score, "n_train": len(X)}))
"""


def _source_copy(target):
    """The repository's tracked files, copied: building writes ``build/`` and
    ``*.egg-info`` beside the sources, which must not land in the checkout."""
    import shutil

    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True)
    if listed.returncode != 0:  # not a git checkout: everything but build outputs
        shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(
            ".git", "build", "dist", "*.egg-info", "__pycache__", "_build", ".*_cache"))
        return target
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    pytest.importorskip("build", reason="pip install build (in the tests extra)")
    out = tmp_path_factory.mktemp("dist")
    source = _source_copy(tmp_path_factory.mktemp("source"))
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--sdist", "--wheel",
         "--outdir", str(out), str(source)],
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (proc.stdout[-3000:], proc.stderr[-3000:])
    wheels, sdists = list(out.glob("*.whl")), list(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(p.name for p in out.iterdir())
    return wheels[0], sdists[0]


def test_wheel_holds_the_sample_and_the_type_marker(dist):
    import skfashion

    wheel, sdist = dist
    assert wheel.name.startswith(f"skfashion-{skfashion.__version__}-")
    names = set(zipfile.ZipFile(wheel).namelist())
    datasets = ROOT / "skfashion" / "datasets"
    data = [p for p in (datasets / "data").iterdir() if p.suffix in (".npz", ".txt")]
    expected = {"skfashion/py.typed", "skfashion/cli.py", "skfashion/exceptions.py"}
    expected |= {f"skfashion/datasets/data/{p.name}" for p in data}
    expected |= {f"skfashion/datasets/descr/{p.name}" for p in (datasets / "descr").glob("*.rst")}
    assert expected <= names, sorted(expected - names)
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "docs/"))]
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "skfashion = skfashion.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()
    with tarfile.open(sdist) as tar:
        members = {m.name.split("/", 1)[1] for m in tar.getmembers() if "/" in m.name}
    assert {"pyproject.toml", "README.md", "skfashion/py.typed"} <= members


def _venv_with_these_dependencies(venv):
    """A new virtual environment that imports what this interpreter imports."""
    import site
    import sysconfig

    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True, timeout=300)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig."
                              "get_paths()['purelib'])"], capture_output=True, text=True,
                             check=True).stdout.strip()
    ours = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")} | set(
        site.getsitepackages())
    # plain directories: their .pth files (an editable skfashion's) are not read
    Path(purelib, "skfashion-test-dependencies.pth").write_text(
        "\n".join(sorted(p for p in ours if Path(p).is_dir())) + "\n")
    return python


def test_a_venv_made_for_the_wheel_imports_the_running_environments_packages(tmp_path):
    """The README's test command passes inside a virtual environment too: the
    wheel's venv sees scikit-learn and Keras wherever they are installed."""
    python = _venv_with_these_dependencies(tmp_path / "venv")
    proc = subprocess.run([str(python), "-c", "import sklearn, keras, numpy"],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_wheel_installs_and_runs_the_quick_start_in_a_fresh_venv(dist, tmp_path):
    wheel, _ = dist
    venv = tmp_path / "venv"
    python = _venv_with_these_dependencies(venv)
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
         "--ignore-installed", str(wheel)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    work = tmp_path / "elsewhere"  # no source tree on the path
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    proc = subprocess.run([str(python), "-c", QUICK_START], capture_output=True, text=True,
                          timeout=600, cwd=work, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    import json

    import skfashion

    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert Path(result["file"]).resolve().is_relative_to(venv.resolve()), result["file"]
    assert result["version"] == skfashion.__version__ and result["n_train"] == 3000
    assert 0.75 < result["score"] < 0.95
    proc = subprocess.run([str(venv / "bin" / "skfashion"), "--version"], capture_output=True,
                          text=True, timeout=300, cwd=work, env=env)
    assert proc.returncode == 0 and proc.stdout.strip() == f"skfashion {skfashion.__version__}"


def test_install_page_lists_every_extra_and_the_supported_versions():
    """The installation page and the README speak of the package that
    pyproject.toml declares: every extra, the Python and Keras bounds."""
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    page = (ROOT / "docs" / "install.rst").read_text()
    readme = (ROOT / "README.md").read_text()
    listed = set(re.findall(r"^   \* - ``([\w-]+)``$", page, flags=re.M))
    assert listed == set(project["optional-dependencies"]), listed
    python = re.fullmatch(r">=(\d+\.\d+)", project["requires-python"]).group(1)
    keras_low, keras_high = re.fullmatch(
        r"keras>=(\d+\.\d+),<(\d+)",
        next(d for d in project["dependencies"] if d.startswith("keras"))).groups()
    for text in (page, readme):
        text = " ".join(text.split())
        assert f"Python {python} or later" in text
        assert f"Keras 3 ({keras_low} or later, below {keras_high})" in text or \
            f"Keras {keras_low} or later (below {keras_high})" in text
        assert "not on PyPI" in text
    assert "(docs/install.rst)" in readme


def test_requires_python_is_what_keras_requires():
    """``requires-python`` is true: not below what the installed Keras (the
    lowest one allowed, 3.15, asks the same) needs (issue 40: it said 3.10)."""
    import importlib.metadata
    import re
    import tomllib

    def lower(spec):
        return tuple(int(p) for p in re.search(r">=\s*(\d+\.\d+)", spec).group(1).split("."))

    ours = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    theirs = importlib.metadata.metadata("keras").get("Requires-Python")
    assert lower(ours) >= lower(theirs), (ours, theirs)


@pytest.mark.parametrize("version, cached", [("0.4.30", False), ("0.5.0", False),
                                             ("0.6.2", True), ("0.10.2", True)])
def test_the_tests_jax_cache_is_on_only_where_jax_reads_it_back(monkeypatch, version, cached):
    """The JAX versions allowed (jax>=0.4.30) but older than 0.6 crash reading
    back the persistent compilation cache the tests turn on (issue 40: tried in
    a venv with each): there the tests run without it."""
    import importlib.metadata
    import importlib.util

    spec = importlib.util.spec_from_file_location("skfashion_tests_conftest",
                                                  ROOT / "tests" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(importlib.metadata, "version", lambda name: version)
    assert module._jax_reads_its_cache_back() is cached
