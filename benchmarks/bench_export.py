"""Served latency: an exported pipeline against the pipeline it came from.

    python benchmarks/bench_export.py [--repeats 3] [--calls 200]

One process fits the tutorial pipeline ``Pipeline([PixelScaler(),
SoftmaxClassifier()])`` (5 epochs on the 60,000 training images) and a
``Pipeline([PixelScaler(), LogisticRegression()])``, saves them and exports the
first with :func:`skfashion.export` to ``.keras``, ``.onnx`` and a SavedModel.
Then each system runs in its own fresh process, alternated, ``--repeats``
times: it loads its artifact (ONNX Runtime, Keras and TensorFlow without
skfashion or scikit-learn), predicts the labels of one raw uint8 image
``--calls`` times and of the 10,000 test images 7 times (after 3 warm-up calls
each), and reports the medians, whether its labels equal
``pipeline.predict``'s on all 10,000 images, and which of skfashion and
scikit-learn ended up imported (Keras imports scikit-learn by itself when it is
installed, for its own wrappers; the exported models do not need it, which
``tests/test_export.py`` checks by making that import fail).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import emit, machine, run_worker  # noqa: E402

SYSTEMS = {
    "skfashion": "skfashion pipeline.predict (the reference)",
    "logreg": "LogisticRegression pipeline.predict",
    "onnxruntime": "ONNX Runtime, exported .onnx",
    "keras_call": "Keras, exported .keras: model(x) (argmax)",
    "keras_predict": "Keras, exported .keras: model.predict(x) (argmax)",
    "saved_model": "TensorFlow, exported SavedModel: serving_default",
}
BATCH_CALLS = 7


def prepare(workdir):
    """Fit, save and export; write the test images and the reference labels."""
    import joblib
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from skfashion import PixelScaler, SoftmaxClassifier, export, save
    from skfashion.datasets import load_fashion_mnist

    (X, y), (X_test, _) = load_fashion_mnist()
    pipe = make_pipeline(PixelScaler(), SoftmaxClassifier(random_state=0)).fit(X, y)
    logreg = make_pipeline(PixelScaler(), LogisticRegression(max_iter=100)).fit(X, y)
    save(pipe, os.path.join(workdir, "pipe.skf"))
    joblib.dump(logreg, os.path.join(workdir, "logreg.joblib"))
    for name in ("pipe.keras", "pipe.onnx", "pipe_savedmodel"):
        export(pipe, os.path.join(workdir, name))
    np.save(os.path.join(workdir, "X_test.npy"), X_test)
    np.save(os.path.join(workdir, "labels.npy"), pipe.predict(X_test))
    emit({"accuracy_pipeline": float(pipe.score(*load_fashion_mnist()[1]))})


def _predictor(system, workdir):
    """A function images -> labels, loaded the way a server would."""
    import numpy as np

    path = os.path.join
    if system == "skfashion":
        from skfashion import load

        return load(path(workdir, "pipe.skf")).predict
    if system == "logreg":
        import joblib

        return joblib.load(path(workdir, "logreg.joblib")).predict
    if system == "onnxruntime":
        import onnxruntime as ort

        session = ort.InferenceSession(path(workdir, "pipe.onnx"),
                                       providers=["CPUExecutionProvider"])
        return lambda X: session.run(["label"], {"X": X})[0]
    if system in ("keras_call", "keras_predict"):
        import json
        import zipfile

        import keras

        file = path(workdir, "pipe.keras")
        model = keras.saving.load_model(file)
        classes = np.array(json.load(zipfile.ZipFile(file).open("skfashion.json"))["classes"])
        if system == "keras_call":
            return lambda X: classes[keras.ops.convert_to_numpy(model(X)).argmax(axis=1)]
        return lambda X: classes[model.predict(X, verbose=0).argmax(axis=1)]
    import tensorflow as tf

    serve = tf.saved_model.load(path(workdir, "pipe_savedmodel")).signatures["serving_default"]
    return lambda X: serve(X=tf.constant(X))["labels"].numpy()


def _median_seconds(fn, X, calls):
    for _ in range(3):
        fn(X)
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        fn(X)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def worker(system, workdir, calls):
    import numpy as np

    X_test = np.load(os.path.join(workdir, "X_test.npy"))
    reference = np.load(os.path.join(workdir, "labels.npy"))
    predict = _predictor(system, workdir)
    equal = bool((np.asarray(predict(X_test)) == reference).all())
    one = _median_seconds(predict, X_test[:1], calls)
    batch = _median_seconds(predict, X_test, BATCH_CALLS)
    loaded = sorted({m.split(".")[0] for m in sys.modules} & {"skfashion", "sklearn"})
    emit({"one_ms": one * 1e3, "batch_ms": batch * 1e3, "equal": equal,
          "imports": ",".join(loaded) or "-"})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--calls", type=int, default=200, help="one-image calls per process")
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--workdir", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--worker", nargs=2, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        system, task = args.worker
        if task == "prepare":
            prepare(args.workdir)
        else:
            worker(system, args.workdir, args.calls)
        return
    systems = args.systems.split(",")
    script = os.path.abspath(__file__)
    with tempfile.TemporaryDirectory() as workdir:
        extra = ("--workdir", workdir, "--calls", str(args.calls))
        prepared = run_worker(script, "skfashion", "prepare", args=extra)
        runs = {s: [] for s in systems}
        for r in range(args.repeats):
            for system in systems:
                result = run_worker(script, system, "serve", args=extra, seed=r)
                runs[system].append(result)
                print(f"  [{r + 1}/{args.repeats}] {system}: {result}", file=sys.stderr,
                      flush=True)
    ref_one = statistics.median(r["one_ms"] for r in runs["skfashion"])
    ref_batch = statistics.median(r["batch_ms"] for r in runs["skfashion"])
    print(f"Machine: {machine()}; {args.repeats} fresh processes per system, alternated; "
          f"pipeline test accuracy {prepared['accuracy_pipeline']:.4f}.\n")
    print("| system | one image (median ms) | / pipeline | 10,000 images (median ms) "
          "| / pipeline | labels = pipeline.predict (10,000) | skfashion/sklearn in sys.modules |")
    print("|---|---:|---:|---:|---:|---|---|")
    for system in systems:
        one = statistics.median(r["one_ms"] for r in runs[system])
        batch = statistics.median(r["batch_ms"] for r in runs[system])
        equal = "yes" if all(r["equal"] for r in runs[system]) else "no"
        if system == "logreg":
            equal += " (another model)"
        print(f"| {SYSTEMS[system]} | {one:.3f} | {one / ref_one:.2f} | {batch:.1f} "
              f"| {batch / ref_batch:.2f} | {equal} | {runs[system][0]['imports']} |")


if __name__ == "__main__":
    main()
