"""scikeras's extension points, with scikeras's meaning (issue: notebooks drop-in).

The oracle for a subclass is the function builder that already works: a
subclass whose ``_keras_build_fn`` reads ``self.n_features_in_`` must give
exactly what the same network built from ``meta["n_features_in_"]`` gives, on
a first fit, a refit on other data and inside meta-estimators' clones. For
sparse input the oracle is the same fit on the dense matrix; for the global
seed it is plain Keras under ``keras.utils.set_random_seed``.
"""

import pickle

import keras
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import BaggingClassifier

from skfashion import BaseWrapper, KerasClassifier, KerasRegressor


def _data(n=120, d=6, classes=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.rand(n, d).astype("float32")
    y = (X[:, 0] * classes).astype(int) % classes
    return X, y


def _network(n_features, n_classes, target_type):
    units, activation, loss = ((1, "sigmoid", "binary_crossentropy") if target_type == "binary"
                               else (n_classes, "softmax", "sparse_categorical_crossentropy"))
    model = keras.Sequential([keras.Input((n_features,)),
                              keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(units, activation=activation)])
    model.compile(loss=loss, optimizer="adam")
    return model


def build_from_meta(meta):
    return _network(meta["n_features_in_"], meta["n_classes_"], meta["target_type_"])


class SelfReadingClassifier(KerasClassifier):
    """scikeras's MLPClassifier notebook pattern: the builder reads ``self``."""

    def _keras_build_fn(self, compile_kwargs):
        self.seen_ = (self.n_features_in_, self.n_classes_, self.target_type_,
                      tuple(self.classes_), self.X_shape_, self.feature_encoder_ is not None)
        return _network(self.n_features_in_, self.n_classes_, self.target_type_)


def _same_fit(a, b, X):
    for u, v in zip(a.model_.get_weights(), b.model_.get_weights()):
        np.testing.assert_array_equal(u, v)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_builder_reads_this_fits_attributes_on_fit_and_refit():
    X, y = _data()
    est = SelfReadingClassifier(epochs=2, random_state=0).fit(X, y)
    assert est.seen_ == (6, 3, "multiclass", (0, 1, 2), (120, 6), True)
    _same_fit(est, KerasClassifier(build_from_meta, epochs=2, random_state=0).fit(X, y), X)
    # A refit on other data: the builder sees the new data, never the previous fit's.
    X2, y2 = _data(n=90, d=4, classes=2, seed=1)
    est.fit(X2, y2)
    assert est.seen_ == (4, 2, "binary", (0, 1), (90, 4), True)
    _same_fit(est, KerasClassifier(build_from_meta, epochs=2, random_state=0).fit(X2, y2), X2)


@pytest.mark.parametrize("meta_estimator", [
    lambda est: BaggingClassifier(est, n_estimators=2, random_state=0),
    lambda est: CalibratedClassifierCV(est, cv=2),
], ids=["Bagging", "CalibratedClassifierCV"])
def test_subclass_reading_self_works_in_meta_estimators(meta_estimator):
    X, y = _data()
    ours = meta_estimator(SelfReadingClassifier(epochs=2, random_state=0)).fit(X, y)
    oracle = meta_estimator(KerasClassifier(build_from_meta, epochs=2, random_state=0)).fit(X, y)
    np.testing.assert_array_equal(ours.predict_proba(X), oracle.predict_proba(X))


def test_a_failed_refit_restores_every_fitted_attribute():
    X, y = _data()

    class FailsOnSecondBuild(SelfReadingClassifier):
        def _keras_build_fn(self, compile_kwargs):
            self.extra_ = self.n_features_in_  # a subclass's own fitted attribute
            if self.n_features_in_ == 4:
                raise RuntimeError("refused")
            return super()._keras_build_fn(compile_kwargs)

    est = FailsOnSecondBuild(epochs=1, random_state=0).fit(X, y)
    before = {k: v for k, v in vars(est).items() if k.endswith("_") and k != "history_"}
    proba = est.predict_proba(X)
    X2, y2 = _data(n=90, d=4, classes=2, seed=1)
    with pytest.raises(RuntimeError, match="refused"):
        est.fit(X2, y2)
    after = {k: v for k, v in vars(est).items() if k.endswith("_") and k != "history_"}
    assert after.keys() == before.keys()
    assert after["extra_"] == 6 and after["n_features_in_"] == 6 and after["n_classes_"] == 3
    assert after["seen_"] == before["seen_"]
    np.testing.assert_array_equal(est.predict_proba(X), proba)


def test_initialize_override_with_scikeras_signature():
    """The AutoEncoders notebook overrides ``_initialize(X, y)`` and calls super."""
    X, _ = _data()
    calls = []

    def build(meta):
        model = keras.Sequential([keras.Input((meta["n_features_in_"],)),
                                  keras.layers.Dense(meta["n_features_in_"])])
        model.compile(loss="mse", optimizer="adam")
        return model

    class AutoEncoder(BaseWrapper):
        def _initialize(self, X, y=None):
            X, _ = super()._initialize(X=X, y=y)
            calls.append(self.n_features_in_)
            self.width_ = self.model_.outputs[0].shape[-1]
            return X, X

        def fit(self, X):
            return super().fit(X, X)

    est = AutoEncoder(model=build, epochs=2, random_state=0).fit(X)
    assert calls == [6] and est.width_ == 6
    oracle = BaseWrapper(model=build, epochs=2, random_state=0).fit(X, X)
    np.testing.assert_array_equal(est.predict(X), oracle.predict(X))
    est.set_params(warm_start=True).fit(X)  # a warm start does not initialize again
    assert calls == [6]


def test_initialize_builds_without_a_loss_for_prediction():
    """scikeras's ``initialize`` of an uncompiled model (no loss) works; fit asks for one."""
    X, _ = _data()
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(2)])
    est = BaseWrapper(model).initialize(X)
    np.testing.assert_allclose(est.predict(X), model.predict(X, verbose=0), rtol=1e-5,
                               atol=1e-7)
    with pytest.raises(ValueError, match="No valid loss function found"):
        BaseWrapper(model).fit(X, X[:, :2])


