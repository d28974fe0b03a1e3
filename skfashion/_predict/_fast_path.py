"""Fast inference for fitted Keras models, on every Keras backend.

``model.predict`` costs tens of milliseconds per call (it builds a data pipeline
and a progress bar even for one row). :class:`Predictor` chooses, per model:

1. ``"numpy"``: for a ``Sequential`` model made only of Dense, Activation,
   ReLU, Softmax, Dropout, Rescaling and Flatten layers in float32, a NumPy
   forward pass from a snapshot of the trained weights: as fast as a
   scikit-learn linear model, free of the backend runtime, safe to call from
   many threads, and independent of how many threads BLAS uses (see
   ``_dense_op``), so predictions are the same in a joblib worker as in the
   main process. Once others hold the model (``model_`` was read), the
   weights are read again at every call, so predictions follow any change.
2. ``"compiled"``: any other model, or one that others may change: the model
   called in inference mode through the backend's compiler (``tf.function``,
   ``jax.jit`` on the live variables, or torch's eager call without
   gradients), in chunks. It always reads the current weights.
3. ``"keras"``: a model that overrides ``predict_step``: ``model.predict``.

:meth:`Predictor.proba` also turns outputs into probabilities when the
compiled loss takes logits (``from_logits=True``): a softmax over several
units, a sigmoid over one.
"""

from typing import Any, Callable, List

import numpy as np

from .._fit._losses import from_logits, loss_kind, single_loss

_CHUNK = 8192


def softmax(z, axis=-1):
    """Numerically stable softmax (in place on a float array)."""
    z = z - z.max(axis=axis, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=axis, keepdims=True)
    return z


def sigmoid(z):
    """Logistic function that never overflows."""
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


_ACTIVATIONS = {
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0, out=z),
    "sigmoid": sigmoid,
    "tanh": lambda z: np.tanh(z, out=z),
    "softmax": softmax,
}


def _activation_name(fn):
    """The name of ``fn`` among :data:`_ACTIVATIONS` if it is Keras's own function
    of that name, else None (found by identity: ``keras.activations.serialize``
    would import TensorFlow under another backend, 2.5 s at a first predict)."""
    import keras

    name = getattr(fn, "__name__", None)
    if name not in _ACTIVATIONS or getattr(keras.activations, name, None) is not fn:
        return None
    return name


def _weights(variable):
    import keras

    return np.asarray(keras.ops.convert_to_numpy(variable.value))


def _numpy_plan(model):
    """``(variables, make_ops)`` for a model the NumPy path covers, else None.

    ``make_ops(values)`` turns the current values of ``variables`` into a list
    of NumPy callables equal to the model's inference.
    """
    import keras
    from keras import layers

    if not isinstance(model, keras.Sequential) or not _standard_predict(model):
        return None
    variables: list = []
    builders: List[Callable[..., Any]] = []
    for layer in model.layers:
        if getattr(layer, "compute_dtype", "float32") != "float32":
            return None
        if isinstance(layer, layers.Dense):
            act = _activation_name(layer.activation)
            if act is None or getattr(layer, "lora_enabled", False) or \
                    type(layer) is not layers.Dense:
                return None
            start = len(variables)
            variables.append(layer.kernel)
            if layer.use_bias:
                variables.append(layer.bias)
            builders.append(lambda values, i=start, b=layer.use_bias, f=_ACTIVATIONS[act]:
                            _dense_op(values[i], values[i + 1] if b else None, f))
        elif isinstance(layer, layers.Activation):
            act = _activation_name(layer.activation)
            if act is None:
                return None
            op = (lambda f: lambda z: f(z.copy()))(_ACTIVATIONS[act])  # never alter X
            builders.append(lambda values, op=op: op)
        elif isinstance(layer, layers.ReLU):
            if layer.max_value is not None or layer.negative_slope or layer.threshold:
                return None
            builders.append(lambda values: lambda z: np.maximum(z, 0))
        elif isinstance(layer, layers.Softmax):
            axis = layer.axis
            builders.append(lambda values, axis=axis: lambda z: softmax(z, axis=axis))
        elif isinstance(layer, layers.Dropout):
            continue  # identity at inference
        elif isinstance(layer, layers.Rescaling):
            scale, offset = np.float32(layer.scale), np.float32(layer.offset)
            builders.append(lambda values, s=scale, o=offset: lambda z: z * s + o)
        elif isinstance(layer, layers.Flatten):
            builders.append(lambda values: lambda z: z.reshape(len(z), -1))
        else:
            return None
    return variables, lambda values: [build(values) for build in builders]


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


