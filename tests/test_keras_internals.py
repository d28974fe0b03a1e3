"""The private Keras and TensorFlow internals skfashion relies on, pinned.

Every use lives in ``skfashion/_keras_internals/``, which says why; if a new
Keras or TensorFlow version removes what it uses, these tests say what broke
and where. The last test keeps the quarantine: no other module of the package
imports ``keras.src`` or ``tensorflow.python`` or touches Keras's private
attributes.
"""

import ast
import random
from pathlib import Path

import keras
import numpy as np
import pytest


def _explain(what, where):
    return f"{what} is gone from this Keras/TensorFlow version; update {where}."


def test_keras_seeds_layers_from_pythons_random():
    """skfashion._fit._seeding exists because of this: default layer seeds come from
    Python's process-wide generator."""
    from keras.src.random import seed_generator

    random.seed(7)
    first = seed_generator.make_default_seed()
    random.seed(7)
    assert seed_generator.make_default_seed() == first, _explain(
        "make_default_seed drawing from Python's random", "skfashion/_keras_internals/")


def test_global_seed_state_used_by_skfashion_random():
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator

    assert hasattr(seed_generator, "GLOBAL_SEED_GENERATOR"), _explain(
        "keras.src.random.seed_generator.GLOBAL_SEED_GENERATOR", "skfashion/_keras_internals/")
    for name in ("get_global_attribute", "set_global_attribute"):
        assert hasattr(global_state, name), _explain(f"global_state.{name}",
                                                     "skfashion/_keras_internals/")


def test_keras_draws_its_default_seeds_from_the_random_module_at_call_time():
    """A seeded build's default seeds come from the building thread's generator
    because Keras calls ``random.randint`` through the module
    (``keras.src.random.seed_generator.python_random``) at every draw, and
    ``_random._PYTHON`` routes the module's functions per thread."""
    import random

    from keras.src.random import seed_generator

    from skfashion._fit._seeding import _PYTHON

    assert seed_generator.python_random is random, _explain(
        "keras.src.random.seed_generator.python_random (the random module)",
        "skfashion/_random.py (_ThreadGenerator)")
    with _PYTHON.block(7):
        drawn = [seed_generator.make_default_seed(), keras.initializers.GlorotUniform().seed]
    expected = random.Random(7)
    assert drawn == [expected.randint(1, int(1e9)), expected.randint(1, int(1e9))]


def test_seed_generator_attributes_used_for_torch_dropout():
    from keras.src.random.seed_generator import SeedGenerator

    assert SeedGenerator()._initial_seed is None and SeedGenerator(3)._initial_seed == 3, \
        _explain("SeedGenerator._initial_seed",
                 "skfashion/_keras_internals/ (seed_torch_dropout)")
    state = keras.ops.convert_to_numpy(SeedGenerator(7).state)
    assert int(state[0]) == 7, _explain("SeedGenerator.state starts at [seed, 0]",
                                        "skfashion/_keras_internals/ (seed_torch_dropout)")


def test_layer_attributes_used_by_the_coverage_check():
    from keras.src.random.seed_generator import SeedGenerator

    layer = keras.layers.Dropout(0.5)
    assert any(isinstance(a, SeedGenerator) for a in vars(layer).values()), _explain(
        "Dropout keeps its SeedGenerator as an attribute", "skfashion/_random.py (_covered)")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    assert len(list(model._flatten_layers(include_self=True))) >= 2, _explain(
        "Layer._flatten_layers", "skfashion/_keras_internals/ (layers_of)")


def test_symbolic_build_used_by_the_training_loop():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(loss="mse", optimizer="sgd", metrics=["mae"])
    batch = (np.zeros((4, 3), "float32"), np.zeros((4, 2), "float32"),
             np.ones(4, "float32"))
    model._symbolic_build(data_batch=batch)
    assert model.metrics_variables, _explain("Trainer._symbolic_build(data_batch=...)",
                                             "skfashion/_keras_internals/ (symbolic_build)")


