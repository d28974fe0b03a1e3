"""Memory over a long run: 100 successive fits in one process, as a grid search does.

    python benchmarks/bench_memory.py [--fits 100] [--n-samples 3000]

Prints the resident memory (RSS) after every 10 fits of a fresh
SoftmaxClassifier on the embedded sample, and the growth per fit after the
first 10 (which include TensorFlow's one-time start-up). Keras models, their
traced training and inference functions and their graphs belong to each
estimator and are freed with it; a leak would show as steady growth.
"""

import argparse
import gc
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def current_rss_mb():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main():
    from _harness import machine

    from skfashion import PixelScaler, SoftmaxClassifier
    from skfashion.datasets import load_sample

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fits", type=int, default=100)
    parser.add_argument("--n-samples", type=int, default=3000)
    args = parser.parse_args()
    (X, y), (X_test, _) = load_sample()
    X = PixelScaler().transform(X[: args.n_samples])
    y = y[: args.n_samples]
    X_test = PixelScaler().transform(X_test)
    print(f"Machine: {machine()}\n")
    print("| fits | RSS (MB) | seconds |\n|---:|---:|---:|")
    marks = {}
    t0 = time.perf_counter()
    for i in range(1, args.fits + 1):
        clf = SoftmaxClassifier(hidden_layer_sizes=(64,), epochs=1, random_state=i).fit(X, y)
        clf.predict_proba(X_test)
        del clf
        if i % 10 == 0:
            gc.collect()
            marks[i] = current_rss_mb()
            print(f"| {i} | {marks[i]:.0f} | {time.perf_counter() - t0:.0f} |", flush=True)
    if len(marks) >= 2:
        first, last = min(marks), max(marks)
        growth = (marks[last] - marks[first]) / (last - first)
        print(f"\nGrowth from fit {first} to fit {last}: {marks[last] - marks[first]:.1f} MB, "
              f"{growth * 1024:.0f} KB per fit.")


if __name__ == "__main__":
    main()
