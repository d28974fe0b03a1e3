"""Keras's ``callback.params`` for user callbacks, noting reads of the run's length.

A callback may read ``self.params["epochs"]`` (a warm-up or decay schedule over
the whole run). :class:`~skfashion.EpochSearchCV` trains each candidate once,
up to the largest number of epochs, and scores it after the smaller ones: a
callback that read the run's length would have seen another value in a fit of
that many epochs. The search opens :func:`watch_epochs_read` around its
shared run; the loop gives user callbacks a :class:`RunParams`, whose reads of
``"epochs"`` (by key, or the whole dict) mark the open watch, and the search
then trains that candidate once per number of epochs instead (as
``GridSearchCV`` does). Outside a watch a ``RunParams`` is a plain dict.
"""

import contextlib
import contextvars
from typing import Optional


class _Watch:
    read = False


_WATCH: "contextvars.ContextVar[Optional[_Watch]]" = contextvars.ContextVar(
    "skfashion_epochs_read", default=None)


@contextlib.contextmanager
def watch_epochs_read():
    """Yield an object whose ``read`` is True once a user callback read ``params["epochs"]``.

    The watch covers the current thread (or task) while the block runs, so the
    generator of a run must be advanced inside the block.
    """
    watch = _Watch()
    token = _WATCH.set(watch)
    try:
        yield watch
    finally:
        _WATCH.reset(token)


def _mark():
    watch = _WATCH.get()
    if watch is not None:
        watch.read = True


class RunParams(dict):
    """``callback.params``: a dict that notes when ``"epochs"`` is read."""

    def __getitem__(self, key):
        if key == "epochs":
            _mark()
        return super().__getitem__(key)

    def get(self, key, default=None):
        if key == "epochs":
            _mark()
        return super().get(key, default)

    def __iter__(self):  # also makes dict(params) and {**params} read through keys()/[]
        return super().__iter__()

    def items(self):
        _mark()
        return super().items()

    def values(self):
        _mark()
        return super().values()

    def copy(self):
        _mark()
        return dict(super().items())

    def __repr__(self):
        _mark()
        return super().__repr__()

    def __reduce__(self):  # pickle/deepcopy read everything
        _mark()
        return (dict, (dict(super().items()),))
