"""Fast inference for fitted Keras models.

``model.predict`` costs tens of milliseconds per call (it builds a data pipeline
and a progress bar even for one row). Two faster paths, chosen once per model:

1. For a ``Sequential`` model made only of Dense, Activation, ReLU, Softmax,
   Dropout, Rescaling and Flatten layers in float32, a NumPy forward pass from
   copies of the trained weights: as fast as a scikit-learn linear model, free of
   the TensorFlow runtime, and safe to call from many threads. Its results do
   not depend on how many threads BLAS uses (see ``_dense_op``), so predictions
   are the same in a joblib worker as in the main process.
2. Any other model: the model's ``__call__`` traced once with ``tf.function`` for
   float32 batches of any size, run in chunks.
"""

import numpy as np

_CHUNK = 8192


def _np_softmax(z, axis=-1):
    z = z - z.max(axis=axis, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=axis, keepdims=True)
    return z


def _np_sigmoid(z):
    # Split by sign so that exp never overflows.
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


_ACTIVATIONS = {
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0, out=z),
    "sigmoid": _np_sigmoid,
    "tanh": lambda z: np.tanh(z, out=z),
    "softmax": _np_softmax,
}


def _activation_name(fn):
    import keras

    try:
        name = keras.activations.serialize(fn)
    except (ValueError, TypeError):
        return None
    if isinstance(name, dict):  # serialized object form in some Keras versions
        name = name.get("config", name.get("class_name"))
    return name if name in _ACTIVATIONS else None


def _numpy_ops(model):
    """A list of NumPy callables equal to ``model``'s inference, or None."""
    import keras
    from keras import layers

    if not isinstance(model, keras.Sequential):
        return None
    ops = []
    for layer in model.layers:
        if getattr(layer, "compute_dtype", "float32") != "float32":
            return None
        if isinstance(layer, layers.Dense):
            act = _activation_name(layer.activation)
            if act is None or getattr(layer, "lora_enabled", False):
                return None
            kernel = np.asarray(layer.kernel.numpy())
            bias = np.asarray(layer.bias.numpy()) if layer.use_bias else None
            ops.append(_dense_op(kernel, bias, _ACTIVATIONS[act]))
        elif isinstance(layer, layers.Activation):
            act = _activation_name(layer.activation)
            if act is None:
                return None
            ops.append(lambda z, f=_ACTIVATIONS[act]: f(z.copy()))  # never alter X
        elif isinstance(layer, layers.ReLU):
            if layer.max_value is not None or layer.negative_slope or layer.threshold:
                return None
            ops.append(lambda z: np.maximum(z, 0))
        elif isinstance(layer, layers.Softmax):
            axis = layer.axis
            ops.append(lambda z, axis=axis: _np_softmax(z, axis=axis))
        elif isinstance(layer, layers.Dropout):
            continue  # identity at inference
        elif isinstance(layer, layers.Rescaling):
            scale = np.float32(layer.scale)
            offset = np.float32(layer.offset)
            ops.append(lambda z, s=scale, o=offset: z * s + o)
        elif isinstance(layer, layers.Flatten):
            ops.append(lambda z: z.reshape(len(z), -1))
        else:
            return None
    return ops


#: OpenBLAS runs a GEMM on one thread when rows * inputs * outputs is below this
#: (SMP_THRESHOLD_MIN * GEMM_MULTITHREAD_THRESHOLD in its sources). Row blocks
#: kept under it give the same bits whatever the BLAS thread count, so a joblib
#: worker (which loky limits to fewer threads) predicts exactly what the main
#: process predicts; the small blocks are also faster than one large call.
_SINGLE_THREAD_GEMM = 65536 * 4
_MIN_BLOCK = 16


def _dense_op(kernel, bias, activation):
    n_in, n_out = kernel.shape
    block = min(256, (_SINGLE_THREAD_GEMM - 1) // (n_in * n_out))
    if block >= _MIN_BLOCK:
        kernel = np.ascontiguousarray(kernel, dtype=np.float32)
        bias = bias.astype(np.float32) if bias is not None else None

        def dense(z):
            z = np.ascontiguousarray(z, dtype=np.float32)
            out = np.empty((len(z), n_out), dtype=np.float32)
            for start in range(0, len(z), block):
                np.matmul(z[start : start + block], kernel, out=out[start : start + block])
            if bias is not None:
                out += bias
            return activation(out)

        return dense

    # Wide layers: one float64 GEMM. Its rounding errors are far below float32
    # resolution, so the float32 result does not depend on the thread count.
    kernel = np.asarray(kernel, dtype=np.float64, order="F")
    bias = bias.astype(np.float64) if bias is not None else None

    def dense_wide(z):
        out = np.asarray(z, dtype=np.float64) @ kernel
        if bias is not None:
            out += bias
        return activation(out)

    return dense_wide


class ForwardPass:
    """Callable computing a fitted model's output for a float32 2-D array.

    Attributes
    ----------
    kind : {"numpy", "traced"}
        Which path is used.
    """

    def __init__(self, model):
        self.model = model
        ops = _numpy_ops(model)
        if ops is not None:
            self.kind = "numpy"
            self._ops = ops
        else:
            import tensorflow as tf

            self.kind = "traced"
            spec = tf.TensorSpec([None, *model.inputs[0].shape[1:]], tf.float32)
            self._fn = tf.function(lambda x: model(x, training=False), input_signature=[spec])

    def _numpy(self, X):
        out = X
        for op in self._ops:
            out = op(out)
        return np.asarray(out, dtype=np.float32)

    def __call__(self, X):
        run = self._numpy if self.kind == "numpy" else (lambda x: np.asarray(self._fn(x)))
        if len(X) <= _CHUNK:
            return run(X)
        return np.concatenate([run(X[i : i + _CHUNK]) for i in range(0, len(X), _CHUNK)])
