"""Fits whose steps are the same program share compiled steps: JAX's jitted
chunks, TensorFlow's traced and instantiated chunks (issues 32 and 40).

Each fit traces its own step (a jaxpr, a ``FunctionDef``): the key is that
program, so two fits share exactly where they compute the same thing, whatever
their configs claim. The oracle is the same fit with sharing turned off (the backend runner's
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
from skfashion._training._trace_cache import TraceCache

BACKEND = keras.backend.backend()
RUNNER = {"jax": _jax, "tensorflow": _tensorflow}.get(BACKEND)
pytestmark = [
    pytest.mark.skipif(RUNNER is None, reason="PyTorch runs steps eagerly"),
    pytest.mark.skipif(BACKEND == "jax" and _jax.jax_core() is None,
                       reason="this JAX does not let skfashion read its programs: no sharing "
                              "(test_a_jax_without_readable_programs_trains_each_fit_alone)"),
]


@pytest.fixture
def data(small):
    X, y = small[:2]
    return X[:300].astype("float32"), y[:300]


@pytest.fixture
def compiled_steps(monkeypatch):
    """Counts the chunks compiled (JAX) or traced (TensorFlow); shared ones count once."""
    made = []
    if BACKEND == "jax":
        original_aot = _jax._ahead_of_time

        def counting(function, args):
            made.append("compiled")
            return original_aot(function, args)

        monkeypatch.setattr(_jax, "_ahead_of_time", counting)
    else:
        original = _tensorflow._Loop

        class Counting(original):
            def __init__(self, *args, **kwargs):
                made.append("loop")
                super().__init__(*args, **kwargs)

        monkeypatch.setattr(_tensorflow, "_Loop", Counting)
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
    assert len(compiled_steps) >= 2  # a train and a test chunk (tails of their own on JAX)
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
           layers=None, outputs=3, activation="softmax"):
    model = keras.Sequential([keras.Input((4,)), *(layers or [keras.layers.Dense(units)]),
                              keras.layers.Dense(outputs, activation=activation)])
    model.compile(optimizer=optimizer or keras.optimizers.RMSprop(0.01), loss=loss,
                  metrics=metrics)
    model._test_sparse = sparse = loss == SPARSE or callable(loss)
    model.fit(np.zeros((4, 4)), np.zeros(4) if sparse else np.zeros((4, outputs)), verbose=0)
    return model


SPARSE = "sparse_categorical_crossentropy"


def _key(model, kind="train"):
    y = np.zeros(8, "int64") if model._test_sparse else \
        np.zeros((8, model.outputs[0].shape[-1]), "float32")
    return RUNNER.step_program_key(model, kind, (np.zeros((8, 4), "float32"), y,
                                                 np.ones(8, "float32")))


SCALE = 2.0


def test_the_key_is_the_traced_program_not_the_values_nor_the_names():
    base = _key(_model())
    assert base is not None
    # the same program: other names, another learning rate (an optimizer
    # variable), other initializer seeds (used when the model is built), other
    # seeds of a random layer's generator (its state is a variable)
    assert _key(_model(optimizer=keras.optimizers.RMSprop(0.5))) == base
    seeded = [keras.layers.Dense(8, kernel_initializer=keras.initializers.GlorotUniform(seed=7))]
    assert _key(_model(layers=seeded)) == base
    for layer in (keras.layers.Dropout, keras.layers.GaussianNoise, keras.layers.GaussianDropout,
                  keras.layers.AlphaDropout):
        keys = {_key(_model(layers=[keras.layers.Dense(8), layer(0.2, seed=seed)]))
                for seed in (None, 1, 2)}
        assert len(keys) == 1 and None not in keys
    assert _key(_model(), "test") == _key(_model(optimizer="adam"), "test")


def test_whatever_the_program_computes_is_in_the_key():
    """Each of these computes something else; configs miss the last five (issue 40)."""
    base = _key(_model())
    adamw = keras.optimizers.AdamW(0.01)
    adamw_excluding = keras.optimizers.AdamW(0.01)
    adamw_excluding.exclude_from_weight_decay(var_names=["bias"])
    others = {
        "units": _model(9), "rho": _model(optimizer=keras.optimizers.RMSprop(0.01, rho=0.8)),
        "adam": _model(optimizer=keras.optimizers.Adam(0.01)), "metric": _model(metrics=["acc"]),
        "dropout": _model(layers=[keras.layers.Dense(8), keras.layers.Dropout(0.2)]),
        "regularizer": _model(layers=[keras.layers.Dense(8, kernel_regularizer="l2")]),
        "lambda": _model(layers=[keras.layers.Dense(8),
                                 keras.layers.Lambda(lambda x: x * SCALE)]),
    }
    keys = {name: _key(model) for name, model in others.items()}
    assert None not in keys.values() and base not in keys.values()

    def huber(delta):
        return _key(_model(loss=keras.losses.Huber(delta=delta), outputs=1, activation=None))

    assert huber(1.0) == huber(1.0) != huber(2.0)
    assert _key(_model(optimizer=adamw)) != _key(_model(optimizer=adamw_excluding))
    previous = keras.config.epsilon()
    kl = _key(_model(loss="kl_divergence"))
    try:
        keras.config.set_epsilon(1e-3)  # the divergence clips its probabilities by it
        assert _key(_model(loss="kl_divergence")) != kl
    finally:
        keras.config.set_epsilon(previous)

    def scaled(value):
        global SCALE
        SCALE = value
        return _key(_model(layers=[keras.layers.Dense(8),
                                   keras.layers.Lambda(lambda x: x * SCALE)]))

    try:
        assert scaled(2.0) == keys["lambda"] != scaled(3.0)
    finally:
        globals()["SCALE"] = 2.0


def test_models_of_any_kind_share_where_their_programs_are_the_same():
    """The key is the program, so functional and subclassed models, custom layers
    and losses, and a replaced method share too, exactly where they trace alike."""
    class Custom(keras.layers.Dense):
        pass

    def loss(y_true, y_pred):
        return keras.losses.sparse_categorical_crossentropy(y_true, y_pred)

    assert _key(_model(layers=[Custom(8)])) == _key(_model(layers=[Custom(8)]))
    assert _key(_model(loss=loss)) == _key(_model(loss=loss))
    patched = _model()
    patched.layers[0].call = lambda inputs, **kwargs: keras.ops.tile(inputs[:, :1], (1, 8))
    assert _key(patched) not in (None, _key(_model()))
    inputs = keras.Input((4,))
    functional = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(
        keras.layers.Dense(8)(inputs)))
    functional.compile(optimizer=keras.optimizers.RMSprop(0.01), loss=SPARSE)
    functional.fit(np.zeros((4, 4)), np.zeros(4), verbose=0)
    functional._test_sparse = True
    assert _key(functional) is not None


def test_adapted_normalization_shares_with_each_fit_its_own_statistics(
        data, compiled_steps, monkeypatch):
    """An adapted ``Normalization`` computes with constants (its mean and
    variance) that configs leave out: each fold's fit shares the program and
    runs it with its own statistics (issue 40: the second fit used the first's)."""
    X, y = data

    def build(meta, X=None):
        norm = keras.layers.Normalization()
        norm.adapt(meta["X"])
        return keras.Sequential([keras.Input((meta["n_features_in_"],)), norm,
                                 keras.layers.Dense(meta["n_classes_"], activation="softmax")])

    def fit(rows, scale):
        Xs = X[rows] * scale + 1.0
        return KerasClassifier(lambda meta: build({**meta, "X": Xs}), loss=SPARSE, epochs=2,
                               random_state=0).fit(Xs, y[rows])

    fit(slice(0, 150), 1.0)
    compiled = len(compiled_steps)
    shared = fit(slice(150, 300), 5.0)
    assert len(compiled_steps) == compiled
    _same(shared, _unshared(monkeypatch, lambda: fit(slice(150, 300), 5.0)))


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
    cache.get("d", lambda: "D")
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
        assert len(compiled_steps) > compiled
        _same(other, _unshared(monkeypatch, lambda: fit(3, decay=0.5)))


def test_a_cached_program_keeps_no_estimator_alive(data):
    """What the cache keeps is the program, not the model it was traced from: an
    estimator no one holds is freed with its Keras model (issue 40)."""
    import gc
    import weakref

    X, y = data
    est = SoftmaxClassifier(epochs=1, random_state=0).fit(X, y)
    model = weakref.ref(est.model_)
    del est
    gc.collect()
    assert len(RUNNER.TRACES) > 0
    assert model() is None


@pytest.mark.skipif(BACKEND != "jax", reason="JAX's program types")
def test_a_jax_without_readable_programs_trains_each_fit_alone(data, compiled_steps,
                                                               monkeypatch):
    """Where the installed JAX lacks ``jax.extend.core`` (0.4.30 has none of what
    the key reads), each fit compiles its model's own step: slower, the same
    weights and history."""
    X, y = data

    def fit():
        return SoftmaxClassifier(epochs=2, random_state=1).fit(X, y, validation_split=0.2)

    shared = fit()
    monkeypatch.setattr(_jax, "jax_core", lambda: None)
    for _ in range(2):
        alone = fit()
        _same(alone, shared)


# ------------------------------------------------- issue 40's outside review
def _regressor(make_layers, *, seed=0, epochs=2, optimizer="sgd", **kwargs):
    """A small regression fit whose model is ``Input(4) -> make_layers() -> Dense(1)``."""
    from skfashion import KerasRegressor

    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 4)).astype("float32")
    y = (X[:, 0] + 0.5 * X[:, 1]).astype("float32")
    est = KerasRegressor(lambda meta: keras.Sequential(
        [keras.Input((4,)), *make_layers(), keras.layers.Dense(1)]), loss="mse",
        optimizer=optimizer, epochs=epochs, batch_size=16, random_state=seed, **kwargs)
    return est, X, y