@pytest.mark.skipif(keras.backend.backend() != "jax", reason="JAX backend only")
def test_jax_state_protocol_used_by_the_jax_runner():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    assert hasattr(model, "jax_state_sync"), _explain(
        "JAXTrainer.jax_state_sync / _jax_state", "skfashion/_keras_internals/")


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow backend only")
def test_gradient_registry_used_by_the_tensorflow_runner():
    from tensorflow.python.framework import ops

    assert isinstance(getattr(ops._gradient_registry, "_registry", None), dict), _explain(
        "tensorflow.python.framework.ops._gradient_registry._registry",
        "skfashion/_keras_internals/ (tensorflow_gradient_registry)")


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow backend only")
def test_captured_inputs_replaced_by_the_tensorflow_runner():
    """``call_with_captures`` runs a trace with other tensors than it captured
    (``ConcreteFunction._call_flat``); ``resource_handle_data`` reads the shape
    behind a captured variable's handle (``EagerTensor._handle_data``)."""
    import inspect

    import tensorflow as tf

    from skfashion._keras_internals import call_with_captures, resource_handle_data

    where = "skfashion/_keras_internals/ (call_with_captures, resource_handle_data)"
    a, b = keras.Variable(np.float32(1.0)), keras.Variable(np.full((2, 3), 5.0, "float32"))
    concrete = tf.function(lambda x: a.value * x).get_concrete_function(
        tf.TensorSpec([], tf.float32))
    other = tf.function(lambda x: b.value * x).get_concrete_function(
        tf.TensorSpec([], tf.float32))
    params = list(inspect.signature(type(concrete)._call_flat).parameters)
    assert params[1:] == ["tensor_inputs", "captured_inputs"], _explain(
        "ConcreteFunction._call_flat(tensor_inputs, captured_inputs)", where)
    result = call_with_captures(concrete, (tf.constant(2.0),), other.captured_inputs)
    np.testing.assert_array_equal(result, np.full((2, 3), 10.0))
    data = resource_handle_data(other.captured_inputs[0])
    assert data is not None and data != resource_handle_data(concrete.captured_inputs[0]), \
        _explain("a resource handle's _handle_data (shape and dtype of the variable)", where)
    assert resource_handle_data(tf.constant(1.0)) is None


#: Private attributes of Keras objects that only _keras_internals/ may touch.
_PRIVATE = {"_symbolic_build", "_jax_state", "_jax_state_synced", "_flatten_layers",
            "_compile_config", "_gradient_registry", "_initial_seed", "_init_seed",
            "_registry", "_call_flat", "_handle_data", "var_handle_op", "jax_state_sync"}
#: Modules of Keras, TensorFlow and JAX that are not their public API.
_PRIVATE_MODULES = ("keras.src", "tensorflow.python", "jax._src")


def _offenders(source, label):
    """Every use of a private part of Keras, TensorFlow or JAX in ``source``."""
    offenders = []
    for node in ast.walk(ast.parse(source)):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            if name.startswith(_PRIVATE_MODULES):
                offenders.append(f"{label}:{node.lineno} imports {name}")
        if isinstance(node, ast.Attribute) and node.attr in _PRIVATE:
            offenders.append(f"{label}:{node.lineno} uses .{node.attr}")
        # a name in a string (getattr(obj, "_call_flat"), a module's __name__
        # compared with "tensorflow.python...") is a use too
        # (prose, such as a docstring that names one, has spaces: not a use)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and not any(c.isspace() for c in node.value):
            text = node.value
            if text in _PRIVATE or any(m + "." in text or text == m
                                       for m in _PRIVATE_MODULES):
                offenders.append(f"{label}:{node.lineno} names {text[:60]!r}")
    return offenders


def test_only_keras_internals_reaches_into_keras():
    package = Path(__file__).resolve().parents[1] / "skfashion"
    offenders = []
    for path in sorted(package.rglob("*.py")):
        if "_keras_internals" not in path.relative_to(package).parts:
            offenders += _offenders(path.read_text(), path.name)
    assert not offenders, offenders


