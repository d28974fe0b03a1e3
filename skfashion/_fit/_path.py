"""The training path of skfashion's Keras estimators: functions of the estimator.

One visible path through a fit (:func:`fit_path`): check the options and the
data and stage a new fitted state (:mod:`._staging`: through scikeras's
``_initialize``, or the current one for a warm start, and the validation data
split off into named fields by ``_validation``), train with the epoch generator
of ``_training`` (or the model's own ``fit``), and commit the state in one step. ``fit``,
``fit_epochs``, ``partial_fit``, ``initialize`` and ``EpochSearchCV`` all go
through it; a fit that fails leaves the previous fitted state whole. The
estimator's methods ``_initialize``, ``_validation`` and ``_fit_keras_model``
(scikeras's extension points) call :func:`initialize_state`,
:func:`split_validation` and :func:`default_fit_keras_model`.
"""

import contextvars
import sys
from dataclasses import dataclass, replace
from typing import Any, Dict, Generator, List, Mapping, Optional

import numpy as np

from ._compile import history_key
from ._checks import (
    keras_class_weight,
)
from ._job import (
    _Job,
    _dense,
    _n_rows,
    _plain,
    keras_first,
)
from ._state import (
    FitState,
    _Fitted,
    _restore_variables,
    _snapshot_variables,
    new_history,
)
from ._guard import StaleFitError, fit_guard
from ._options import SPEC_OPTIONS, check_fit_options
from .._support._models import overridden as _overridden
from ._plan import plan_fit
from ._staging import collect_options, stage


def fit_path(est, X: Any, y: Any, *, sample_weight: Any = None,
             kwargs: Optional[Mapping[str, Any]] = None, partial: bool = False,
             commit_each_epoch: bool = False, together: Any = None) -> Generator[int, None, None]:
    """The training path: yield the number of epochs trained after each epoch.

    With ``commit_each_epoch`` the estimator is in a consistent fitted state
    at each yield (a search can score it); otherwise the new state is
    committed when training ends, and a failure leaves the old one whole.
    ``together`` is the fit's place in a cohort of fits trained together
    (``_training._cohort.Member``), from the search that runs it.
    """
    guard = fit_guard(est)
    generation = guard.begin()  # every earlier fit_epochs generator is stale now
    state = FitState(est)
    with guard.lock:
        plan = plan_fit(est, partial=partial)
        previous = state.snapshot()
    snapshot = None
    try:
        with guard.lock:  # a predict in another thread waits for a consistent state
            job = stage(est, plan, X, y, sample_weight, dict(kwargs or {}))
        model, fit, staged = job.fitted.model, job.fit, job.staged
        history = staged["history_"]
        # Training changes the model in place when it is kept (warm start) or
        # is the user's own instance (model=keras.Model): a failure puts it back.
        current = previous.get("_fitted")
        keeps = plan.warm or (current is not None and current.model is model)
        snapshot = _snapshot_variables(model) if keeps else None
        callbacks, user_held = est._callbacks_for_fit(fit)
        own_body = _overrides_fit_keras_model(est)
        if job.passthrough or own_body:
            if commit_each_epoch and not (own_body or _overridden(model, "fit")):
                raise EpochLoopUnavailable(
                    f"{type(est).__name__} cannot train epoch by epoch with this Keras "
                    f"{keras_version()} (see the KerasInternalsWarning above); fit it for "
                    "each number of epochs instead."
                )
            if commit_each_epoch:
                what = ("overrides scikeras's _fit_keras_model" if own_body else
                        f"trains a {type(model).__name__}, which overrides fit()")
                raise TypeError(
                    f"{type(est).__name__} {what}, so skfashion cannot train it epoch "
                    "by epoch; fit it for each number of epochs instead."
                )
            if own_body:
                call_fit_keras_model(est, job, callbacks, dict(kwargs or {}),
                                     warm=partial or getattr(est, "warm_start",
                                                             False), guard=guard)
                with guard.lock:
                    (job.fitted.hand_out if user_held else job.fitted.weights_changed)()
                return
            with guard.lock:
                keras_fit(est, job, callbacks, history)
        else:
            from .._training import Abandoned

            epochs = start_training(est, job, callbacks, together)
            while True:
                with guard.lock:  # one whole epoch (and its commit) at a time
                    step = next(epochs, None)
                    if step is None:
                        break
                    current = guard.is_current(generation)  # else overtaken meanwhile
                    if current:
                        _record_epoch(history, step[1], staged["_fitted"])
                        if commit_each_epoch:
                            state.commit(staged)
                if not current:
                    _abandon(epochs, Abandoned)
                    raise StaleFitError(_overtaken(est, history, commit_each_epoch, partial))
                try:
                    yield len(history.get("loss", []))
                except GeneratorExit:  # the caller stops here (fit_epochs): keep it
                    if sys.is_finalizing():  # interpreter exit: nothing to end
                        return
                    if not guard.is_current(generation):  # a later fit took over:
                        _abandon(epochs, Abandoned)  # nothing to end, commit or undo
                        return
                    with guard.lock:
                        epochs.close()  # Keras's ending: on_train_end, final values
                    break
                if not guard.is_current(generation):
                    _abandon(epochs, Abandoned)
                    raise StaleFitError(_overtaken(est, history, commit_each_epoch, partial))
    except BaseException:
        if guard.is_current(generation):  # a stale fit must not undo a later one
            with guard.lock:
                if snapshot is not None:
                    _restore_variables(snapshot)
                state.restore(previous)
        raise
    with guard.lock:
        if not guard.is_current(generation):  # overtaken in its last epoch: the later owns
            raise StaleFitError(_overtaken(est, history, commit_each_epoch, partial))
        if user_held:
            staged["_fitted"].hand_out()
        else:
            staged["_fitted"].weights_changed()
        state.commit(staged)


