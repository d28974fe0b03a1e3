"""JAX runner: a ``jax.lax`` loop over Keras's own stateless train step.

Keras's JAX ``fit`` calls one jitted ``train_step(state, batch)`` per batch from
Python. Here one jitted call runs a whole chunk of steps in a
``lax.fori_loop``, gathering each mini-batch from device arrays in the order of
the estimator's permutation, and carries the model state (trainable,
non-trainable, optimizer and metric variables) through the loop. Full batches
run in the loop; a last, smaller batch runs in a step of its own shape.

Between chunks the state is offered to callbacks the way Keras's JAX trainer
does it: ``model._jax_state`` holds the current values and
``keras.callbacks.Callback.model`` calls ``model.jax_state_sync()`` before a
callback reads the model. If a callback synced (and possibly changed) the
variables, the next chunk starts from them.
"""

import threading

import numpy as np

from .._keras_internals import clear_jax_state, jax_state_synced, offer_jax_state
from . import _cohort
from ._runner import Runner, to_floats
from ._trace_cache import TraceCache, architecture_key

#: Jitted chunks shared by the fits of one architecture in this process
#: (``_trace_cache``): at most this many architectures' programs are kept.
TRACES = TraceCache(16)
#: The same chunks mapped over stacked states (fits trained together, ``_cohort``).
TOGETHER = TraceCache(16)


def _state_of(model, *, optimizer):
    state = [
        [v.value for v in model.trainable_variables],
        [v.value for v in model.non_trainable_variables],
    ]
    if optimizer:
        state.append([v.value for v in model.optimizer.variables])
    state.append([v.value for v in model.metrics_variables])
    return tuple(state)


def _steps(model, kind, batch_size, *, jit):
    """``(chunk, tail)``: steps [begin, end) of full batches, and one smaller batch,
    of ``model``'s stateless ``train_step`` or ``test_step`` (jitted if ``jit``).

    They read nothing of ``model`` but its structure: the state comes in and goes
    out as values, so any model of the same architecture can run them.
    """
    import jax
    import keras

    step = model.train_step if kind == "train" else model.test_step

    def gather(data, order, i):
        idx = jax.lax.dynamic_slice_in_dim(order, i * batch_size, batch_size)
        return keras.tree.map_structure(lambda a: jax.numpy.take(a, idx, axis=0), data)

    def chunk(state, data, order, begin, end):
        # The step appears once in the program, inside the loop (XLA compiles
        # what it sees: a first step outside the loop would double the
        # compilation). The loop carries the logs from zeros of their shape.
        shapes = jax.eval_shape(lambda s, b: step(s, b)[0], state,
                                gather(data, order, begin))
        logs = keras.tree.map_structure(lambda a: jax.numpy.zeros(a.shape, a.dtype), shapes)

        def body(i, carry):
            return step(carry[1], gather(data, order, i))

        return jax.lax.fori_loop(begin, end, body, (logs, state))

    def tail(state, data, order):
        batch = keras.tree.map_structure(lambda a: jax.numpy.take(a, order, axis=0), data)
        return step(state, batch)

    if jit:  # no buffer donation: the model's variables stay valid
        chunk = jax.jit(chunk)
        tail = jax.jit(tail)
    return chunk, tail


def _lazy_jit(function):
    """``function`` jitted at its first call (importing JAX only then)."""
    jitted: list = []

    def call(*args):
        if not jitted:
            import jax

            jitted.append(jax.jit(function))
        return jitted[0](*args)

    return call


class _Shared:
    """One architecture's compiled steps, made with the first model that had it.

    Each is traced once, for one data signature (part of its key in
    ``TRACES``); should JAX ever trace again, it would read that first model,
    so :meth:`steps` checks that the model still has the architecture it was
    kept for (a user may recompile or change a fitted ``model_``) and makes the
    steps anew from the model at hand where it does not.
    """

    def __init__(self, model, key, x64, kind, batch_size):
        self.model, self.key, self.x64 = model, key, x64
        self.lock = threading.Lock()
        self._steps = _steps(model, kind, batch_size, jit=True)

    def steps(self):
        """``(chunk, tail)``, valid for the architecture of the key."""
        with self.lock:
            if architecture_key(self.model, self.x64) != self.key:
                raise _Stale
            return self._steps


