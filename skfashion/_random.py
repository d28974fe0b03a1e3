"""Seeding Keras for one fit without leaving global state changed.

Keras draws the default seed of every initializer and dropout layer from
Python's process-wide ``random`` module when the layer is created
(``keras.src.random.seed_generator.make_default_seed``). ``keras.utils.
set_random_seed`` seeds that module, but any other thread of the process can
draw from it at the same moment: in a Dask worker, ``dask.sizeof`` calls
``random.sample`` in the event-loop thread while a task builds its model, which
shifted the seeds and made a seeded grid search on Dask differ from the same
search run locally (CI failure of ``test_grid_search_on_dask_equals_local``).

Two defences, in this order of preference:

1. Models skfashion builds itself (:class:`~skfashion.SoftmaxClassifier`) get an
   explicit seed for every initializer and dropout layer from
   :func:`seed_sequence`, so no global generator is involved at all.
2. A model made by a user's builder is built by :func:`seeded_build`: under a
   process-wide lock (so skfashion's own concurrent fits never interleave their
   seeding), with Python, NumPy, TensorFlow, torch and Keras seeded, and with
   Keras's default seeds drawn from a generator of the building thread alone
   (:func:`keras_default_seeds`), seeded as ``random.seed(seed)`` seeds the
   global one: the model starts exactly where plain Keras (and scikeras) start
   under that seed, and no other thread can shift it. A model whose weights
   cannot all be traced to a seeded initializer is built twice and accepted
   when both builds agree bit for bit.

Every global generator is restored afterwards, so a fit never changes the
randomness of the user's own code.
"""

import random
import threading
import warnings
from contextlib import contextmanager

import numpy as np

#: Serializes skfashion's own seeded builds across threads of one process.
_SEED_LOCK = threading.RLock()
#: Builds tried before giving up on a build undisturbed by other threads.
_MAX_BUILDS = 6


def seed_sequence(seed, n):
    """``n`` non-negative int32 seeds derived from ``seed`` (NumPy's ``SeedSequence``).

    Examples
    --------
    >>> seed_sequence(0, 3) == seed_sequence(0, 3)
    True
    >>> len(set(seed_sequence(0, 100)))
    100
    """
    words = np.random.SeedSequence(int(seed)).generate_state(n, dtype=np.uint32)
    return [int(w & 0x7FFFFFFF) for w in words]


@contextmanager
def keras_seed(seed):
    """Seed Python, NumPy, TensorFlow, torch and Keras for the block, then restore.

    ``keras.utils.set_random_seed`` is the documented way to make Keras weight
    initialisation reproducible, but it changes process-wide state. Inside this
    block it applies (under a process-wide lock, so skfashion fits in other
    threads wait); on exit the previous generator states are put back.
    ``seed=None`` leaves everything as it is.
    """
    if seed is None:
        yield
        return
    from ._keras_internals import tensorflow_global_seed

    with _SEED_LOCK:
        saved = _save_global_state()
        _set_global_seed(int(seed))
        try:
            with tensorflow_global_seed(int(seed)):
                yield
        finally:
            _restore_global_state(saved)


def _save_global_state():
    from ._keras_internals import keras_seed_state

    state = {
        "python": random.getstate(),
        "numpy": np.random.get_state(),
        "keras": keras_seed_state(),
    }
    torch = _torch_if_backend()
    if torch is not None:
        state["torch"] = torch.get_rng_state()
    return state


