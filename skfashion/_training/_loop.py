"""The epoch loop: Keras's fit semantics over a backend runner, one epoch at a time.

:func:`fit_epochs` is the one training path of skfashion's estimators: ``fit``,
``partial_fit`` and :class:`~skfashion.EpochSearchCV` all consume it. It is a
generator that yields after every epoch, when the model and the callbacks have
seen the whole epoch (``on_epoch_end`` done), so a consumer may record the
epoch, score the model, or stop.

What a Keras user expects of ``model.fit`` holds: the callback instances get
``on_train_begin``, ``on_epoch_begin/end``, ``on_train_batch_begin/end`` (with
Keras's ``steps_per_execution`` rule: one event pair per chunk of steps, the
batch index of its first and last step), ``on_test_*`` around validation and
``on_train_end``; ``model.stop_training`` stops after the epoch (or the chunk);
``verbose=1`` draws Keras's progress bar, ``verbose=2`` one line per epoch;
validation logs are ``val_``-prefixed.
"""

import math
from dataclasses import dataclass, field

import numpy as np

#: Runner calls per epoch when something listens to batch events and
#: steps_per_execution is "auto": the progress bar and batch callbacks see about
#: this many events per epoch (set steps_per_execution=1 for one per batch).
BATCH_EVENTS_PER_EPOCH = 50


@dataclass
class Validation:
    """Validation data (already encoded for the model) and how to evaluate it."""

    data: tuple
    batch_size: int
    steps: int = None
    freq: int = 1
    device_data: object = None
    user_callbacks: list = field(default_factory=list)


@dataclass
class Plan:
    """Everything one training call needs, validated (see ``_fit_options``)."""

    epochs: int
    initial_epoch: int
    batch_size: int
    shuffle: bool
    verbose: int
    callbacks: list
    steps_per_execution: object = "auto"
    steps_per_epoch: int = None
    validation: Validation = None
    rng: np.random.RandomState = field(default_factory=np.random.RandomState)


def make_runner(model, batch_size):
    """The fastest runner for ``model`` on the active Keras backend."""
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow" and not model.run_eagerly:
        from ._tensorflow import TensorFlowRunner

        return TensorFlowRunner(model, batch_size)
    if backend == "jax":
        from ._jax import JaxRunner

        return JaxRunner(model, batch_size)
    from ._eager import EagerRunner

    return EagerRunner(model, batch_size)


def standardize(data):
    """Floats in Keras's float type, other dtypes as they are (Keras's rule)."""
    import keras

    floatx = np.dtype(keras.backend.floatx())

    def convert(array):
        array = np.asarray(array)
        if array.dtype.kind == "f" and array.dtype != floatx:
            return array.astype(floatx)
        return array

    return keras.tree.map_structure(convert, data)


def n_samples(data):
    """Number of samples of a (nested) data structure."""
    import keras

    return int(keras.tree.flatten(data)[0].shape[0])


def _overrides(callback, *methods):
    """True if ``callback`` defines any of ``methods`` itself (not Keras's no-op)."""
    import keras

    base = keras.callbacks.Callback
    return any(
        getattr(type(callback), name, None) is not getattr(base, name) for name in methods
    )


_TRAIN_BATCH = ("on_batch_begin", "on_batch_end", "on_train_batch_begin", "on_train_batch_end")
_TEST_BATCH = ("on_test_batch_begin", "on_test_batch_end")


def chunk_size(steps_per_execution, callbacks, verbose, steps, *, batch_methods=_TRAIN_BATCH):
    """Steps per runner call: Keras's ``steps_per_execution`` rule, or "auto".

    "auto" runs the whole epoch in one call unless one of the user's
    ``callbacks`` wants batch events or ``verbose=1`` draws a progress bar; then
    the epoch runs in :data:`BATCH_EVENTS_PER_EPOCH` chunks, each followed by one
    ``on_*_batch_begin/end`` pair, as ``steps_per_execution`` does in Keras.
    """
    if steps_per_execution != "auto":
        return max(1, min(int(steps_per_execution), steps))
    if any(_overrides(cb, *batch_methods) for cb in callbacks) or (
            verbose == 1 and batch_methods is _TRAIN_BATCH):
        return max(1, math.ceil(steps / BATCH_EVENTS_PER_EPOCH))
    return max(1, steps)


