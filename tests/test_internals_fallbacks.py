"""Every private part of Keras, TensorFlow or JAX that skfashion uses has a fallback.

Issue 41: a release that moves or changes one of them must cost speed (an
unshared trace, Keras's own ``model.fit``, a variable that keeps its debug
name) with a :class:`~skfashion.exceptions.KerasInternalsWarning`, never a
wrong result or a crash. Each test simulates the change by renaming, in
``skfashion._keras_internals``, the name skfashion looks for (what a release
that renamed it would look like), then checks the fit against the oracle: the
same fit with the part in place (which the Keras-equivalence suite holds equal
to Keras's own ``model.fit``), and that the warning names the part.
"""

import warnings

import keras
import numpy as np
import pytest

from skfashion import KerasClassifier, SoftmaxClassifier
from skfashion._keras_internals import _changes, _jax, _models, _seeds, _tensorflow
from skfashion.exceptions import KerasInternalsWarning

BACKEND = keras.backend.backend()
tensorflow_only = pytest.mark.skipif(BACKEND != "tensorflow", reason="TensorFlow's part")


@pytest.fixture
def fresh_warnings(monkeypatch):
    """Each part is said once per process: start with none said."""
    monkeypatch.setattr(_changes, "_CHANGED", set())


def _part(name):
    """The module of ``_keras_internals`` that looks for the part named ``name``."""
    (module,) = [m for m in (_seeds, _models, _jax, _tensorflow) if hasattr(m, name)]
    return module


def _data(n=48, d=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, d)).astype("float32"), np.arange(n) % 3


