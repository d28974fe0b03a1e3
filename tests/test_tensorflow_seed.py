"""TensorFlow's global seed inside a seeded block (``tensorflow_random_state``,
and every seeded model build) against ``tf.random.set_seed``, the oracle.

The block sets the seed for its own thread (``tests/test_random_streams.py``:
other threads are untouched) without clearing TensorFlow's kernel cache, and
clears it at the first read of the seed (what every TensorFlow random op does before
its kernel is made). So a random op in the block must give what it gives
after ``tf.random.set_seed``, every time the block runs (a second block with
the same seed would otherwise continue the first one's stream from a cached
kernel), and the user's own stream after the block must go on as if the block
had not run.
"""

import keras
import numpy as np
import pytest

from skfashion import KerasClassifier
from skfashion.utils.random_state import tensorflow_random_state

pytestmark = pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                                reason="TensorFlow's global seed")


def _draws():
    import tensorflow as tf

    return [tf.random.uniform([3]).numpy(), tf.random.normal([2], seed=7).numpy(),
            tf.random.uniform([3]).numpy(), tf.random.normal([2], seed=7).numpy()]


def _equal(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def test_draws_in_a_seeded_block_are_those_after_set_seed_every_time():
    import tensorflow as tf

    tf.random.set_seed(3)
    expected = _draws()
    for _ in range(3):  # the kernels of the first block are cached by then
        with tensorflow_random_state(3):
            assert _equal(_draws(), expected)
    with tensorflow_random_state(4):
        other = _draws()
    assert not _equal(other, expected)


def test_a_traced_draw_in_a_seeded_block_is_the_one_after_set_seed():
    import tensorflow as tf

    def traced():
        return tf.function(lambda: tf.random.uniform([3]))().numpy()

    tf.random.set_seed(3)
    expected = traced()
    for _ in range(2):
        with tensorflow_random_state(3):
            np.testing.assert_array_equal(traced(), expected)


@pytest.mark.parametrize("draw_inside", [False, True])
def test_the_users_stream_goes_on_as_if_the_block_had_not_run(draw_inside):
    import tensorflow as tf

    def session(block):
        tf.random.set_seed(11)
        before = tf.random.uniform([2]).numpy()
        if block:
            with tensorflow_random_state(0):
                if draw_inside:
                    tf.random.uniform([2])
        return [before, tf.random.uniform([2]).numpy(), tf.random.uniform([2]).numpy()]

    assert _equal(session(True), session(False))


def test_a_builder_drawing_from_tensorflow_starts_where_set_random_seed_starts(small):
    """A builder that draws its initial weights with TensorFlow's global
    generator: seeded fits repeat, and start from the model plain Keras builds
    after ``keras.utils.set_random_seed``."""
    import tensorflow as tf

    X, y = small[:2]
    X, y = X[:100].astype("float32"), y[:100]

    def build():
        model = keras.Sequential([keras.Input((X.shape[1],)),
                                  keras.layers.Dense(10, activation="softmax")])
        model.layers[0].kernel.assign(tf.random.normal(model.layers[0].kernel.shape))
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        return model

    keras.utils.set_random_seed(2)
    expected = build().get_weights()
    for _ in range(2):
        est = KerasClassifier(build, epochs=1, random_state=2, warm_start=False)
        est.initialize(X, y)
        for got, want in zip(est.model_.get_weights(), expected):
            np.testing.assert_array_equal(got, want)


def test_a_seeded_fit_of_a_keras_model_keeps_the_kernel_cache(small, monkeypatch):
    """Nothing in a seeded build of Keras's own layers reads TensorFlow's seed,
    so no fit clears the cache its traced steps are instantiated in."""
    from tensorflow.python.eager import context

    X, y = small[:2]
    cleared = []
    ctx = context.context()
    real = ctx.clear_kernel_cache
    monkeypatch.setattr(ctx, "clear_kernel_cache", lambda: (cleared.append(1), real()))

    def build():
        model = keras.Sequential([keras.Input((X.shape[1],)),
                                  keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
        return model

    for seed in (0, 0, 1):
        KerasClassifier(build, epochs=1, random_state=seed).fit(X[:100], y[:100])
    assert cleared == []


def test_a_block_that_draws_clears_the_kernel_cache_once(monkeypatch):
    """The clear that makes a stateful draw start as after ``set_seed`` happens
    at the block's first read of the seed, once (the test above would catch a
    missing one; this one a clear at every draw, which would throw away every
    instantiated function of the process)."""
    import tensorflow as tf
    from tensorflow.python.eager import context

    cleared = []
    ctx = context.context()
    real = ctx.clear_kernel_cache
    monkeypatch.setattr(ctx, "clear_kernel_cache", lambda: (cleared.append(1), real()))
    with tensorflow_random_state(3):
        assert cleared == []
        _draws()
        tf.function(lambda: tf.random.uniform([2]))()
    assert cleared == [1]
