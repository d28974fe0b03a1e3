import subprocess
import sys

import numpy as np
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline

from skfashion import PixelScaler, SoftmaxClassifier

SCRIPT = """
import numpy as np
from skfashion import PixelScaler, SoftmaxClassifier
from skfashion.datasets import load_sample
(X, y), (X_test, _) = load_sample()
clf = SoftmaxClassifier(hidden_layer_sizes=(16,), dropout=0.1, epochs=2, random_state=5)
clf.fit(PixelScaler().transform(X[:800]), y[:800])
np.save({out!r}, clf.predict_proba(PixelScaler().transform(X_test[:200])))
"""


def test_bit_identical_across_processes(sample, tmp_path):
    (X, y), (X_test, _) = sample
    out = tmp_path / "proba.npy"
    subprocess.run([sys.executable, "-c", SCRIPT.format(out=str(out))], check=True)
    clf = SoftmaxClassifier(hidden_layer_sizes=(16,), dropout=0.1, epochs=2, random_state=5)
    clf.fit(PixelScaler().transform(X[:800]), y[:800])
    expected = clf.predict_proba(PixelScaler().transform(X_test[:200]))
    np.testing.assert_array_equal(np.load(out), expected)


def test_same_results_with_one_or_two_jobs(sample):
    (X, y), _ = sample
    X, y = X[:600], y[:600]
    pipe = make_pipeline(PixelScaler(), SoftmaxClassifier(random_state=0))
    cv = KFold(3, shuffle=True, random_state=0)
    serial = cross_val_score(pipe, X, y, cv=cv, n_jobs=1, scoring="neg_log_loss")
    parallel = cross_val_score(pipe, X, y, cv=cv, n_jobs=2, scoring="neg_log_loss")
    np.testing.assert_array_equal(serial, parallel)
    grid = {"softmaxclassifier__epochs": [1, 2]}
    a = GridSearchCV(pipe, grid, cv=cv, n_jobs=1, scoring="neg_log_loss").fit(X, y)
    b = GridSearchCV(pipe, grid, cv=cv, n_jobs=2, scoring="neg_log_loss").fit(X, y)
    np.testing.assert_array_equal(a.cv_results_["mean_test_score"],
                                  b.cv_results_["mean_test_score"])
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def _build(meta):
    import keras

    return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                             keras.layers.Dense(16, activation="relu"),
                             keras.layers.Dropout(0.2),
                             keras.layers.Dense(meta["n_classes_"], activation="softmax")])


def _estimators():
    from skfashion import KerasClassifier

    return [
        lambda seed: SoftmaxClassifier(hidden_layer_sizes=(16,), dropout=0.2, epochs=2,
                                       random_state=seed),
        lambda seed: KerasClassifier(_build, loss="sparse_categorical_crossentropy", epochs=2,
                                     random_state=seed),
    ]


def test_concurrent_fits_in_threads_give_their_solo_results(small):
    """Fits in threads of one process (joblib's threading backend, a Dask worker
    with several threads) each get what they get alone."""
    import threading

    X, y, X_test, _ = small
    for make in _estimators():
        solo = {seed: make(seed).fit(X, y).predict_proba(X_test) for seed in (1, 2, 3)}
        results, errors = {}, []

        def fit(seed):
            try:
                results[seed] = make(seed).fit(X, y).predict_proba(X_test)
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=fit, args=(seed,)) for seed in (1, 2, 3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        for seed in solo:
            np.testing.assert_array_equal(results[seed], solo[seed])


def test_other_threads_drawing_from_global_generators_change_nothing(small):
    """What broke seeded fits on Dask: another thread (dask.sizeof in the worker's
    event loop) drawing from Python's random while a model is built."""
    import random
    import threading
    import time

    X, y, X_test, _ = small
    for make in _estimators():
        expected = make(4).fit(X, y).predict_proba(X_test)
        stop = threading.Event()

        def draw():
            while not stop.is_set():
                random.random()
                np.random.random_sample()
                time.sleep(0.0005)

        thread = threading.Thread(target=draw)
        thread.start()
        try:
            got = [make(4).fit(X, y).predict_proba(X_test) for _ in range(3)]
        finally:
            stop.set()
            thread.join()
        for proba in got:
            np.testing.assert_array_equal(proba, expected)
