"""Fit, prediction, memory and grid-search speed: plain Keras, scikeras,
LogisticRegression and skfashion, side by side (issue: faster than plain Keras).

    python benchmarks/bench_speed.py [--repeats 3] [--tasks fit,predict,memory,grid]
                                     [--systems skfashion,skfashion@jax,...]

Every measurement runs in a fresh process (see _harness.py); systems alternate
and the tables show medians over the repeats with ratios to the baseline.
Needs the full Fashion-MNIST data and, for the scikeras rows, ``pip install
scikeras`` (rows are skipped with a note when it is missing).
"""

import argparse
import importlib.util
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import (  # noqa: E402
    BASELINE_SUFFIX, alternate, bench_seed, emit, label_of, machine, median, rss_mb,
)


# ------------------------------------------------------------------ workers
def _tutorial_split(scale=True):
    from sklearn.model_selection import train_test_split

    from skfashion.datasets import load_fashion_mnist

    (X, y), _ = load_fashion_mnist()
    X = X.reshape(-1, 28 * 28) / 255.0 if scale else X  # the tutorial's float64 scaling
    return train_test_split(X, y, test_size=0.2, random_state=42)


def _keras_model(**compile_kwargs):
    import keras

    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", **compile_kwargs)
    return model


def _scikeras(**kw):
    from scikeras.wrappers import KerasClassifier

    def build(meta):
        import keras

        return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                                 keras.layers.Dense(meta["n_classes_"], activation="softmax")])

    params = dict(loss="sparse_categorical_crossentropy", optimizer="rmsprop", epochs=5,
                  batch_size=32, verbose=0, random_state=42)
    return KerasClassifier(build, **{**params, **kw})


def _flatten_scale(x):
    return x.reshape(len(x), -1) / 255.0


class _BatchCounter:
    """A batch-level callback, as a Keras user attaches one (learning-rate warm-up,
    logging every N batches): it makes the loop report batch events."""

    def __new__(cls):
        import keras

        class BatchCounter(keras.callbacks.Callback):
            count = 0

            def on_train_batch_end(self, batch, logs=None):
                BatchCounter.count += 1

        return BatchCounter()


def worker_fit(system):
    """The tutorial job; repeat r seeds every system with r (weights and shuffling).

    ``name@backend`` runs on that Keras backend (see _harness.run_worker).
    """
    import keras
    import numpy as np

    name = system.split("@")[0]
    seed = bench_seed()
    keras.utils.set_random_seed(seed)
    if name.startswith("skfashion"):
        from sklearn.pipeline import make_pipeline

        from skfashion import PixelScaler, SoftmaxClassifier

        X_tr, X_val, y_tr, y_val = _tutorial_split(scale=False)
        extra = {}
        if name == "skfashion_callback":  # a batch callback and Keras's progress bar
            extra = {"callbacks": [_BatchCounter()], "verbose": 1}
        est = make_pipeline(PixelScaler(), SoftmaxClassifier(random_state=seed, **extra))
        t0 = time.perf_counter()
        est.fit(X_tr, y_tr)
        elapsed = time.perf_counter() - t0
        return {"fit_s": elapsed, "build_fit_s": elapsed,  # fit builds the model
                "accuracy": float(est.score(X_val, y_val)),
                "steps": int(np.ceil(len(X_tr) / 32)) * 5}
    X_tr, X_val, y_tr, y_val = _tutorial_split()
    steps = int(np.ceil(len(X_tr) / 32)) * 5  # the same 7,500 mini-batches for every system
    build = 0.0  # the other systems build their model inside fit
    if name in ("keras", "keras_spe256", "keras_spe250"):
        kw = {"metrics": ["accuracy"]} if name == "keras" else {
            "steps_per_execution": int(name[-3:])}
        t_build = time.perf_counter()
        model = _keras_model(**kw)
        t0 = time.perf_counter()
        model.fit(X_tr, y_tr, epochs=5, verbose=0)
        elapsed = time.perf_counter() - t0
        build = t0 - t_build  # the tutorial's Sequential(...) and compile(...)
        accuracy = float((model.predict(X_val, verbose=0).argmax(1) == y_val).mean())
    elif name == "scikeras":
        model = _scikeras(random_state=seed)
        t0 = time.perf_counter()
        model.fit(X_tr, y_tr)
        elapsed = time.perf_counter() - t0
        accuracy = float(model.score(X_val, y_val))
    elif name == "logistic":
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(max_iter=100)
        t0 = time.perf_counter()
        model.fit(X_tr, y_tr)
        elapsed = time.perf_counter() - t0
        accuracy = float(model.score(X_val, y_val))
    return {"fit_s": elapsed, "build_fit_s": build + elapsed, "accuracy": accuracy,
            "steps": steps}


