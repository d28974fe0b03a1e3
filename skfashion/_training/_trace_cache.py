"""Compiled training steps shared by the fits whose steps are the same program.

A search fits the same network many times (clones, folds, candidates, the
refit). Compiling its training step again for every fit is most of a small
fit's cost (JAX's XLA compilation; TensorFlow's tracing of the chunk and the
instantiation of its graph). A fit may run a program compiled for another fit
when, and only when, its own step traces to the same program: each fit traces
its step (cheap next to a compilation), and the trace itself is the key, the
jaxpr on JAX (``_jaxpr_key``) and the ``FunctionDef`` on TensorFlow
(``_graph_key``). Nothing a config leaves out (a loss argument, an adapted
layer's statistics, a global setting, what a lambda reads) can hide from it,
and a program whose trace cannot be read is not shared. The values a program
computes with (variables, constants it captured) are each fit's own, passed in.

:class:`TraceCache` keeps the compiled functions per key, bounded and safe
across threads. What it keeps is the program: never the model it was traced
from, so an estimator no one holds is freed with its model. (A TensorFlow
trace keeps the variables it captured alive, the first fit's: that cache is
bounded in bytes too.)
"""

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable, Optional, Tuple


class TraceCache:
    """A bounded, thread-safe map from keys to compiled functions (least
    recently used dropped first), at most ``size`` entries and, where entries
    say what they hold (``nbytes``), at most ``max_bytes`` of it."""

    def __init__(self, size: int, max_bytes: Optional[int] = None):
        self.size = size
        self.max_bytes = max_bytes
        self._entries: "OrderedDict[Hashable, Tuple[Any, int]]" = OrderedDict()
        self._lock = threading.Lock()

    def lookup(self, key: Hashable) -> Any:
        """What is kept for ``key`` (now the most recent), or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def keep(self, key: Hashable, value: Any, nbytes: int = 0) -> Any:
        """Keep ``value`` for ``key`` unless something is kept for it already (two
        threads that built for the same key at once): return what is kept then."""
        if self.size <= 0 or (self.max_bytes is not None and nbytes > self.max_bytes):
            return value
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry[0]
            self._entries[key] = (value, nbytes)
            while len(self._entries) > self.size or (
                    self.max_bytes is not None and self.nbytes > self.max_bytes):
                self._entries.popitem(last=False)
            return value

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The functions kept for ``key``, made by ``build()`` the first time.

        ``build`` runs outside the lock (a compilation takes a while; fits of
        other programs need not wait for it).
        """
        found = self.lookup(key) if self.size > 0 else None
        return found if found is not None else self.keep(key, build())

    @property
    def nbytes(self) -> int:
        """What the entries said they hold, together."""
        return sum(n for _, n in self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()