def _build(meta, compile_kwargs):
    model = keras.Sequential([keras.Input((meta["n_features_in_"],)),
                              keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dropout(0.1),
                              keras.layers.Dense(meta["n_classes_"], activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy",
                  optimizer=compile_kwargs["optimizer"], metrics=["accuracy"])
    return model


def _fits(n=2):
    """``n`` fits of the same program (a second one would share the first's trace)."""
    X, y = _data()
    out = []
    for _ in range(n):
        est = KerasClassifier(model=_build, epochs=2, batch_size=16, random_state=0,
                              optimizer="rmsprop", verbose=0).fit(X, y)
        out.append((est.model_.get_weights(), dict(est.history_), est.predict_proba(X)))
    return out


def _assert_same(a, b):
    for (wa, ha, pa), (wb, hb, pb) in zip(a, b):
        assert len(wa) == len(wb)
        for x, y in zip(wa, wb):
            np.testing.assert_array_equal(x, y)
        assert ha == hb
        np.testing.assert_array_equal(pa, pb)


def _changed_parts(record):
    return [str(w.message) for w in record if issubclass(w.category, KerasInternalsWarning)]


def _run_changed(monkeypatch, name, value, part, fits=_fits):
    """The fits with the part ``name`` of ``_keras_internals`` set to ``value``."""
    monkeypatch.setattr(_part(name), name, value)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        results = fits()
    said = _changed_parts(record)
    assert len([s for s in said if s.startswith(part)]) == 1, said  # said, and once
    return results


@pytest.fixture(scope="module")
def oracle():
    """The same fits with every part in place."""
    return _fits()


@tensorflow_only
@pytest.mark.parametrize("name, value, part", [
    # a shared trace runs with other captures through ConcreteFunction._call_flat
    ("_CALL_FLAT", "_call_flat_moved", "ConcreteFunction._call_flat_moved"),
    # the trace key reads the variable shapes behind captured handles
    ("_HANDLE_DATA", "_handle_data_moved", "a TensorFlow resource handle's"),
    # the trace key asks TensorFlow's op registry which kernels keep state
    ("_OP_DEF_REGISTRY", "tensorflow.python.framework.moved", "tensorflow.python.framework"),
    # the all-reduce gradients a trace leaves in TensorFlow's registry
    ("_TF_OPS", "tensorflow.python.framework.ops_moved", "tensorflow.python.framework.ops"),
    # variables without debug names (TensorFlow's eager kernel cache)
    ("_VAR_HANDLE_OP", "var_handle_op_moved", "tensorflow.python.ops"),
    # TensorFlow's seed readers, routed for the fitting thread
    ("_TF_SEED_FUNCTIONS", ("global_seed_moved", "internal_operation_seed", "set_global_seed"),
     "tensorflow.python.eager.context's"),
])
def test_a_changed_tensorflow_part_costs_speed_not_results(monkeypatch, fresh_warnings,
                                                           oracle, name, value, part):
    _assert_same(_run_changed(monkeypatch, name, value, part), oracle)


@pytest.mark.parametrize("name, value, part", [
    # Keras's global seed, set for a seeded builder
    ("_GLOBAL_STATE", "keras.src.backend.common.moved", "keras.src.backend.common"),
    # Keras's traversal of nested layers (the seed coverage check)
    ("_FLATTEN_LAYERS", "_flatten_layers_moved", "Layer._flatten_layers"),
    # the compile arguments (a model's remembered steps, custom metric classes)
    ("_COMPILE_CONFIG", "_compile_config_moved", "Model._compile_config"),
])
def test_a_changed_keras_part_costs_speed_not_results(monkeypatch, fresh_warnings, oracle,
                                                      name, value, part):
    _assert_same(_run_changed(monkeypatch, name, value, part), oracle)


@pytest.mark.skipif(BACKEND != "jax", reason="JAX's part")
def test_a_changed_jax_trace_context_costs_speed_not_results(
        monkeypatch, fresh_warnings, oracle):
    _assert_same(_run_changed(monkeypatch, "_JAX_CONFIG", "jax._src.moved",
                              "jax._src.config.trace_context"), oracle)


def test_without_the_symbolic_build_a_fit_trains_through_keras(monkeypatch, fresh_warnings):
    """Keras's symbolic build gone: the fit trains through the model's own ``fit``.
    Unshuffled it equals the fit through skfashion's loop (the equivalence suite
    holds the loop equal to ``model.fit``); shuffled, Keras draws its own batches,
    as the warning says, and a seeded fit repeats itself bit for bit.
    ``fit_epochs`` still yields each epoch, each state a fit of that many epochs
    (review counterexample A: it raised), and a search fits each number of epochs
    from scratch (the oracle: GridSearchCV)."""
    from sklearn.model_selection import GridSearchCV

    from skfashion import EpochSearchCV

    X, y = _data(n=60)
    options = dict(batch_size=16, random_state=0, shuffle=False)

    def search(cls):
        grid = {"epochs": [1, 3]}
        return cls(SoftmaxClassifier(**options), **(
            {"param_grid": grid} if cls is GridSearchCV else grid), cv=2).fit(X, y)

    normal = SoftmaxClassifier(epochs=3, **options).fit(X, y)
    grid = search(GridSearchCV)

    def fits():
        shuffled = [SoftmaxClassifier(epochs=3, batch_size=16, random_state=0).fit(X, y)
                    for _ in range(2)]
        stepped = SoftmaxClassifier(epochs=3, batch_size=16, random_state=0)
        steps = list(stepped.fit_epochs(X, y))
        return (SoftmaxClassifier(epochs=3, **options).fit(X, y), search(EpochSearchCV),
                shuffled, stepped, steps)

    est, epoch_search, shuffled, stepped, steps = _run_changed(
        monkeypatch, "_SYMBOLIC_BUILD", "_symbolic_build_moved", "Model._symbolic_build_moved",
        fits)
    for a, b in zip(est.model_.get_weights(), normal.model_.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(est.history_["loss"], normal.history_["loss"], rtol=1e-5)
    assert list(epoch_search.cv_results_["params"]) == list(grid.cv_results_["params"])
    np.testing.assert_allclose(epoch_search.cv_results_["mean_test_score"],
                               grid.cv_results_["mean_test_score"])
    for a, b in zip(shuffled[0].model_.get_weights(), shuffled[1].model_.get_weights()):
        np.testing.assert_array_equal(a, b)  # a seeded fit repeats itself
    assert steps == [1, 2, 3] and stepped.n_iter_ == 3
    for a, b in zip(stepped.model_.get_weights(), shuffled[0].model_.get_weights()):
        np.testing.assert_array_equal(a, b)  # fit_epochs = fit, through the fallback too


@tensorflow_only
def test_an_unrecognised_all_reduce_module_is_said(monkeypatch, fresh_warnings):
    """Review counterexample C: with the module name of TensorFlow's all-reduce
    changed, the gradient registry's entries stayed without a word."""
    _run_changed(monkeypatch, "_DISTRIBUTE_MODULE", "tensorflow.python.distribute.moved",
                 "the module of TensorFlow's all-reduce", fits=lambda: _fits(1))


def test_without_keras_global_state_load_refuses_rather_than_allocating(
        monkeypatch, fresh_warnings, tmp_path):
    """Review counterexample D: with Keras's global state moved, measuring a file's
    declared weights left them deferred in Keras (a later StatelessScope would
    allocate them); now load fails closed, with a message, and nothing is deferred."""
    import skfashion

    X, y = _data()
    path = tmp_path / "m.skf"
    SoftmaxClassifier(epochs=1, random_state=0).fit(X, y).save(path)
    from keras.src.backend.common import global_state

    deferred = list(global_state.get_global_attribute("uninitialized_variables", []) or [])
    monkeypatch.setattr(_models, "_GLOBAL_STATE", "keras.src.backend.common.moved")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match="does not let skfashion measure"):
            skfashion.load(path)
    assert any("refuses .skf files" in message for message in _changed_parts(record))
    assert list(global_state.get_global_attribute("uninitialized_variables", []) or []) == \
        deferred
