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
   seeding), with Python, NumPy, TensorFlow, torch and Keras seeded for the
   building thread alone (:func:`keras_seed`): it draws, Keras's default seeds
   included, from generators of its own, seeded as ``keras.utils.
   set_random_seed(seed)`` seeds the global ones, so the model starts exactly
   where plain Keras (and scikeras) start under that seed, and no other thread
   can shift it. A model whose weights cannot all be traced to a seeded
   initializer is built twice and accepted when both builds agree bit for bit.

No global generator is reseeded (:func:`keras_seed`: the seeding is the
building thread's alone), so a fit never changes what the user's own code
draws, in any thread.
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


class _Generator:
    """What :class:`_ThreadGenerator` needs of one global generator: the object,
    how to copy it, seed it, and read and set its state."""

    def __init__(self, module, instance, make, getstate, setstate):
        self.module, self.instance, self.make = module, instance, make
        self.getstate, self.setstate = getstate, setstate


class _ThreadGenerator:
    """A process-wide generator seeded for the thread that opened a block, and as
    it was for every other thread (Python's ``random``, NumPy's ``np.random``).

    ``random.random``, ``np.random.normal``... are bound methods of one global
    generator: seeding it for a builder would change what every other thread
    draws. While a block is open, the global generator itself is seeded for the
    building thread, so that everything it draws from it (the module's
    functions, methods taken beforehand such as ``from numpy.random import
    randn``, scikit-learn's ``check_random_state(None)``, Keras's default seeds)
    is what it draws after ``keras.utils.set_random_seed``; and the module's
    functions are replaced by dispatchers that send every other thread to a
    copy of the generator as it was when the block opened. When the block
    closes, the global generator takes that copy's state (with what other
    threads drew meanwhile) and the functions are put back: no thread's stream
    is changed, the building thread's own included. (Another thread holding a
    bound method taken earlier would draw from the seeded generator during the
    build: the dispatchers cannot reach it.) Blocks open one at a time (the
    seed lock); a block nested in the same thread seeds again, and gives the
    outer block its stream back when it closes.
    """

    def __init__(self, generator, extra=()):
        self.generator, self.extra = generator, extra
        self.owner = None
        self.copy = None
        self.outer: list = []  # the building thread's states under nested blocks
        self.saved: dict = {}
        self.lock = threading.Lock()  # other threads' draws against the block's closing

    def _names(self):
        module, glob = self.generator.module, self.generator.instance()
        return [n for n in dir(module)
                if getattr(getattr(module, n), "__self__", None) is glob] + list(self.extra)

    def _dispatcher(self, name, original):
        def dispatch(*args, **kwargs):
            if self.owner == threading.get_ident():
                return original(*args, **kwargs)
            with self.lock:
                if self.copy is None:  # the block closed meanwhile
                    return original(*args, **kwargs)
                return getattr(self.copy, name)(*args, **kwargs)

        dispatch.__name__, dispatch.__doc__ = name, getattr(original, "__doc__", None)
        return dispatch

    @contextmanager
    def block(self, seed):
        gen, module = self.generator, self.generator.module
        glob = gen.instance()
        nested = self.owner == threading.get_ident()
        if nested:
            self.outer.append(gen.getstate(glob))
        else:
            self.copy = gen.make()
            gen.setstate(self.copy, gen.getstate(glob))
            for name in self._names():
                self.saved[name] = getattr(module, name)
                setattr(module, name, self._dispatcher(name, self.saved[name]))
            self.owner = threading.get_ident()
        glob.seed(seed)
        try:
            yield
        finally:
            if nested:
                gen.setstate(glob, self.outer.pop())
            else:
                with self.lock:
                    self.owner = None
                    gen.setstate(glob, gen.getstate(self.copy))
                    self.copy = None
                    for name, original in self.saved.items():
                        setattr(module, name, original)
                    self.saved.clear()


_PYTHON = _ThreadGenerator(_Generator(
    random, lambda: random._inst, random.Random,
    lambda g: g.getstate(), lambda g, state: g.setstate(state)))
_NUMPY = _ThreadGenerator(_Generator(
    np.random, lambda: np.random.mtrand._rand, np.random.RandomState,
    lambda g: g.get_state(), lambda g, state: g.set_state(state)), extra=("seed",))


@contextmanager
def keras_seed(seed):
    """Seed Python, NumPy, TensorFlow, torch and Keras for this thread in the block.

    ``keras.utils.set_random_seed(seed)`` is the documented way to make Keras
    weight initialisation reproducible, but it reseeds process-wide generators,
    changing what the user's other threads draw. Inside this block the calling
    thread draws as after ``set_random_seed(seed)``: from Python's ``random`` and
    NumPy's ``np.random``, seeded for it while every other thread draws from
    copies of them as they were (:class:`_ThreadGenerator`), TensorFlow's seed
    and operation seeds from its own (``_keras_internals.tensorflow_global_seed``,
    ``tf.random.set_seed`` in the block included), Keras's global seed (kept per
    thread by Keras); every other thread draws as if the block did not exist,
    and so does this one after it. torch has one
    generator per process: it is seeded for the block and put back afterwards
    (a torch draw of another thread meanwhile would see the seeded stream).
    Blocks of skfashion's own fits run one at a time (a process-wide lock).
    ``seed=None`` leaves everything as it is.
    """
    if seed is None:
        yield
        return
    from .._keras_internals import keras_seed_state, set_keras_seed_state, tensorflow_global_seed

    seed = int(seed)
    with _SEED_LOCK:
        keras_state = keras_seed_state()
        torch = _torch_if_backend()
        torch_state = None if torch is None else torch.get_rng_state()
        set_keras_seed_state(seed)
        if torch is not None:
            torch.manual_seed(seed)
        try:
            with _PYTHON.block(seed), _NUMPY.block(seed), tensorflow_global_seed(seed):
                yield
        finally:
            set_keras_seed_state(*keras_state)
            if torch is not None:
                torch.set_rng_state(torch_state)


def _torch_if_backend():
    import keras

    if keras.backend.backend() != "torch":
        return None
    import torch

    return torch


def _reproduces(initializer, variable):
    import keras

    SeedGenerator = keras.random.SeedGenerator

    if isinstance(getattr(initializer, "seed", None), SeedGenerator):
        return False  # stateful: calling it again would draw something else
    try:
        value = initializer(tuple(variable.shape), dtype=variable.dtype)
    except Exception:  # noqa: BLE001 - an initializer for another kind of weight
        return False
    value = keras.ops.convert_to_numpy(value)
    current = keras.ops.convert_to_numpy(variable.value)
    return value.shape == current.shape and np.array_equal(value, current)


def _covered(model):
    """True when every variable of ``model`` is reproduced by its layer's
    initializer from that initializer's own seed, or is the state of a seeded
    random generator: then the model's initial state follows from those seeds."""
    import keras

    from .._keras_internals import layers_of

    SeedGenerator = keras.random.SeedGenerator
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
    whatever global seed the user set). Otherwise it is built with this
    thread's generators seeded (:func:`keras_seed`): the model starts where
    plain Keras starts after ``keras.utils.set_random_seed(seed)``, whatever
    other threads draw meanwhile. A model whose weights do not all come from its
    initializers (weights set by the builder from a generator skfashion does not
    route, such as torch's) is built twice and kept when both builds agree bit
    for bit; a disagreement means another thread drew from that shared
    generator during the build, and the pair is built again.

    Returns
    -------
    model : object
        What ``build`` returned.
    """
    if seed is None:
        return build()
    from .._keras_internals import seed_torch_dropout

    with _SEED_LOCK:
        with keras_seed(seed):
            model = build()
        if _is_keras_model(model):
            seed_torch_dropout(model)
        if not _is_keras_model(model) or _covered(model):
            return model
        previous, prev_print = model, _fingerprint(model)
        for _ in range(_MAX_BUILDS):
            with keras_seed(seed):
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
