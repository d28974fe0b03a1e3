"""Seeding Keras for one fit without leaving global state changed."""

import random
from contextlib import contextmanager

import numpy as np


@contextmanager
def keras_seed(seed):
    """Seed Python, NumPy, TensorFlow and Keras for the block, then restore them.

    ``keras.utils.set_random_seed`` is the documented way to make Keras weight
    initialisation and dropout reproducible, but it changes process-wide state.
    Inside this block it applies; on exit the previous Python and NumPy generator
    states, TensorFlow global seed and Keras global seed generator are put back,
    so fitting an estimator never changes the randomness of the user's own code.
    ``seed=None`` leaves everything as it is.
    """
    if seed is None:
        yield
        return
    import keras
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator
    from tensorflow.python.eager import context

    py_state = random.getstate()
    np_state = np.random.get_state()
    tf_seed = context.global_seed()
    keras_seed_attr = global_state.get_global_attribute("global_random_seed")
    keras_generator = global_state.get_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR)
    keras.utils.set_random_seed(int(seed))
    try:
        yield
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)
        context.set_global_seed(tf_seed)
        global_state.set_global_attribute("global_random_seed", keras_seed_attr)
        global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, keras_generator)