def worker_predict(system):
    import numpy as np

    name = system.split("@")[0]
    X_tr, X_val, y_tr, y_val = _tutorial_split()
    X_fit, y_fit = X_tr[:6000].astype(np.float32), y_tr[:6000]
    X_val = X_val.astype(np.float32)
    if name == "keras":
        model = _keras_model()
        model.fit(X_fit, y_fit, epochs=1, verbose=0)
        predict = lambda x: model.predict(x, verbose=0).argmax(1)  # noqa: E731
    elif name == "scikeras":
        model = _scikeras(epochs=1).fit(X_fit, y_fit)
        predict = model.predict
    elif name == "logistic":
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(max_iter=100).fit(X_fit, y_fit)
        predict = model.predict
    elif name == "skfashion":
        from skfashion import SoftmaxClassifier

        model = SoftmaxClassifier(epochs=1, random_state=0).fit(X_fit, y_fit)
        predict = model.predict
    one, many = X_val[:1], X_val[:10000]

    def timed(x, n):
        predict(x)  # warm up
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            predict(x)
            times.append(time.perf_counter() - t0)
        return float(np.median(times))

    return {"one_ms": 1e3 * timed(one, 50), "batch_10000_ms": 1e3 * timed(many, 10)}


def worker_memory(system):
    """Peak RSS of a fresh process fitting a pipeline on all 60,000 images."""
    from skfashion.datasets import load_fashion_mnist

    (X, y), _ = load_fashion_mnist()
    if system == "baseline":  # TensorFlow and Keras imported, data loaded, nothing fitted
        import keras  # noqa: F401
        import tensorflow  # noqa: F401

        return {"peak_rss_mb": rss_mb()}
    from sklearn.pipeline import Pipeline

    if system == "scikeras":
        from sklearn.preprocessing import FunctionTransformer

        pipe = Pipeline([("scale", FunctionTransformer(_flatten_scale)), ("clf", _scikeras())])
    else:
        from skfashion import PixelScaler, SoftmaxClassifier

        pipe = Pipeline([("scale", PixelScaler()), ("clf", SoftmaxClassifier(random_state=42))])
    pipe.fit(X, y)
    return {"peak_rss_mb": rss_mb()}


def worker_grid(system):
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    from skfashion.datasets import load_fashion_mnist

    (X, y), _ = load_fashion_mnist()
    X, y = X[:30000], y[:30000]
    if system == "scikeras":
        from sklearn.preprocessing import FunctionTransformer

        pipe = Pipeline([("scale", FunctionTransformer(_flatten_scale)), ("clf", _scikeras())])
    else:
        from skfashion import PixelScaler, SoftmaxClassifier

        pipe = Pipeline([("scale", PixelScaler()), ("clf", SoftmaxClassifier(random_state=42))])
    search = GridSearchCV(pipe, {"clf__epochs": [1, 2, 5]}, cv=3)
    t0 = time.perf_counter()
    search.fit(X, y)
    return {"search_s": time.perf_counter() - t0,
            "best_epochs": int(search.best_params_["clf__epochs"]),
            "best_score": float(search.best_score_)}


