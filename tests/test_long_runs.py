"""Many fits in one process (a long grid search) release what each fit traced."""

import gc
import weakref

from tensorflow.python.framework import ops

from skfashion import SoftmaxClassifier


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

    from skfashion._training._tensorflow import release_all_reduce_gradients

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