class _Stale(Exception):
    """The model a shared step was made with has changed since."""


class JaxRunner(Runner):
    """Jitted chunks of ``model.train_step`` / ``model.test_step`` for one model."""

    def __init__(self, model, batch_size):
        super().__init__(model, batch_size)
        self._jit = not model.run_eagerly
        self._compiled = {}
        self._state = None

    @staticmethod
    def to_device(data):
        """Data as JAX arrays."""
        import jax
        import keras

        return keras.tree.map_structure(jax.numpy.asarray, data)

    @staticmethod
    def order(order):
        """An epoch's sample order (kept in NumPy: it is sliced on the host)."""
        return np.asarray(order)

    # ------------------------------------------------------------------ steps
    def _function(self, kind, batch_size, data, n):
        """The (jitted) functions running steps [begin, end) of full batches and
        a last, smaller batch over ``data`` of ``n`` samples: another fit's,
        where its model has this architecture (``TRACES``), else made for this
        model."""
        import jax

        signature = (kind, batch_size, n, str(jax.tree.map(lambda a: (a.shape, str(a.dtype)),
                                                           data)))
        if signature not in self._compiled:
            x64 = bool(getattr(jax.config, "jax_enable_x64", False))
            key = architecture_key(self.model, x64) if self._jit else None
            if key is None:
                steps = _steps(self.model, kind, batch_size, jit=self._jit)
            else:
                def make():
                    return _Shared(self.model, key, x64, kind, batch_size)

                try:
                    steps = TRACES.get((key, signature), make).steps()
                except _Stale:  # its first model changed: this one takes its place
                    shared = make()
                    TRACES.put((key, signature), shared)
                    steps = shared.steps()
            self._compiled[signature] = steps
        return self._compiled[signature]

    def _run(self, kind, state, data, order, batch_size, begin, end):
        steps = self._function(kind, batch_size, data, len(order))
        return _run_steps(steps, state, data, order, batch_size, begin, end)

    def train(self, data, order, begin, end):
        """Run train steps ``begin`` to ``end - 1`` of an epoch; return the logs.

        In a cohort (fits trained together, ``_cohort``) the chunk runs in one
        vectorized call with the other fits' chunks of the same steps.
        """
        model = self.model
        if self._state is None or jax_state_synced(model):
            self._state = _state_of(model, optimizer=True)
        order = np.asarray(order)
        cohort = _cohort.current()
        if cohort is not None and self._jit:
            steps = self._function("train", self.batch_size, data, len(order))
            logs, self._state = cohort[0].submit(
                (id(steps), self.batch_size, begin, end), _train_together,
                (steps, self._state, data, order, self.batch_size, begin, end))
        else:
            logs, self._state = self._run(
                "train", self._state, data, order, self.batch_size, begin, end)
        # The protocol of Keras's JAX trainer: callbacks sync through this.
        offer_jax_state(model, *self._state)
        return to_floats(logs)

    def test(self, data, batch_size, begin, end):
        """Run test steps ``begin`` to ``end - 1`` over ``data`` in order."""
        import keras

        self.sync()
        state = _state_of(self.model, optimizer=False)
        n = keras.tree.flatten(data)[0].shape[0]
        logs, state = self._run("test", state, data, np.arange(n), batch_size, begin, end)
        for ref, value in zip(self.model.metrics_variables, state[2]):
            ref.assign(value)
        return to_floats(logs)

    def sync(self):
        """Write the carried state back into the model's variables."""
        model = self.model
        if self._state is not None and not jax_state_synced(model):
            trainable, non_trainable, optimizer, metrics = self._state
            for refs, values in (
                (model.trainable_variables, trainable),
                (model.non_trainable_variables, non_trainable),
                (model.optimizer.variables, optimizer),
                (model.metrics_variables, metrics),
            ):
                for ref, value in zip(refs, values):
                    ref.assign(value)
        clear_jax_state(model)
        self._state = None

    def close(self):
        """Sync the model and release the compiled functions."""
        self.sync()
        self._compiled.clear()


