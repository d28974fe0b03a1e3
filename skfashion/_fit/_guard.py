"""One estimator, many fits: which fit is current, and a lock for whole epochs.

A ``fit_epochs`` generator can be left suspended while the same estimator is
fitted again, and a ``predict`` can run in another thread while a fit trains
the published model in place (a warm start, or ``fit_epochs``, which commits
after every epoch). Each estimator has a :class:`FitGuard`, kept outside the
estimator's ``__dict__`` (so pickling, ``clone`` and ``get_params`` never see
it), with

- ``generation``: bumped when a fit starts; a generator whose fit is no longer
  the latest is stale: resumed, it raises :class:`StaleFitError`; closed or
  garbage-collected, it does nothing (it neither commits nor rolls back);
- ``lock``: held while a fit stages its state, while it trains one epoch and
  commits, and while ``predict`` reads the state and runs the model, so a
  prediction sees the weights after a whole epoch, never in the middle of one.
"""

import threading
import weakref
from ..exceptions import StaleFitError  # noqa: F401 (re-exported)

_GUARDS: "weakref.WeakKeyDictionary[object, FitGuard]" = weakref.WeakKeyDictionary()
_GUARDS_LOCK = threading.Lock()


class FitGuard:
    """The current fit's generation and the estimator's training lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.generation = 0
        self._counting = threading.Lock()

    def begin(self) -> int:
        """A new fit starts: its generation (every earlier one is stale from now).

        Not under the training lock: a fit that starts while another thread's
        fit of the estimator trains an epoch makes that one stale at once (it
        stops after that epoch, recording nothing of it), instead of waiting
        for it to train on to its end.
        """
        with self._counting:
            self.generation += 1
            return self.generation

    def is_current(self, generation: int) -> bool:
        return self.generation == generation


def fit_guard(estimator: object) -> FitGuard:
    """The estimator's guard (made on first use; the lookup itself takes no lock)."""
    guard = _GUARDS.get(estimator)
    if guard is None:
        with _GUARDS_LOCK:  # two threads' first calls must make one guard
            guard = _GUARDS.get(estimator)
            if guard is None:
                guard = _GUARDS[estimator] = FitGuard()
    return guard
