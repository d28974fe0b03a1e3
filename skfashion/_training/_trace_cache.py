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
from, so an estimator no one holds is freed with its model.
"""

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable


class TraceCache:
    """A bounded, thread-safe map from keys to compiled functions (least
    recently used dropped first)."""

    def __init__(self, size: int):
        self.size = size
        self._entries: "OrderedDict[Hashable, Any]" = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The functions kept for ``key``, made by ``build()`` the first time.

        ``build`` runs outside the lock (a compilation takes a while; fits of
        other programs need not wait for it); two threads that miss the same
        key at once both build, and the first kept is what both get.
        """
        if self.size <= 0:
            return build()
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = build()
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
            self._entries[key] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
            return value

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()
