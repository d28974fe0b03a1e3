"""The fast inference and training paths give the answers Keras gives."""

import threading

import keras
import numpy as np
import pytest

from skfashion import KerasClassifier, SoftmaxClassifier

SPARSE = "sparse_categorical_crossentropy"


def _path(clf):
    """Which inference path predictions take (an internal detail these tests pin)."""
    from skfashion._predict._fast_path import predictor_for

    return predictor_for(clf._fitted).kind


@pytest.fixture(scope="module")
def mlp(small):
    X, y, _, _ = small
    return SoftmaxClassifier(hidden_layer_sizes=(32,), dropout=0.2, epochs=2,
                             random_state=0).fit(X, y)


@pytest.mark.parametrize("hidden", [(), (32,)])
def test_numpy_path_equals_keras(small, hidden):
    X, y, X_test, _ = small
    clf = SoftmaxClassifier(hidden_layer_sizes=hidden, dropout=0.1, epochs=1,
                            random_state=0).fit(X, y)
    assert _path(clf) == "numpy"
    proba = clf.predict_proba(X_test)
    expected = np.asarray(clf.model_(X_test, training=False))
    np.testing.assert_allclose(proba, expected, rtol=0, atol=1e-6)
    np.testing.assert_allclose(proba.sum(1), 1, atol=1e-6)
    np.testing.assert_allclose(clf.predict_proba(X_test[:1]), expected[:1], rtol=0, atol=1e-6)


def test_numpy_path_covers_rescaling_flatten_activation_layers(small):
    X, y, X_test, _ = small

    def builder(meta):
        return keras.Sequential([
            keras.Input((784,)),
            keras.layers.Rescaling(2.0, offset=-1.0),
            keras.layers.Dense(16),
            keras.layers.Activation("tanh"),
            keras.layers.ReLU(),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="sigmoid"),
            keras.layers.Softmax(),
        ])

    clf = KerasClassifier(builder, loss=SPARSE, epochs=1, random_state=0).fit(X, y)
    assert _path(clf) == "numpy"
    proba = clf.predict_proba(X_test)
    expected = np.asarray(clf.model_(X_test, training=False))
    np.testing.assert_allclose(proba, expected, rtol=0, atol=1e-6)
    before = X_test.copy()
    clf.predict_proba(X_test)
    np.testing.assert_array_equal(X_test, before)  # inference never writes into X


def test_other_models_use_the_traced_call(small):
    X, y, X_test, _ = small

    def functional(meta):
        inputs = keras.Input((784,))
        hidden = keras.layers.Dense(16, activation="relu")(inputs)
        merged = keras.layers.Concatenate()([hidden, inputs])
        return keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(merged))

    clf = KerasClassifier(functional, loss=SPARSE, epochs=1, random_state=0).fit(X, y)
    assert _path(clf) == "compiled"
    expected = np.asarray(clf.model_(X_test, training=False))
    np.testing.assert_allclose(clf.predict_proba(X_test), expected, rtol=0, atol=1e-6)
    np.testing.assert_allclose(clf.predict_proba(X_test[:1]), expected[:1], rtol=0, atol=1e-6)


def test_training_loop_matches_keras_fit_without_shuffling(small):
    """Same initial weights, same batches, same optimizer: same trained weights."""
    X, y, _, _ = small
    clf = SoftmaxClassifier(epochs=2, shuffle=False, random_state=3).fit(X, y)
    # The same initial model (initialize draws what fit draws), trained by model.fit.
    reference = SoftmaxClassifier(random_state=3).initialize(X, y).model_
    reference.fit(X, y.astype(np.int32), epochs=2, batch_size=32, shuffle=False, verbose=0)
    for ours, theirs in zip(clf.model_.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)


def test_concurrent_predict_from_threads(mlp, small):
    X_test = small[2]
    expected = np.concatenate([mlp.predict_proba(X_test[i * 50:(i + 1) * 50]) for i in range(8)])
    results, errors = [None] * 8, []

    def worker(i):
        try:
            for _ in range(20):
                out = mlp.predict_proba(X_test[i * 50:(i + 1) * 50])
            results[i] = out
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    np.testing.assert_array_equal(np.concatenate(results), expected)


def test_import_is_cheap_and_changes_nothing():
    import subprocess
    import sys

    code = (
        "import sys, skfashion, skfashion.datasets;"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules, 'matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_fitting_and_predicting_on_another_backend_never_imports_tensorflow(backend):
    """Under JAX (or PyTorch) a fit and a predict never import TensorFlow: the
    fast path's activation names came from ``keras.activations.serialize``,
    which imported it at the first predict (2.5 s on 2 cores)."""
    import importlib.util
    import os
    import subprocess
    import sys

    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    code = (
        "import sys, numpy as np\n"
        "from skfashion import SoftmaxClassifier\n"
        "X = np.random.RandomState(0).rand(40, 6).astype('float32'); y = np.arange(40) % 3\n"
        "clf = SoftmaxClassifier(hidden_layer_sizes=(4,), epochs=1, random_state=0).fit(X, y)\n"
        "clf.predict(X); clf.predict_proba(X); clf.score(X, y)\n"
        "print('tensorflow' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, env=dict(os.environ, KERAS_BACKEND=backend))
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-1] == "False"


def test_input_check_shortcut_gives_the_full_checks_answers(mlp, small, monkeypatch):
    """A plain float array skips ``validate_data``; the answers are the same, and
    everything else (bad values, other types, feature names) meets the full checks."""
    import pandas as pd

    from skfashion._fit import _checks as _data

    X, y, X_test, _ = small
    fast = mlp.predict_proba(X_test)
    monkeypatch.setattr(_data, "_already_valid", lambda *args: False)
    slow = mlp.predict_proba(X_test)
    monkeypatch.undo()
    np.testing.assert_array_equal(fast, slow)
    assert _data._already_valid(mlp, X_test, None)
    assert _data._already_valid(mlp, X_test[:1], None)
    for bad, match in ((np.where(np.eye(1, 784, 5, dtype=bool), np.nan, X_test[:1]), "NaN"),
                       (np.where(np.eye(1, 784, 5, dtype=bool), np.inf, X_test[:1]), "infinity"),
                       (X_test[:, :-1], "783 features")):
        assert not _data._already_valid(mlp, bad, None)
        with pytest.raises(ValueError, match=match):
            mlp.predict(bad)
    huge = np.full((1, 784), np.finfo(np.float32).max / 2, np.float32)  # the sum overflows
    assert not _data._already_valid(mlp, huge, None)
    mlp.predict(huge)  # finite: the full check lets it through
    for other in (X_test[:2].tolist(), X_test[0], np.zeros((0, 784)),
                  X_test[:2].astype(np.int64), X_test[:2].view(np.memmap)):
        assert not _data._already_valid(mlp, other, None)
    assert not _data._already_valid(mlp, X_test[:1], np.float64)  # a conversion is due
    named = SoftmaxClassifier(epochs=1, random_state=0).fit(
        pd.DataFrame(X[:200]).add_prefix("p"), y[:200])
    assert not _data._already_valid(named, X_test[:1], None)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        named.predict(X_test[:1])