def _run_steps(steps, state, data, order, batch_size, begin, end):
    """Steps ``begin`` to ``end - 1`` in ``order``: full batches in the chunk, a last,
    smaller batch in the tail; ``(logs, state)`` after the last. ``order`` is one
    fit's (1-D), or one row per fit for steps mapped over stacked states."""
    import jax

    chunk, tail = steps
    order = np.asarray(order)
    n_full = order.shape[-1] // batch_size
    logs = None
    if begin < min(end, n_full):
        order_dev = jax.numpy.asarray(order, dtype=jax.numpy.int32)
        logs, state = chunk(state, data, order_dev, begin, min(end, n_full))
    if end > n_full:  # the last, smaller batch
        rest = jax.numpy.asarray(order[..., n_full * batch_size:], dtype=jax.numpy.int32)
        logs, state = tail(state, data, rest)
    return logs, state


def _mapped(steps):
    """``steps`` mapped over stacked states and orders (``jax.vmap``; the data is
    one pool for all), jitted."""
    import jax

    chunk, tail = steps
    return (
        jax.jit(jax.vmap(chunk, in_axes=(0, None, 0, None, None))),
        jax.jit(jax.vmap(tail, in_axes=(0, None, 0))),
    )


@_lazy_jit
def _stack(trees):
    import jax

    return jax.tree.map(lambda *leaves: jax.numpy.stack(leaves), *trees)


@_lazy_jit
def _unstack(tree):
    import jax

    k = jax.tree.leaves(tree)[0].shape[0]
    return [jax.tree.map(lambda a: a[j], tree) for j in range(k)]


def _pool(datas):
    """The distinct ``datas`` (equal values once) concatenated, and each one's first row.

    Fits of one fold trained together hold equal copies of its data; the mapped
    steps gather every fit's batches from this one pool, each fit's order
    shifted to its own rows, so the data is not copied once per fit.
    """
    import jax
    import keras

    distinct: list = []
    rows: list = []
    for data in datas:
        leaves = [np.asarray(a) for a in keras.tree.flatten(data)]
        for u, other in enumerate(distinct):
            if all(a.shape == b.shape and a.dtype == b.dtype
                   and np.array_equal(a[:1], b[:1]) and np.array_equal(a, b)
                   for a, b in zip(leaves, other)):
                rows.append(u)
                break
        else:
            rows.append(len(distinct))
            distinct.append(leaves)
    n = len(distinct[0][0])
    pooled = [jax.numpy.asarray(np.concatenate(column)) for column in zip(*distinct)]
    return keras.tree.pack_sequence_as(datas[0], pooled), [u * n for u in rows]


def _train_together(payloads, cache):
    """Run each payload's chunk (``JaxRunner.train``), all in one mapped call.

    The payloads share their steps (one architecture, batch size, data signature)
    and their range of steps; each has its own state, data and order.
    """
    steps, _, _, _, batch_size, begin, end = payloads[0]
    if len(payloads) == 1:
        return [_run_steps(*payloads[0])]
    datas = [p[2] for p in payloads]
    key = ("pool", tuple(id(d) for d in datas))
    if key not in cache:  # the same data objects epoch after epoch (held: ids stay theirs)
        cache[key] = (datas, *_pool(datas))
    _, pool, offsets = cache[key]
    orders = np.stack([p[3] for p in payloads]) + np.asarray(offsets)[:, None]
    logs, state = _run_steps(TOGETHER.get(steps, lambda: _mapped(steps)),
                             _stack([p[1] for p in payloads]), pool, orders, batch_size,
                             begin, end)
    return list(zip(_unstack(logs), _unstack(state)))


def make_runner(model, batch_size):
    """Jitted chunks over the stateless step (``run_eagerly`` included, as before)."""
    return JaxRunner(model, batch_size)


def compiled_call(model, example):
    """The model's inference outputs from one jitted ``stateless_call``."""
    import jax
    import keras

    def call(trainable, non_trainable, x):
        return model.stateless_call(trainable, non_trainable, x, training=False)[0]

    jitted = jax.jit(call)

    def run(x):
        trainable = [v.value for v in model.trainable_variables]
        non_trainable = [v.value for v in model.non_trainable_variables]
        out = jitted(trainable, non_trainable, x)
        return keras.tree.map_structure(np.asarray, out)

    return run
