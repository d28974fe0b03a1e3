"""Collection rules for the whole suite (tests/ and the package's doctests).

- The examples of the data loaders read the full Fashion-MNIST files: skipped,
  with the reason, where the data is not installed (CI installs it; nothing is
  downloaded).
- The suite runs once per Keras backend (README, the test command). Tests that
  cannot depend on the backend (figures, the report page, progress lines, data
  files, docstrings, the benchmark scripts' plumbing, the search wrapper's
  scikit-learn API) run with the default backend only; under another backend
  they are skipped with the reason, which keeps CI under its time budget
  without losing a check (measured under JAX: about 110 s of 580, and 26 s
  for BaseWrapper's scikit-learn checks, whose training KerasRegressor's repeat).
"""

import os

import pytest

NEEDS_FULL_DATA = ("load_fashion_mnist", "fetch_fashion_mnist")
BACKEND_INDEPENDENT_FILES = {
    "tests/test_benchmark_scripts.py",
    "tests/test_datasets.py",
    "tests/test_docstrings.py",
    "tests/test_pixel.py",
    "tests/test_plotting.py",
    "tests/test_progress.py",
    "tests/test_reliability.py",
    "tests/test_report_html.py",
}
#: Doctests of these parts draw, read data or format results only.
BACKEND_INDEPENDENT_DOCTESTS = ("skfashion/benchmark/", "skfashion/plotting/",
                                "skfashion/datasets/", "skfashion/_dask.py")
#: Examples that show one backend's behaviour, with where the others are checked.
BACKEND_SPECIFIC_DOCTESTS = {
    "skfashion.exceptions.ExportPrecisionWarning": (
        ("tensorflow", "torch"),
        "the example exports a float64 pipeline to .keras, which JAX without 64-bit "
        "mode refuses with ExportError (tests/test_export_seams.py checks that "
        "refusal under JAX)"),
}


def _is_doctest(item):
    return type(item).__name__ == "DoctestItem"


def _runs_once(item, backend):
    """Why ``item`` does not run under ``backend`` (None: it does)."""
    if _is_doctest(item) and item.name in BACKEND_SPECIFIC_DOCTESTS:
        backends, why = BACKEND_SPECIFIC_DOCTESTS[item.name]
        return None if backend in backends else why
    path = item.nodeid.split("::", 1)[0]
    if (path.startswith(BACKEND_INDEPENDENT_DOCTESTS) if _is_doctest(item)
            else path in BACKEND_INDEPENDENT_FILES):
        return "backend-independent"
    if path != "tests/test_common.py":
        return None
    # scikit-learn's checks of EpochSearchCV test the search's API; the training
    # inside it is SoftmaxClassifier's, checked on every backend (and
    # tests/test_backends.py compares the search with GridSearchCV there).
    if "[EpochSearchCV(" in item.nodeid:
        return "the search's API is backend-independent; its training is SoftmaxClassifier's"
    # BaseWrapper's checks train the same model with the same loss as those of
    # KerasRegressor (its subclass), which run on every backend (26 s under JAX).
    if "[BaseWrapper(" in item.nodeid:
        return "the same training as KerasRegressor's checks, which run on every backend"
    return None


def pytest_collection_modifyitems(config, items):
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    if backend != "tensorflow":
        for item in items:
            why = _runs_once(item, backend)
            if why is not None:
                item.add_marker(pytest.mark.skip(
                    reason=f"{why}: runs under TensorFlow, not under {backend}"))

    from skfashion.datasets import find_data_dir

    if find_data_dir() is None:
        skip = pytest.mark.skip(reason="the full data is not installed "
                                       "(apt-get install dataset-fashion-mnist)")
        for item in items:
            if _is_doctest(item) and item.name.rsplit(".", 1)[-1] in NEEDS_FULL_DATA:
                item.add_marker(skip)