WORKERS = {"fit": worker_fit, "predict": worker_predict, "memory": worker_memory,
           "grid": worker_grid}


# ------------------------------------------------------------------- tables
#: The rows every ratio is taken against; kept whatever --systems says.
REFERENCES = {"keras", "keras_spe250@jax", "logistic", "baseline"}
ONLY = None  # set by --systems
BASELINE = None  # set by --baseline: skfashion's rows also run with that checkout's


def _systems(candidates):
    have_scikeras = importlib.util.find_spec("scikeras") is not None
    if not have_scikeras:
        print("note: scikeras is not installed; its rows are skipped (pip install scikeras)",
              file=sys.stderr)
    chosen = [s for s in candidates if (s != "scikeras" or have_scikeras)
              and (ONLY is None or s in ONLY or s in REFERENCES)]
    if BASELINE is None:
        return chosen
    return [name for s in chosen for name in
            ((s, s + BASELINE_SUFFIX) if s.startswith("skfashion") else (s,))]


def _label(labels, system):
    return label_of(labels, system, BASELINE)


def _alternate(systems, task, repeats):
    return alternate(__file__, systems, task, repeats, baseline=BASELINE)


FIT_LABELS = {
    "keras": "plain Keras, the reference program",
    "scikeras": "scikeras 0.13",
    "keras_spe256": "Keras, steps_per_execution=256",
    "logistic": "LogisticRegression (lbfgs, 100 it.)",
    "skfashion": "skfashion Pipeline(PixelScaler, SoftmaxClassifier)",
    "skfashion_callback": "skfashion, a batch-level callback and verbose=1",
    "keras_spe250@jax": "JAX: plain Keras, steps_per_execution=250",
    "skfashion@jax": "JAX: skfashion Pipeline(PixelScaler, SoftmaxClassifier)",
    "skfashion_callback@jax": "JAX: skfashion, a batch-level callback and verbose=1",
}