def _set_global_seed(seed):
    """What ``keras.utils.set_random_seed`` does but for TensorFlow's seed
    (:func:`~skfashion._keras_internals.tensorflow_global_seed` sets that one),
    without importing TensorFlow when another backend runs."""
    from ._keras_internals import set_keras_seed_state

    set_keras_seed_state(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch = _torch_if_backend()
    if torch is not None:
        torch.manual_seed(seed)


def _restore_global_state(state):
    from ._keras_internals import set_keras_seed_state

    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    set_keras_seed_state(*state["keras"])
    if "torch" in state:
        _torch_if_backend().set_rng_state(state["torch"])


def _torch_if_backend():
    import keras

    if keras.backend.backend() != "torch":
        return None
    import torch

    return torch


def _reproduces(initializer, variable):
    import keras

    from ._keras_internals import seed_generator_class

    SeedGenerator = seed_generator_class()

    if isinstance(getattr(initializer, "seed", None), SeedGenerator):
        return False  # stateful: calling it again would draw something else
    try:
        value = initializer(tuple(variable.shape), dtype=variable.dtype)
    except Exception:  # noqa: BLE001 - an initializer for another kind of weight
        return False
    value = keras.ops.convert_to_numpy(value)
    current = keras.ops.convert_to_numpy(variable.value)
    return value.shape == current.shape and np.array_equal(value, current)


class _ThreadDefaultSeeds:
    """Stands in for the ``random`` module inside Keras's ``seed_generator``.

    Keras draws every default seed with ``python_random.randint`` (module
    ``keras.src.random.seed_generator``). While a thread builds under
    :func:`keras_default_seeds`, its draws come from its own generator, seeded
    as ``random.seed(seed)`` would seed the global one; every other thread's
    draws go to the global ``random`` module as before.
    """

    def __init__(self):
        self.local = threading.local()

    def __getattr__(self, name):
        generator = getattr(self.local, "generator", None)
        return getattr(random if generator is None else generator, name)


_DEFAULT_SEEDS = _ThreadDefaultSeeds()


@contextmanager
def keras_default_seeds(seed):
    """Keras's default seeds in this thread, for the block, as under ``random.seed(seed)``.

    A model built inside gets the initial weights and dropout seeds that plain
    Keras gives it after ``keras.utils.set_random_seed(seed)`` (the weights
    scikeras's ``random_state=seed`` gives), and no other thread drawing from
    Python's ``random`` at the same moment can change them.
    """
    from . import _keras_internals

    with _SEED_LOCK:
        previous = getattr(_DEFAULT_SEEDS.local, "generator", None)
        _DEFAULT_SEEDS.local.generator = random.Random(int(seed))
        restore = _keras_internals.replace_default_seed_source(_DEFAULT_SEEDS)
        try:
            yield
        finally:
            restore()
            _DEFAULT_SEEDS.local.generator = previous


def _covered(model):
    """True when every variable of ``model`` is reproduced by its layer's
    initializer from that initializer's own seed, or is the state of a seeded
    random generator: then the model's initial state follows from those seeds."""
    import keras

    from ._keras_internals import layers_of, seed_generator_class

    SeedGenerator = seed_generator_class()
    remaining = {id(v) for v in model.variables}
    for layer in layers_of(model, include_self=True):
        attributes = list(vars(layer).values())
        initializers = [a for a in attributes if isinstance(a, keras.initializers.Initializer)]
        for gen in attributes:
            if isinstance(gen, SeedGenerator):
                remaining.discard(id(gen.state))
        for variable in layer.weights:
            if id(variable) in remaining and any(_reproduces(i, variable)
                                                 for i in initializers):
                remaining.discard(id(variable))
    return not remaining


def _fingerprint(model):
    """The initial values of every variable of ``model`` (weights and seed states)."""
    import keras

    return [keras.ops.convert_to_numpy(v.value) for v in model.variables]


def _same(a, b):
    return len(a) == len(b) and all(
        x.shape == y.shape and np.array_equal(x, y) for x, y in zip(a, b)
    )


def seeded_build(build, seed):
    """Call ``build()`` under ``seed`` so that its model is reproducible.

    With ``seed=None`` the builder is called once, unseeded (plain Keras under
    whatever global seed the user set). Otherwise it is built with every global
    generator seeded (:func:`keras_seed`) and Keras's default seeds drawn in this
    thread alone (:func:`keras_default_seeds`): the model starts where plain
    Keras starts after ``keras.utils.set_random_seed(seed)``, whatever other
    threads draw meanwhile. A model whose weights do not all come from its
    initializers (weights set by the builder from a global generator) is built
    twice instead and kept when both builds agree bit for bit; a disagreement
    means another thread drew from a shared generator during the build, and the
    pair is built again.

    Returns
    -------
    model : object
        What ``build`` returned.
    """
    if seed is None:
        return build()
    from ._keras_internals import seed_torch_dropout

    with _SEED_LOCK:
        with keras_seed(seed), keras_default_seeds(seed):
            model = build()
        if _is_keras_model(model):
            seed_torch_dropout(model)
        if not _is_keras_model(model) or _covered(model):
            return model
        previous, prev_print = model, _fingerprint(model)
        for _ in range(_MAX_BUILDS):
            with keras_seed(seed), keras_default_seeds(seed):
                model = build()
            if model is previous:  # the builder hands out one shared model
                return model
            seed_torch_dropout(model)
            current = _fingerprint(model)
            if _same(current, prev_print):
                # Bit-identical: keep the last build, whose side effects (a
                # builder that also sets attributes, e.g. an encoder sharing
                # its layers) are the ones left in place.
                return model
            previous, prev_print = model, current
        warnings.warn(
            f"random_state={seed}: {_MAX_BUILDS + 1} builds of the model under the same seed "
            "gave different initial weights, so another thread of this process keeps "
            "drawing from Python's or NumPy's global random generator while models are "
            "built, and this model sets weights that skfashion cannot trace to a seeded "
            "initializer. This fit is not reproducible.",
            RuntimeWarning,
            stacklevel=3,
        )
        return previous


def _is_keras_model(obj):
    import keras

    return isinstance(obj, keras.Model)
