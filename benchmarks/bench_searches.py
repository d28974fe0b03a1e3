"""scikit-learn's searches against skfashion's of the same names (issue 42).

    python benchmarks/bench_searches.py [--backends tensorflow,jax] [--n-samples 2000]
                                        [--searches grid,halving] [--repeats 1]

Two searches of the tutorial's pipeline (PixelScaler, then
``SoftmaxClassifier(random_state=0)``: Dense(10) softmax, RMSprop, batch 32) on
the first ``--n-samples`` training images:

- ``grid``: ``GridSearchCV`` over 8 learning rates x epochs [1, 2, 3, 5, 8],
  5 stratified folds, refit on the best (200 fits);
- ``halving``: ``HalvingGridSearchCV`` over 27 learning rates,
  ``resource="clf__epochs"`` from 1 to 27, factor 3, 3 folds.

Each backend runs in a fresh process: a warm-up fit, then scikit-learn's class
and skfashion's alternated ``--repeats`` times on the same data; the medians,
their ratio, whether ``cv_results_`` (all but the ``*_time`` keys),
``best_params_`` and the refitted model's predictions are equal, and the
epochs each trained.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from statistics import median

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import machine  # noqa: E402

RATES_8 = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1]
EPOCHS = [1, 2, 3, 5, 8]
RATES_27 = [float(f"{r:.3g}") for r in __import__("numpy").logspace(-4, -0.5, 27)]


def _search(module, which, pipe):
    if which == "grid":
        return module.GridSearchCV(pipe, {"clf__learning_rate": RATES_8, "clf__epochs": EPOCHS},
                                   cv=5)
    return module.HalvingGridSearchCV(pipe, {"clf__learning_rate": RATES_27},
                                      resource="clf__epochs", min_resources=1,
                                      max_resources=27, factor=3, cv=3)


def _same(a, b, X):
    import numpy as np

    ra, rb = a.cv_results_, b.cv_results_
    if sorted(ra) != sorted(rb):
        return False
    for key in ra:
        if key.endswith("_time"):
            continue
        if key == "params":
            if ra[key] != rb[key]:
                return False
        elif not np.array_equal(np.ma.filled(ra[key], 0) if key.startswith("param_")
                                else ra[key],
                                np.ma.filled(rb[key], 0) if key.startswith("param_")
                                else rb[key]):
            return False
    return (a.best_params_ == b.best_params_
            and bool(np.array_equal(a.predict(X), b.predict(X))))


def _epochs_trained(search):
    """Epochs scikit-learn's class trains: each fit from scratch (the refit apart)."""
    results = search.cv_results_
    name = "param_clf__epochs"
    n_splits = search.n_splits_
    return int(sum(int(e) for e in results[name]) * n_splits)


def worker(backend, n_samples, searches, repeats):
    import warnings

    warnings.filterwarnings("ignore")
    from sklearn import model_selection as sk
    from sklearn.pipeline import Pipeline

    from skfashion import PixelScaler, SoftmaxClassifier
    from skfashion import model_selection as ours
    from skfashion.datasets import load_fashion_mnist

    (X, y), _ = load_fashion_mnist()
    X, y = X[:n_samples], y[:n_samples]
    pipe = Pipeline([("scale", PixelScaler()), ("clf", SoftmaxClassifier(random_state=0))])
    pipe.fit(X[:200], y[:200])  # the backend's start-up outside the clock
    rows = []
    for which in searches:
        times = {"scikit-learn": [], "skfashion": []}
        last = {}
        for _ in range(repeats):
            for label, module in (("scikit-learn", sk), ("skfashion", ours)):
                search = _search(module, which, pipe)
                t0 = time.perf_counter()
                search.fit(X, y)
                times[label].append(time.perf_counter() - t0)
                last[label] = search
        theirs, mine = last["scikit-learn"], last["skfashion"]
        rows.append({
            "search": which, "backend": backend, "n_samples": n_samples,
            "sklearn_s": median(times["scikit-learn"]), "skfashion_s": median(times["skfashion"]),
            "all_sklearn_s": times["scikit-learn"], "all_skfashion_s": times["skfashion"],
            "equal": _same(theirs, mine, X),
            "sklearn_epochs": _epochs_trained(theirs),
            "skfashion_epochs": mine._shared_runs["epochs"],
            "served": mine._shared_runs["served"], "runs": mine._shared_runs["runs"],
            "fits": len(mine.cv_results_["params"]) * mine.n_splits_,
            "best_params": {k: float(v) for k, v in mine.best_params_.items()},
        })
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="tensorflow,jax")
    parser.add_argument("--n-samples", type=int, default=2000)
    parser.add_argument("--searches", default="grid,halving")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    searches = args.searches.split(",")
    if args.worker:
        print(json.dumps(worker(args.worker, args.n_samples, searches, args.repeats)))
        return
    print(machine())
    print(f"{args.n_samples} images; medians of {args.repeats} alternated run(s) per class\n")
    print("| search | backend | scikit-learn (s) | skfashion (s) | ratio | equal "
          "| epochs trained (scikit-learn / skfashion's runs) | fits served from a run |")
    print("|---|---|---:|---:|---:|---|---|---|")
    for backend in args.backends.split(","):
        env = dict(os.environ, KERAS_BACKEND=backend)
        out = subprocess.run(
            [sys.executable, __file__, "--worker", backend, "--n-samples", str(args.n_samples),
             "--searches", args.searches, "--repeats", str(args.repeats)],
            env=env, capture_output=True, text=True)
        if out.returncode:
            sys.exit(f"the {backend} worker failed:\n{out.stderr[-3000:]}")
        for row in json.loads(out.stdout.strip().splitlines()[-1]):
            print(f"| {row['search']} | {backend} | {row['sklearn_s']:.1f} | "
                  f"{row['skfashion_s']:.1f} | {row['skfashion_s'] / row['sklearn_s']:.2f} | "
                  f"{'yes' if row['equal'] else 'NO'} | {row['sklearn_epochs']} / "
                  f"{row['skfashion_epochs']} | {row['served']} of {row['fits']} |",
                  flush=True)


if __name__ == "__main__":
    main()
