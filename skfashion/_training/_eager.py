"""Eager runner: one Python-level call of Keras's own train step per batch.

Used with the PyTorch backend (where Keras itself runs one step per call and
``steps_per_execution`` must be 1) and for models compiled with
``run_eagerly=True`` on TensorFlow. The step is the model's own
``train_step(data)``, exactly as in ``keras.Model.fit``; what is saved is the
data pipeline: mini-batches are gathered from tensors that stay in memory.
"""

from ._runner import Runner, to_floats


def _numpy(value):
    import keras

    return keras.ops.convert_to_numpy(value)


class EagerRunner(Runner):
    """``model.train_step`` / ``model.test_step`` called once per batch."""

    def __init__(self, model, batch_size):
        import keras

        super().__init__(model, batch_size)
        self._torch = keras.backend.backend() == "torch"
        if self._torch:
            model.train()  # torch module mode, as Keras's torch fit sets it

    @staticmethod
    def to_device(data):
        """Data as backend tensors."""
        import keras

        return keras.tree.map_structure(keras.ops.convert_to_tensor, data)

    @staticmethod
    def order(order):
        """An epoch's sample order (sliced on the host)."""
        import numpy as np

        return np.asarray(order)

    def _steps(self, step, data, order, batch_size, begin, end):
        import keras

        n = len(order)
        logs = {}
        for i in range(begin, end):
            idx = keras.ops.convert_to_tensor(order[i * batch_size : min((i + 1) * batch_size, n)])
            batch = keras.tree.map_structure(lambda t: keras.ops.take(t, idx, axis=0), data)
            logs = step(batch)
        return logs

    def train(self, data, order, begin, end):
        """Run train steps ``begin`` to ``end - 1`` of an epoch; return the logs."""
        if self._torch:
            self.model.train()
        logs = self._steps(self.model.train_step, data, order, self.batch_size, begin, end)
        return to_floats(logs, _numpy)

    def test(self, data, batch_size, begin, end):
        """Run test steps ``begin`` to ``end - 1`` over ``data`` in order."""
        import keras
        import numpy as np

        n = keras.tree.flatten(data)[0].shape[0]
        if self._torch:
            self.model.eval()
        try:
            if self._torch:
                import torch

                with torch.no_grad():
                    logs = self._steps(self.model.test_step, data, np.arange(n), batch_size,
                                       begin, end)
            else:
                logs = self._steps(self.model.test_step, data, np.arange(n), batch_size,
                                   begin, end)
        finally:
            if self._torch:
                self.model.train()
        return to_floats(logs, _numpy)

    def sync(self):
        """Model variables are always current in eager execution."""

    def close(self):
        """Put a torch module back in evaluation mode, as Keras's fit leaves it."""
        if self._torch:
            self.model.eval()


def make_runner(model, batch_size, programs=None):
    """Keras's own steps, one call per batch (PyTorch, and any other backend)."""
    return EagerRunner(model, batch_size)


def compiled_call(model, example):
    """The model called eagerly in inference mode (under ``torch.no_grad`` for PyTorch)."""
    import keras

    torch_backend = keras.backend.backend() == "torch"

    def eager(x):
        if torch_backend:
            import torch

            with torch.no_grad():
                out = model(keras.tree.map_structure(keras.ops.convert_to_tensor, x),
                            training=False)
        else:
            out = model(x, training=False)
        return keras.tree.map_structure(keras.ops.convert_to_numpy, out)

    return eager
