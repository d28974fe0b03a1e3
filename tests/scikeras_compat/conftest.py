from __future__ import annotations

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


# skfashion: outcomes decided beforehand, with reasons (see _expected.py).
def pytest_collection_modifyitems(config, items):
    from ._expected import SKIP, XFAIL

    for item in items:
        key = item.nodeid.split("scikeras_compat/", 1)[-1]
        if key in XFAIL:
            item.add_marker(pytest.mark.xfail(reason=XFAIL[key], strict=True))
        elif key in SKIP:
            item.add_marker(pytest.mark.skip(reason=SKIP[key]))
