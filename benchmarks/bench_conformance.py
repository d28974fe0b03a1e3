"""scikit-learn estimator-check results: skfashion, scikeras and Keras's own wrapper.

    python benchmarks/bench_conformance.py

Runs ``sklearn.utils.estimator_checks.check_estimator(..., on_fail=None)`` on each
classifier in its own process (scikeras patches Keras when imported), with
comparable small settings, and prints the pass / expected-failure / failure
counts and the failing checks.
"""

import argparse
import collections
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import emit, machine, run_worker  # noqa: E402


def _builder(meta, compile_kwargs):
    """The builder skfashion's own checks use, given to scikeras the same way."""
    from skfashion._testing import small_mlp

    return small_mlp(meta, compile_kwargs)


def _keras_wrapper_builder(X, y, hidden=16):
    import keras
    import numpy as np

    # The wrapper passes y one-hot encoded: one column per class.
    n_classes = y.shape[1] if np.ndim(y) == 2 else len(np.unique(y))
    model = keras.Sequential([keras.Input((X.shape[1],)),
                              keras.layers.Dense(hidden, activation="relu"),
                              keras.layers.Dense(n_classes, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="categorical_crossentropy")
    return model


def estimators(system):
    if system == "skfashion":
        from skfashion._testing import expected_failed_checks, public_estimators

        return [(e, expected_failed_checks(e)) for e in public_estimators()
                if type(e).__name__ in ("SoftmaxClassifier", "KerasClassifier")]
    if system == "scikeras":
        from scikeras.wrappers import KerasClassifier

        return [(KerasClassifier(_builder, loss="sparse_categorical_crossentropy",
                                 optimizer="adam", optimizer__learning_rate=0.05, epochs=20,
                                 batch_size=16, verbose=0, random_state=0), {})]
    if system == "keras":
        from keras.wrappers import SKLearnClassifier

        return [(SKLearnClassifier(_keras_wrapper_builder,
                                   fit_kwargs={"epochs": 20, "batch_size": 16, "verbose": 0}),
                 {})]
    raise ValueError(system)


def worker(system):
    from sklearn.utils.estimator_checks import check_estimator

    warnings.filterwarnings("ignore")
    out = {}
    for estimator, expected in estimators(system):
        results = check_estimator(estimator, on_fail=None, expected_failed_checks=expected)
        counts = collections.Counter(r["status"] for r in results)
        failed = sorted(r["check_name"] for r in results if r["status"] == "failed")
        xfailed = sorted(r["check_name"] for r in results if r["status"] == "xfail")
        out[type(estimator).__name__] = {"counts": dict(counts), "failed": failed,
                                         "xfailed": xfailed}
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        emit(worker(args.worker[0]))
        return
    import importlib.util
    import importlib.metadata as md

    systems = ["skfashion", "keras"]
    if importlib.util.find_spec("scikeras") is not None:
        systems.insert(1, "scikeras")
    print(f"Machine: {machine()}; scikit-learn {md.version('scikit-learn')}, "
          f"keras {md.version('keras')}\n")
    print("| estimator | checks | passed | expected failures (xfail) | failed | skipped |")
    print("|---|---:|---:|---:|---:|---:|")
    details = []
    for system in systems:
        for name, res in run_worker(__file__, system, "checks").items():
            c = res["counts"]
            total = sum(c.values())
            version = "" if system == "skfashion" else f" ({system} {md.version(system)})"
            print(f"| {system} {name}{version} | {total} | {c.get('passed', 0)} | "
                  f"{c.get('xfail', 0)} | {c.get('failed', 0)} | {c.get('skipped', 0)} |")
            if res["failed"] or res["xfailed"]:
                details.append(f"- {system} {name}: failed {res['failed']}; "
                               f"expected failures {res['xfailed']}")
    print("\n" + "\n".join(details))


if __name__ == "__main__":
    main()
