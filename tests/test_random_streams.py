"""A seeded fit leaves every other thread's random streams alone (issue 40).

A seeded build must draw as after ``keras.utils.set_random_seed(seed)`` (the
model plain Keras and scikeras build), but reseeding the process-wide
generators would change what the user's own threads draw meanwhile: with
``tf.random.set_seed(5)`` in the user's thread, 59 of 60 ``tf.random.uniform``
draws differed while another thread ran ``KerasRegressor(random_state=0).fit``.
The oracle is the same thread's draws with no fit running: Python's
``random``, NumPy's ``np.random`` and TensorFlow's global generator (torch has
one generator per process: see ``skfashion._fit._seeding.keras_seed``). The fit is
held inside its seeded build (the builder waits) while the user's thread
draws, so every draw falls where the seeding is.
"""

import random
import threading

import keras
import numpy as np
import pytest

from skfashion import KerasRegressor

BACKEND = keras.backend.backend()


def _generators(seed):
    random.seed(seed)
    np.random.seed(seed)
    if BACKEND == "tensorflow":
        import tensorflow as tf

        tf.random.set_seed(seed)


def _draw():
    values = [random.random(), random.randint(0, 10**6), float(np.random.rand()),
              float(np.random.normal())]
    if BACKEND == "tensorflow":
        import tensorflow as tf

        values.append(float(tf.random.uniform([])))
        values.append(float(tf.random.normal([], seed=3)))  # an explicit op seed
    return values


def _user_draws(n, *, during=None):
    """``n`` rounds of draws after seeding; ``during`` (a context) holds rounds 2-5."""
    _generators(5)
    rounds = []
    for i in range(n):
        if i == 2 and during is not None:
            during.enter()
        rounds.append(_draw())
        if i == 5 and during is not None:
            during.leave()
    return rounds


class _HeldBuild:
    """A seeded fit in another thread, held inside its build while the user draws."""

    def __init__(self, seed):
        self.seed = seed
        self.inside, self.release = threading.Event(), threading.Event()
        self.error = None

    def build(self, meta):
        self.inside.set()
        assert self.release.wait(60), "the user's thread never released the build"
        # draws of the builder itself come from its own seeded generators
        np.random.normal(size=3)
        random.random()
        return keras.Sequential([keras.Input((meta["n_features_in_"],)), keras.layers.Dense(1)])

    def fit(self):
        try:
            X = np.random.RandomState(0).normal(size=(40, 3)).astype("float32")
            KerasRegressor(self.build, loss="mse", epochs=1, random_state=self.seed).fit(
                X, X.sum(axis=1))
        except BaseException as error:  # noqa: BLE001 - reported by the test
            self.error = error

    def enter(self):
        self.thread = threading.Thread(target=self.fit)
        self.thread.start()
        assert self.inside.wait(60), "the fit never reached its build"

    def leave(self):
        self.release.set()
        self.thread.join(60)
        assert self.error is None, self.error


@pytest.mark.parametrize("seed", [0, 5])
def test_a_seeded_fit_in_another_thread_changes_no_draw_of_this_one(seed):
    expected = _user_draws(8)
    held = _HeldBuild(seed)
    got = _user_draws(8, during=held)
    assert got == expected


def test_the_fitting_thread_itself_draws_on_as_if_no_fit_had_run():
    def session(fit):
        _generators(11)
        before = _draw()
        if fit:
            X = np.random.RandomState(0).normal(size=(30, 3)).astype("float32")
            KerasRegressor(lambda meta: keras.Sequential([
                keras.Input((3,)), keras.layers.Dense(1)]), loss="mse", epochs=1,
                random_state=0).fit(X, X.sum(axis=1))
        return [before, _draw(), _draw()]

    assert session(True) == session(False)


