"""Fits trained together: a cohort runs many ordinary fits in lockstep.

:class:`~skfashion.EpochSearchCV` trains every (candidate, fold) of a search with
the same loop as a single fit. A cohort runs each of those fits in a thread of
its own, one thread at a time (the others wait, so global state such as a
seeded build is never shared between two running fits). Each task is called
with its :class:`Member`, which it hands down to its fit (``fit_path(...,
together=member)``, then ``LoopInputs.together`` and the runner's
``together``): nothing is found through the thread. A fit runs until its
runner asks for a chunk of train steps (:meth:`Member.submit`), and when every
fit of the cohort has asked or finished, the runner's ``together`` function
runs each group of compatible requests (the same compiled steps over the same
range of steps) as one vectorized call, and the fits go on with their own
results. Everything else of a fit (its shuffles, callbacks, scoring, early
stopping) runs as it would alone, in the order the fits were given; a fit whose
callbacks stop its training simply leaves the cohort.

The runner decides what can go together: the JAX runner maps its jitted chunk
over the stacked states (``jax.vmap``); runners without a ``together`` never
submit, and their fits run one after another as without a cohort.
"""

import threading
from typing import Any, Callable, Dict, Hashable, List, Optional, Sequence


class _Stop(BaseException):
    """Raised inside a waiting fit when its cohort stops (another fit failed)."""


class _Fit:
    def __init__(self, task):
        self.task = task
        self.go = threading.Event()
        self.request: Any = None  # (key, together, payload), waiting
        self.result: Any = None
        self.value: Any = None
        self.error: Optional[BaseException] = None
        self.done = False
        self.thread: Optional[threading.Thread] = None


class Member:
    """One task's place in its cohort: what its fit's runner submits through."""

    def __init__(self, cohort: "Cohort", fit: _Fit):
        self._cohort, self._fit = cohort, fit

    def submit(self, key: Hashable, together: Callable[[list, dict], list], payload: Any) -> Any:
        """From the task's thread: wait until ``together`` has run this request; its result.

        Requests of equal ``key`` (and the same ``together``) run in one call of
        ``together(payloads, cache)``, which returns one result per payload, in
        order; ``cache`` is a dict that lives as long as the cohort (for what the
        calls of one group can reuse, such as its stacked data).
        """
        return self._cohort._submit(self._fit, key, together, payload)


class Cohort:
    """Run ``tasks`` in lockstep; :meth:`run` returns their values in order.

    Parameters
    ----------
    tasks : sequence of callables
        Each is called with its :class:`Member` and runs one or more fits (with
        their scoring), handing the member to each; none is run twice.
    """

    def __init__(self, tasks: Sequence[Callable[[], Any]]):
        self._fits = [_Fit(task) for task in tasks]
        self._back = threading.Event()
        self._stopping = False
        self._running: Optional[_Fit] = None
        self._cache: dict = {}
        #: Calls of ``together`` made, with how many requests each ran (tests read it).
        self.calls: List[int] = []

    # ------------------------------------------------------------ fit threads
    def _main(self, fit):
        fit.go.wait()
        fit.go.clear()
        try:
            if not self._stopping:
                fit.value = fit.task(Member(self, fit))
        except BaseException as exc:  # handed to the caller of run()
            fit.error = exc
        finally:
            fit.done = True
            self._back.set()

    def _submit(self, fit, key, together, payload):
        if self._stopping:  # a fit unwinding after another failed trains no more
            raise _Stop()
        fit.request = (key, together, payload)
        self._back.set()
        fit.go.wait()
        fit.go.clear()
        if self._stopping:
            raise _Stop()
        result, fit.result = fit.result, None
        return result

    # ------------------------------------------------------------ coordinator
    def _resume(self, fit):
        """Let ``fit`` run until it submits a request or ends."""
        if fit.thread is None:
            fit.thread = threading.Thread(target=self._main, args=(fit,), daemon=True,
                                          name="skfashion-cohort-fit")
            fit.thread.start()
        self._back.clear()
        self._running = fit
        fit.go.set()
        self._back.wait()
        self._running = None

    def run(self) -> list:
        """Run every task; return their values, or raise the first error a task raised."""
        try:
            alive = list(self._fits)
            while alive:
                for fit in alive:
                    if fit.request is None:
                        self._resume(fit)
                        if fit.error is not None:
                            raise _Failed(fit.error)
                alive = [fit for fit in alive if not fit.done]
                groups: Dict[tuple, List[_Fit]] = {}
                for fit in alive:
                    key, together, _ = fit.request
                    groups.setdefault((key, together), []).append(fit)
                for (_, together), members in groups.items():
                    results = together([fit.request[2] for fit in members], self._cache)
                    self.calls.append(len(members))
                    for fit, result in zip(members, results):
                        fit.result, fit.request = result, None
            return [fit.value for fit in self._fits]
        except _Failed as failed:
            raise failed.error from None
        finally:
            self._stop()

    def _stop(self):
        """Unwind every fit still waiting (its ``finally`` blocks run) and join the threads."""
        self._stopping = True
        if self._running is not None:  # interrupted while a fit ran: let it come back
            self._back.wait()
            self._running = None
        self._cache.clear()
        for fit in self._fits:
            if fit.thread is not None and not fit.done:
                self._resume(fit)
        for fit in self._fits:
            if fit.thread is not None:
                fit.thread.join()


class _Failed(Exception):
    def __init__(self, error):
        super().__init__(error)
        self.error = error