class EpochLoopUnavailable(TypeError):
    """``fit_epochs`` of a model skfashion's loop cannot train with this Keras
    (``_keras_internals.training_loop_available``): a search fits each number of
    epochs from scratch instead."""


def refit_each_epoch(est, X: Any, y: Any, sample_weight: Any,
                     kwargs: Mapping[str, Any]) -> Generator[int, None, None]:
    """``fit_epochs`` where this Keras lacks what skfashion's loop needs
    (``_keras_internals.training_loop_available``): after the k-th yield the
    estimator is a ``fit`` of k epochs (through Keras's own ``fit``), what an
    epoch-by-epoch run reaches there; slower (k fits), the same states."""
    if getattr(est, "warm_start", False) and est.initialized_:
        raise EpochLoopUnavailable(
            f"{type(est).__name__} cannot continue a warm start epoch by epoch with this "
            f"Keras {keras_version()} (see the KerasInternalsWarning); call fit instead.")
    total: Any = collect_options(est, kwargs, partial=False)["epochs"].value
    total = int(total)
    for k in range(1, total + 1):
        for _ in fit_path(est, X, y, sample_weight=sample_weight,
                          kwargs={**kwargs, "epochs": k}):
            pass
        yield k


def keras_version() -> str:
    import keras

    return keras.__version__


def _overtaken(est: Any, history: Mapping[str, List[Any]], generator: bool,
               partial: bool) -> str:
    """What a fit that a later one overtook says (the later one owns the state)."""
    name = type(est).__name__
    later = ("overtaken by a later fit, partial_fit, initialize or fit_epochs of the same "
             "estimator, which owns its fitted state now")
    if generator:
        return (f"This fit_epochs generator of {name} was {later}; the old training ended "
                "where it was suspended. Start a new fit_epochs to train again.")
    call = "partial_fit" if partial else "fit"
    return (f"This {call}() of {name} was {later} (another thread fitted the same "
            f"estimator while it trained); it stopped after epoch "
            f"{len(history.get('loss', []))} and changed nothing. An estimator keeps one "
            "fit: give each thread its own (sklearn.base.clone(estimator)).")


def start_training(est, job: _Job, callbacks: List[Any],
                   together: Any = None) -> Generator[Any, None, None]:
    """The epoch generator of one training call (``_training.fit_epochs``).

    Splits off the validation data, adds scikit-learn style early stopping,
    and folds ``class_weight`` into the sample weights.
    """
    import keras

    from .._training import LoopInputs, fit_epochs

    split = est._validation(job)
    X_t, y_t, w_t = split.train
    if split.stopping is not None:
        _, patience, min_delta = split.stopping
        callbacks = list(callbacks) + [keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=patience, min_delta=min_delta,
            restore_best_weights=True)]
    loop = LoopInputs(callbacks=callbacks, rng=job.rng, validation=split.validation,
                      n_train=_n_rows(job.X) - split.held_out, programs=job.fitted.programs,
                      together=together)
    if w_t is None:
        w_t = np.ones(len(keras_first(y_t)), np.float32)
    if job.fit.class_weight is not None:
        w_t = w_t * keras_class_weight(job.fit.class_weight, y_t)
    return fit_epochs(job.fitted.model, (X_t, y_t, w_t), job.fit, loop)


def call_fit_keras_model(est, job: _Job, callbacks: List[Any],
                         kwargs: Dict[str, Any], *, warm: bool, guard: Any) -> None:
    """Call a subclass's ``_fit_keras_model`` as scikeras's ``_fit`` does.

    The fit's state is committed first (the override reads ``est.model_``,
    ``est.history_``, ``classes_``...: this fit's), then the override gets
    the encoded data and scikeras's arguments; it trains ``est.model_`` and
    keeps ``history_`` itself. A failure puts the previous state back (the
    caller's rollback).
    """
    with guard.lock:
        FitState(est).commit(job.staged)
    fit = job.fit
    token = _CURRENT_FIT.set(_CurrentFit(est, job, callbacks, kwargs, guard))
    try:
        est._fit_keras_model(  # a subclass's override (scikeras's extension point)
            job.X, job.y, sample_weight=job.w, warm_start=warm, epochs=fit.epochs,
            initial_epoch=fit.initial_epoch,
            **{k: v for k, v in kwargs.items() if k not in ("epochs", "initial_epoch")})
    finally:
        _CURRENT_FIT.reset(token)


