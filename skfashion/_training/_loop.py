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
import sys
from dataclasses import dataclass, replace
from typing import Optional

import keras  # this module is imported when a fit starts, never by ``import skfashion``
import numpy as np

from .._keras_internals import symbolic_build, tensorflow_variables_without_debug_names
from ._run_params import RunParams
from ._sparse import SparseFeed, densify, is_sparse, n_samples, standardize

#: Runner calls per epoch when something listens to batch events and
#: steps_per_execution is "auto": the progress bar and batch callbacks see about
#: this many events per epoch (set steps_per_execution=1 for one per batch).
BATCH_EVENTS_PER_EPOCH = 50


class Abandoned(Exception):
    """Thrown into :func:`fit_epochs` to drop a run without Keras's ending.

    A run overtaken by a later fit of the same estimator (which may train the
    same model: a warm start) must neither sync its state into the model nor
    run ``on_train_end``.
    """


@dataclass(frozen=True)
class Validation:
    """Validation data (already encoded for the model) and how to evaluate it."""

    data: tuple
    batch_size: int
    steps: Optional[int] = None
    freq: object = 1  # an int, or the list of (1-based) epochs to validate


@dataclass(frozen=True)
class LoopInputs:
    """What the loop gets besides the user's options (``_options.FitSpec``):
    the estimator resolves them for each training call."""

    #: The callback instances in effect (the user's, resolved; early stopping's).
    callbacks: list
    #: The fit's generator: every epoch's shuffle draws from it (required).
    rng: np.random.RandomState
    validation: Optional[Validation] = None
    #: Training samples the estimator counted from the user's data (None: not
    #: checked); the data given to the loop must have exactly these.
    n_train: Optional[int] = None
    #: Where the model's compiled steps are remembered between its training
    #: calls (its fitted state's; None: for this call alone): see ``_runner``.
    programs: Optional[dict] = None
    #: The fit's place in a cohort of fits trained together (``_cohort.Member``,
    #: from the search that runs it; None: a fit alone). Runners that can train
    #: with others submit their chunks through it.
    together: object = None


def make_runner(model, batch_size, programs=None):
    """The fastest runner for ``model`` on the active Keras backend (its module
    in ``_backends.BACKENDS`` decides); ``programs`` remembers its compiled steps."""
    from ._backends import backend_module

    return backend_module().make_runner(model, batch_size, programs)


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
        return max(1, int(steps_per_execution))
    if any(_overrides(cb, *batch_methods) for cb in callbacks) or (
            verbose == 1 and batch_methods is _TRAIN_BATCH):
        return max(1, math.ceil(steps / BATCH_EVENTS_PER_EPOCH))
    return max(1, steps)


def chunks(steps, chunk, *, keras_indices):
    """``(begin, end, last_index)`` of each runner call over ``steps`` steps.

    ``last_index`` is what ``on_*_batch_end`` receives. Keras reports
    ``begin + steps_per_execution - 1`` even when the epoch's last chunk is
    shorter (``keras_indices``, an explicit ``steps_per_execution``); "auto"
    reports the last step actually run.
    """
    for begin in range(0, steps, chunk):
        end = min(begin + chunk, steps)
        yield begin, end, (begin + chunk - 1) if keras_indices else end - 1


def should_validate(epoch, freq):
    """Keras's ``validation_freq``: every ``freq`` epochs, or the (1-based) epochs listed."""
    if isinstance(freq, int):
        return (epoch + 1) % freq == 0
    return epoch + 1 in freq


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


def evaluate(runner, model, validation, device_data, user_callbacks, callbacks,
             steps_per_execution):
    """Keras's ``evaluate`` inside ``fit``: ``on_test_*`` events, metric logs.

    ``device_data`` is ``validation.data`` where the runner reads it. Evaluation
    runs in chunks of ``steps_per_execution`` steps, as Keras's ``evaluate``
    does with the model's ``steps_per_execution`` (batch events only when one
    of the ``user_callbacks`` listens for test batches).
    """
    data = validation.data
    n = n_samples(data)
    batch_size = max(1, min(validation.batch_size, n))  # Keras: at most one batch of n
    steps = _steps(n, batch_size, validation.steps, "validation_steps")
    chunk = chunk_size(steps_per_execution, user_callbacks, 0, steps,
                       batch_methods=_TEST_BATCH)
    model.reset_metrics()
    callbacks.on_test_begin()
    logs = {}
    for begin, end, last in chunks(steps, chunk,
                                   keras_indices=steps_per_execution != "auto"):
        callbacks.on_test_batch_begin(begin)
        logs = runner.test(device_data, batch_size, begin, end)
        callbacks.on_test_batch_end(last, logs)
    callbacks.on_test_end(logs)
    return logs


class _EpochLogs(keras.callbacks.Callback):
    """The last callback of a fit: keeps the epoch logs as every user callback left them."""

    def __init__(self):
        super().__init__()
        self.logs = {}

    def on_epoch_end(self, epoch, logs=None):
        self.logs = dict(logs or {})