def test_subclass_argument_not_stored_is_not_a_parameter():
    """scikeras's MLPClassifier notebook: ``optimizer__learning_rate`` taken, not stored."""

    class MLPClassifier(KerasClassifier):
        def __init__(self, hidden_layer_sizes=(8,), optimizer="adam",
                     optimizer__learning_rate=0.001, epochs=2, verbose=0, **kwargs):
            super().__init__(**kwargs)
            self.hidden_layer_sizes = hidden_layer_sizes
            self.optimizer = optimizer
            self.epochs = epochs
            self.verbose = verbose

        def _keras_build_fn(self, compile_kwargs):
            return _network(self.n_features_in_, self.n_classes_, self.target_type_)

    est = MLPClassifier(random_state=0)
    params = est.get_params()
    assert "optimizer__learning_rate" not in params and params["hidden_layer_sizes"] == (8,)
    X, y = _data()
    twin = clone(est)
    _same_fit(est.fit(X, y), twin.fit(X, y), X)


class UnregisteredLoss(keras.losses.SparseCategoricalCrossentropy):
    pass


class UnregisteredMSE(keras.losses.MeanSquaredError):
    pass


class UnregisteredMetric(keras.metrics.Mean):
    def update_state(self, y_true, y_pred, sample_weight=None):
        return super().update_state(keras.ops.max(y_pred, axis=-1))


class UnregisteredLayer(keras.layers.Dense):
    pass


def _custom_classifier(meta):
    return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                             UnregisteredLayer(meta["n_classes_"], activation="softmax")])


def _custom_regressor(meta):
    return keras.Sequential([keras.Input((meta["n_features_in_"],)), UnregisteredLayer(1)])


@pytest.mark.parametrize("make", [
    lambda: KerasClassifier(_custom_classifier, loss=UnregisteredLoss(),
                            metrics=[UnregisteredMetric()], epochs=1, random_state=0),
    lambda: KerasRegressor(_custom_regressor, loss=UnregisteredMSE(),
                           metrics=[UnregisteredMetric()], epochs=1, random_state=0),
], ids=["KerasClassifier", "KerasRegressor"])
def test_custom_loss_metric_and_layer_pickle(make):
    X, y = _data()
    est = make()
    if isinstance(est, KerasRegressor):
        y = y.astype("float32")
    est.fit(X, y)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict(X), est.predict(X))
    assert type(again.model_.loss) is type(est.model_.loss)
    again.partial_fit(X, y)  # and it trains on
    est.partial_fit(X, y)
    np.testing.assert_allclose(again.predict(X), est.predict(X), rtol=1e-5, atol=1e-6)


@pytest.fixture
def tiny_dense_chunks(monkeypatch):
    """A dense budget of 3 rows of 50 features: training densifies one batch at a
    time (its smallest unit), prediction 3 rows at a time; records the rows of
    every densified matrix."""
    from skfashion._training import _sparse

    monkeypatch.setattr(_sparse, "DENSE_BYTES", 3 * 50 * 4)
    widest = []
    original = sp.csr_matrix.toarray

    def toarray(self, *args, **kwargs):
        widest.append(self.shape[0])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(sp.csr_matrix, "toarray", toarray)
    return widest


