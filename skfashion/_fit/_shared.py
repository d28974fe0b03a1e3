"""Fits a search trains once: one run per path, handed to each candidate of it.

A search over epochs asks for fits that differ only in ``epochs``: the same
estimator parameters otherwise, the same fold. With an integer
``random_state``, a fit of *e* epochs is the first *e* epochs of a longer fit
(``fit_epochs`` = ``fit``), so one run per path serves them all: the first fit
of a path starts a run of the longest length the search asks for, and each fit
of the path takes the run's state after its number of epochs, continuing the
run from where the previous one left it. A halving search continues its
survivors the same way, rung after rung.

Only fits that provably equal a fresh fit are served; every other fit (another
estimator, data, parameters, a callback, a builder that may read ``epochs``,
fewer epochs than the run has trained, a previous holder of the run still
alive) trains as it always does. A search turns the sharing on for the
fits that run in its own thread (:func:`sharing`): those run one after another,
each scored before the next starts, which is what lets a run move on.
"""

import contextlib
import inspect
import pickle
import threading
import types
import weakref
from numbers import Integral
from typing import Any, Dict, Iterator, List, Optional

import numpy as np

#: The store of the search running in this thread (see ``sharing``). A search
#: cannot pass it down: scikit-learn's ``_fit_and_score`` calls the estimator's
#: own ``fit``, so the fit asks the thread.
_ACTIVE = threading.local()


class SharedRuns:
    """The runs of one search: what each path has trained so far.

    ``horizon`` is the length of a new run (the largest number of epochs the
    search asks for); ``served`` and ``trained`` count the fits served from a
    run and the epochs the runs trained (for tests and benchmarks).
    """

    def __init__(self):
        self.horizon = 0
        self.runs: List["_Run"] = []
        self.served = 0
        self.started = 0
        self.epochs_trained = 0
        #: At most about this many bytes of training data held by runs in progress
        #: (a run's fold, and its copy in the training loop): past it, fits train alone.
        self.budget = _BUDGET
        self._pool: List[np.ndarray] = []

    @property
    def bytes(self):
        """Bytes of training data the runs in progress hold (each distinct array once)."""
        return sum(a.nbytes for a in self._pool) + sum(run.X.nbytes for run in self.runs)

    def pooled(self, array):
        """``array``, or an equal one a run already holds: the runs of one fold share it."""
        if array is None:
            return None
        for held in self._pool:
            if _same_data(array, held):
                return held
        self._pool.append(array)
        return array

    def keep_only(self, keep):
        """Close the runs for which ``keep(run)`` is False (a halving search's dropped ones)."""
        kept = []
        for run in self.runs:
            (kept.append(run) if keep(run) else run.close())
        self.runs = kept
        self._repool()

    def close(self):
        for run in self.runs:
            run.close()
        self.runs = []
        self._pool = []

    def _repool(self):
        held = {id(a) for run in self.runs for a in (run.X, run.y, run.sample_weight)}
        self._pool = [a for a in self._pool if id(a) in held]


#: See ``SharedRuns.budget``: 1 GiB, 4 folds of 38,400 Fashion-MNIST images as float32
#: with the training loop's copy of each.
_BUDGET = 2**30


def _nbytes(*arrays):
    return 2 * sum(a.nbytes for a in arrays if a is not None)


@contextlib.contextmanager
def sharing(horizon: int) -> Iterator[SharedRuns]:
    """Serve the skfashion fits of this thread from shared runs while the block runs."""
    previous = getattr(_ACTIVE, "runs", None)
    runs = SharedRuns()
    runs.horizon = int(horizon)
    _ACTIVE.runs = runs
    try:
        yield runs
    finally:
        _ACTIVE.runs = previous
        runs.close()


def active() -> Optional[SharedRuns]:
    return getattr(_ACTIVE, "runs", None)


# --------------------------------------------------------------------- the rules
#: Parameters whose values change what a run trains in ways only a fresh fit
#: shows: a callback (its ``on_train_end``, its reading of the run's length),
#: progress output (a run prints its own length), early stopping.
_NOT_SHARED_IF_SET = ("callbacks", "early_stopping", "warm_start", "verbose")


