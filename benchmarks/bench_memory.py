"""Memory over a long run: 500 successive fits in one process, as a grid search does.

    python benchmarks/bench_memory.py [--fits 500] [--systems skfashion,keras,...]

Each system runs in its own process on the embedded sample (3,000 images, one
hidden layer of 64, one epoch per fit, a fresh estimator or model per fit, the
test images predicted after each fit). Resident memory (RSS) is read every
``--every`` fits after ``gc.collect()`` and glibc's ``malloc_trim(0)`` (so that
freed heap pages do not count), and the growth per fit is reported per block
after the first block (which holds the backend's one-time start-up).

Systems: ``skfashion`` (SoftmaxClassifier, the tutorial's estimator),
``skfashion_dropout`` (the same with dropout=0.2), ``keras_classifier`` (a
KerasClassifier whose builder names its layers and model),
``keras_classifier_unnamed`` (the same layers left to Keras's numbered names),
``keras`` (plain Keras: a new
``Sequential`` model, ``compile`` and ``fit`` per fit), and any of them as
``name@jax``. ``tf_variable_same_name`` and ``tf_variable_new_names`` isolate
the cause TensorFlow's rows share (no Keras, no training): a (784, 64)
``tf.Variable`` created, updated and deleted per "fit", under one name or a new
name each time.
"""

import argparse
import ctypes
import gc
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import emit, label_of, machine, run_worker, with_baseline  # noqa: E402

SYSTEMS = ("skfashion", "skfashion_dropout", "keras_classifier", "keras_classifier_unnamed",
           "keras", "tf_variable_same_name", "tf_variable_new_names")


def current_rss_mb():
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: freed pages may still count
        pass
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _named_model():
    import keras

    return keras.Sequential([keras.Input((784,), name="pixels"),
                             keras.layers.Dense(64, activation="relu", name="hidden"),
                             keras.layers.Dense(10, activation="softmax", name="scores")],
                            name="net")


def _unnamed_model():
    import keras

    return keras.Sequential([keras.Input((784,)),
                             keras.layers.Dense(64, activation="relu"),
                             keras.layers.Dense(10, activation="softmax")])


def worker(system, fits, every):
    import keras

    from skfashion import KerasClassifier, PixelScaler, SoftmaxClassifier
    from skfashion.datasets import load_sample

    (X, y), (X_test, _) = load_sample()
    X, X_test = PixelScaler().transform(X), PixelScaler().transform(X_test)
    kind = system.split("@")[0]
    marks = {}
    for i in range(1, fits + 1):
        if kind == "skfashion":
            clf = SoftmaxClassifier(hidden_layer_sizes=(64,), epochs=1, random_state=i).fit(X, y)
            clf.predict_proba(X_test)
        elif kind == "skfashion_dropout":
            clf = SoftmaxClassifier(hidden_layer_sizes=(64,), dropout=0.2, epochs=1,
                                    random_state=i).fit(X, y)
            clf.predict_proba(X_test)
        elif kind in ("keras_classifier", "keras_classifier_unnamed"):
            build = _named_model if kind == "keras_classifier" else _unnamed_model
            clf = KerasClassifier(build, loss="sparse_categorical_crossentropy",
                                  epochs=1, random_state=i).fit(X, y)
            clf.predict_proba(X_test)
        elif kind.startswith("tf_variable"):
            import tensorflow as tf

            name = "kernel" if kind == "tf_variable_same_name" else f"kernel_{i}"
            clf = tf.Variable(tf.zeros((784, 64)), name=name)
            clf.assign_add(tf.ones((784, 64)))
        elif kind == "keras":
            clf = keras.Sequential([keras.Input((784,)),
                                    keras.layers.Dense(64, activation="relu"),
                                    keras.layers.Dense(10, activation="softmax")])
            clf.compile(loss="sparse_categorical_crossentropy")
            clf.fit(X, y, epochs=1, verbose=0)
            clf.predict(X_test, verbose=0)
        else:
            raise SystemExit(f"unknown system {system!r}; choose from {SYSTEMS}")
        del clf
        if i % every == 0:
            marks[str(i)] = current_rss_mb()
    return marks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fits", type=int, default=500)
    parser.add_argument("--every", type=int, default=50, help="fits per block")
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help="comma-separated; 'name@jax' runs on JAX")
    parser.add_argument("--baseline", metavar="DIR", default=None,
                        help="also run each system with the skfashion of this checkout "
                             "(git worktree add DIR <commit>), one after the other")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        emit(worker(args.worker[0], args.fits, args.every))
        return
    systems = with_baseline(args.systems.split(","), args.baseline)
    marks = {}
    for s in systems:
        marks[s] = run_worker(__file__, s, "fits", timeout=7200, baseline=args.baseline,
                              args=("--fits", str(args.fits), "--every", str(args.every)))
        print(f"  {s}: done", file=sys.stderr, flush=True)
    print(f"Machine: {machine()}\n")
    print("RSS (MB) after every block of fits:\n")
    print("| fits | " + " | ".join(label_of({}, s, args.baseline) for s in systems) + " |")
    print("|---:|" + "---:|" * len(systems))
    for key in marks[systems[0]]:
        print(f"| {key} | " + " | ".join(f"{marks[s][key]:.0f}" for s in systems) + " |")
    print("\nGrowth per fit (KB), block by block after the first:\n")
    keys = sorted(marks[systems[0]], key=int)
    print("| system | " + " | ".join(f"{a}-{b}" for a, b in zip(keys, keys[1:]))
          + " | first block to last |")
    print("|---|" + "---:|" * len(keys))
    for s in systems:
        per = [1024 * (marks[s][b] - marks[s][a]) / (int(b) - int(a))
               for a, b in zip(keys, keys[1:])]
        total = 1024 * (marks[s][keys[-1]] - marks[s][keys[0]]) / (int(keys[-1]) - int(keys[0]))
        print(f"| {label_of({}, s, args.baseline)} | " + " | ".join(f"{p:.0f}" for p in per)
              + f" | {total:.0f} |")


if __name__ == "__main__":
    main()