def table_fit(repeats):
    systems = _systems(["keras", "scikeras", "keras_spe256", "logistic", "skfashion",
                        "skfashion_callback", "keras_spe250@jax", "skfashion@jax",
                        "skfashion_callback@jax"])
    runs = _alternate(systems, "fit", repeats)

    def base(s, key):
        jax = s.removesuffix(BASELINE_SUFFIX).endswith("@jax")
        return median(runs["keras_spe250@jax" if jax else "keras"], key)

    lines = ["| system | fit (median s) | time / reference | speed-up | "
             "model built and fitted (median s) | time / reference | validation accuracy |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for s in systems:
        t, tb = median(runs[s], "fit_s"), median(runs[s], "build_fit_s")
        lines.append(f"| {_label(FIT_LABELS, s)} | {t:.2f} | {t / base(s, 'fit_s'):.3f} | "
                     f"{base(s, 'fit_s') / t:.1f}x | {tb:.2f} | "
                     f"{tb / base(s, 'build_fit_s'):.3f} | "
                     f"{median(runs[s], 'accuracy'):.4f} |")
    lines.append("\nReference: plain Keras on the same backend (TensorFlow rows: the reference "
                 "program; JAX rows: Keras on JAX with steps_per_execution=250). \"fit\" times "
                 "`model.fit` alone for the plain Keras rows, the estimator's `fit` (which builds "
                 "the model) for the others; \"model built and fitted\" adds the Keras rows' "
                 "`Sequential(...)` and `compile(...)`, where Keras draws the initial weights "
                 "(on JAX that compiles a random-number kernel, about 0.5 s on 2 cores).")
    return ("Fit: tutorial job, 48,000 images, 5 epochs, batch 32, RMSprop (repeat r: seed r "
            "for every system; accuracy is the median over the seeds)"), lines


def table_predict(repeats):
    systems = _systems(["keras", "scikeras", "logistic", "skfashion", "skfashion@jax",
                        "skfashion@torch"])
    runs = _alternate(systems, "predict", repeats)
    lr_one, lr_many = median(runs["logistic"], "one_ms"), median(runs["logistic"], "batch_10000_ms")
    lines = ["| system | 1 image (ms) | / LogisticRegression | 10,000 images (ms) | "
             "/ LogisticRegression |", "|---|---:|---:|---:|---:|"]
    for s in systems:
        one, many = median(runs[s], "one_ms"), median(runs[s], "batch_10000_ms")
        name = _label({}, s).replace("@", " on ")
        lines.append(f"| {name} | {one:.3f} | {one / lr_one:.2f} | {many:.2f} | "
                     f"{many / lr_many:.2f} |")
    if "scikeras" in runs:
        ratio = median(runs["scikeras"], "one_ms") / median(runs["skfashion"], "one_ms")
        lines.append(f"\nskfashion predicts one image {ratio:.0f}x faster than scikeras.")
    return "Predict (median of 50 single-image and 10 batch calls per process)", lines


def table_memory(repeats):
    systems = _systems(["baseline", "scikeras", "skfashion"])
    runs = _alternate(systems, "memory", repeats)
    base = median(runs["baseline"], "peak_rss_mb")
    ref = median(runs["scikeras"], "peak_rss_mb") if "scikeras" in runs else None
    lines = ["| process | peak RSS (MB) | above baseline (MB) | / scikeras |",
             "|---|---:|---:|---:|"]
    for s in systems:
        m = median(runs[s], "peak_rss_mb")
        rel = f"{m / ref:.2f}" if ref else ""
        lines.append(f"| {_label({}, s)} | {m:.0f} | {m - base:.0f} | {rel} |")
    return ("Memory: fit a pipeline on all 60,000 images (baseline: TensorFlow imported and the "
            "data loaded, nothing fitted)"), lines


def table_grid(repeats):
    systems = _systems(["scikeras", "skfashion"])
    runs = _alternate(systems, "grid", repeats)
    ref = median(runs["scikeras"], "search_s") if "scikeras" in runs else None
    lines = ["| system | GridSearchCV (median s) | speed-up vs scikeras | best epochs | "
             "best score |", "|---|---:|---:|---:|---:|"]
    for s in systems:
        t = median(runs[s], "search_s")
        speed = f"{ref / t:.1f}x" if ref else ""
        lines.append(f"| {_label({}, s)} | {t:.1f} | {speed} | {runs[s][0]['best_epochs']} | "
                     f"{median(runs[s], 'best_score'):.4f} |")
    return "GridSearchCV over clf__epochs [1, 2, 5], cv=3, 30,000 images", lines


TABLES = {"fit": table_fit, "predict": table_predict, "memory": table_memory, "grid": table_grid}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tasks", default="fit,predict,memory,grid")
    parser.add_argument("--systems", default=None,
                        help="comma-separated subset of the rows (the reference rows are "
                             "always run), e.g. skfashion,skfashion@jax")
    parser.add_argument("--baseline", metavar="DIR", default=None,
                        help="also run each skfashion row with the skfashion of this checkout "
                             "(git worktree add DIR <commit>), alternated with this one's")
    parser.add_argument("--worker", nargs=2, metavar=("SYSTEM", "TASK"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        system, task = args.worker
        emit(WORKERS[task](system))
        return
    global ONLY, BASELINE
    BASELINE = args.baseline
    if args.systems:
        ONLY = set(args.systems.replace(" ", "").split(","))
    print(f"Machine: {machine()}; {args.repeats} fresh processes per system, alternated.\n")
    for task in args.tasks.split(","):
        title, lines = TABLES[task](args.repeats)
        print(f"### {title}\n")
        print("\n".join(lines) + "\n", flush=True)


if __name__ == "__main__":
    main()