def _outcome(est):
    return [w.copy() for w in est.model_.get_weights()], dict(est.history_)


def _equal(a, b):
    return len(a[0]) == len(b[0]) and all(
        np.array_equal(p, q) for p, q in zip(a[0], b[0])) and a[1] == b[1]


@pytest.mark.skipif(BACKEND != "tensorflow", reason="a TensorFlow stateful random kernel")
@pytest.mark.parametrize("then", ["fresh fit", "partial_fit"])
def test_a_program_with_a_stateful_random_kernel_trains_as_alone(monkeypatch, then):
    """``tf.random.normal(seed=7)`` keeps its stream in the instantiated function:
    a second fit running the first one's function continued its stream (the
    outside review's counterexample). Such a program is not shared; the same
    model's next training call continues its own stream, as Keras's model.fit
    does with its train_function."""
    import tensorflow as tf

    class Noise(keras.layers.Layer):
        def call(self, x, training=None):
            return x + tf.random.normal(tf.shape(x), stddev=0.5, seed=7) if training else x

    def fit(seed):
        est, X, y = _regressor(lambda: [Noise()], seed=seed, epochs=1)
        est.fit(X, y)
        if then == "partial_fit":
            est.partial_fit(X, y)
        return _outcome(est)

    monkeypatch.setattr(RUNNER, "TRACES", TraceCache(16, max_bytes=2**26))
    fit(1)
    shared = fit(0)
    alone = _unshared(monkeypatch, lambda: fit(0))
    assert _equal(shared, alone)
    assert len(RUNNER.TRACES) == 0