def _shareable_params(est) -> Optional[Dict[str, Any]]:
    """The estimator's parameters but ``epochs``, or None if its fits cannot be shared."""
    if not type(est).__module__.startswith("skfashion."):
        return None  # a subclass may read epochs anywhere (a builder method, _initialize)
    params = est.get_params(deep=False)
    epochs = params.pop("epochs", None)
    if not isinstance(epochs, Integral) or isinstance(epochs, bool) or epochs < 1:
        return None
    seed = params.get("random_state")
    if not isinstance(seed, Integral) or isinstance(seed, bool):
        return None  # an unseeded fit draws a new start each time: nothing to equal
    for name in _NOT_SHARED_IF_SET:
        if params.get(name):
            return None
    if any(key.startswith(("fit__", "callbacks__")) for key in params):
        return None
    for name in ("model", "build_fn"):
        builder = params.get(name)
        if callable(builder) and not _builder_ignores_epochs(builder):
            return None
    if not all(_plain(value) for value in params.values()):
        return None  # a Keras object (a metric, an optimizer) is used by the fit's own compile
    return params


def _plain(value) -> bool:
    """A value that no fit changes: plain data, or a function or class named by reference."""
    if value is None or isinstance(value, (bool, Integral, float, str, bytes)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(_plain(k) and _plain(v) for k, v in value.items())
    if isinstance(value, np.generic):
        return True
    return isinstance(value, (type, types.FunctionType, types.BuiltinFunctionType))


def _builder_ignores_epochs(builder) -> bool:
    """Whether a model builder cannot see ``epochs`` (scikeras gives it ``params`` if asked)."""
    try:
        parameters = inspect.signature(builder).parameters.values()
    except (TypeError, ValueError):
        return False
    return not any(p.kind == p.VAR_KEYWORD or p.name in ("params", "epochs")
                   for p in parameters)


def _same(a, b) -> bool:
    """Equal as values a fit reads: identical, equal plain values, or equal pickles."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if a is None or isinstance(a, (bool, Integral, float, complex, str, bytes)):
        return bool(a == b) or (isinstance(a, float) and a != a and b != b)
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and bool(
            np.array_equal(a, b)  # fast; NaNs (slower to compare) only if unequal
            or (a.dtype.kind in "fc" and np.array_equal(a, b, equal_nan=True)))
    if isinstance(a, np.generic):
        return _same(a.item(), b.item()) and a.dtype == b.dtype
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, z) for x, z in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if hasattr(a, "get_params") and hasattr(b, "get_params"):
        return _same(a.get_params(deep=False), b.get_params(deep=False))
    try:  # an optimizer, a loss, a function: equal only if pickled alike
        return pickle.dumps(a) == pickle.dumps(b)
    except Exception:
        return False


def _signature(params):
    """The plain values of ``params`` as a tuple: unequal means not the same (a quick filter)."""
    return tuple(sorted((k, repr(v)) for k, v in params.items()
                        if v is None or isinstance(v, (bool, Integral, float, str))))


def _same_data(a, b) -> bool:
    if a is b:
        return True
    if a is None or b is None:
        return False
    if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
        return False
    if _glance(a) != _glance(b):
        return False
    return _same(a, b)


def _glance(array):
    """A cheap look at an array (shape, dtype, a strided sample): unequal means unequal."""
    flat = array.reshape(-1)
    step = max(1, flat.size // 4096)
    return array.shape, array.dtype.str, flat[::step].tobytes()


# --------------------------------------------------------------------- a run
class _Run:
    """One path: an estimator trained epoch by epoch, up to ``horizon`` epochs."""

    def __init__(self, est, params, X, y, sample_weight, horizon):
        from sklearn.base import clone

        self.params, self.X, self.y, self.sample_weight = params, X, y, sample_weight
        self.signature = _signature(params)
        self.kind = type(est)
        self.runner = clone(est).set_params(epochs=horizon)
        self.horizon = horizon
        self.at = 0
        self.holder: Optional[weakref.ref] = None
        self.handed = None  # the holder's _Fitted: ``shared`` once its model left (model_)
        self.left: Optional[list] = None  # the variables' values when it was handed out
        self._steps = None
        self.broken = False

    def matches(self, est, params, signature, X, y, sample_weight) -> bool:
        # cheapest first: another candidate differs in params, another fold in y
        return (not self.broken and type(est) is self.kind and signature == self.signature
                and _same(params, self.params)
                and _same_data(y, self.y) and _same_data(sample_weight, self.sample_weight)
                and _same_data(X, self.X))

    def free(self) -> bool:
        """Whether the run may train on: nothing outside it holds or has changed its model.

        The last fitted estimator it served is gone, its model never left through
        ``model_`` (where anything may keep or change it), and the model and its
        optimizer hold exactly the values they were handed out with (a scorer's
        ``partial_fit`` would have changed them).
        """
        if self.holder is None:
            return True
        if self.holder() is not None or self.handed is None or self.handed.shared:
            return False
        return all(np.array_equal(np.asarray(v.numpy()), value) for v, value in self.left or ())

    def advance(self, epochs: int) -> bool:
        """Train on to ``epochs``; False (and the run is dropped) if it cannot get there."""
        from .._training import watch_epochs_read
        from ._path import fit_path

        try:
            self._say_epochs(self.horizon)  # the run's own length again, as it trains on
            with watch_epochs_read() as watch:
                if self._steps is None:
                    self._steps = fit_path(self.runner, self.X, self.y,
                                           sample_weight=self.sample_weight,
                                           commit_each_epoch=True)
                while self.at < epochs:
                    self.at = next(self._steps)
                    if watch.read:
                        break
        except Exception:
            # StopIteration (the run ended before ``epochs``), a Keras without the
            # epoch loop, a failure: the fit trains on its own, as it would alone
            self.broken = True
        else:
            self.broken = watch.read
        if self.broken:
            self.close()
        return not self.broken and self.at == epochs

    def hand_to(self, est):
        """Give ``est`` the run's fitted state now (the run keeps training the same model)."""
        import copy

        from ._state import FitState, _snapshot_variables, new_history

        state = FitState(self.runner).snapshot()
        # Everything but the model (and its compiled programs) is the fit's own copy:
        # a scorer that changes classes_ or an encoder in place changes only its fit.
        fitted = state.get("_fitted")
        memo: Dict[int, Any] = {}
        if fitted is not None:
            memo[id(fitted.model)] = fitted.model
            memo[id(fitted.programs)] = fitted.programs
        for name, value in state.items():
            if name == "history_":
                state[name] = new_history(value)
            elif name == "_fitted":
                own = copy.copy(value)
                own._predictor = None  # its own predictor snapshot
                own.feature_encoder = copy.deepcopy(value.feature_encoder, memo)
                own.target_encoder = copy.deepcopy(value.target_encoder, memo)
                state[name] = own
            else:
                state[name] = copy.deepcopy(value, memo)
        FitState(est).restore(state)
        self.holder = weakref.ref(est)
        self.handed = state.get("_fitted")
        model = getattr(self.handed, "model", None)
        self.left = [] if model is None else _snapshot_variables(model)
        self._say_epochs(self.at)  # model_.history.params as a fit of that many epochs

    def _say_epochs(self, epochs):
        from ._state import FitState

        model = getattr(FitState(self.runner).published, "model", None)
        params = getattr(getattr(model, "history", None), "params", None)
        if isinstance(params, dict) and "epochs" in params:
            dict.__setitem__(params, "epochs", epochs)

    def close(self):
        steps, self._steps = self._steps, None
        if steps is not None:
            try:
                steps.close()
            except Exception:
                pass


def serve(est, X, y, sample_weight, kwargs) -> bool:
    """Fit ``est`` from a shared run if one can serve it exactly; False to fit it alone."""
    runs = active()
    if runs is None or kwargs or runs.horizon < 1:
        return False
    try:
        return _serve(runs, est, X, y, sample_weight)
    except Exception:  # whatever goes wrong here, the fit alone is the answer
        runs.close()
        return False


def _serve(runs, est, X, y, sample_weight) -> bool:
    if not (isinstance(X, np.ndarray) and isinstance(y, np.ndarray)):
        return False
    if sample_weight is not None and not isinstance(sample_weight, np.ndarray):
        return False
    params = _shareable_params(est)
    if params is None:
        return False
    epochs = int(est.epochs)
    if epochs > runs.horizon:
        return False
    signature = _signature(params)
    run = next((r for r in runs.runs
                if r.matches(est, params, signature, X, y, sample_weight)), None)
    if run is not None and run.horizon < epochs:  # a longer search than the run's
        runs.keep_only(lambda r, old=run: r is not old)
        run = None
    if run is not None and run.at > epochs:
        return False  # the run is past this fit: it fits alone
    if run is not None and not run.free():  # its model is someone else's now
        runs.keep_only(lambda r, old=run: r is not old)
        run = None
    if run is None:
        if runs.runs and runs.bytes + _nbytes(X, y, sample_weight) > runs.budget:
            return False  # the runs in progress hold as much data as they may
        X, y, sample_weight = (runs.pooled(a) for a in (X, y, sample_weight))
        run = _Run(est, params, X, y, sample_weight, runs.horizon)
        runs.runs.append(run)
        runs.started += 1
    before = run.at
    if not run.advance(epochs):
        runs.keep_only(lambda r: r is not run)
        return False
    runs.epochs_trained += run.at - before
    run.hand_to(est)
    runs.served += 1
    return True
