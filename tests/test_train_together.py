"""Fits trained together (issue 32, part 2): ``_cohort`` and ``EpochSearchCV(train_together=True)``.

The oracle is each fit run alone, as ``GridSearchCV`` runs it: a fit in a
cohort runs the same loop, and on JAX its chunks of steps run in one
``jax.vmap`` call with the other fits' chunks. A batched matrix product may add
in another order than a single one, so the stated tolerance is float32
rounding: weights and losses within ``rtol=1e-5`` of the fit alone (at the
learning rates below; a very high one amplifies rounding like any chaotic
run). Everything that is not arithmetic must be exact: which fits ran, how
many epochs, their callbacks' events, errors.
"""

import threading

import keras
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline

from skfashion import EpochSearchCV, KerasClassifier, PixelScaler, SoftmaxClassifier
from skfashion._fit._path import fit_path
from skfashion._training._cohort import Cohort

JAX = keras.backend.backend() == "jax"
RTOL, ATOL = 1e-5, 1e-6


@pytest.fixture
def data(small):
    X, y = small[:2]
    return X[:330].reshape(330, -1).astype("float32") / 255, y[:330]


def _fit(est, X, y, member, sample_weight=None):
    """``est.fit(X, y)`` as a search runs it in a cohort: with its member handed down."""
    for _ in fit_path(est, X, y, sample_weight=sample_weight, together=member):
        pass
    return est


def _fits(cases):
    """Each case fitted alone, and all of them in one cohort (same order)."""
    alone = [fit() for fit in cases]
    cohort = Cohort(cases)
    together = cohort.run()
    return alone, together, cohort


def _assert_close(alone, together):
    for a, b in zip(alone, together):
        assert a.n_iter_ == b.n_iter_
        assert set(a.history_) == set(b.history_)
        for key in a.history_:
            np.testing.assert_allclose(b.history_[key], a.history_[key], rtol=RTOL, atol=ATOL)
        for u, v in zip(a.model_.get_weights(), b.model_.get_weights()):
            np.testing.assert_allclose(v, u, rtol=RTOL, atol=ATOL)


def test_a_cohort_runs_every_task_in_order_and_returns_their_values():
    ran = []

    def task(i):
        def run(member):
            ran.append(i)
            return i * i
        return run

    assert Cohort([task(i) for i in range(5)]).run() == [0, 1, 4, 9, 16]
    assert ran == [0, 1, 2, 3, 4]


def test_fits_together_equal_fits_alone(data):
    """Learning rates, seeds, folds of other rows, sample weights, a last smaller batch."""
    X, y = data
    w = np.linspace(0.5, 2.0, len(y))

    def case(lr, seed, rows, weighted):
        def fit(member=None):
            est = SoftmaxClassifier(learning_rate=lr, random_state=seed, epochs=3,
                                    batch_size=32)
            return _fit(est, X[rows], y[rows], member,
                        sample_weight=w[rows] if weighted else None)
        return fit

    cases = [case(lr, seed, rows, weighted)
             for lr, seed, rows, weighted in [(1e-3, 0, slice(0, 300), False),
                                              (3e-3, 0, slice(30, 330), False),
                                              (1e-3, 7, slice(0, 300), False),
                                              (1e-2, 1, slice(15, 315), False),
                                              (1e-3, 0, slice(0, 300), True),
                                              (2e-3, 3, slice(30, 330), True)]]
    alone, together, cohort = _fits(cases)
    _assert_close(alone, together)
    if JAX:  # one vectorized call per epoch for all six (9 full batches, a last one of 12)
        assert cohort.calls == [6, 6, 6]
    else:  # the other runners never submit: the fits ran one after another
        assert cohort.calls == []


