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

import numpy as np

from .._keras_internals import clear_jax_state, jax_state_synced, offer_jax_state
from ._jaxpr_key import jax_core, program_key
from ._runner import Runner, to_floats
from ._trace_cache import TraceCache

#: Compiled chunks shared by the fits whose steps trace to the same program
#: (``_jaxpr_key``), per data signature: at most this many are kept.
TRACES = TraceCache(32)


def _state_of(model, *, optimizer):
    state = [
        [v.value for v in model.trainable_variables],
        [v.value for v in model.non_trainable_variables],
    ]
    if optimizer:
        state.append([v.value for v in model.optimizer.variables])
    state.append([v.value for v in model.metrics_variables])
    return tuple(state)


class _Program:
    """One of a model's steps (``train_step`` or ``test_step``) traced for one
    batch shape: its jaxpr, the constants it closed over, its trees, its key
    (:func:`~._jaxpr_key.program_key`; None where it cannot be read, or where
    the program holds objects that may hold a model: then it is this fit's
    alone, and not kept)."""

    def __init__(self, model, kind, state, batch):
        import jax

        step = model.train_step if kind == "train" else model.test_step
        closed, out_shape = jax.make_jaxpr(step, return_shape=True)(state, batch)
        self.jaxpr, self.consts = closed.jaxpr, list(closed.consts)
        self.in_tree = jax.tree.structure((state, batch))
        self.out_tree = jax.tree.structure(out_shape)
        described = program_key(closed)
        self.key = None if described is None or described[1] else (
            described[0], self.in_tree, self.out_tree)

    def step(self):
        """The step as a function of ``(consts, state, batch)``: nothing of the model
        it was traced from, only the program."""
        import jax

        core = jax_core()
        jaxpr, out_tree = self.jaxpr, self.out_tree

        def step(consts, state, batch):
            flat = jax.tree.leaves((state, batch))  # in_tree's order: the program's inputs
            out = core.jaxpr_as_fun(core.ClosedJaxpr(jaxpr, list(consts)))(*flat)
            return jax.tree.unflatten(out_tree, out)

        return step


def _chunk_fn(step, batch_size):
    """Steps [begin, end) of full batches of ``step``, gathered by ``order``."""
    import jax
    import keras

    def gather(data, order, i):
        idx = jax.lax.dynamic_slice_in_dim(order, i * batch_size, batch_size)
        return keras.tree.map_structure(lambda a: jax.numpy.take(a, idx, axis=0), data)

    def chunk(consts, state, data, order, begin, end):
        # The step appears once in the program, inside the loop (XLA compiles
        # what it sees: a first step outside the loop would double the
        # compilation). The loop carries the logs from zeros of their shape.
        shapes = jax.eval_shape(lambda s, b: step(consts, s, b)[0], state,
                                gather(data, order, begin))
        logs = keras.tree.map_structure(lambda a: jax.numpy.zeros(a.shape, a.dtype), shapes)

        def body(i, carry):
            return step(consts, carry[1], gather(data, order, i))

        return jax.lax.fori_loop(begin, end, body, (logs, state))

    return chunk


def _tail_fn(step):
    """One smaller, last batch of ``step``, the rows of ``order``."""
    import jax
    import keras

    def tail(consts, state, data, order):
        batch = keras.tree.map_structure(lambda a: jax.numpy.take(a, order, axis=0), data)
        return step(consts, state, batch)

    return tail


def _lazy_jit(function):
    """``function`` jitted at its first call (importing JAX only then)."""
    jitted: list = []

    def call(*args):
        if not jitted:
            import jax

            jitted.append(jax.jit(function))
        return jitted[0](*args)

    return call


class _Steps:
    """What one fit runs for one kind of step over one data signature: the
    compiled chunk and tail (shared by every fit of the same programs), the
    traceable functions they were compiled from (this fit's; a cohort maps
    them), and this fit's constants for each."""

    def __init__(self, chunk=None, chunk_fn=None, chunk_consts=(), tail=None, tail_fn=None,
                 tail_consts=()):
        self.chunk, self.chunk_fn, self.chunk_consts = chunk, chunk_fn, chunk_consts
        self.tail, self.tail_fn, self.tail_consts = tail, tail_fn, tail_consts

    @property
    def functions(self):
        """The compiled functions (shared by every fit of the same programs)."""
        return (self.chunk, self.tail)


