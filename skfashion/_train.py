"""The training loop: many gradient steps per TensorFlow call, data resident.

``keras.Model.fit`` runs one ``train_step`` per Python-level iteration of a
``tf.data`` pipeline; for small models on a CPU that overhead is most of the
time. Here one traced call runs a whole epoch of ``model.train_step`` calls in a
``tf.while_loop``, gathering each mini-batch from tensors that stay in memory,
in the order of a permutation drawn by the estimator's random state. The step
itself is Keras's own (loss, regularization, optimizer, compiled metrics), so
``batch_size``, ``epochs`` and the optimizer mean exactly what they mean in Keras.
Keras callbacks see the usual ``on_epoch_*`` and ``on_train_*`` events; batch
events arrive once per epoch, as with ``steps_per_execution`` in Keras.
"""

from contextlib import contextmanager

import numpy as np

from ._memory import is_aligned


def _defined_in_distribute(fn, depth=4):
    """True if ``fn`` or a function in its closures comes from tf.distribute."""
    if depth < 0 or not callable(fn):
        return False
    if getattr(fn, "__module__", "") == "tensorflow.python.distribute.distribute_lib":
        return True
    for cell in getattr(fn, "__closure__", None) or ():
        try:
            content = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if _defined_in_distribute(content, depth - 1):
            return True
    return False


@contextmanager
def release_all_reduce_gradients():
    """Drop the gradient functions a traced optimizer step leaves in TensorFlow.

    Keras's TensorFlow optimizer sums gradients with
    ``tf.distribute.get_replica_context().all_reduce``, which, when traced,
    registers a ``tf.custom_gradient`` in TensorFlow's process-wide gradient
    registry under a unique name and never removes it. The entry keeps the whole
    traced training graph alive: about 2.5 MB per fit, without bound, in plain
    Keras as well. Nothing ever looks the entry up (it would only serve to
    differentiate through an optimizer update), so the entries this block's
    tracing registered for an all-reduce are removed on exit. Entries of anyone
    else (other names, or functions not from tf.distribute) are left alone.
    """
    from tensorflow.python.framework import ops

    registry = ops._gradient_registry._registry
    before = set(registry)
    try:
        yield
    finally:
        for name in set(registry) - before:
            entry = registry.get(name)
            if (
                name.startswith("CustomGradient-")
                and entry is not None
                and _defined_in_distribute(entry.get("type"))
            ):
                registry.pop(name, None)


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
    ):
        return tf.experimental.dlpack.from_dlpack(array.__dlpack__())
    return tf.convert_to_tensor(array)


class EpochRunner:
    """Traced whole-epoch training and evaluation for one compiled Keras model."""

    def __init__(self, model, batch_size, y_example):
        import tensorflow as tf

        if not model.optimizer.built:
            # Built here, eagerly: created inside the traced function its
            # variables would make TensorFlow trace the epoch twice.
            model.optimizer.build(model.trainable_variables)
        self.model = model
        self.batch_size = batch_size
        x_spec = tf.TensorSpec([None, *model.inputs[0].shape[1:]], tf.float32)
        y_spec = tf.TensorSpec([None, *y_example.shape[1:]], tf.as_dtype(y_example.dtype))
        w_spec = tf.TensorSpec([None], tf.float32)
        perm_spec = tf.TensorSpec([None], tf.int32)
        bs = batch_size

        def train(x, y, w, perm):
            n = tf.shape(perm)[0]
            steps = (n + bs - 1) // bs

            def body(i):
                idx = perm[i * bs : tf.minimum((i + 1) * bs, n)]
                model.train_step((tf.gather(x, idx), tf.gather(y, idx), tf.gather(w, idx)))
                return (i + 1,)

            tf.while_loop(lambda i: i < steps, body, (tf.constant(0),))

        def test(x, y, w):
            n = tf.shape(x)[0]
            steps = (n + bs - 1) // bs

            def body(i):
                sl = slice(i * bs, tf.minimum((i + 1) * bs, n))
                model.test_step((x[sl], y[sl], w[sl]))
                return (i + 1,)

            tf.while_loop(lambda i: i < steps, body, (tf.constant(0),))

        self._train = tf.function(
            train, input_signature=[x_spec, y_spec, w_spec, perm_spec], autograph=False
        )
        self._test = tf.function(test, autograph=False, reduce_retracing=True)

    def _logs(self):
        return {k: float(v) for k, v in self.model.get_metrics_result().items()}

    def train_epoch(self, x, y, w, perm):
        """Run one epoch over the rows of ``x`` in the order ``perm``; return logs."""
        import tensorflow as tf

        self.model.reset_metrics()
        with release_all_reduce_gradients():  # tracing happens in the first call
            self._train(x, y, w, tf.constant(perm, dtype=tf.int32))
        return self._logs()

    def evaluate(self, x, y, w):
        """Loss and compiled metrics on ``(x, y, w)``, as ``model.evaluate`` gives."""
        self.model.reset_metrics()
        self._test(x, y, w)
        return self._logs()
