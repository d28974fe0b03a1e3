"""Searching epochs: GridSearchCV serial, n_jobs=2, on a two-worker Dask cluster,
and the one-pass EpochSearchCV, side by side; and a learning-rate search.

    python benchmarks/bench_search.py [--repeats 1]
    python benchmarks/bench_search.py --lr-grid [--n-samples 2000] [--systems ...]

``--lr-grid`` is issue 32's search: 8 learning rates x 5 stratified folds, 5
epochs, the tutorial's model (Dense(10) softmax, RMSprop, batch 32) behind
PixelScaler, refit on the best, on the first ``--n-samples`` training images
(2,000; 48,000 is the tutorial's size). Each system in a fresh process, after a
warm-up fit. Rows: GridSearchCV serial, ``n_jobs=2`` and on Dask (TensorFlow),
GridSearchCV serial on JAX and PyTorch, EpochSearchCV (epochs=[5]) on TensorFlow and JAX,
EpochSearchCV with ``train_together=True`` on JAX, scikeras's KerasClassifier
in GridSearchCV (``scikeras@tensorflow``, where installed), Keras's own
``keras.wrappers.SKLearnClassifier`` in GridSearchCV (``keras_wrapper@tensorflow``)
and the plain Keras loop (what GridSearchCV does, with ``model.fit``). Each row also gives the
fixed cost of one fit of that system's model (median 1-epoch fit minus the
per-epoch cost, half the difference of the median 3-epoch and 1-epoch fits,
5 each after the warm-up) and the search as a multiple of its compute: 41
fits x 5 epochs at that per-epoch cost, a fold's 4/5 of the data counted as
0.8 of an epoch.

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
from _harness import (  # noqa: E402
    alternate, emit, label_of, machine, median, print_cost_table, with_baseline)

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
                               host="127.0.0.1", dashboard_address=":0", silence_logs=40)
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


LR_GRID = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1]
LR_FOLDS, LR_EPOCHS = 5, 5
LR_SYSTEMS = ["grid@tensorflow", "grid_n_jobs_2@tensorflow", "grid_dask@tensorflow",
              "grid@jax", "grid@torch", "epoch_search@tensorflow", "epoch_search@jax",
              "epoch_search_together@jax", "scikeras@tensorflow", "keras_wrapper@tensorflow",
              "keras_loop@tensorflow"]
LR_LABELS = {
    "grid@tensorflow": "GridSearchCV serial, TensorFlow",
    "grid_n_jobs_2@tensorflow": "GridSearchCV n_jobs=2 (loky), TensorFlow",
    "grid_dask@tensorflow": "GridSearchCV on a 2-worker Dask LocalCluster, TensorFlow",
    "grid@jax": "GridSearchCV serial, JAX",
    "grid@torch": "GridSearchCV serial, PyTorch",
    "epoch_search@tensorflow": "EpochSearchCV, TensorFlow",
    "epoch_search@jax": "EpochSearchCV, JAX",
    "epoch_search_together@jax": "EpochSearchCV train_together=True (jax.vmap), JAX",
    "scikeras@tensorflow": "scikeras 0.13 KerasClassifier in GridSearchCV, TensorFlow",
    "keras_wrapper@tensorflow": "Keras's keras.wrappers.SKLearnClassifier in GridSearchCV, "
                                "TensorFlow",
    "keras_loop@tensorflow": "plain Keras loop (model.fit per fold), TensorFlow",
}


def _build_model(learning_rate=1e-3):
    import keras

    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _lr_estimator(name):
    """The system's estimator (a Pipeline) and the name of its learning-rate parameter."""
    from sklearn.pipeline import Pipeline

    from skfashion import PixelScaler

    if name == "scikeras":
        from scikeras.wrappers import KerasClassifier

        clf = KerasClassifier(_build_model, model__learning_rate=1e-3, epochs=1,
                              batch_size=32, random_state=0, verbose=0)
        return Pipeline([("scale", PixelScaler()), ("clf", clf)]), "clf__model__learning_rate"
    from skfashion import SoftmaxClassifier

    return (Pipeline([("scale", PixelScaler()), ("clf", SoftmaxClassifier(random_state=0))]),
            "clf__learning_rate")