def _sparse_data():
    X = sp.random(300, 50, density=0.1, format="csr", random_state=0, dtype=np.float64)
    y = np.random.RandomState(0).rand(300).astype("float32")
    return X, y


def _sparse_model(meta):
    return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                             keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])


@pytest.mark.parametrize("options", [
    {"batch_size": 32},
    {"batch_size": 16, "validation_split": 0.2},
    {"batch_size": 50, "steps_per_execution": 4},
], ids=["plain", "validation_split", "steps_per_execution"])
def test_sparse_input_trains_as_its_dense_matrix(tiny_dense_chunks, options):
    X, y = _sparse_data()
    sparse = KerasRegressor(_sparse_model, loss="mse", epochs=2, random_state=0, **options)
    dense = clone(sparse)
    sparse.fit(X, y)
    # never the whole matrix: one batch at a time
    assert tiny_dense_chunks and max(tiny_dense_chunks) <= options["batch_size"]
    del tiny_dense_chunks[:]
    dense.fit(X.toarray(), y)
    for u, v in zip(sparse.model_.get_weights(), dense.model_.get_weights()):
        np.testing.assert_allclose(u, v, rtol=2e-5, atol=2e-6)
    assert sparse.history_.keys() == dense.history_.keys()
    for key in dense.history_:
        np.testing.assert_allclose(sparse.history_[key], dense.history_[key], rtol=2e-4)
    X_dense = X.toarray()
    del tiny_dense_chunks[:]
    np.testing.assert_allclose(sparse.predict(X), dense.predict(X_dense), rtol=1e-5, atol=1e-6)
    assert max(tiny_dense_chunks) <= 3


def test_sparse_validation_data_is_evaluated_as_dense(tiny_dense_chunks):
    X, y = _sparse_data()
    a = KerasRegressor(_sparse_model, loss="mse", epochs=2, random_state=0)
    b = clone(a)
    a.fit(X[:200], y[:200], validation_data=(X[200:], y[200:]))
    b.fit(X[:200].toarray(), y[:200], validation_data=(X[200:].toarray(), y[200:]))
    np.testing.assert_allclose(a.history_["val_loss"], b.history_["val_loss"], rtol=2e-4)


def test_random_state_none_starts_where_plain_keras_starts_under_a_global_seed():
    """scikeras's Benchmarks notebook: under one global seed, the wrapper is Keras."""
    X, y = _data()

    def build():
        model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="relu"),
                                  keras.layers.Dense(3, activation="softmax")])
        model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
        return model

    keras.utils.set_random_seed(7)
    plain = build()
    plain.fit(X, y, epochs=2, shuffle=False, verbose=0)
    keras.utils.set_random_seed(7)
    ours = KerasClassifier(build, epochs=2, shuffle=False).fit(X, y)
    for u, v in zip(plain.get_weights(), ours.model_.get_weights()):
        np.testing.assert_allclose(u, v, rtol=2e-5, atol=2e-6)
    from skfashion.utils.random_state import tensorflow_random_state

    with tensorflow_random_state(seed=7):
        again = KerasClassifier(build, epochs=2, shuffle=False).fit(X, y)
    for u, v in zip(plain.get_weights(), again.model_.get_weights()):
        np.testing.assert_allclose(u, v, rtol=2e-5, atol=2e-6)


# Twins of the ported suite's mock-based tests. ``mock.patch.object(model, "fit")``
# makes the model override ``fit``, which sends skfashion down Keras's own
# ``model.fit``; these check skfashion's own training loop instead, with Keras's
# ``model.fit`` as the oracle.


def _dtype_seen(model, fit):
    seen = []
    original = model.train_step

    def spy(*args):
        seen.append(keras.backend.standardize_dtype(keras.tree.flatten(args[-1])[0].dtype))
        return original(*args)

    model.train_step = spy
    fit()
    return seen


def _regressor(meta=None):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    return model


@pytest.mark.parametrize("X_dtype", ["float32", "float64", "int64", "int32", "uint8",
                                     "uint16", "object"])
def test_input_dtype_reaches_the_train_step_as_in_keras(X_dtype):
    """Twin of the suite's test_input_dtype_conversion, on skfashion's own loop."""
    y = np.arange(10, dtype="float32")
    X = (np.random.RandomState(0).uniform(size=(10, 2)) * 100).astype(X_dtype)
    est = KerasRegressor(_regressor, warm_start=True, random_state=0).fit(X, y)
    ours = _dtype_seen(est.model_, lambda: est.partial_fit(X, y))
    assert ours, "skfashion's loop never called train_step"
    if X_dtype == "object":  # scikit-learn's rule: object -> numeric (Keras refuses it)
        assert set(ours) == {keras.backend.floatx()}
        return
    model = _regressor()
    theirs = _dtype_seen(model, lambda: model.fit(X, y, epochs=1, verbose=0))
    assert set(ours) == set(theirs)