@pytest.mark.skipif(BACKEND != "jax", reason="JAX's equation contexts")
def test_a_program_traced_under_another_threefry_setting_is_another(monkeypatch):
    """JAX records ``jax_threefry_partitionable`` in each equation's context, not
    in its parameters; Dropout's masks differ with it (the outside review's
    counterexample shared the first fit's)."""
    import jax

    def fit():
        est, X, y = _regressor(lambda: [keras.layers.Dense(8, activation="relu"),
                                        keras.layers.Dropout(0.5)])
        return _outcome(est.fit(X, y))

    monkeypatch.setattr(RUNNER, "TRACES", TraceCache(16))
    previous = jax.config.jax_threefry_partitionable
    fit()
    try:
        jax.config.update("jax_threefry_partitionable", not previous)
        shared = fit()
        alone = _unshared(monkeypatch, fit)
    finally:
        jax.config.update("jax_threefry_partitionable", previous)
    assert _equal(shared, alone)


@pytest.mark.skipif(BACKEND != "jax", reason="JAX's custom derivative rules")
def test_a_program_holding_the_model_does_not_keep_it_alive(monkeypatch):
    """A custom_jvp rule or a debug callback that closes over the model is in the
    program; a program that may hold a model is not kept (the review found the
    cache keeping a deleted estimator's model)."""
    import gc
    import weakref

    import jax

    class Scaled(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.factor = 2.0

        def call(self, x):
            @jax.custom_jvp
            def scale(v):
                return v * self.factor

            scale.defjvp(lambda primals, tangents: (scale(primals[0]),
                                                    tangents[0] * self.factor))
            return scale(x)

    monkeypatch.setattr(RUNNER, "TRACES", TraceCache(16))
    est, X, y = _regressor(lambda: [Scaled()])
    est.fit(X, y, validation_split=0.2)
    model = weakref.ref(est.model_)
    del est
    gc.collect()
    assert model() is None


@pytest.mark.skipif(BACKEND != "tensorflow", reason="TensorFlow traces capture variables")
def test_the_variables_kept_by_traces_are_bounded(monkeypatch):
    """A TensorFlow trace keeps the variables it captured (the first fit's); the
    cache keeps traces of at most ``max_bytes`` of them: a model over the bound is
    not kept, and its variables go with it."""
    import gc
    import weakref

    monkeypatch.setattr(RUNNER, "TRACES", TraceCache(16, max_bytes=1000))
    est, X, y = _regressor(lambda: [keras.layers.Dense(64)])
    est.fit(X, y)
    handles = [weakref.ref(v.value.handle) for v in est.model_.variables]
    del est
    gc.collect()
    assert len(RUNNER.TRACES) == 0 and all(h() is None for h in handles)
    small, X, y = _regressor(lambda: [])
    small.fit(X, y)
    assert 0 < RUNNER.TRACES.nbytes <= 1000


def test_the_same_models_next_training_call_reuses_its_steps(data, compiled_steps):
    """A warm start or partial_fit runs the steps its model compiled before (as
    Keras's fit keeps its train_function), until the model is compiled again."""
    X, y = data
    est = SoftmaxClassifier(epochs=1, random_state=0).fit(X, y)
    compiled = len(compiled_steps)
    for _ in range(3):
        est.partial_fit(X, y)
    assert len(compiled_steps) == compiled
    est.model_.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    est.partial_fit(X, y)
    assert len(compiled_steps) > compiled
