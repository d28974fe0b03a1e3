"""Grid searches and the benchmark on a real Dask cluster (worker processes, loopback)."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline

from skfashion import EpochSearchCV, PixelScaler, SoftmaxClassifier

distributed = pytest.importorskip("dask.distributed", reason="pip install dask distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=":0", silence_logs=40,
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def data(sample):
    (X, y), (X_test, _) = sample
    return X[:600], y[:600], X_test[:100]


def test_grid_search_on_dask_equals_local(client, data):
    from skfashion.dask import dask_backend

    X, y, X_test = data
    pipe = make_pipeline(PixelScaler(), SoftmaxClassifier(random_state=0))
    grid = {"softmaxclassifier__epochs": [1, 2]}
    cv = KFold(3, shuffle=True, random_state=0)
    local = GridSearchCV(pipe, grid, cv=cv, n_jobs=1, scoring="neg_log_loss").fit(X, y)
    with dask_backend(client):
        remote = GridSearchCV(pipe, grid, cv=cv, n_jobs=-1, scoring="neg_log_loss").fit(X, y)
        scores = cross_val_score(pipe, X, y, cv=cv, n_jobs=-1, scoring="neg_log_loss")
    for k in range(3):
        np.testing.assert_array_equal(remote.cv_results_[f"split{k}_test_score"],
                                      local.cv_results_[f"split{k}_test_score"])
    np.testing.assert_array_equal(remote.predict_proba(X_test), local.predict_proba(X_test))
    np.testing.assert_array_equal(
        scores, cross_val_score(pipe, X, y, cv=cv, n_jobs=1, scoring="neg_log_loss"))
    # The tasks really ran on the workers, with TensorFlow loaded there.
    assert all(client.run(lambda: __import__("sys").modules.get("tensorflow") is not None).values())


def test_worker_threads_are_limited(client):
    from skfashion.dask import limit_worker_threads

    limits = limit_worker_threads(client)
    assert len(limits) == 2
    import os

    expected = max(1, os.cpu_count() // 1)
    assert set(limits.values()) == {expected}
    env = client.run(lambda: __import__("os").environ["TF_NUM_INTRAOP_THREADS"])
    assert set(env.values()) == {str(expected)}


def test_epoch_search_on_dask(client, data):
    from skfashion.dask import dask_backend

    X, y, _ = data
    pipe = make_pipeline(PixelScaler(), SoftmaxClassifier(random_state=0))
    local = EpochSearchCV(pipe, [1, 3], cv=2).fit(X, y)
    with dask_backend(client):
        remote = EpochSearchCV(pipe, [1, 3], cv=2, n_jobs=-1).fit(X, y)
    np.testing.assert_array_equal(remote.cv_results_["mean_test_score"],
                                  local.cv_results_["mean_test_score"])


def test_benchmark_command_on_dask(client, capsys):
    from skfashion.cli import main

    def n_clients(dask_scheduler):
        # Clients of this process; workers' own task clients are Dask's business.
        return sorted(c for c in dask_scheduler.clients if not c.startswith("Client-worker-"))

    address = client.scheduler.address
    before = client.run_on_scheduler(n_clients)
    assert main(["benchmark", "--quick", "--models", "softmax,sgd", "--output", "",
                 "--dask", address]) == 0
    out = capsys.readouterr().out
    assert "| SoftmaxClassifier (tutorial) |" in out and "| SGDClassifier |" in out
    # The command's own client is closed when it ends.
    import time

    deadline = time.monotonic() + 10
    while client.run_on_scheduler(n_clients) != before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert client.run_on_scheduler(n_clients) == before


def test_missing_dask_is_explained(monkeypatch, capsys):
    import sys

    from skfashion import cli

    for name in ("dask", "dask.distributed", "distributed"):
        monkeypatch.setitem(sys.modules, name, None)  # "not installed"
    assert cli.main(["benchmark", "--quick", "--models", "sgd", "--dask", "tcp://x:1"]) == 1
    assert "pip install dask (or, in skfashion's source folder, pip install '.[dask]')" in \
        capsys.readouterr().err
