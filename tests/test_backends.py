"""The contract on whatever Keras backend runs the tests (KERAS_BACKEND).

CI runs the whole suite under TensorFlow and under JAX, and this file under
PyTorch too: fit, predict, partial_fit, warm start, callbacks, pickling, safe
save and load, determinism and EpochSearchCV on every backend.
"""

import pickle
import subprocess
import sys

import keras
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, KFold

import skfashion
from skfashion import EpochSearchCV, KerasClassifier, KerasRegressor, SoftmaxClassifier

SPARSE = "sparse_categorical_crossentropy"
BACKEND = keras.backend.backend()


def build(meta):
    return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                             keras.layers.Dense(16, activation="relu"),
                             keras.layers.Dropout(0.1),
                             keras.layers.Dense(meta["n_classes_"], activation="softmax")])


def build_functional(meta):
    inputs = keras.Input((meta["n_features_in_"],))
    return keras.Model(inputs, keras.layers.Dense(meta["n_classes_"],
                                                  activation="softmax")(inputs))


def build_regressor(meta):
    return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                             keras.layers.Dense(meta["n_outputs_"])])


@pytest.fixture(scope="module")
def data(small):
    X, y, X_test, y_test = small
    return X[:600], y[:600], X_test[:200], y_test[:200]


def _estimators():
    return [
        SoftmaxClassifier(hidden_layer_sizes=(16,), dropout=0.1, epochs=3, optimizer="adam",
                          learning_rate=0.01, random_state=0),
        KerasClassifier(build, loss=SPARSE, epochs=3, optimizer="adam",
                        optimizer__learning_rate=0.01, random_state=0),
    ]


@pytest.mark.parametrize("est", _estimators(), ids=["softmax", "keras"])
def test_fit_predict_persist(data, tmp_path, est):
    X, y, X_test, y_test = data
    est.fit(X, y)
    proba = est.predict_proba(X_test)
    assert proba.shape == (len(X_test), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1, atol=1e-5)
    assert est.score(X_test, y_test) > 0.3  # chance is 0.1; 3 epochs on 600 images
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict_proba(X_test), proba)
    est.save(tmp_path / "m.skf")
    np.testing.assert_array_equal(skfashion.load(tmp_path / "m.skf").predict_proba(X_test), proba)
    same = type(est)(**est.get_params()).fit(X, y)  # an integer seed: the same fit
    np.testing.assert_array_equal(same.predict_proba(X_test), proba)


def test_partial_fit_warm_start_and_callbacks(data):
    X, y, _, _ = data
    seen = []

    class Batches(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(batch)

    clf = SoftmaxClassifier(epochs=1, batch_size=30, warm_start=True, random_state=0,
                            steps_per_execution=5, callbacks=[Batches()])
    clf.fit(X, y).fit(X, y)
    assert clf.n_iter_ == 2 and seen == [4, 9, 14, 19] * 2  # 20 steps in chunks of 5
    partial = SoftmaxClassifier(random_state=0).partial_fit(X, y).partial_fit(X, y)
    assert partial.n_iter_ == 2


def test_regressor(data):
    X, _, X_test, _ = data
    target = X @ np.random.RandomState(0).normal(size=X.shape[1]) / 10
    reg = KerasRegressor(build_regressor, loss="mse", optimizer="adam",
                         optimizer__learning_rate=0.01, epochs=15, random_state=0)
    assert reg.fit(X, target).score(X, target) > 0.8
    assert reg.predict(X_test).shape == (len(X_test),)


def test_epoch_search_equals_grid_search(data):
    X, y, _, _ = data
    clf = SoftmaxClassifier(random_state=0)
    cv = KFold(2, shuffle=True, random_state=0)
    grid = GridSearchCV(clf, {"epochs": [1, 2]}, cv=cv, scoring="neg_log_loss").fit(X, y)
    search = EpochSearchCV(clf, [1, 2], cv=cv, scoring="neg_log_loss").fit(X, y)
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"],
                                  grid.cv_results_["mean_test_score"])


@pytest.mark.skipif(BACKEND != "jax", reason="the JAX-only install is checked under JAX")
def test_jax_works_without_tensorflow(tmp_path):
    """A JAX-only install: TensorFlow made unimportable, everything still works."""
    code = f"""
import sys
sys.modules["tensorflow"] = None  # import tensorflow now raises ImportError
import numpy as np, keras
import skfashion
from skfashion import KerasClassifier, PixelScaler, SoftmaxClassifier
from skfashion.datasets import load_sample
(X, y), (X_test, y_test) = load_sample()
X, X_test = PixelScaler().transform(X[:300]), PixelScaler().transform(X_test[:50])
clf = SoftmaxClassifier(epochs=1, random_state=0).fit(X, y[:300])
clf.save({str(tmp_path / "m.skf")!r})
assert np.array_equal(skfashion.load({str(tmp_path / "m.skf")!r}).predict(X_test),
                      clf.predict(X_test))
def build(meta):
    return keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")])
KerasClassifier(build, loss="sparse_categorical_crossentropy", random_state=0).fit(X, y[:300])
print(keras.backend.backend(), "tensorflow" in sys.modules and sys.modules["tensorflow"])
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**__import__("os").environ, "KERAS_BACKEND": "jax"})
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split() == ["jax", "None"]


def test_the_registry_names_the_module_that_trains_and_predicts(data, monkeypatch):
    """Training and the fast predictor reach the backend through one registry
    (``_training/_backends.py``): the active backend's module makes the runner
    and the compiled inference call, and its runner is a ``Runner``."""
    from skfashion._training import _backends
    from skfashion._training._runner import Runner

    module = _backends.backend_module()
    assert module.__name__.rsplit(".", 1)[1] == _backends.BACKENDS[BACKEND]
    calls = []
    for name in ("make_runner", "compiled_call"):
        real = getattr(module, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            out = _real(*args, **kwargs)
            calls.append((_name, out))
            return out

        monkeypatch.setattr(module, name, spy)
    X, y, X_test, _ = data
    # a functional model: the NumPy path computes Sequential Dense stacks itself
    clf = KerasClassifier(build_functional, loss=SPARSE, epochs=1, random_state=0).fit(X, y)
    clf.predict(X_test)
    assert [name for name, _ in calls] == ["make_runner", "compiled_call"]
    assert isinstance(calls[0][1], Runner)
    # a backend Keras adds later trains with Keras's own steps, run eagerly
    assert _backends.backend_module("a-new-backend").__name__.endswith("._eager")
    for name in set(_backends.BACKENDS.values()):
        registered = _backends.backend_module(
            next(b for b, m in _backends.BACKENDS.items() if m == name)) if name != (
            _backends.BACKENDS[BACKEND]) else module
        assert callable(registered.make_runner) and callable(registered.compiled_call)