def test_the_builders_own_draws_are_those_after_set_random_seed():
    """Inside the build, Python's and NumPy's draws (and Keras's default seeds,
    which come from Python's) are those plain Keras sees after
    ``keras.utils.set_random_seed``: one stream, as there."""
    seen = []

    def build(meta):
        seen.append((random.random(), float(np.random.rand()),
                     keras.initializers.GlorotUniform().seed))
        return keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])

    X = np.random.RandomState(0).normal(size=(30, 3)).astype("float32")
    KerasRegressor(build, loss="mse", epochs=1, random_state=3).fit(X, X.sum(axis=1))
    keras.utils.set_random_seed(3)
    expected = (random.random(), float(np.random.rand()),
                keras.initializers.GlorotUniform().seed)
    assert seen[0] == expected


def test_no_patch_is_left_installed_after_a_fit():
    before = (random.random, np.random.normal, np.random.seed)
    if BACKEND == "tensorflow":
        from tensorflow.python.eager import context

        before += (context.global_seed, context.internal_operation_seed,
                   context.set_global_seed)
    X = np.random.RandomState(0).normal(size=(30, 3)).astype("float32")
    KerasRegressor(lambda meta: keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)]),
                   loss="mse", epochs=1, random_state=0).fit(X, X.sum(axis=1))
    after = (random.random, np.random.normal, np.random.seed)
    if BACKEND == "tensorflow":
        after += (context.global_seed, context.internal_operation_seed,
                  context.set_global_seed)
    assert all(a is b for a, b in zip(after, before))


# ------------------------------------------ the second outside review's cases
def _builder_drawing(how):
    """A builder that sets its first kernel from a global generator, ``how``."""
    from numpy.random import randn  # a method bound before any fit
    from sklearn.utils import check_random_state

    def build(meta=None):
        n = meta["n_features_in_"] if meta else 4
        if how == "check_random_state":
            values = check_random_state(None).normal(size=(n, 1))
        elif how == "bound method":
            values = randn(n, 1)
        else:  # the builder seeds the global generators itself
            keras.utils.set_random_seed(123)
            values = np.random.normal(size=(n, 1))
        model = keras.Sequential([keras.Input((n,)), keras.layers.Dense(1)])
        model.set_weights([values.astype("float32"), np.zeros(1, "float32")])
        return model

    return build


@pytest.mark.parametrize("how", ["check_random_state", "bound method", "set_random_seed"])
def test_a_builder_drawing_from_the_global_generators_starts_where_plain_keras_does(how):
    """NumPy's global generator reached without its module functions (scikit-learn's
    ``check_random_state(None)``, ``from numpy.random import randn``), and a
    builder that calls ``keras.utils.set_random_seed`` itself: the initial weights
    are plain Keras's after ``set_random_seed(5)``, and nothing leaks out."""
    import warnings

    build = _builder_drawing(how)
    X = np.random.RandomState(0).normal(size=(20, 4)).astype("float32")
    _generators(1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no "another thread draws"
        est = KerasRegressor(build, loss="mse", random_state=5).initialize(X, X[:, 0])
    after = _draw()
    _generators(1)
    expected_after = _draw()
    assert after == expected_after  # this thread's own streams go on as without the fit
    if BACKEND == "tensorflow":
        import tensorflow as tf
        from tensorflow.python.eager import context

        tf.random.set_seed(1)
        KerasRegressor(build, loss="mse", random_state=5).initialize(X, X[:, 0])
        assert context.global_seed() == 1
    keras.utils.set_random_seed(5)
    for got, want in zip(est.model_.get_weights(), build().get_weights()):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("how", ["check_random_state", "bound method"])
def test_a_builder_reaching_the_global_generator_changes_no_draw_of_another_thread(how):
    class Held(_HeldBuild):
        def build(self, meta):
            self.inside.set()
            assert self.release.wait(60)
            return _builder_drawing(how)(meta)

    expected = _user_draws(8)
    got = _user_draws(8, during=Held(0))
    assert got == expected