def _wrapper_model(X, y, learning_rate=1e-3):
    """The model builder of Keras's own ``SKLearnClassifier`` (it passes X and y, and
    one-hot encodes y: the same loss on one-hot targets)."""
    import keras

    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def _wrapper_fit_kwargs(epochs):
    # Keras's wrapper takes the training options as one dict (which clone() does
    # not keep: they are set after it, as GridSearchCV sets parameters)
    return {"epochs": epochs, "batch_size": 32, "verbose": 0}


def _keras_fit(X, y, epochs, learning_rate=1e-3):
    import keras

    keras.utils.set_random_seed(0)
    model = _build_model(learning_rate)
    model.fit(X.reshape(len(X), -1) / 255.0, y, epochs=epochs, batch_size=32, verbose=0)
    return model


def lr_worker(system, n_samples):
    """One system's fixed cost, per-epoch cost and learning-rate search."""
    import keras
    import numpy as np
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    from skfashion import EpochSearchCV
    from skfashion.datasets import load_fashion_mnist

    name = system.split("@")[0]
    (X, y), _ = load_fashion_mnist()
    X, y = X[:n_samples], y[:n_samples]
    cv = StratifiedKFold(LR_FOLDS)
    if name == "keras_loop":
        def fit(epochs):
            return _keras_fit(X, y, epochs)
    elif name == "keras_wrapper":
        from keras.wrappers import SKLearnClassifier
        from sklearn.pipeline import Pipeline

        from skfashion import PixelScaler

        keras_pipe = Pipeline([("scale", PixelScaler()), ("clf", SKLearnClassifier(
            _wrapper_model, model_kwargs={"learning_rate": 1e-3}))])

        def fit(epochs):
            keras.utils.set_random_seed(0)
            return clone(keras_pipe).set_params(
                clf__fit_kwargs=_wrapper_fit_kwargs(epochs)).fit(X, y)
    else:
        pipe, lr_name = _lr_estimator("scikeras" if name == "scikeras" else "skfashion")

        def fit(epochs):
            return clone(pipe).set_params(clf__epochs=epochs).fit(X, y)

    def timed(epochs):
        t0 = time.perf_counter()
        fit(epochs)
        return time.perf_counter() - t0

    timed(1), timed(3)  # warm-up: start-up, first compilation
    one, three = [], []
    for _ in range(5):
        one.append(timed(1))
        three.append(timed(3))
    per_epoch = (np.median(three) - np.median(one)) / 2
    fixed = np.median(one) - per_epoch

    t0 = time.perf_counter()
    if name == "keras_loop":
        scores = []
        for lr in LR_GRID:
            for train, test in cv.split(X, y):
                model = _keras_fit(X[train], y[train], LR_EPOCHS, lr)
                pred = model.predict(X[test].reshape(len(test), -1) / 255.0, verbose=0)
                scores.append(float(np.mean(pred.argmax(axis=1) == y[test])))
        scores = list(np.reshape(scores, (len(LR_GRID), LR_FOLDS)).mean(axis=1))
        _keras_fit(X, y, LR_EPOCHS, LR_GRID[int(np.argmax(scores))])
    elif name == "keras_wrapper":
        keras.utils.set_random_seed(0)
        search = GridSearchCV(keras_pipe, {
            "clf__model_kwargs": [{"learning_rate": lr} for lr in LR_GRID],
            "clf__fit_kwargs": [_wrapper_fit_kwargs(LR_EPOCHS)]}, cv=cv)
        search.fit(X, y)
        scores = [float(s) for s in search.cv_results_["mean_test_score"]]
    else:
        grid = {lr_name: LR_GRID}
        if name.startswith("epoch_search"):
            search = EpochSearchCV(pipe, [LR_EPOCHS], param_grid=grid, cv=cv,
                                   train_together=name == "epoch_search_together")
        else:
            search = GridSearchCV(pipe, dict(grid, clf__epochs=[LR_EPOCHS]), cv=cv,
                                  n_jobs=2 if name == "grid_n_jobs_2" else None)
        if name == "grid_dask":
            _dask_fit(search, X, y)
        elif name == "grid_n_jobs_2":
            from joblib import Parallel, delayed

            # Both loky workers started and TensorFlow imported there before the clock
            Parallel(n_jobs=2)(delayed(__import__)("tensorflow") for _ in range(2))
            t0 = time.perf_counter()
            search.fit(X, y)
        else:
            search.fit(X, y)
        scores = [float(s) for s in search.cv_results_["mean_test_score"]]
    seconds = time.perf_counter() - t0
    if name == "grid_dask":
        seconds = search.seconds_
    compute = per_epoch * LR_EPOCHS * (len(LR_GRID) * (LR_FOLDS - 1) + 1)
    return {"fixed_ms": 1e3 * fixed, "per_epoch_ms": 1e3 * per_epoch, "search_s": seconds,
            "compute_s": compute, "scores": [float(s) for s in scores]}


