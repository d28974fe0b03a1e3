"""TensorFlow runner: many of Keras's own train steps per traced call, data resident.

``keras.Model.fit`` runs one ``train_step`` per Python-level iteration of a
``tf.data`` pipeline; for small models on a CPU that overhead is most of the
time. Here one traced call runs a whole chunk of steps (an epoch, or
``steps_per_execution`` steps when callbacks want batch events) of
``model.train_step`` in a ``tf.while_loop``, gathering each mini-batch from
tensors that stay in memory, in the order of a permutation drawn by the
estimator's random state. The step itself is Keras's own (loss, regularization,
optimizer, compiled metrics), so ``batch_size``, ``epochs`` and the optimizer
mean exactly what they mean in Keras.
"""

import numpy as np

from .._keras_internals import can_call_with_captures, release_all_reduce_gradients
from .._support._memory import is_aligned
from ._runner import Runner, to_floats
from ._graph_key import function_key
from ._trace_cache import TraceCache

#: At most this many bytes of variables kept alive by the traces in ``TRACES``
#: (a TensorFlow trace holds the variables it captured: the first fit's).
TRACE_BYTES = 64 * 2**20
#: Traced chunks shared by the fits whose steps trace to the same program
#: (``_graph_key``): at most this many programs are kept.
TRACES = TraceCache(16, max_bytes=TRACE_BYTES)


def as_tensor(array):
    """A tensor for ``array``, sharing its memory when TensorFlow allows it.

    Sharing needs a writeable, C-contiguous array aligned on 64 bytes (as
    :class:`~skfashion.PixelScaler` output is); anything else is copied.
    """
    import tensorflow as tf

    if (
        isinstance(array, np.ndarray)
        and array.flags.c_contiguous
        and array.flags.writeable
        and array.size
        and is_aligned(array)
        and array.dtype != object
    ):
        return tf.experimental.dlpack.from_dlpack(array.__dlpack__())
    return tf.convert_to_tensor(array)


def _spec(tensor):
    import tensorflow as tf

    return tf.TensorSpec([None, *tensor.shape[1:]], tensor.dtype)


class _StepLoop:
    """``steps`` of ``step_fn`` over mini-batches gathered by a sample order.

    A callable object rather than a closure: ``tf.function`` keys its
    "frequent retracing" statistics by a function's code object, so closures
    made anew for each fitted model would share one key and, in a grid search,
    be reported as retracing. An object is its own key.
    """

    def __init__(self, step_fn, batch_size):
        self.step_fn = step_fn
        self.batch_size = batch_size

    def __call__(self, data, order, begin, end):
        import tensorflow as tf

        bs = self.batch_size
        n = tf.shape(order)[0]

        def batch(i):
            idx = order[i * bs : tf.minimum((i + 1) * bs, n)]
            return tf.nest.map_structure(lambda t: tf.gather(t, idx), data)

        logs = self.step_fn(batch(begin))

        def body(i, logs):
            return i + 1, self.step_fn(batch(i))

        _, logs = tf.while_loop(lambda i, _: i < end, body, (begin + 1, logs))
        return logs


class _Step:
    """A model's ``train_step`` or ``test_step`` as ``tf.function`` traces it (a
    callable object, for the same reason as :class:`_StepLoop`)."""

    def __init__(self, step_fn):
        self.step_fn = step_fn

    def __call__(self, data):
        return self.step_fn(data)


class _Loop:
    """A traced chunk of steps around one fit's traced step, which any fit whose
    own step traced to the same program (:func:`~._graph_key.function_key`) can
    run with its own step's captured tensors (its variables, constants).

    The loop captures what the step captured, and nothing else; ``positions``
    says which of the step's captures each of the loop's is (None when the loop
    captured something the step did not: then it serves no other fit).
    """

    def __init__(self, step, batch_size, data):
        import tensorflow as tf

        traced = tf.function(
            _StepLoop(step, batch_size),
            input_signature=[tf.nest.map_structure(_spec, data),
                             tf.TensorSpec([None], tf.int32),
                             tf.TensorSpec([], tf.int32), tf.TensorSpec([], tf.int32)],
            autograph=False,
        )
        self.concrete = traced.get_concrete_function()
        index = {id(t): i for i, t in enumerate(step.captured_inputs)}
        positions = [index.get(id(t)) for t in self.concrete.captured_inputs]
        shareable = None not in positions and can_call_with_captures(self.concrete)
        self.positions = positions if shareable else None

    def __call__(self, step, *args):
        """Run the loop with ``step``'s captured tensors (a trace of the same program)."""
        from .._keras_internals import call_with_captures

        if self.positions is None:
            return self.concrete(*args)
        captures = step.captured_inputs
        return call_with_captures(self.concrete, args, [captures[p] for p in self.positions])


