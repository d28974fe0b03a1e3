"""Fits of one architecture share compiled steps (issue 32): JAX's jitted
steps, TensorFlow's traced chunks.

The oracle is the same fit with sharing turned off (the backend runner's
``TRACES`` of size 0): the program each fit runs was compiled (or traced) for
its own model, as before. Shared or not,
weights and history must be bit-identical: a shared program may differ from a
fit's own in nothing but the values it is given. ``tests/test_keras_equivalence.py``
holds both against Keras's ``model.fit`` (its cases share programs with each
other now).
"""

import threading

import keras
import numpy as np
import pytest

from skfashion import KerasClassifier, SoftmaxClassifier
from skfashion._training import _jax, _tensorflow
from skfashion._training._trace_cache import TraceCache, architecture_key

BACKEND = keras.backend.backend()
RUNNER = {"jax": _jax, "tensorflow": _tensorflow}.get(BACKEND)
pytestmark = pytest.mark.skipif(RUNNER is None, reason="PyTorch runs steps eagerly")


@pytest.fixture
def data(small):
    X, y = small[:2]
    return X[:300].astype("float32"), y[:300]


@pytest.fixture
def compiled_steps(monkeypatch):
    """Counts the steps compiled for a model (shared ones count once)."""
    made = []
    if BACKEND == "jax":
        original = _jax._steps

        def counting(model, kind, batch_size, *, jit):
            made.append(kind)
            return original(model, kind, batch_size, jit=jit)

        monkeypatch.setattr(_jax, "_steps", counting)
    else:
        trace = _tensorflow.TensorFlowRunner._trace

        def counting(runner, kind, data, batch_size):
            made.append(kind)
            return trace(runner, kind, data, batch_size)

        monkeypatch.setattr(_tensorflow.TensorFlowRunner, "_trace", counting)
    monkeypatch.setattr(RUNNER, "TRACES", TraceCache(16))
    return made


def _unshared(monkeypatch, fit):
    with monkeypatch.context() as m:
        m.setattr(RUNNER, "TRACES", TraceCache(0))
        return fit()


def _same(a, b):
    for wa, wb in zip(a.model_.get_weights(), b.model_.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    assert a.history_ == b.history_


def test_a_learning_rate_grid_shares_one_program_and_trains_as_alone(
        data, compiled_steps, monkeypatch):
    X, y = data
    SoftmaxClassifier(epochs=1, random_state=1).fit(X, y, validation_split=0.2)
    assert compiled_steps == ["train", "test"]
    for lr, seed in ((0.01, 2), (0.1, 3)):
        def fit():
            return SoftmaxClassifier(epochs=2, learning_rate=lr, random_state=seed).fit(
                X, y, validation_split=0.2)

        compiled = len(compiled_steps)
        shared = fit()
        assert len(compiled_steps) == compiled
        _same(shared, _unshared(monkeypatch, fit))


def _second_seed_shares_and_trains_as_alone(fit, compiled_steps, monkeypatch):
    """``fit(5)`` after ``fit(0)`` compiles nothing, and equals ``fit(5)`` unshared."""
    fit(0)
    compiled = len(compiled_steps)
    shared = fit(5)
    assert len(compiled_steps) == compiled
    _same(shared, _unshared(monkeypatch, lambda: fit(5)))


def test_dropout_and_unnamed_layers_share_and_train_as_alone(
        data, compiled_steps, monkeypatch):
    X, y = data

    def build(meta):
        return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                                 keras.layers.Dense(16, activation="relu"),
                                 keras.layers.Dropout(0.3),
                                 keras.layers.Dense(meta["n_classes_"], activation="softmax")])

    def fit(seed):
        return KerasClassifier(build, loss="sparse_categorical_crossentropy", optimizer="adam",
                               metrics=["accuracy"], epochs=2, batch_size=32,
                               random_state=seed).fit(X, y)

    _second_seed_shares_and_trains_as_alone(fit, compiled_steps, monkeypatch)


def test_dropout_seeds_share_one_program_and_train_as_alone(data, compiled_steps, monkeypatch):
    """A Dropout layer's seed only starts its seed generator's state (a variable):
    SoftmaxClassifier(dropout=...) gives each fit's Dropout its own seed, and the
    fits of a search share one program all the same."""
    X, y = data

    def fit(seed):
        return SoftmaxClassifier(hidden_layer_sizes=(16,), dropout=0.3, epochs=2,
                                 random_state=seed).fit(X, y)

    _second_seed_shares_and_trains_as_alone(fit, compiled_steps, monkeypatch)