def test_a_fit_stopped_by_its_callback_leaves_the_others_training(data):
    X, y = data

    class StopAfter(keras.callbacks.Callback):
        def __init__(self, n):
            super().__init__()
            self.n, self.events = n, []

        def on_epoch_end(self, epoch, logs=None):
            self.events.append(("epoch_end", epoch, round(float(logs["loss"]), 4)))
            if epoch + 1 == self.n:
                self.model.stop_training = True

        def on_train_end(self, logs=None):
            self.events.append(("train_end",))

    def case(lr, n):
        def fit(member=None):
            callback = StopAfter(n)
            est = _fit(SoftmaxClassifier(learning_rate=lr, random_state=0, epochs=4,
                                         callbacks=[callback]), X[:300], y[:300], member)
            return est, callback.events
        return fit

    cases = [case(1e-3, 1), case(2e-3, 4), case(3e-3, 2)]
    alone = [fit() for fit in cases]
    together = Cohort(cases).run()
    assert [len(est.history_["loss"]) for est, _ in together] == [1, 4, 2]
    _assert_close([est for est, _ in alone], [est for est, _ in together])
    assert [events for _, events in together] == [events for _, events in alone]


def test_dropout_draws_per_fit_as_alone(data):
    X, y = data

    def build(meta):
        model = keras.Sequential([
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(meta["n_classes_"], activation="softmax"),
        ])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        return model

    def case(seed):
        def fit(member=None):
            return _fit(KerasClassifier(build, epochs=2, random_state=seed), X[:300], y[:300],
                        member)
        return fit

    alone, together, _ = _fits([case(0), case(1), case(2)])
    _assert_close(alone, together)
    # the draws differ between seeds (so each fit kept its own generator state)
    assert not np.allclose(together[0].model_.get_weights()[0],
                           together[1].model_.get_weights()[0])


