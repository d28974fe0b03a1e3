"""Searching epochs: GridSearchCV serial, n_jobs=2, on a two-worker Dask cluster,
and the one-pass EpochSearchCV, side by side.

    python benchmarks/bench_search.py [--repeats 1] [--n-samples 30000]

Pipeline([PixelScaler(), SoftmaxClassifier(random_state=0)]), epochs [1, 2, 5, 10],
cv=3, refit on the best. Each system runs in a fresh process; the Dask cluster
(LocalCluster, 2 worker processes of 1 thread, loopback) is started before the
clock, and so are the loky workers of the n_jobs=2 run; every process runs one small
warm-up fit first. "largest candidate alone" is GridSearchCV over epochs=[10] only: the
cost floor of any search that trains the 10-epoch model on every fold.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import alternate, emit, machine, median  # noqa: E402

EPOCHS = [1, 2, 5, 10]
N_SAMPLES = int(os.environ.get("BENCH_SEARCH_SAMPLES", 30000))


def worker(system):
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    from skfashion import EpochSearchCV, PixelScaler, SoftmaxClassifier
    from skfashion.datasets import load_fashion_mnist

    (X, y), _ = load_fashion_mnist()
    X, y = X[:N_SAMPLES], y[:N_SAMPLES]
    pipe = Pipeline([("scale", PixelScaler()), ("clf", SoftmaxClassifier(random_state=0))])
    # TensorFlow's one-time start-up (first trace, thread pools) outside the clock,
    # as for the loky and Dask workers below.
    pipe.fit(X[:200], y[:200])
    grid = {"clf__epochs": EPOCHS}
    if system == "epoch_search":
        search = EpochSearchCV(pipe, EPOCHS, cv=3)
    elif system == "largest_only":
        search = GridSearchCV(pipe, {"clf__epochs": [max(EPOCHS)]}, cv=3)
    elif system == "serial":
        search = GridSearchCV(pipe, grid, cv=3, n_jobs=1)
    elif system == "n_jobs_2":
        from joblib import Parallel, delayed

        # Start both loky workers and import TensorFlow there outside the clock,
        # as the Dask workers are started before it.
        Parallel(n_jobs=2)(delayed(__import__)("tensorflow") for _ in range(2))
        search = GridSearchCV(pipe, grid, cv=3, n_jobs=2)
    elif system == "dask":
        from dask.distributed import Client, LocalCluster

        from skfashion.dask import dask_backend

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None, silence_logs=40)
        client = Client(cluster)
        client.run(lambda: __import__("tensorflow"))  # start-up outside the clock
        search = GridSearchCV(pipe, grid, cv=3, n_jobs=-1)
        with dask_backend(client):
            t0 = time.perf_counter()
            search.fit(X, y)
            elapsed = time.perf_counter() - t0
        client.close()
        cluster.close()
        return _result(search, elapsed)
    t0 = time.perf_counter()
    search.fit(X, y)
    return _result(search, time.perf_counter() - t0)


def _result(search, elapsed):
    scores = [float(s) for s in search.cv_results_["mean_test_score"]]
    return {"seconds": elapsed, "best_epochs": int(search.best_params_["clf__epochs"]),
            "best_score": float(search.best_score_), "scores": scores}


LABELS = {
    "serial": "GridSearchCV, n_jobs=1",
    "n_jobs_2": "GridSearchCV, n_jobs=2 (loky)",
    "dask": "GridSearchCV on a 2-worker Dask LocalCluster",
    "epoch_search": "EpochSearchCV (one pass per fold), n_jobs=1",
    "largest_only": "largest candidate alone (GridSearchCV, epochs=[10])",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        emit(worker(args.worker[0]))
        return
    systems = ["serial", "n_jobs_2", "dask", "epoch_search", "largest_only"]
    runs = alternate(__file__, systems, "search", args.repeats)
    base = median(runs["serial"], "seconds")
    print(f"Machine: {machine()}; {N_SAMPLES:,} images, epochs {EPOCHS}, cv=3, "
          f"median of {args.repeats} run(s) per system, each in a fresh process.\n")
    print("| system | seconds | speed-up vs serial | best epochs | best score |")
    print("|---|---:|---:|---:|---:|")
    for s in systems:
        t = median(runs[s], "seconds")
        print(f"| {LABELS[s]} | {t:.1f} | {base / t:.2f}x | {runs[s][0]['best_epochs']} | "
              f"{runs[s][0]['best_score']:.4f} |")
    one_pass = median(runs["epoch_search"], "seconds")
    largest = median(runs["largest_only"], "seconds")
    print(f"\nEpochSearchCV / largest candidate alone: {one_pass / largest:.2f} (target <= 1.25); "
          f"GridSearchCV serial / EpochSearchCV: {base / one_pass:.2f}x (target >= 1.4).")
    same = runs["serial"][0]["scores"] == runs["epoch_search"][0]["scores"]
    print(f"Mean test scores of EpochSearchCV identical to GridSearchCV's: {same}.")


if __name__ == "__main__":
    main()
