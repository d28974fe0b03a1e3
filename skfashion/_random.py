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
   seeding), with Python, NumPy, TensorFlow, torch and Keras seeded, twice; the
   build is accepted only when both builds give bit-identical initial
   variables, which fails exactly when another thread drew from the shared
   generators in between. Then it is built again (a few times at most).

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
    with _SEED_LOCK:
        saved = _save_global_state()
        _set_global_seed(int(seed))
        try:
            yield
        finally:
            _restore_global_state(saved)


def _save_global_state():
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator

    state = {
        "python": random.getstate(),
        "numpy": np.random.get_state(),
        "keras_seed": global_state.get_global_attribute("global_random_seed"),
        "keras_generator": global_state.get_global_attribute(
            seed_generator.GLOBAL_SEED_GENERATOR
        ),
    }
    tf = _tensorflow_context()
    if tf is not None:
        state["tensorflow"] = tf.global_seed()
    torch = _torch_if_backend()
    if torch is not None:
        state["torch"] = torch.get_rng_state()
    return state


def _set_global_seed(seed):
    """What ``keras.utils.set_random_seed`` does, without importing TensorFlow
    when another backend runs (Keras's function imports it to seed it)."""
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator

    global_state.set_global_attribute("global_random_seed", seed)
    global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, None)
    random.seed(seed)
    np.random.seed(seed)
    tf = _tensorflow_context()
    if tf is not None:
        tf.set_global_seed(seed)
    torch = _torch_if_backend()
    if torch is not None:
        torch.manual_seed(seed)


def _restore_global_state(state):
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator

    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    global_state.set_global_attribute("global_random_seed", state["keras_seed"])
    global_state.set_global_attribute(
        seed_generator.GLOBAL_SEED_GENERATOR, state["keras_generator"]
    )
    if "tensorflow" in state:
        _tensorflow_context().set_global_seed(state["tensorflow"])
    if "torch" in state:
        _torch_if_backend().set_rng_state(state["torch"])


def _tensorflow_context():
    """TensorFlow's eager context module, or None when TensorFlow is not in use
    (not imported: no TensorFlow code can depend on its seed)."""
    import sys

    if "tensorflow" not in sys.modules:
        return None
    from tensorflow.python.eager import context

    return context


def _torch_if_backend():
    import keras

    if keras.backend.backend() != "torch":
        return None
    import torch

    return torch


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

    With ``seed=None`` the builder is called once, unseeded. Otherwise the
    model is built twice under the same seed (see the module notes) and kept
    when both builds agree bit for bit; a disagreement means another thread
    drew from a shared generator during the build, and the pair is built again.

    Returns
    -------
    model : object
        What ``build`` returned (the first build of the agreeing pair).
    """
    if seed is None:
        return build()
    with _SEED_LOCK:
        previous = prev_print = None
        for _ in range(_MAX_BUILDS):
            with keras_seed(seed):
                model = build()
            if model is previous:  # the builder hands out one shared model
                return model
            current = _fingerprint(model) if _is_keras_model(model) else None
            if previous is not None and current is not None and _same(current, prev_print):
                return previous
            if current is None:
                return model  # not a Keras model: the caller reports it
            previous, prev_print = model, current
        warnings.warn(
            f"random_state={seed}: {_MAX_BUILDS} builds of the model under the same seed "
            "gave different initial weights, so another thread of this process keeps "
            "drawing from Python's or NumPy's global random generator while models are "
            "built. This fit is not reproducible.",
            RuntimeWarning,
            stacklevel=3,
        )
        return previous


def _is_keras_model(obj):
    import keras

    return isinstance(obj, keras.Model)