def _captured_bytes(step):
    """The bytes of what ``step`` captured (what a kept trace keeps alive)."""
    import tensorflow as tf

    from .._keras_internals import resource_value_bytes

    return sum(resource_value_bytes(t) if t.dtype == tf.resource
               else int(t.shape.num_elements() or 0) * t.dtype.size
               for t in step.captured_inputs)


class TensorFlowRunner(Runner):
    """Traced chunks of ``model.train_step`` / ``model.test_step`` for one model.

    Each fit traces its own step (``tf.function``), which says what its program
    is (:func:`~._graph_key.function_key`); a fit whose step is a program that
    another fit of this process runs already (``TRACES``) runs that fit's
    traced chunk with its own captured tensors, instead of tracing the chunk
    and instantiating it again (most of a small fit's cost). A later training
    call of the same model (a warm start, ``partial_fit``) runs the chunk it
    ran before (:meth:`~._runner.Runner.remembered`), as Keras's ``fit`` does.
    """

    @staticmethod
    def to_device(data):
        """Data as resident tensors (borrowed without copy when possible)."""
        import keras

        return keras.tree.map_structure(as_tensor, data)

    @staticmethod
    def order(order):
        """An epoch's sample order as a tensor (converted once per epoch)."""
        import tensorflow as tf

        return tf.constant(order, dtype=tf.int32)

    def _trace_step(self, kind, data):
        import tensorflow as tf

        step_fn = self.model.train_step if kind == "train" else self.model.test_step
        traced = tf.function(_Step(step_fn),
                             input_signature=[tf.nest.map_structure(_spec, data)],
                             autograph=False)
        with release_all_reduce_gradients():  # tracing happens here, once
            return traced.get_concrete_function()

    def _function(self, kind, data, batch_size):
        """``(loop, step)``: the traced chunk of ``kind`` steps over data of this
        structure and this fit's own traced step, whose captures the loop runs with.
        The loop is another fit's where its step is the same program (``TRACES``)."""
        import tensorflow as tf

        signature = (kind, batch_size, str(tf.nest.map_structure(
            lambda t: (tuple(t.shape[1:]), t.dtype.name), data)))

        def build():
            step = self._trace_step(kind, data)
            # another fit's loop runs only where it can take this step's captures
            key = function_key(step) if can_call_with_captures(step) else None
            loop = None if key is None else TRACES.lookup((key, batch_size))
            if loop is None:
                loop = _Loop(step, batch_size, data)
                if key is not None and loop.positions is not None:
                    loop = TRACES.keep((key, batch_size), loop, _captured_bytes(step))
            return loop, step

        return self.remembered(signature, build)

    def train(self, data, order, begin, end):
        """Run train steps ``begin`` to ``end - 1`` of an epoch; return the logs."""
        import tensorflow as tf

        loop, step = self._function("train", data, self.batch_size)
        return to_floats(loop(step, data, order, tf.constant(begin), tf.constant(end)))

    def test(self, data, batch_size, begin, end):
        """Run test steps ``begin`` to ``end - 1`` over ``data`` in order."""
        import tensorflow as tf

        loop, step = self._function("test", data, batch_size)
        n = int(tf.nest.flatten(data)[0].shape[0])
        order = tf.range(n, dtype=tf.int32)
        return to_floats(loop(step, data, order, tf.constant(begin), tf.constant(end)))

    def sync(self):
        """Model variables are always current with TensorFlow."""

    def close(self):
        """Nothing to release: the model's chunks stay with it (``programs``), shared
        ones in ``TRACES`` too."""


def step_program_key(model, kind, batch):
    """The key of ``model``'s ``kind`` step traced for ``batch`` (what decides
    whether two fits share traced chunks; tests and debugging read it)."""
    return function_key(TensorFlowRunner(model, len(batch[0]))._trace_step(kind, batch))


def make_runner(model, batch_size, programs=None):
    """Traced chunks; a model compiled with ``run_eagerly=True`` runs eagerly, as Keras runs it."""
    if model.run_eagerly:
        from ._eager import EagerRunner

        return EagerRunner(model, batch_size)
    return TensorFlowRunner(model, batch_size, programs)


class _TracedCall:
    """The model called in inference mode (a callable object for tf.function,
    which keys its retracing statistics by code object; see ``_training``)."""

    def __init__(self, model):
        self.model = model

    def __call__(self, x):
        return self.model(x, training=False)


def compiled_call(model, example):
    """The model's inference outputs from one ``tf.function`` per input signature."""
    import keras
    import tensorflow as tf

    spec = tf.nest.map_structure(
        lambda a: tf.TensorSpec([None, *np.shape(a)[1:]], tf.as_dtype(np.asarray(a).dtype)),
        example,
    )
    fn = tf.function(_TracedCall(model), input_signature=[spec], autograph=False)
    return lambda x: keras.tree.map_structure(lambda t: t.numpy(), fn(x))
