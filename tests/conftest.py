"""Shared fixtures: the embedded sample, and fitted models built once per module."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _share_jax_compilations():
    """Under JAX, let identical models share compiled steps through a cache.

    Every test builds fresh Keras models, and JAX compiles each one's train and
    predict steps again although most are identical; the persistent compilation
    cache, kept in a directory of this run only (removed at exit, and inherited by
    the subprocesses tests start), serves the repeats. Measured on 2 cores: the
    scikit-learn checks under JAX take 2m46s instead of 6m30s. Compiled code is
    the same, so results are too. A user's own ``JAX_COMPILATION_CACHE_DIR`` wins.
    """
    if "JAX_COMPILATION_CACHE_DIR" in os.environ or not _jax_reads_its_cache_back():
        return
    cache = tempfile.mkdtemp(prefix="skfashion-tests-jax-cache-")
    atexit.register(shutil.rmtree, cache, ignore_errors=True)
    os.environ["JAX_COMPILATION_CACHE_DIR"] = cache
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "-1")


def _jax_reads_its_cache_back():
    """True from JAX 0.6: 0.4.30 and 0.5.0 crash (a segmentation fault in
    ``compilation_cache.get_executable_and_time``) reading back an entry this
    cache wrote, inside plain Keras's fit; 0.6.2 and 0.10.2 read it (each run
    over tests/test_keras_equivalence.py). Older JAX: no cache, slower tests."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        major, minor = (int(part) for part in version("jax").split(".")[:2])
    except (PackageNotFoundError, ValueError):
        return False
    return (major, minor) >= (0, 6)


if os.environ.get("KERAS_BACKEND") == "jax":
    _share_jax_compilations()

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from skfashion import PixelScaler  # noqa: E402
from skfashion.datasets import find_data_dir, load_sample  # noqa: E402

OFFICIAL_NAMES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


@pytest.fixture(autouse=True)
def _global_generators_put_back():
    """Each test leaves the process's global random generators as it found them.

    Oracle tests seed plain Keras with ``keras.utils.set_random_seed``, which
    sets Python's, NumPy's, Keras's and the backend's global generators for the
    rest of the process. Which tests share a process is pytest-xdist's choice, so
    a later test that needs unseeded generators (scikeras's
    ``test_random_state``: two unseeded draws must differ) failed or passed by
    the order of the files. Every test now puts all of them back.
    """
    import random
    import sys

    from skfashion._keras_internals import (
        keras_seed_state,
        set_keras_seed_state,
        tensorflow_seed_context,
    )

    python_state, numpy_state = random.getstate(), np.random.get_state()
    keras_state = keras_seed_state()
    context = tensorflow_seed_context()
    tf_seed = context.global_seed() if context is not None else None
    torch = sys.modules.get("torch")
    torch_state = torch.random.get_rng_state() if torch is not None else None
    yield
    random.setstate(python_state)
    np.random.set_state(numpy_state)
    set_keras_seed_state(*keras_state)
    context = tensorflow_seed_context()
    if context is not None and context.global_seed() != tf_seed:
        import tensorflow as tf

        tf.random.set_seed(tf_seed)
    if torch_state is not None:
        torch.random.set_rng_state(torch_state)


@pytest.fixture(scope="session")
def sample():
    return load_sample()


@pytest.fixture(scope="session")
def small(sample):
    """1,000 training and 500 test images, scaled: enough to learn, fast to fit."""
    (X, y), (X_test, y_test) = sample
    rng = np.random.RandomState(0)
    tr = rng.choice(len(X), 1000, replace=False)
    te = rng.choice(len(X_test), 500, replace=False)
    scaler = PixelScaler()
    return scaler.transform(X[tr]), y[tr], scaler.transform(X_test[te]), y_test[te]


@pytest.fixture(scope="session")
def official_dir():
    """The directory of the real data, or skip with the reason."""
    directory = find_data_dir()
    if directory is None:
        pytest.skip(
            "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist, "
            "or set SKFASHION_DATA); .ci/run installs it"
        )
    return directory


@pytest.fixture
def isolated_lookup(tmp_path, monkeypatch):
    """A lookup chain with no data anywhere: empty Keras home, no Debian directory."""
    from skfashion.datasets import _fashion_mnist

    monkeypatch.delenv("SKFASHION_DATA", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setattr(_fashion_mnist, "DEBIAN_DIR", tmp_path / "debian")
    return tmp_path


def link_official(source, target):
    """Symlink the four official files of ``source`` into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for name in OFFICIAL_NAMES:
        (target / name).symlink_to(source / name)
    return target