def _abstract(tree):
    import jax

    return jax.tree.map(lambda a: jax.ShapeDtypeStruct(np.shape(a), a.dtype), tree)


def _compile(program, function, args):
    """``function`` (made from ``program``) compiled ahead of time for ``args``
    (abstract values), shared by every fit whose program has the same key
    (:data:`TRACES`). The compiled executable holds no Python function, so a
    kept one holds nothing of the model its program was traced from."""
    import jax

    key = None if program.key is None else (program.key, str(jax.tree.map(
        lambda a: (a.shape, str(a.dtype)), args)))
    found = None if key is None else TRACES.lookup(key)
    if found is None:
        found = _ahead_of_time(function, args)
        if key is not None:
            found = TRACES.keep(key, found)
    return found


def _ahead_of_time(function, args):
    import jax

    return jax.jit(function).lower(*args).compile()


def _bound(i):
    """A step index as the compiled chunks take it."""
    return np.int32(i)


class JaxRunner(Runner):
    """Jitted chunks of ``model.train_step`` / ``model.test_step`` for one model."""

    def __init__(self, model, batch_size, programs=None):
        super().__init__(model, batch_size, programs)
        self._jit = not model.run_eagerly
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
    def _function(self, kind, batch_size, data, n, state):
        """The steps of ``kind`` over ``data`` of ``n`` samples (:class:`_Steps`):
        each traced for this model (the proof that its program is what another
        fit compiled), compiled once per program and data signature in the
        process (``TRACES``), remembered with the model until it is compiled
        again (:meth:`~._runner.Runner.remembered`)."""
        import jax

        signature = (kind, batch_size, n, str(jax.tree.map(
            lambda a: (np.shape(a), str(a.dtype)), (data, state))))

        def build():
            if self._jit and jax_core() is not None:
                return self._traced(kind, batch_size, data, n, state)
            # The model's own step: run_eagerly (traced at each call), or a JAX
            # whose programs skfashion cannot read (compiled for this fit alone).
            step = self.model.train_step if kind == "train" else self.model.test_step

            def own(consts, state, batch):
                return step(state, batch)

            chunk, tail = _chunk_fn(own, batch_size), _tail_fn(own)
            if not self._jit:
                return _Steps(chunk, chunk, (), tail, tail, ())
            return _Steps(jax.jit(chunk), chunk, (), jax.jit(tail), tail, ())

        return self.remembered(signature, build)

    def _traced(self, kind, batch_size, data, n, state):
        import jax

        def rows(count):
            return jax.tree.map(lambda a: jax.ShapeDtypeStruct((count, *a.shape[1:]), a.dtype),
                                data)

        steps = _Steps()
        order = jax.ShapeDtypeStruct((n,), np.int32)
        if n // batch_size:
            program = _Program(self.model, kind, state, rows(batch_size))
            steps.chunk_fn = _chunk_fn(program.step(), batch_size)
            steps.chunk_consts = program.consts
            bound = jax.ShapeDtypeStruct((), np.int32)
            steps.chunk = _compile(program, steps.chunk_fn, (
                _abstract(program.consts), _abstract(state), _abstract(data), order, bound,
                bound))
        if n % batch_size:
            program = _Program(self.model, kind, state, rows(n % batch_size))
            steps.tail_fn = _tail_fn(program.step())
            steps.tail_consts = program.consts
            steps.tail = _compile(program, steps.tail_fn, (
                _abstract(program.consts), _abstract(state), _abstract(data),
                jax.ShapeDtypeStruct((n % batch_size,), np.int32)))
        return steps

    def _run(self, kind, state, data, order, batch_size, begin, end):
        steps = self._function(kind, batch_size, data, len(order), state)
        return _run_steps(steps, steps.chunk_consts, steps.tail_consts, state, data, order,
                          batch_size, begin, end)

    def train(self, data, order, begin, end):
        """Run train steps ``begin`` to ``end - 1`` of an epoch; return the logs.

        In a cohort (fits trained together: ``together``, the fit's
        ``_cohort.Member``) the chunk runs in one vectorized call with the other
        fits' chunks of the same steps.
        """
        model = self.model
        if self._state is None or jax_state_synced(model):
            self._state = _state_of(model, optimizer=True)
        order = np.asarray(order)
        if self.together is not None and self._jit:
            steps = self._function("train", self.batch_size, data, len(order), self._state)
            logs, self._state = self.together.submit(
                (tuple(map(id, steps.functions)), self.batch_size, begin, end),
                _train_together,
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
        """Sync the model (its compiled steps stay with it: ``programs``)."""
        self.sync()


def _run_steps(steps, chunk_consts, tail_consts, state, data, order, batch_size, begin, end):
    """Steps ``begin`` to ``end - 1`` in ``order``: full batches in the chunk, a last,
    smaller batch in the tail; ``(logs, state)`` after the last. ``order`` is one
    fit's (1-D), or one row per fit for steps mapped over stacked states (then
    the functions and constants are the mapped ones)."""
    import jax

    order = np.asarray(order)
    n_full = order.shape[-1] // batch_size
    logs = None
    if begin < min(end, n_full):
        order_dev = jax.numpy.asarray(order, dtype=jax.numpy.int32)
        logs, state = steps.chunk(chunk_consts, state, data, order_dev, _bound(begin),
                                  _bound(min(end, n_full)))
    if end > n_full:  # the last, smaller batch
        rest = jax.numpy.asarray(order[..., n_full * batch_size:], dtype=jax.numpy.int32)
        logs, state = steps.tail(tail_consts, state, data, rest)
    return logs, state


def _mapped(steps):
    """``steps``'s functions mapped over stacked constants, states and orders
    (``jax.vmap``; the data is one pool for all), jitted."""
    import jax

    return _Steps(
        chunk=jax.jit(jax.vmap(steps.chunk_fn, in_axes=(0, 0, None, 0, None, None))),
        tail=None if steps.tail_fn is None else jax.jit(
            jax.vmap(steps.tail_fn, in_axes=(0, 0, None, 0))),
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

    The payloads share their compiled functions (one program, batch size, data
    signature) and their range of steps; each has its own constants, state,
    data and order.
    """
    steps, _, _, _, batch_size, begin, end = payloads[0]
    if len(payloads) == 1:
        steps, state, data, order, batch_size, begin, end = payloads[0]
        return [_run_steps(steps, steps.chunk_consts, steps.tail_consts, state, data, order,
                           batch_size, begin, end)]
    datas = [p[2] for p in payloads]
    key = ("pool", tuple(id(d) for d in datas))
    if key not in cache:  # the same data objects epoch after epoch (held: ids stay theirs)
        cache[key] = (datas, *_pool(datas))
    _, pool, offsets = cache[key]
    orders = np.stack([p[3] for p in payloads]) + np.asarray(offsets)[:, None]
    mapped = cache.get(("mapped", steps.functions))  # this cohort's (made from its fits)
    if mapped is None:
        mapped = cache[("mapped", steps.functions)] = _mapped(steps)
    chunk_consts = _stack([p[0].chunk_consts for p in payloads])
    tail_consts = _stack([p[0].tail_consts for p in payloads])
    logs, state = _run_steps(mapped, chunk_consts, tail_consts,
                             _stack([p[1] for p in payloads]), pool, orders, batch_size,
                             begin, end)
    return list(zip(_unstack(logs), _unstack(state)))


def step_program_key(model, kind, batch):
    """The key of ``model``'s ``kind`` step traced for ``batch`` (what decides
    whether two fits share compiled steps; tests and debugging read it)."""
    state = _state_of(model, optimizer=kind == "train")
    return _Program(model, kind, state, batch).key


def make_runner(model, batch_size, programs=None):
    """Jitted chunks over the stateless step (``run_eagerly`` included, as before)."""
    return JaxRunner(model, batch_size, programs)


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
