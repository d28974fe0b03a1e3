"""The fixed cost of a fit, and what it does to a search (issue 32).

    python benchmarks/bench_fixed_cost.py [--repeats 2]

The tutorial's model (Dense(10) softmax, RMSprop, batch 32) on 2,000 scaled
Fashion-MNIST training images, in a fresh process per system and repeat:

- fixed cost per fit: the median 1-epoch fit minus the per-epoch cost, which is
  half the difference between the median 3-epoch and 1-epoch fits (7 each, after
  two warm-up fits), building and compiling the model included;
- a search: 8 learning rates x 5 stratified folds, 5 epochs each, scored on
  the held-out fold, then a refit of the best on all 2,000 images: the same
  loop for every system (what ``GridSearchCV`` does, without its bookkeeping),
  as seconds and as a multiple of its compute (41 fits x 5 epochs at the
  system's measured per-epoch cost, a fold's 1,600 images counted as 0.8 of an
  epoch).

``skfashion`` is ``SoftmaxClassifier``; ``skfashion_builder`` the same model
made by a builder function in ``KerasClassifier`` (a scikeras user's code),
seeded. ``skfashion_unshared`` is skfashion with sharing of compiled steps
between fits turned off (the backend runner's ``TRACES`` of size 0): the cost
before that sharing. Its epochs run the same program as shared ones, but the
compilation in every fit drowns their 7 ms in the difference of two fits, so
its per-epoch cost is measured with sharing on, in the same process, before
sharing is turned off.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import alternate, emit, machine, print_cost_table, with_baseline  # noqa: E402

N = 2000
LEARNING_RATES = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1]
FOLDS, EPOCHS = 5, 5
SYSTEMS = ["skfashion@tensorflow", "skfashion_builder@tensorflow",
           "skfashion_unshared@tensorflow", "keras@tensorflow", "skfashion@jax",
           "skfashion_unshared@jax", "keras@jax"]
LABELS = {
    "skfashion@tensorflow": "skfashion, TensorFlow",
    "skfashion_builder@tensorflow": "skfashion `KerasClassifier(builder)`, TensorFlow",
    "skfashion_unshared@tensorflow": "skfashion, TensorFlow, traces not shared",
    "keras@tensorflow": "plain Keras `model.fit`, TensorFlow",
    "skfashion@jax": "skfashion, JAX",
    "skfashion_unshared@jax": "skfashion, JAX, compiled steps not shared",
    "keras@jax": "plain Keras `model.fit`, JAX",
}


def _data():
    from skfashion import PixelScaler
    from skfashion.datasets import load_fashion_mnist

    (X, y), _ = load_fashion_mnist()
    return PixelScaler().fit_transform(X[:N]), y[:N]


def _unshare(backend):
    import importlib

    from skfashion._training._trace_cache import TraceCache

    importlib.import_module(f"skfashion._training._{backend}").TRACES = TraceCache(0)


def _fitter(system):
    """``fit(X, y, epochs, learning_rate)`` for the system, returning something scorable."""
    import keras

    name = system.split("@")[0]
    if name == "skfashion_builder":
        from skfashion import KerasClassifier

        def build(learning_rate):
            model = keras.Sequential([keras.Input((784,)),
                                      keras.layers.Dense(10, activation="softmax")])
            model.compile(optimizer=keras.optimizers.RMSprop(learning_rate),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            return model

        def fit_builder(X, y, epochs, learning_rate=0.001):
            return KerasClassifier(build, learning_rate=learning_rate, epochs=epochs,
                                   batch_size=32, random_state=0, verbose=0).fit(X, y)
        return fit_builder
    if name.startswith("skfashion"):
        from skfashion import SoftmaxClassifier

        def fit(X, y, epochs, learning_rate=0.001):
            return SoftmaxClassifier(epochs=epochs, learning_rate=learning_rate,
                                     random_state=0).fit(X, y)
        return fit

    def fit_keras(X, y, epochs, learning_rate=0.001):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((X.shape[1],)),
                                  keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer=keras.optimizers.RMSprop(learning_rate),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(X, y, epochs=epochs, batch_size=32, verbose=0)
        return model
    return fit_keras


def _score(system, fitted, X, y):
    import numpy as np

    if system.startswith("skfashion"):
        return fitted.score(X, y)
    return float(np.mean(fitted.predict(X, verbose=0).argmax(axis=1) == y))


def worker(system):
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    X, y = _data()
    fit = _fitter(system)

    def timed(epochs):
        t0 = time.perf_counter()
        fit(X, y, epochs)
        return time.perf_counter() - t0

    def medians():
        timed(1), timed(3)
        one, three = [], []
        for _ in range(7):
            one.append(timed(1))
            three.append(timed(3))
        return np.median(one), (np.median(three) - np.median(one)) / 2

    one, per_epoch = medians()
    if system.startswith("skfashion_unshared"):
        _unshare(system.split("@")[1])  # the per-epoch cost stays the one with sharing on
        one, _ = medians()
    fixed = one - per_epoch

    splits = list(StratifiedKFold(FOLDS).split(X, y))
    t0 = time.perf_counter()
    scores = []
    for lr in LEARNING_RATES:
        for train, test in splits:
            scores.append(_score(system, fit(X[train], y[train], EPOCHS, lr), X[test], y[test]))
    best = LEARNING_RATES[int(np.argmax(np.reshape(scores, (len(LEARNING_RATES), FOLDS))
                                        .mean(axis=1)))]
    fit(X, y, EPOCHS, best)
    search = time.perf_counter() - t0
    compute = per_epoch * EPOCHS * (len(LEARNING_RATES) * FOLDS * (FOLDS - 1) / FOLDS + 1)
    return {"fixed_ms": 1e3 * fixed, "per_epoch_ms": 1e3 * per_epoch, "search_s": search,
            "compute_s": compute, "best_lr": best}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help="comma-separated, among: " + ", ".join(SYSTEMS))
    parser.add_argument("--baseline", default=None, metavar="DIR",
                        help="also run each system with the skfashion of this checkout "
                             "(git worktree add DIR <commit>), alternated with this one's")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        emit(worker(args.worker[0]))
        return
    systems = with_baseline(args.systems.split(","), args.baseline)
    runs = alternate(__file__, systems, "cost", args.repeats, baseline=args.baseline)
    print(f"Machine: {machine()}; {N:,} images; medians of {args.repeats} fresh process(es) "
          "per system.\n")
    print_cost_table(runs, systems, LABELS, args.baseline)


if __name__ == "__main__":
    main()
