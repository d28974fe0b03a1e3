"""Doctests of the package (``--doctest-modules``): the examples of the data
loaders read the full Fashion-MNIST files, so they are skipped, with the reason,
where the data is not installed (CI installs it; nothing is downloaded)."""

import pytest

NEEDS_FULL_DATA = ("load_fashion_mnist", "fetch_fashion_mnist")


def pytest_collection_modifyitems(config, items):
    from skfashion.datasets import find_data_dir

    if find_data_dir() is not None:
        return
    skip = pytest.mark.skip(reason="the full data is not installed "
                                   "(apt-get install dataset-fashion-mnist)")
    for item in items:
        if type(item).__name__ == "DoctestItem" \
                and item.name.rsplit(".", 1)[-1] in NEEDS_FULL_DATA:
            item.add_marker(skip)
