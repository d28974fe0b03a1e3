"""Memory over a long run: 100 successive fits in one process, as a grid search does.

    python benchmarks/bench_memory.py [--fits 100]

For skfashion (a fresh SoftmaxClassifier per fit) and for plain Keras (a fresh
model and ``model.fit`` per fit), each in its own process, on the embedded
sample (3,000 images, one hidden layer of 64, one epoch per fit): resident
memory (RSS) after every 10 fits, and the growth per fit after the first 10
(which include TensorFlow's one-time start-up).
"""

import argparse
import gc
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import emit, machine, run_worker  # noqa: E402


def current_rss_mb():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def worker(system, fits):
    from skfashion import PixelScaler, SoftmaxClassifier
    from skfashion.datasets import load_sample

    (X, y), (X_test, _) = load_sample()
    X, X_test = PixelScaler().transform(X), PixelScaler().transform(X_test)
    marks = {}
    for i in range(1, fits + 1):
        if system == "skfashion":
            clf = SoftmaxClassifier(hidden_layer_sizes=(64,), epochs=1, random_state=i).fit(X, y)
            clf.predict_proba(X_test)
        else:
            import keras

            clf = keras.Sequential([keras.Input((784,)),
                                    keras.layers.Dense(64, activation="relu"),
                                    keras.layers.Dense(10, activation="softmax")])
            clf.compile(loss="sparse_categorical_crossentropy")
            clf.fit(X, y, epochs=1, verbose=0)
            clf.predict(X_test, verbose=0)
        del clf
        if i % 10 == 0:
            gc.collect()
            marks[str(i)] = current_rss_mb()
    return marks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fits", type=int, default=100)
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        emit(worker(args.worker[0], args.fits))
        return
    systems = ["skfashion", "keras"]
    marks = {s: run_worker(__file__, s, "fits", args=("--fits", str(args.fits)))
             for s in systems}
    print(f"Machine: {machine()}\n")
    print("| fits | skfashion RSS (MB) | plain Keras RSS (MB) |\n|---:|---:|---:|")
    for key in marks["skfashion"]:
        print(f"| {key} | {marks['skfashion'][key]:.0f} | {marks['keras'][key]:.0f} |")
    print()
    for s in systems:
        keys = sorted(marks[s], key=int)
        first, last = keys[0], keys[-1]
        grow = marks[s][last] - marks[s][first]
        print(f"{s}: +{grow:.1f} MB from fit {first} to fit {last}, "
              f"{1024 * grow / (int(last) - int(first)):.0f} KB per fit")


if __name__ == "__main__":
    main()
