"""Many fits in one process (a long grid search) release what each fit traced.

TensorFlow keeps a kernel for every distinct (operation, attributes) pair it
executes eagerly, for the life of the process. A variable's creation is such an
operation, with the variable's path as an attribute (``debug_name``): a model
whose variables get new names on every fit (Keras's ``dense_7``,
``rm_sprop_12``...) adds kernels that are never freed, about half a megabyte
per fit. The oracle here is TensorFlow's own cache key: after two fits, another
fit must execute no eager operation with attributes not seen before (traced
functions excepted: their kernels go with the function, which is checked
separately). ``benchmarks/bench_memory.py`` measures the resident memory.
"""

import collections
import gc
import weakref

import keras
import pytest
from tensorflow.python.framework import ops

from skfashion import KerasClassifier, SoftmaxClassifier

# Every check here is of TensorFlow's process-wide state (its gradient registry,
# traced graphs and eager kernel cache); the other backends keep none of it.
pytestmark = pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                                reason="TensorFlow's process-wide caches")


def test_fits_leave_no_gradient_registry_entries(small):
    X, y, _, _ = small
    SoftmaxClassifier(epochs=1, random_state=0).fit(X[:200], y[:200])  # warm up
    before = set(ops._gradient_registry._registry)
    for seed in range(3):
        SoftmaxClassifier(hidden_layer_sizes=(8,), epochs=1, random_state=seed).fit(
            X[:200], y[:200])
    assert set(ops._gradient_registry._registry) == before


def test_models_and_traced_graphs_are_freed(small):
    from tensorflow.python.framework.func_graph import FuncGraph

    X, y, _, _ = small
    clf = SoftmaxClassifier(epochs=1, random_state=0).fit(X[:200], y[:200])
    model_ref = weakref.ref(clf.model_)
    del clf
    gc.collect()
    assert model_ref() is None
    graphs_before = sum(isinstance(o, FuncGraph) for o in gc.get_objects())
    for seed in range(3):
        SoftmaxClassifier(epochs=2, random_state=seed).fit(X[:200], y[:200])
    gc.collect()
    assert sum(isinstance(o, FuncGraph) for o in gc.get_objects()) <= graphs_before


def test_other_custom_gradients_are_kept(small):
    import tensorflow as tf

    from skfashion._keras_internals import release_all_reduce_gradients

    @tf.custom_gradient
    def double(x):
        return 2 * x, lambda dy: 2 * dy

    @tf.function
    def grad(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            out = double(x)
        return tape.gradient(out, x)

    registry = ops._gradient_registry._registry
    before = set(registry)
    with release_all_reduce_gradients():
        value = grad(tf.constant(3.0))
    added = set(registry) - before
    assert float(value) == 2.0
    assert len(added) == 1 and next(iter(added)).startswith("CustomGradient-")


@pytest.fixture
def eager_ops(monkeypatch):
    """Record (operation, attributes) of every eagerly executed TensorFlow op."""
    from tensorflow.python import pywrap_tfe
    from tensorflow.python.eager import execute

    seen = collections.Counter()
    fast, slow = pywrap_tfe.TFE_Py_FastPathExecute, execute.quick_execute

    def plain(value):
        return value.decode() if isinstance(value, bytes) else value

    def is_input(value):  # tensors and arrays are inputs; everything else attributes
        if isinstance(value, (list, tuple)):
            return any(is_input(v) for v in value)
        return hasattr(value, "dtype")

    def fast_path(ctx, op_name, name, *args):
        seen[(op_name, tuple(repr(a) for a in args if not is_input(a)))] += 1
        return fast(ctx, op_name, name, *args)

    def slow_path(op_name, num_outputs, inputs, attrs, ctx, name=None):
        seen[(plain(op_name), tuple(repr(a) for a in attrs))] += 1
        return slow(op_name, num_outputs, inputs, attrs, ctx, name)

    monkeypatch.setattr(pywrap_tfe, "TFE_Py_FastPathExecute", fast_path)
    monkeypatch.setattr(execute, "quick_execute", slow_path)
    monkeypatch.setattr(execute, "execute", slow_path)
    return seen


def _created_path(key):
    """The variable path of a VarHandleOp record, else None."""
    op, attrs = key
    if op != "VarHandleOp" or "'debug_name'" not in attrs:
        return None
    return attrs[attrs.index("'debug_name'") + 1].strip("'")


def _named_builder():
    # The user's own layers carry names of the user's choosing; what is checked
    # is what the wrapper adds (optimizer, metrics, training, prediction).
    return keras.Sequential([keras.Input((784,), name="pixels"),
                             keras.layers.Dense(8, activation="relu", name="hidden"),
                             keras.layers.Dense(10, activation="softmax", name="scores")],
                            name="net")


def _unnamed_builder():
    # Keras numbers these names anew in every fit (sequential_7/dense_12/...)
    return keras.Sequential([keras.Input((784,)), keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dropout(0.2),
                             keras.layers.Dense(10, activation="softmax")])


ESTIMATORS = {
    "softmax": lambda seed: SoftmaxClassifier(hidden_layer_sizes=(8, 8), epochs=1,
                                              random_state=seed),
    "keras-classifier-unnamed": lambda seed: KerasClassifier(
        _unnamed_builder, loss="sparse_categorical_crossentropy", metrics=["accuracy"],
        epochs=1, random_state=seed),
    "keras-classifier-unnamed-unseeded": lambda seed: KerasClassifier(
        _unnamed_builder, loss="sparse_categorical_crossentropy", epochs=1,
        random_state=None),
    "softmax-dropout": lambda seed: SoftmaxClassifier(
        hidden_layer_sizes=(8, 8), dropout=0.2, epochs=1, random_state=seed),
    "keras-classifier": lambda seed: KerasClassifier(
        _named_builder, loss="sparse_categorical_crossentropy", optimizer="sgd",
        metrics=["accuracy"], epochs=1, random_state=seed),
}


@pytest.mark.parametrize("kind", ESTIMATORS)
def test_repeated_fits_add_no_eager_kernels(small, eager_ops, kind):
    from tensorflow.python.eager import context

    X, y, X_test, y_test = small

    def fit_once(seed):
        est = ESTIMATORS[kind](seed).fit(X[:200], y[:200], validation_data=(X_test, y_test))
        est.predict_proba(X_test[:50])
        est.score(X_test[:50], y_test[:50])
        del est
        gc.collect()

    for seed in (0, 1):
        fit_once(seed)
    before = set(eager_ops)
    functions = len(context.context().list_function_names())
    fit_once(2)
    new = sorted(_created_path(key) or key[0] for key in set(eager_ops) - before
                 if not key[0].startswith("__inference_"))
    assert new == []
    # The traced functions' own kernels leave with them.
    assert len(context.context().list_function_names()) <= functions