def _dask_fit(search, X, y):
    """Fit ``search`` on a 2-worker LocalCluster started before the clock (``seconds_``)."""
    from dask.distributed import Client, LocalCluster

    from skfashion.dask import dask_backend

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address=":0", silence_logs=40)
    client = Client(cluster)
    client.run(lambda: __import__("tensorflow"))
    search.set_params(n_jobs=-1)
    with dask_backend(client):
        t0 = time.perf_counter()
        search.fit(X, y)
        search.seconds_ = time.perf_counter() - t0
    client.close()
    cluster.close()


def lr_main(args):
    import importlib.util

    systems = args.systems.split(",") if args.systems else list(LR_SYSTEMS)
    if args.systems is None and importlib.util.find_spec("scikeras") is None:
        systems.remove("scikeras@tensorflow")
    systems = with_baseline(systems, args.baseline)
    runs = alternate(__file__, systems, f"lr_grid:{args.n_samples}", args.repeats,
                     baseline=args.baseline)
    print(f"Machine: {machine()}; {args.n_samples:,} images, {len(LR_GRID)} learning rates x "
          f"{LR_FOLDS} folds, {LR_EPOCHS} epochs, refit; median of {args.repeats} fresh "
          "process(es) per system.\n")
    print_cost_table(runs, systems, LR_LABELS, args.baseline)
    import numpy as np

    for a, b in [("epoch_search@jax", "epoch_search_together@jax"),
                 ("grid@tensorflow", "epoch_search@tensorflow"),
                 ("grid@jax", "epoch_search@jax")]:
        if a in runs and b in runs:
            gap = np.max(np.abs(np.subtract(runs[a][0]["scores"], runs[b][0]["scores"])))
            print(f"\nLargest difference of mean test scores, {label_of(LR_LABELS, b)} "
                  f"against {label_of(LR_LABELS, a)}: {gap:.4f}")


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
    parser.add_argument("--lr-grid", action="store_true",
                        help="the learning-rate search of issue 32 instead of the epochs one")
    parser.add_argument("--n-samples", type=int, default=2000, help="--lr-grid's data size")
    parser.add_argument("--systems", default=None,
                        help="--lr-grid's systems, comma-separated, among: "
                        + ", ".join(LR_SYSTEMS))
    parser.add_argument("--baseline", default=None, metavar="DIR",
                        help="--lr-grid: also run each system with the skfashion of this "
                             "checkout (git worktree add DIR <commit>), alternated")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        system, task = args.worker
        if task.startswith("lr_grid:"):
            emit(lr_worker(system, int(task.split(":")[1])))
        else:
            emit(worker(system))
        return
    if args.lr_grid:
        lr_main(args)
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