@pytest.mark.parametrize("source", [
    'if fn.__module__ == "tensorflow.python.distribute.distribute_lib": pass',
    'method = getattr(type(f), "_call_flat")',
    'from jax._src import config',
    'model._flatten_layers(include_self=True)',
])
def test_the_static_check_sees_every_kind_of_use(source):
    """Imports, attributes and strings (issue 41: the ``distribute_lib`` module
    name once lived outside ``_keras_internals``, where this check did not look)."""
    assert len(_offenders(source, "example")) == 1


def test_stateless_scope_used_to_measure_a_config_without_allocating():
    """``declared_variable_bytes`` equals the real model's variables, for the layers
    skfashion's estimators and the CNN use, and leaves no deferred variable behind."""
    import math

    import keras
    import numpy as np
    from keras.src.backend.common import global_state

    from skfashion._keras_internals import declared_variable_bytes

    models = [
        keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")]),
        keras.Sequential([keras.Input((784,)), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dropout(0.2), keras.layers.BatchNormalization(),
                          keras.layers.Dense(10)]),
        keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(4, 3),
                          keras.layers.MaxPooling2D(), keras.layers.Flatten(),
                          keras.layers.Dense(10)]),
    ]
    for model in models:
        config = {"module": "keras", "class_name": type(model).__name__,
                  "config": model.get_config(), "registered_name": None}
        real = sum(math.prod(v.shape) * np.dtype(v.dtype).itemsize for v in model.variables)
        assert declared_variable_bytes(config) == real
    assert not global_state.get_global_attribute("uninitialized_variables", [])


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow's variables")
def test_variables_created_in_the_block_carry_no_debug_name(monkeypatch):
    """``tensorflow_variables_without_debug_names``: TensorFlow passes a variable's
    scoped name to ``VarHandleOp`` as ``debug_name`` (a new eager kernel per
    name); in the block, and only in the calling thread, it passes ``""``, and
    the variable keeps its name."""
    import threading

    import tensorflow as tf
    from tensorflow.python.ops import gen_resource_variable_ops as generated

    from skfashion._keras_internals import tensorflow_variables_without_debug_names

    real = generated.var_handle_op
    seen = []

    def record(*args, **kwargs):
        seen.append(kwargs.get("debug_name"))
        return real(*args, **kwargs)

    monkeypatch.setattr(generated, "var_handle_op", record)
    other = []
    with tensorflow_variables_without_debug_names():
        assert generated.var_handle_op is not record  # the wrapper stands there
        inside = tf.Variable(1.0, name="inside")
        thread = threading.Thread(target=lambda: other.append(tf.Variable(1.0, name="other")))
        thread.start()
        thread.join()
    assert generated.var_handle_op is record  # and is gone after the block
    outside = tf.Variable(1.0, name="outside")
    assert seen == ["", "other/", "outside/"]  # TensorFlow passes the scope name
    assert (inside.name, other[0].name, outside.name) == ("inside:0", "other:0", "outside:0")


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow's functions")
def test_no_patch_of_tensorflow_is_left_after_a_fit():
    """Issue 41: every TensorFlow function skfashion replaces during a fit (the
    variable handle's debug name, the seed readers) is TensorFlow's own again after
    it, seeded or not."""
    from tensorflow.python.eager import context
    from tensorflow.python.ops import gen_resource_variable_ops as generated

    from skfashion import SoftmaxClassifier

    before = (generated.var_handle_op, context.global_seed, context.internal_operation_seed,
              context.set_global_seed)
    X = np.random.default_rng(0).random((20, 6)).astype("float32")
    y = np.arange(20) % 3
    for seed in (0, None):
        SoftmaxClassifier(epochs=1, random_state=seed).fit(X, y)
        after = (generated.var_handle_op, context.global_seed,
                 context.internal_operation_seed, context.set_global_seed)
        assert all(a is b for a, b in zip(after, before))
