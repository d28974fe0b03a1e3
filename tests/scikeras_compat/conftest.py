from __future__ import annotations

import os

from typing import TYPE_CHECKING, Iterator

import pytest
from keras import backend

if TYPE_CHECKING:
    from _pytest.fixtures import FixtureRequest


@pytest.fixture(autouse=True)
def set_floatx_and_backend_config(request: FixtureRequest) -> Iterator[None]:
    current = backend.floatx()
    floatx = getattr(request, "param", "float32")
    backend.set_floatx(floatx)
    try:
        yield
    finally:
        backend.set_floatx(current)


# skfashion: the suite sets TF_DETERMINISTIC_OPS and PYTHONHASHSEED without putting
# them back (test_parameters.py::test_random_states_env_vars); processes started
# later (subprocesses, joblib and Dask workers of skfashion's own tests) would
# inherit them and compute with TensorFlow's deterministic kernels, which round
# differently from the main process. Restore the environment after each test.
@pytest.fixture(autouse=True)
def _restore_environment():
    saved = {k: os.environ.get(k) for k in ("TF_DETERMINISTIC_OPS", "PYTHONHASHSEED")}
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


# skfashion: many of the suite's tests build their models outside any random_state,
# from Keras's global generators, whose state depends on the tests that ran before
# (and on the OS's entropy in a fresh process). Thresholds such as "the autoencoder's
# error falls 5-fold in one epoch" then pass or fail by chance (about one run in
# three for test_simple_autoencoder_mnist). Every test runs under the same seed, and
# the global generators are put back afterwards (the shim's seeding context), so the
# tests that follow are unaffected. test_random_state.py tests that seeding context
# itself on unseeded generators, so it runs as it is. (The context holds skfashion's
# seed lock: a test here whose own threads build seeded models would wait on it;
# none does.)
@pytest.fixture(autouse=True)
def _seeded_globals(request):
    from ._shim import tensorflow_random_state

    if request.node.path.name == "test_random_state.py":
        yield
        return
    with tensorflow_random_state(0):
        yield


# skfashion: outcomes decided beforehand, with reasons (see _expected.py).
def pytest_collection_modifyitems(config, items):
    from ._expected import SKIP, XFAIL

    for item in items:
        key = item.nodeid.split("scikeras_compat/", 1)[-1]
        if key in XFAIL:
            item.add_marker(pytest.mark.xfail(reason=XFAIL[key], strict=True))
        elif key in SKIP:
            item.add_marker(pytest.mark.skip(reason=SKIP[key]))