def fit_epochs(model, data, spec, loop):
    """Train ``model`` on ``data = (x, y, sample_weight)``; yield after each epoch.

    ``spec`` is the call's :class:`~skfashion._fit._options.FitSpec` (what the user
    asked for), ``loop`` its :class:`LoopInputs` (callbacks in effect,
    validation data, generator, training-sample count). Neither is changed.
    Closing the generator after an epoch ends the training there
    as if it had been the last: the optimizer's final values and
    ``on_train_end`` run.

    Yields
    ------
    epoch : int
        Index of the finished epoch (counting from ``spec.initial_epoch``).
    logs : dict
        Training metrics of the epoch, and ``val_*`` metrics when validated.

    Raises
    ------
    ValueError
        If the training loss becomes NaN or infinite.
    """
    import keras

    if loop.rng is None:
        raise RuntimeError("skfashion bug: the training loop needs the estimator's generator "
                           "(LoopInputs.rng) for its shuffles; none was given.")
    data = standardize(data)
    n = n_samples(data)
    if loop.n_train is not None and n != loop.n_train:
        raise RuntimeError(
            f"skfashion bug: the training loop was given {n} samples but the estimator "
            f"counted {loop.n_train} training samples in the data you passed (after any "
            "validation split). Training stopped before it could fit the wrong data; "
            "please report this with the fit call that caused it."
        )
    # Keras: a batch larger than the data is one batch of all samples (and a size
    # past int32 would overflow TensorFlow's indices).
    batch_size = max(1, min(spec.batch_size, n))
    steps = _steps(n, batch_size, spec.steps_per_epoch, "steps_per_epoch")
    with tensorflow_variables_without_debug_names():  # the optimizer's and metrics'
        symbolic_build(model, densify(data, slice(0, batch_size)))
    runner = make_runner(model, batch_size, loop.programs)
    runner.together = loop.together
    validation = loop.validation
    if is_sparse(data) or (validation is not None and is_sparse(validation.data)):
        runner = SparseFeed(runner, batch_size)
    device_data = runner.to_device(data)
    val_device = None
    if validation is not None:
        validation = replace(validation, data=standardize(validation.data))
        val_device = runner.to_device(validation.data)
    epoch_logs_seen = _EpochLogs()
    callbacks = keras.callbacks.CallbackList(
        [*loop.callbacks, epoch_logs_seen], add_history=True,
        add_progbar=spec.verbose != 0, model=model,
    )
    # Keras's set_params, with the user's callbacks reading the run's length
    # through RunParams (EpochSearchCV watches for that: _run_params).
    params = dict(verbose=spec.verbose, epochs=spec.end_epoch, steps=steps)
    callbacks.params = params
    users = {id(cb) for cb in loop.callbacks}
    for callback in callbacks.callbacks:
        callback.set_params(RunParams(params) if id(callback) in users else params)
    spe = spec.steps_per_execution
    if spe == "auto" and getattr(model, "steps_per_execution", 1) > 1:
        spe = model.steps_per_execution  # compiled with steps_per_execution=N
    chunk = chunk_size(spe, loop.callbacks, spec.verbose, steps)
    model.stop_training = False
    logs = {}
    callbacks.on_train_begin()
    touch_model = True  # False once the run must leave the model alone (below)
    try:
        for epoch in range(spec.initial_epoch, spec.end_epoch):
            model.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            order = runner.order(loop.rng.permutation(n) if spec.shuffle else np.arange(n))
            for begin, end, last in chunks(steps, chunk, keras_indices=spe != "auto"):
                callbacks.on_train_batch_begin(begin)
                logs = runner.train(device_data, order, begin, end)
                callbacks.on_train_batch_end(last, logs)
                if model.stop_training:
                    break
            runner.sync()
            epoch_logs = dict(logs)
            loss = epoch_logs.get("loss")
            if loss is not None and not np.all(np.isfinite(loss)) and not model.stop_training:
                # Keras trains on with a NaN loss; a callback such as TerminateOnNaN
                # that stopped the training has handled it (Keras's ending).
                raise ValueError(
                    f"Training diverged: the loss is {loss} in epoch {epoch + 1}. Lower the "
                    "learning rate or scale the inputs (PixelScaler for images, "
                    "StandardScaler otherwise)."
                )
            if validation is not None and should_validate(epoch, validation.freq):
                val_logs = evaluate(runner, model, validation, val_device, loop.callbacks,
                                    callbacks, spe)
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            callbacks.on_epoch_end(epoch, epoch_logs)
            # What Keras's History records: the logs as the callbacks left them
            # (LearningRateScheduler adds learning_rate, for example).
            epoch_logs = epoch_logs_seen.logs
            logs = epoch_logs
            try:
                yield epoch, epoch_logs
            except GeneratorExit:  # the caller ends the training here: Keras's ending runs
                if sys.is_finalizing():  # the interpreter is exiting: nothing to end
                    touch_model = False
                    return
                break
            except Abandoned:  # a later fit owns the model now: leave it as it is
                touch_model = False
                raise
            if model.stop_training:
                break
    finally:
        if touch_model:
            runner.close()
    # Keras's ending: the optimizer's final values (an EMA optimizer writes its
    # averages into the weights), then on_train_end with the last epoch's logs.
    if spec.end_epoch > 0 and isinstance(getattr(model, "optimizer", None),
                                         keras.optimizers.Optimizer):
        model.optimizer.finalize_variable_values(model.trainable_weights)
    callbacks.on_train_end(logs)
