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
   seeding), with Python, NumPy, TensorFlow, torch and Keras seeded; then
   :func:`reseed` draws its random initial state again from the seed alone
   (each weight by the initializer that made it). A model whose weights cannot
   all be traced to an initializer is built twice and accepted when both builds
   agree bit for bit.

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

    if sys.modules.get("tensorflow") is None:
        return None
    from tensorflow.python.eager import context

    return context


def _torch_if_backend():
    import keras

    if keras.backend.backend() != "torch":
        return None
    import torch

    return torch


def _reproduces(initializer, variable):
    import keras
    from keras.src.random.seed_generator import SeedGenerator

    if isinstance(getattr(initializer, "seed", None), SeedGenerator):
        return False  # stateful: calling it again would draw something else
    try:
        value = initializer(tuple(variable.shape), dtype=variable.dtype)
    except Exception:  # noqa: BLE001 - an initializer for another kind of weight
        return False
    value = keras.ops.convert_to_numpy(value)
    current = keras.ops.convert_to_numpy(variable.value)
    return value.shape == current.shape and np.array_equal(value, current)


def reseed(model, seed):
    """Redraw ``model``'s random initial state from ``seed`` alone.

    Each variable is matched to the initializer of its layer that reproduces
    its current value; those drawn from a default (global) seed are drawn
    again from a seed derived from ``seed``, and so are the states of default
    seeded random generators (dropout). Initializers and generators the user
    seeded explicitly are left alone. The redrawn generators count as seeded
    from then on (``_initial_seed``), as if the layer had been given the seed.

    Returns
    -------
    covered : bool
        True when every variable was accounted for, so the model's state
        depends on ``seed`` and nothing else; False leaves the model unchanged.
    """
    import keras
    from keras.src.initializers.random_initializers import RandomInitializer
    from keras.src.random.seed_generator import SeedGenerator

    remaining = {id(v): v for v in model.variables}
    redraw, generators = [], []
    for layer in model._flatten_layers(include_self=True):
        attributes = list(vars(layer).values())
        initializers = [a for a in attributes if isinstance(a, keras.initializers.Initializer)]
        for gen in attributes:
            if isinstance(gen, SeedGenerator) and remaining.pop(id(gen.state), None) is not None:
                if gen._initial_seed is None:
                    generators.append(gen)
        for variable in layer.weights:
            if id(variable) not in remaining:
                continue
            for init in initializers:
                if _reproduces(init, variable):
                    del remaining[id(variable)]
                    if isinstance(init, RandomInitializer) and init._init_seed is None:
                        redraw.append((variable, init))
                    break
    if remaining:
        return False
    seeds = seed_sequence(seed, len(redraw) + len(generators))
    for (variable, init), s in zip(redraw, seeds):
        fresh = type(init).from_config({**init.get_config(), "seed": s})
        variable.assign(fresh(tuple(variable.shape), dtype=variable.dtype))
    for gen, s in zip(generators, seeds[len(redraw):]):
        gen.state.assign(np.array([s, 0], dtype=keras.backend.standardize_dtype(gen.state.dtype)))
        # Now seeded like SeedGenerator(s): Keras's torch backend draws an unseeded
        # generator's dropout masks from torch's global generator, a seeded one's
        # from its own state (the other backends always use the state).
        gen._initial_seed = s
    return True


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

    With ``seed=None`` the builder is called once, unseeded. Otherwise it is
    built under the seed and :func:`reseed` redraws its random state from the
    seed alone, which other threads drawing from Python's generator cannot
    disturb. A model :func:`reseed` cannot account for (a layer keeping its
    initializer elsewhere, weights set by the builder) is built twice instead and
    kept when both builds agree bit for bit; a disagreement means another
    thread drew from a shared generator during the build, and the pair is built
    again.

    Returns
    -------
    model : object
        What ``build`` returned.
    """
    if seed is None:
        return build()
    with _SEED_LOCK:
        with keras_seed(seed):
            model = build()
        if not _is_keras_model(model) or reseed(model, seed):
            return model
        previous, prev_print = model, _fingerprint(model)
        for _ in range(_MAX_BUILDS):
            with keras_seed(seed):
                model = build()
            if model is previous:  # the builder hands out one shared model
                return model
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
            "built, and this model's layers keep their initializers where skfashion cannot "
            "redraw them. This fit is not reproducible.",
            RuntimeWarning,
            stacklevel=3,
        )
        return previous


def _is_keras_model(obj):
    import keras

    return isinstance(obj, keras.Model)
