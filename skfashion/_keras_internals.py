"""The one place where skfashion reaches into Keras's private modules.

Each function here uses a part of ``keras.src`` that Keras does not document,
says why, and is pinned by ``tests/test_keras_internals.py``: a Keras upgrade
that moves it fails that test with the name of the function to fix, here.
"""

import random


def replace_default_seed_source(source):
    """Make Keras draw its default seeds from ``source``; return the undo function.

    Keras 3 draws the seed of every unseeded initializer and random generator
    with ``python_random.randint(1, int(1e9))`` in
    ``keras.src.random.seed_generator.make_default_seed``, where
    ``python_random`` is that module's name for Python's ``random`` module.
    ``source`` (an object with ``randint``) takes its place until the returned
    function is called. If Keras no longer has that name, nothing is replaced
    and Keras keeps drawing from the (seeded) global ``random`` module.
    """
    from keras.src.random import seed_generator

    previous = getattr(seed_generator, "python_random", None)
    if previous is None:
        return lambda: None
    seed_generator.python_random = source

    def restore():
        seed_generator.python_random = previous if previous is not source else random

    return restore


def seed_torch_dropout(model):
    """On PyTorch, make ``model``'s unseeded random generators draw from their own state.

    Keras's torch backend draws the dropout masks of a layer whose
    ``SeedGenerator`` was created without a seed (``_initial_seed is None``)
    from torch's global generator, which a seeded fit does not control; every
    other backend draws them from the generator's state, seeded when the layer
    was built. Marking each such generator as seeded with the seed its state
    started from makes the torch backend do the same, so a seeded fit is
    reproducible there too (its masks then differ from plain Keras's, which come
    from torch's global generator).
    """
    import keras
    from keras.src.random.seed_generator import SeedGenerator

    if keras.backend.backend() != "torch":
        return
    for layer in model._flatten_layers(include_self=True):
        for value in vars(layer).values():
            if isinstance(value, SeedGenerator) and value._initial_seed is None:
                value._initial_seed = int(keras.ops.convert_to_numpy(value.state)[0])