def _model(units=8, *, optimizer=None, loss="sparse_categorical_crossentropy", metrics=None,
           layers=None):
    model = keras.Sequential([keras.Input((4,)), *(layers or [keras.layers.Dense(units)]),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=optimizer or keras.optimizers.RMSprop(0.01), loss=loss,
                  metrics=metrics)
    y = np.zeros((4, 3)) if loss == "mse" else np.zeros(4)
    model.fit(np.zeros((4, 4)), y, verbose=0)
    return model


def test_the_key_holds_what_the_program_computes_and_not_the_values():
    base = architecture_key(_model())
    assert base is not None
    # the same architecture: other names, another learning rate (an optimizer
    # variable), other initializer seeds (used when the model is built)
    assert architecture_key(_model(optimizer=keras.optimizers.RMSprop(0.5))) == base
    seeded = [keras.layers.Dense(8, kernel_initializer=keras.initializers.GlorotUniform(seed=7))]
    assert architecture_key(_model(layers=seeded)) == base
    # other seeds of a random layer's generator (its state is a variable)
    for layer in (keras.layers.Dropout, keras.layers.GaussianNoise, keras.layers.GaussianDropout,
                  keras.layers.AlphaDropout):
        keys = {architecture_key(_model(layers=[keras.layers.Dense(8), layer(0.2, seed=seed)]))
                for seed in (None, 1, 2)}
        assert len(keys) == 1 and None not in keys
    # anything compiled into the program is in the key
    for other in (_model(9), _model(optimizer=keras.optimizers.RMSprop(0.01, rho=0.8)),
                  _model(optimizer=keras.optimizers.Adam(0.01)), _model(loss="mse"),
                  _model(metrics=["accuracy"]),
                  _model(layers=[keras.layers.Dense(8), keras.layers.Dropout(0.2)]),
                  _model(layers=[keras.layers.Dense(8), keras.layers.Dropout(0.3)]),
                  _model(layers=[keras.layers.Dense(8, kernel_regularizer="l2")])):
        assert architecture_key(other) not in (None, base)
    assert architecture_key(_model(), True) != base  # a backend setting given as extra


def test_what_configs_do_not_describe_is_not_shared():
    class Custom(keras.layers.Dense):
        pass

    def loss(y_true, y_pred):
        return keras.losses.sparse_categorical_crossentropy(y_true, y_pred)

    def activation(x):
        return keras.activations.relu(x)

    assert architecture_key(_model(layers=[Custom(8)])) is None
    assert architecture_key(_model(layers=[keras.layers.Lambda(lambda x: x * 2)])) is None
    assert architecture_key(_model(layers=[keras.layers.Dense(8, activation=activation)])) is None
    assert architecture_key(_model(loss=loss)) is None
    # a method replaced on an instance (the model, a layer, the optimizer, a loss)
    patched = _model()
    patched.train_step = lambda *args: None
    assert architecture_key(patched) is None
    patched = _model()
    patched.layers[0].call = lambda *args, **kwargs: None
    assert architecture_key(patched) is None
    patched = _model()
    patched.optimizer.update_step = lambda *args: None
    assert architecture_key(patched) is None
    custom_loss = keras.losses.SparseCategoricalCrossentropy()
    custom_loss.call = lambda y_true, y_pred: keras.ops.sum(y_pred, axis=-1)
    assert architecture_key(_model(loss=custom_loss)) is None
    inputs = keras.Input((4,))
    functional = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(inputs))
    functional.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    functional.fit(np.zeros((4, 4)), np.zeros(4), verbose=0)
    assert architecture_key(functional) is None

    class Sub(keras.Sequential):
        pass

    sub = Sub([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    sub.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    sub.fit(np.zeros((4, 4)), np.zeros(4), verbose=0)
    assert architecture_key(sub) is None


def test_a_recompiled_model_trains_with_its_new_variables(data, compiled_steps, monkeypatch):
    """A model recompiled with the same settings has the same program but a new
    optimizer (new variables): trained again, it runs the shared program with
    those, as its own new trace would."""
    X, y = data

    def fit():
        est = SoftmaxClassifier(epochs=2, random_state=2).fit(X, y)
        old = est.model_.optimizer
        est.model_.compile_from_config(est.model_.get_compile_config())
        assert est.model_.optimizer is not old
        return est.partial_fit(X, y)

    SoftmaxClassifier(epochs=1, random_state=0).fit(X, y)
    compiled = len(compiled_steps)
    shared = fit()
    assert len(compiled_steps) == compiled
    _same(shared, _unshared(monkeypatch, fit))


@pytest.mark.skipif(BACKEND != "jax", reason="a JAX step may trace again, reading its model")
def test_a_changed_first_model_gives_its_place_to_the_next(data, compiled_steps, monkeypatch):
    """The fitted ``model_`` the shared steps were made with is the user's: once it
    is recompiled, its steps are not served to the next fit."""
    X, y = data
    first = SoftmaxClassifier(epochs=1, random_state=0).fit(X, y)
    (shared,) = [v for v in _jax.TRACES._entries.values()]
    first.model_.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.raises(_jax._Stale):
        shared.steps()

    def fit():
        return SoftmaxClassifier(epochs=2, random_state=4).fit(X, y)

    compiled = len(compiled_steps)
    again = fit()
    assert len(compiled_steps) == compiled + 1
    _same(again, _unshared(monkeypatch, fit))


def test_threads_fitting_one_architecture_train_as_alone(data, compiled_steps, monkeypatch):
    X, y = data

    def fit(seed):
        return SoftmaxClassifier(epochs=2, random_state=seed, learning_rate=0.001 * (seed + 1)
                                 ).fit(X, y)

    results = {}
    threads = [threading.Thread(target=lambda s=s: results.__setitem__(s, fit(s)))
               for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for seed, est in results.items():
        _same(est, _unshared(monkeypatch, lambda: fit(seed)))


def test_the_cache_is_bounded_least_recently_used_first():
    cache = TraceCache(2)
    for key in "abc":
        cache.get(key, lambda k=key: k.upper())
    assert list(cache._entries) == ["b", "c"]
    assert cache.get("b", lambda: "new") == "B"  # kept; now the most recent
    cache.put("d", "D")
    assert list(cache._entries) == ["b", "d"]
    assert TraceCache(0).get("a", lambda: 1) == 1 and len(TraceCache(0)) == 0


@pytest.mark.parametrize("case", ["sample_weight", "class_weight", "schedule", "float64"])
def test_off_the_typical_path_a_shared_fit_trains_as_alone(data, compiled_steps, monkeypatch,
                                                           case):
    """Sample weights (another data structure), class weights, a learning-rate
    schedule (a constant of the program, so in the key) and float64 inputs."""
    X, y = data
    weights = np.random.RandomState(0).uniform(0.5, 2.0, len(y))
    if case == "float64":
        X = X.astype("float64")

    def fit(seed, decay=0.9):
        optimizer = "rmsprop"
        if case == "schedule":
            optimizer = keras.optimizers.RMSprop(keras.optimizers.schedules.ExponentialDecay(
                0.01, decay_steps=5, decay_rate=decay))
        est = KerasClassifier(
            lambda meta: keras.Sequential([
                keras.Input((meta["n_features_in_"],)),
                keras.layers.Dense(meta["n_classes_"], activation="softmax")]),
            loss="sparse_categorical_crossentropy", optimizer=optimizer, epochs=2,
            random_state=seed, class_weight="balanced" if case == "class_weight" else None)
        return est.fit(X, y, sample_weight=weights if case == "sample_weight" else None)

    fit(0)
    compiled = len(compiled_steps)
    shared = fit(3)
    assert len(compiled_steps) == compiled
    _same(shared, _unshared(monkeypatch, lambda: fit(3)))
    if case == "schedule":  # another schedule is another program
        compiled = len(compiled_steps)
        other = fit(3, decay=0.5)
        assert len(compiled_steps) == compiled + 1
        _same(other, _unshared(monkeypatch, lambda: fit(3, decay=0.5)))


@pytest.mark.skipif(BACKEND != "tensorflow", reason="TensorFlow's traces capture variables")
def test_a_trace_that_captures_another_variable_stays_its_models():
    """A traced graph runs with another model's variables in place of the
    ones it captured; one that captured a resource of no model (nothing of
    Keras's does) is only ever run as traced."""
    import tensorflow as tf

    model, twin = _model(), _model()
    kernel = model.trainable_variables[0]

    def read(outside=None):
        value = tf.reduce_sum(kernel.value)
        return value if outside is None else value + outside

    mapped = _tensorflow._Traced(model, tf.function(read).get_concrete_function())
    assert mapped.positions == [0]
    # the oracle is the same reduction run eagerly (NumPy's sum adds in another
    # order: with random weights summing to near zero, their relative gap was flaky)
    twin_sum = float(tf.reduce_sum(twin.trainable_variables[0].value))
    assert float(mapped(twin)) == twin_sum
    outside = tf.Variable(1.0)
    bound = _tensorflow._Traced(model, tf.function(lambda: read(outside)).get_concrete_function())
    assert bound.positions is None
    model_sum = float(tf.reduce_sum(kernel.value) + 1.0)
    assert float(bound(twin)) == model_sum
