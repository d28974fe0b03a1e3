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