def test_an_error_in_one_fit_is_raised_and_the_others_unwind(data):
    X, y = data
    closed = []

    class Fails(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise ArithmeticError("candidate 2 failed")

    class Ends(keras.callbacks.Callback):
        def on_train_end(self, logs=None):
            closed.append(True)

    def case(callback):
        def fit(member=None):
            return _fit(SoftmaxClassifier(random_state=0, epochs=3, callbacks=[callback]),
                        X[:300], y[:300], member)
        return fit

    with pytest.raises(ArithmeticError, match="candidate 2 failed"):
        Cohort([case(Ends()), case(Fails()), case(Ends())]).run()
    # on JAX the fits train in lockstep: the others, waiting, unwound before their
    # end; elsewhere they ran one after another: the first had ended, the third never began
    assert closed == ([] if JAX else [True])
    assert not [t for t in threading.enumerate() if t.name == "skfashion-cohort-fit"]


def test_epoch_search_together_equals_grid_search(data):
    X, y = data
    X = (X * 255).astype("uint8").reshape(-1, 28, 28)
    pipe = make_pipeline(PixelScaler(), SoftmaxClassifier(random_state=0))
    grid = {"softmaxclassifier__learning_rate": [1e-3, 2e-3, 4e-3]}
    cv = StratifiedKFold(3)
    ours = EpochSearchCV(pipe, epochs=[1, 3], param_grid=grid, cv=cv,
                         train_together=True).fit(X, y)
    theirs = GridSearchCV(pipe, dict(grid, softmaxclassifier__epochs=[1, 3]), cv=cv).fit(X, y)
    a, b = ours.cv_results_, theirs.cv_results_
    assert set(a) == set(b)
    # GridSearchCV's rows: candidates in ParameterGrid order (epochs key sorted first)
    order = [b["params"].index(p) for p in a["params"]]
    n_test = len(y) // 3
    for key in [k for k in b if k.endswith("test_score") and not k.startswith("rank")]:
        # the stated tolerance: at most one test image per fold changes its prediction
        np.testing.assert_allclose(a[key], np.asarray(b[key])[order], atol=1 / n_test + 1e-12)
    assert ours.best_params_ == theirs.best_params_
    for u, v in zip(ours.best_estimator_[-1].model_.get_weights(),
                    theirs.best_estimator_[-1].model_.get_weights()):
        np.testing.assert_array_equal(u, v)  # the refit runs alone: exact


def test_train_together_false_is_the_serial_search(data, monkeypatch):
    X, y = data
    started = []
    monkeypatch.setattr(Cohort, "run", lambda self: started.append(self) or [])
    search = EpochSearchCV(SoftmaxClassifier(random_state=0), epochs=[1], cv=2,
                           refit=False).fit(X[:100], y[:100])
    assert started == [] and search.cv_results_["mean_test_score"].shape == (1,)
    together = EpochSearchCV(SoftmaxClassifier(random_state=0), epochs=[1], cv=2, refit=False,
                             train_together=True)
    if JAX:
        with pytest.raises(ValueError):  # the patched run returned nothing to score
            together.fit(X[:100], y[:100])
        assert len(started) == 1
    else:  # nothing to vectorize on this backend: the serial search
        together.fit(X[:100], y[:100])
        assert started == []


def test_paths_train_in_waves_that_bound_their_data(data, monkeypatch):
    from skfashion.model_selection import _epoch_search

    X, y = data
    grid = {"learning_rate": [1e-3, 2e-3]}

    def search():
        return EpochSearchCV(SoftmaxClassifier(random_state=0), epochs=[1, 2], param_grid=grid,
                             cv=3, refit=False, train_together=True).fit(X, y)

    one_wave = search().cv_results_
    sizes = []
    original = Cohort.__init__

    def counting(self, tasks):
        sizes.append(len(tasks))
        original(self, tasks)

    monkeypatch.setattr(Cohort, "__init__", counting)
    # two folds of 220 float32 images (a transformed copy and the runner's) per wave
    monkeypatch.setattr(_epoch_search, "_TOGETHER_BYTES", 2 * (2 * 4 * 784 * 220))
    waves = search().cv_results_
    assert sizes == ([2, 2, 2] if JAX else [])
    np.testing.assert_allclose(waves["mean_test_score"], one_wave["mean_test_score"],
                               atol=1 / 110 + 1e-12)


def test_a_schedule_and_class_weights_together_equal_alone(data):
    """Off the typical path: a callback that writes the learning rate each epoch
    (it syncs the carried JAX state, which the next vectorized call must read
    back) and class weights (the sample weights of the data) differ per fit."""
    X, y = data

    def case(base, weights):
        def fit(member=None):
            schedule = keras.callbacks.LearningRateScheduler(lambda epoch: base / (1 + epoch))
            return _fit(SoftmaxClassifier(random_state=0, epochs=3, callbacks=[schedule],
                                          class_weight=weights), X[:300], y[:300], member)
        return fit

    cases = [case(1e-3, None), case(3e-3, {int(c): 1.0 + c / 10 for c in np.unique(y)}),
             case(2e-3, "balanced")]
    alone, together, cohort = _fits(cases)
    _assert_close(alone, together)
    for est in together:  # the schedule reached each fit's optimizer
        np.testing.assert_allclose(est.history_["learning_rate"][-1],
                                   est.history_["learning_rate"][0] / 3, rtol=1e-6)
    if JAX:
        assert cohort.calls == [3, 3, 3]


def test_searches_trained_together_in_two_threads_equal_each_alone(data):
    X, y = data

    def search(lr):
        return EpochSearchCV(SoftmaxClassifier(random_state=0), epochs=[1, 2],
                             param_grid={"learning_rate": [lr, 2 * lr]}, cv=2, refit=False,
                             train_together=True).fit(X, y).cv_results_["mean_test_score"]

    alone = [search(1e-3), search(3e-3)]
    out = [None, None]
    threads = [threading.Thread(target=lambda i=i, lr=lr: out.__setitem__(i, search(lr)))
               for i, lr in enumerate((1e-3, 3e-3))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for a, b in zip(alone, out):
        np.testing.assert_array_equal(b, a)  # the same groups, the same calls: exact