def _standard_predict(model):
    """True if ``model`` infers with Keras's own ``predict_step`` (nothing overridden)."""
    import keras

    return type(model).predict_step is keras.Model.predict_step


def _compiled_call(model, example):
    """A function computing ``model``'s inference outputs with the backend's
    compiler (the backend's module in ``_training._backends`` writes it)."""
    from .._training._backends import backend_module

    return backend_module().compiled_call(model, example)


class Predictor:
    """Model outputs (and probabilities) for inputs already shaped for the model.

    Parameters
    ----------
    model : keras.Model
        A built model.
    snapshot : bool, default=True
        Let the NumPy path compute from the weights as they are now. With
        False (others hold the model and may change it), the NumPy path reads
        the weights at every call and rebuilds itself when they changed: the
        same numbers, always current.

    Attributes
    ----------
    kind : {"numpy", "compiled", "keras"}
        The path in use.
    """

    def __init__(self, model, *, snapshot=True):
        self.model = model
        self.live = not snapshot
        plan = _numpy_plan(model)
        if plan is not None:
            self.kind = "numpy"
            self._variables, self._make_ops = plan
            self._values = [_weights(v) for v in self._variables]
            self._ops = self._make_ops(self._values)
        elif _standard_predict(model):
            self.kind, self._calls = "compiled", {}
        else:
            self.kind = "keras"

    def _current_ops(self):
        if self.live:
            values = [_weights(v) for v in self._variables]
            if any(not np.array_equal(a, b) for a, b in zip(values, self._values)):
                self._values, self._ops = values, self._make_ops(values)
        return self._ops

    def _numpy(self, X, ops):
        out = X
        for op in ops:
            out = op(out)
        return np.asarray(out, dtype=np.float32)

    def outputs(self, X):
        """The model's outputs for ``X`` (an array, or a structure for several inputs)."""
        import keras

        if self.kind == "keras":
            return self.model.predict(X, verbose=0)
        run: Any
        if self.kind == "numpy":
            ops = self._current_ops()
            run = lambda x: self._numpy(x, ops)  # noqa: E731
        else:
            # One compiled function per input type: TensorFlow's input signature
            # fixes the dtype, and a float32 call through a uint8 signature would
            # be cast to integers (silently wrong predictions).
            key = tuple((np.asarray(a).dtype.str, np.shape(a)[1:])
                        for a in keras.tree.flatten(X))
            run = self._calls.get(key)
            if run is None:
                run = self._calls[key] = _compiled_call(self.model, X)
        n = int(np.shape(keras.tree.flatten(X)[0])[0])
        if n <= _CHUNK:
            return run(X)
        parts = [run(keras.tree.map_structure(lambda a: a[i : i + _CHUNK], X))
                 for i in range(0, n, _CHUNK)]
        return keras.tree.map_structure(lambda *p: np.concatenate(p), *parts)

    def proba(self, X):
        """Outputs as probabilities (see :func:`to_probabilities`)."""
        return to_probabilities(self.outputs(X), self.model)


def to_probabilities(outputs, model):
    """Apply the output activation a ``from_logits=True`` loss leaves out.

    For a single-output model compiled with a loss that takes logits, a softmax
    over the last axis (several units, categorical losses) or a sigmoid (one
    unit, or a binary loss); other outputs are returned as they are.
    """
    loss = single_loss(model)
    if loss is None or not from_logits(loss) or isinstance(outputs, (list, tuple, dict)):
        return outputs
    outputs = np.array(outputs, dtype=np.float32)
    if outputs.shape[-1] == 1 or loss_kind(loss) == "binary":
        return sigmoid(outputs)
    return softmax(outputs)


def predictor_for(fitted):
    """The fast inference path of a fitted state (``_fit._state._Fitted``), built on
    first use and kept on it until its weights change (``weights_changed``)."""
    predictor = fitted._predictor
    if predictor is None:
        predictor = fitted._predictor = Predictor(fitted.model, snapshot=not fitted.shared)
    return predictor