class _Batches(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def on_train_batch_end(self, batch, logs=None):
        self.events.append(("train", batch))

    def on_test_batch_end(self, batch, logs=None):
        self.events.append(("test", batch))


@pytest.mark.parametrize("prefix", ["", "fit__"])
@pytest.mark.parametrize("length", [10, 100])
def test_batch_size_all_trains_as_keras_with_the_whole_data(prefix, length):
    """Twin of test_batch_size_all_fit: -1 is one batch of every sample."""
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(length, 2)).astype("float32")
    y = rng.uniform(size=length).astype("float32")
    weights = [w.copy() for w in _regressor().get_weights()]

    def build(meta=None):
        model = _regressor()
        model.set_weights(weights)
        return model

    ours_cb = _Batches()
    est = KerasRegressor(build, epochs=2, shuffle=False, steps_per_execution=1,
                         callbacks=[ours_cb], validation_split=0.2,
                         **{prefix + "batch_size": -1, prefix + "validation_batch_size": -1})
    est.fit(X, y)
    theirs_cb = _Batches()
    model = build()
    n_val = length - int(np.floor(length * 0.8))
    model.fit(X, y, epochs=2, shuffle=False, validation_split=0.2, verbose=0,
              batch_size=length - n_val, validation_batch_size=n_val, callbacks=[theirs_cb])
    assert ours_cb.events == theirs_cb.events == [("train", 0), ("test", 0)] * 2
    for u, v in zip(est.model_.get_weights(), model.get_weights()):
        np.testing.assert_allclose(u, v, rtol=2e-5, atol=2e-6)
    # predict with batch_size=-1 (twin of test_batch_size_all_predict)
    np.testing.assert_allclose(est.predict(X), model.predict(X, verbose=0)[:, 0], rtol=1e-5,
                               atol=1e-7)


def _dropout_net():
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dropout(0.3),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    return model


def test_integer_random_state_starts_where_keras_starts_under_that_seed():
    """scikeras's random_state=s, and plain Keras after set_random_seed(s): the same
    initial weights and dropout seeds, even while another thread draws from
    Python's global generator (a Dask worker's sizeof does)."""
    import random
    import threading

    X, y = _data()
    keras.utils.set_random_seed(5)
    plain = _dropout_net()
    expected = [w.copy() for w in plain.get_weights()]
    stop = threading.Event()

    def draw():
        while not stop.is_set():
            random.random()

    thread = threading.Thread(target=draw)
    thread.start()
    try:
        for _ in range(3):
            ours = KerasClassifier(_dropout_net, random_state=5).initialize(X, y)
            for u, v in zip(expected, ours.model_.get_weights()):
                np.testing.assert_array_equal(u, v)
    finally:
        stop.set()
        thread.join()
    # and training agrees with Keras's (no shuffling; dropout masks from the same
    # seeds), except on PyTorch, where Keras draws an unseeded layer's dropout
    # masks from torch's global generator: there a seeded fit is reproducible
    # instead (skfashion draws them from the layer's seeded state).
    ours = KerasClassifier(_dropout_net, random_state=5, epochs=2, shuffle=False).fit(X, y)
    if keras.backend.backend() == "torch":
        plain = KerasClassifier(_dropout_net, random_state=5, epochs=2, shuffle=False).fit(X, y)
        plain = plain.model_
    else:
        keras.utils.set_random_seed(5)
        plain = _dropout_net()
        plain.fit(X, y, epochs=2, shuffle=False, verbose=0)
    for u, v in zip(plain.get_weights(), ours.model_.get_weights()):
        np.testing.assert_allclose(u, v, rtol=2e-5, atol=2e-6)


def test_a_seeded_build_inside_a_seeded_build_leaves_the_outer_draws_alone():
    """A builder that initializes another seeded wrapper (scikeras's AutoEncoder
    pattern, with a seed) must not shift the outer model's seeds: as under
    scikeras's nested tensorflow_random_state, the outer draws continue where
    they were. The oracle is the same builder without the nested build."""
    X, y = _data()

    def builder(nested):
        def build(meta):
            first = keras.layers.Dense(8, activation="relu")
            if nested:
                KerasClassifier(_dropout_net, random_state=1).initialize(X, y)
            second = keras.layers.Dense(3, activation="softmax")
            model = keras.Sequential([keras.Input((6,)), first, second])
            model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
            return model
        return build

    alone = KerasClassifier(builder(False), random_state=5).initialize(X, y)
    nested = KerasClassifier(builder(True), random_state=5).initialize(X, y)
    for u, v in zip(alone.model_.get_weights(), nested.model_.get_weights()):
        np.testing.assert_array_equal(u, v)