def _steps(n, batch_size, limit, what):
    steps = math.ceil(n / batch_size)
    if limit is not None:
        if limit > steps:
            raise ValueError(
                f"{what}={limit} but the data give only {steps} batches of {batch_size} "
                f"({n} samples). Use {what} <= {steps} or None."
            )
        steps = limit
    return steps


def evaluate(runner, model, validation, callbacks):
    """Keras's ``evaluate`` inside ``fit``: ``on_test_*`` events, metric logs."""
    data = validation.data
    n = n_samples(data)
    steps = _steps(n, validation.batch_size, validation.steps, "validation_steps")
    chunk = chunk_size("auto", validation.user_callbacks, 0, steps, batch_methods=_TEST_BATCH)
    model.reset_metrics()
    callbacks.on_test_begin()
    logs = {}
    for begin in range(0, steps, chunk):
        end = min(begin + chunk, steps)
        callbacks.on_test_batch_begin(begin)
        logs = runner.test(validation.device_data, validation.batch_size, begin, end)
        callbacks.on_test_batch_end(end - 1, logs)
    callbacks.on_test_end(logs)
    return logs


def fit_epochs(model, data, plan):
    """Train ``model`` on ``data = (x, y, sample_weight)``; yield after each epoch.

    Yields
    ------
    epoch : int
        Index of the finished epoch (counting from ``plan.initial_epoch``).
    logs : dict
        Training metrics of the epoch, and ``val_*`` metrics when validated.

    Raises
    ------
    ValueError
        If the training loss becomes NaN or infinite.
    """
    import keras

    data = standardize(data)
    n = n_samples(data)
    steps = _steps(n, plan.batch_size, plan.steps_per_epoch, "steps_per_epoch")
    first = keras.tree.map_structure(lambda a: a[: min(n, plan.batch_size)], data)
    model._symbolic_build(data_batch=first)
    runner = make_runner(model, plan.batch_size)
    device_data = runner.to_device(data)
    validation = plan.validation
    if validation is not None:
        validation.data = standardize(validation.data)
        validation.device_data = runner.to_device(validation.data)
        validation.user_callbacks = list(plan.callbacks)
    callbacks = keras.callbacks.CallbackList(
        plan.callbacks, add_history=True, add_progbar=plan.verbose != 0, model=model,
        verbose=plan.verbose, epochs=plan.epochs, steps=steps,
    )
    spe = plan.steps_per_execution
    if spe == "auto" and getattr(model, "steps_per_execution", 1) > 1:
        spe = model.steps_per_execution  # compiled with steps_per_execution=N
    chunk = chunk_size(spe, plan.callbacks, plan.verbose, steps)
    model.stop_training = False
    finished = False
    logs = {}
    callbacks.on_train_begin()
    try:
        for epoch in range(plan.initial_epoch, plan.epochs):
            model.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            order = runner.order(plan.rng.permutation(n) if plan.shuffle else np.arange(n))
            for begin in range(0, steps, chunk):
                end = min(begin + chunk, steps)
                callbacks.on_train_batch_begin(begin)
                logs = runner.train(device_data, order, begin, end)
                callbacks.on_train_batch_end(end - 1, logs)
                if model.stop_training:
                    break
            runner.sync()
            epoch_logs = dict(logs)
            loss = epoch_logs.get("loss")
            if loss is not None and not np.all(np.isfinite(loss)):
                raise ValueError(
                    f"Training diverged: the loss is {loss} in epoch {epoch + 1}. Lower the "
                    "learning rate or scale the inputs (PixelScaler for images, "
                    "StandardScaler otherwise)."
                )
            if validation is not None and (epoch + 1) % validation.freq == 0:
                val_logs = evaluate(runner, model, validation, callbacks)
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            callbacks.on_epoch_end(epoch, epoch_logs)
            logs = epoch_logs
            yield epoch, epoch_logs
            if model.stop_training:
                break
        finished = True
    finally:
        runner.close()
        if finished:
            callbacks.on_train_end(logs)