def default_fit_keras_model(est, X: Any, y: Any, sample_weight: Any, warm_start: bool,
                            epochs: int, initial_epoch: int, **kwargs: Any) -> None:
    """The body of ``_BaseKeras._fit_keras_model`` (scikeras's extension point,
    which documents it): train with skfashion's loop, inside the fit that called
    the override."""
    current = _CURRENT_FIT.get()
    if current is None or current.estimator is not est:
        raise RuntimeError(
            "_fit_keras_model trains within a fit of this estimator: call fit or "
            "partial_fit (which call it), not _fit_keras_model directly."
        )
    job = current.job
    if kwargs == {k: v for k, v in current.kwargs.items()
                  if k not in ("epochs", "initial_epoch")}:
        fit, callbacks = job.fit, current.callbacks
    else:  # the override changed this call's options: check them as fit would
        options = collect_options(est, dict(kwargs), partial=False)
        fit = check_fit_options(options, n_samples=_n_rows(X), allow_extra=False,
                                caller=type(est).__name__)
        callbacks = (current.callbacks if "callbacks" not in kwargs
                     else est._callbacks_for_fit(fit)[0])
    fit = replace(fit, epochs=int(epochs), initial_epoch=int(initial_epoch))
    state = FitState(est)
    previous = state.get("history_") or {}
    history = new_history(previous if warm_start and initial_epoch else {})
    run = replace(job, X=X, y=y, w=sample_weight, fit=fit, inputs=(X, y))
    if run.passthrough:
        with current.guard.lock:
            keras_fit(est, run, callbacks, history)
    else:
        for _, logs in start_training(est, run, callbacks):
            with current.guard.lock:
                _record_epoch(history, logs, job.fitted)
    state.set(history_=history)


def keras_fit(est, job: _Job, callbacks: List[Any],
              history: Dict[str, List[Any]]) -> None:
    """Train with the model's own ``fit`` (a model that overrides it)."""
    from ._seeding import keras_seed

    fit = job.fit
    validation_data = None
    if fit.validation_data is not None:
        validation_data = _dense(est._validation(job).validation.data)
    # every option of the spec as it is, but those this call resolves
    args = {name: getattr(fit, name) for name in SPEC_OPTIONS if name not in _RESOLVED}
    args.update(x=_dense(job.X), y=job.y, sample_weight=job.w, epochs=fit.end_epoch,
                callbacks=callbacks, validation_data=validation_data)
    if fit.class_weight is not None:
        args["class_weight"] = fit.class_weight
    args.update(fit.extra)
    with keras_seed(job.staged.get("_seed")):
        result = job.fitted.model.fit(**args)
    for key, values in getattr(result, "history", {}).items():
        history.setdefault(history_key(key), []).extend(_plain(v) for v in values)


#: Options of the spec that ``keras_fit`` passes otherwise: ``epochs`` counts
#: from ``initial_epoch`` (Keras's is the end epoch), callbacks and validation
#: data are resolved and encoded, ``class_weight`` goes only when set, and
#: ``steps_per_execution`` is a compile setting in Keras 3.
_RESOLVED = frozenset({"epochs", "callbacks", "validation_data", "class_weight",
                       "steps_per_execution"})


def _record_epoch(history: Dict[str, List[Any]], logs: Mapping[str, Any],
                  fitted: _Fitted) -> None:
    """One epoch's logs into ``history`` (Keras's names); the fast predictor re-snapshots."""
    for key, value in logs.items():
        history.setdefault(history_key(key), []).append(_plain(value))
    fitted.weights_changed()


@dataclass(frozen=True)
class _CurrentFit:
    """What the default ``_fit_keras_model`` needs of the fit that called the override."""

    estimator: Any
    job: _Job
    callbacks: List[Any]
    kwargs: Dict[str, Any]
    guard: Any


#: The fit whose ``_fit_keras_model`` override is running (per thread and task).
_CURRENT_FIT: "contextvars.ContextVar[Optional[_CurrentFit]]" = contextvars.ContextVar(
    "skfashion_current_fit", default=None)


def _overrides_fit_keras_model(estimator: Any) -> bool:
    """True if a subclass overrides scikeras's ``_fit_keras_model`` (the estimators'
    own method is marked ``_skfashion_default``)."""
    return not getattr(type(estimator)._fit_keras_model, "_skfashion_default", False)


def _abandon(epochs: Any, abandoned: "type[BaseException]") -> None:
    """Drop a suspended training run without Keras's ending (see ``_training.Abandoned``)."""
    try:
        epochs.throw(abandoned())
    except (abandoned, StopIteration):
        pass
