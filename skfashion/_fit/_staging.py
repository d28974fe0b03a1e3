"""The first half of a fit: check the options and the data, and stage a new fitted
state (through scikeras's ``_initialize``) or take the current one for a warm
start; split off the validation data (``_validation``). Nothing here trains:
:mod:`._path` runs what :func:`stage` prepared."""

from dataclasses import replace
from typing import Any, Dict, Mapping, Optional, Tuple

import numpy as np

from .._support._backend import import_keras
from ._checks import (
    DATA_FACTS,
    check_cardinality,
    check_data,
    check_sample_weight,
    drop_zero_weight,
    input_scale,
    stratified_split,
    tail_split,
)
from ._job import (
    _Job,
    _Split,
    _n_rows,
    _take,
    _warn_if_training_data,
    _with_weights,
)
from ._state import (
    FitState,
    _Fitted,
    _is_identity,
    _Staging,
    new_history,
)
from .._keras_internals import training_loop_available, tensorflow_variables_without_debug_names
from ._options import Option, check_fit_options, from_mapping, layer
from ._plan import DataChecks, FitPlan
from .._support._models import overridden as _overridden


def collect_options(est, kwargs: Mapping[str, Any], *, partial: bool) -> Dict[str, Option]:
    options = layer(est._fit_option_values(),
                    from_mapping(kwargs, "fit({name}=...)"))
    if partial:
        options["epochs"] = Option(1, "partial_fit")
        options.pop("initial_epoch", None)
    return options


def check_fit_data(est, X: Any, y: Any, checks: DataChecks, *, reset: bool,
                   require_y: bool) -> Tuple[Any, Any]:
    return check_data(
        est, X, y, reset=reset, x_dtype=checks.x_dtype, allow_nd=checks.allow_nd,
        multi_output=checks.multi_output, y_numeric=checks.y_numeric,
        check_dtypes=checks.check_dtypes, require_y=require_y,
    )


def stage_state(est, X: Any, y: Any, *, warm: bool, train: bool,
                checks: Optional[DataChecks] = None,
                ) -> Tuple[Dict[str, Any], Any, Any, np.random.RandomState]:
    """Check the parameters and the data, stage a fitted state:
    ``(staged, X, y, rng)``, ``rng`` the fit's generator.

    A new fit (not ``warm``) puts its fitted state on the estimator through
    :meth:`_initialize` before the model is built, as scikeras does, so a
    builder or a subclass reads this fit's ``n_features_in_``, ``classes_``...
    ``initialize()`` (``train=False``) stops here.
    """
    import_keras()  # a missing backend: say which are installed
    est._check_params()
    checks = DataChecks.of(est) if checks is None else checks
    rng = est._rng()
    require_y = checks.requires_y and train
    state = FitState(est)
    if warm:
        X, y = check_fit_data(est, X, y, checks, reset=False, require_y=require_y)
        staged = state.declared()
    else:
        with state.staging_new_fit(_Staging(rng=rng, require_y=require_y,
                                            train=train, checks=checks)) as staging:
            X, y = est._initialize(X, y)  # scikeras's extension point
        staged = state.declared()
        staged["_fitted"] = staging.fitted
    staged["_input_scale"] = input_scale(X)  # predict warns about inputs scaled otherwise
    staged["_rescale_warned"] = False
    return staged, X, y, rng


def stage(est, plan: FitPlan, X: Any, y: Any, sample_weight: Any,
          kwargs: Dict[str, Any]) -> _Job:
    """Check everything and prepare one training call (state: :func:`stage_state`).

    The caller (:meth:`_fit_epochs`) restores the previous state if the fit
    fails.
    """
    inputs = (X, y)
    # The call's length is read before _initialize runs, as scikeras reads it
    # (a subclass that sets self.epochs there changes the next fit, not this one).
    warm, partial = plan.warm, plan.partial
    epochs = collect_options(est, kwargs, partial=partial).get("epochs")
    staged, X, y, rng = stage_state(est, X, y, warm=warm, train=True, checks=plan.checks)
    options = collect_options(est, kwargs, partial=partial)
    if epochs is not None:
        options["epochs"] = epochs
    sample_weight = check_sample_weight(sample_weight, X)
    fitted = staged["_fitted"]
    model = fitted.model
    if warm:  # the model may come from initialize(), which asks for no loss
        est._check_compiled_model(model, True)
    target_encoder = fitted.target_encoder
    sample_weight = est._sample_weight_for_classes(y, sample_weight, options,
                                                   target_encoder)
    sample_weight, X, y = drop_zero_weight(sample_weight, X, y)
    y_enc = target_encoder.transform(y) if target_encoder is not None else y
    if isinstance(y_enc, np.ndarray) and y_enc.dtype.kind in "OUSV":
        raise ValueError(
            f"Unknown label type: the targets reach the model as {y_enc.dtype} values "
            f"({type(est).__name__} passes y through its target_encoder). Use "
            "KerasClassifier for labels, or a target_encoder that makes numbers."
        )
    X_enc = fitted.model_input(X)
    check_cardinality(X_enc, y_enc, sample_weight)
    own_fit = _overridden(model, "fit")
    # Keras's own fit where the model has one, or where skfashion's loop cannot
    # reach what it needs of this Keras (``training_loop_available`` says so once).
    passthrough = own_fit or not training_loop_available(model)
    for name in ("batch_size", "validation_batch_size"):
        if name in options and options[name].value == -1 and not hasattr(X_enc, "shape"):
            raise ValueError(
                f"`{name}=-1` requires that `X` implement `shape` ({options[name].source}; "
                "the feature_encoder made X a structure of several inputs)."
            )
    fit = check_fit_options(options, n_samples=X.shape[0], allow_extra=own_fit,
                            caller=type(est).__name__)
    history = staged.get("history_")
    initial = fit.initial_epoch if "initial_epoch" in options else (
        len((history or {}).get("loss", []))
        if (partial or (warm and not plan.reset_history_on_fit)) else 0
    )
    if not warm or not history or initial == 0:
        history = {}
    staged["history_"] = new_history(history)
    return _Job(
        staged=staged, fitted=fitted, X=X_enc, y=y_enc, y_labels=y, w=sample_weight,
        fit=replace(fit, initial_epoch=initial), rng=rng, passthrough=passthrough,
        inputs=inputs, checks=plan.checks,
    )


def initialize_state(est, X: Any, y: Any = None) -> Tuple[Any, Any]:
    """The body of ``_BaseKeras._initialize`` (scikeras's extension point, which
    documents it): check the data, fit the encoders, build the model; return
    the validated ``(X, y)``."""
    import keras

    state = FitState(est)
    within_fit = state.staging()
    checks = within_fit.checks if within_fit is not None else DataChecks.of(est)
    staging = within_fit or _Staging(
        rng=est._rng(), require_y=checks.requires_y and y is not None, train=False)
    state.start_new_fit()
    X, y = check_fit_data(est, X, y, checks, reset=True, require_y=staging.require_y)
    names = [name for name in DATA_FACTS if name in state]
    state.set(target_type_=est._type_of_target(y) if y is not None else None)
    target_encoder = est.target_encoder.fit(y)
    state.set(target_encoder_=target_encoder)
    feature_encoder = est.feature_encoder.fit(X)
    state.set(feature_encoder_=feature_encoder)
    names += ["target_type_", "target_encoder_", "feature_encoder_"]
    for encoder in (target_encoder, feature_encoder):
        metadata: Dict[str, Any] = getattr(encoder, "get_metadata", dict)()
        state.set(**metadata)
        names += [k for k in metadata if k not in names]
    meta = {k: state.get(k) for k in names}
    seed = est._random_seed(staging.rng)
    # Keras numbers the variables of every new model: on TensorFlow each new
    # path would keep an eager kernel for the life of the process.
    with tensorflow_variables_without_debug_names():
        model, compile_applied, shared = est._make_model(meta, seed)
        if not isinstance(model, keras.Model):
            raise TypeError(
                f"The model builder returned {type(model).__name__}, not a keras.Model. It "
                "must return the model."
            )
        if not model.compiled:
            model.compile(**est._compile_settings())
            compile_applied = True
    if staging.train:  # a model only initialized (to predict) needs no loss
        est._check_compiled_model(model, compile_applied)
    expected = meta.get("n_outputs_expected_")
    if expected and expected != len(model.outputs):
        raise ValueError(
            f"Detected a Keras model input of size {expected}, but {model} has "
            f"{len(model.outputs)} outputs. The target needs a model with "
            f"{expected} output(s)."
        )
    if hasattr(target_encoder, "_adapt_to_model"):
        target_encoder._adapt_to_model(model)
    features = None if _is_identity(feature_encoder) else feature_encoder
    fitted = _Fitted(model, features, target_encoder, shared=shared)
    if within_fit is not None:
        staging.fitted = fitted  # published when the fit commits
    else:
        state.set(_fitted=fitted)
    state.set(_seed=seed, _fitted_keys=tuple(names) + ("_fitted", "_seed"))
    return X, y


def split_validation(est, job: _Job) -> _Split:
    """Split one training call's data into what it trains on and what it validates on.

    Returns a :class:`_Split`: the training data, the validation data (or
    None) and scikit-learn style early stopping (or None), as named fields.
    """
    from .._training import Validation

    fit = job.fit
    checks = job.checks if job.checks is not None else DataChecks.of(est)
    train = (job.X, job.y, job.w)
    batch = fit.validation_batch_size or fit.batch_size

    def validation(data):
        return Validation(_with_weights(data), batch, fit.validation_steps,
                          fit.validation_freq)

    if fit.validation_data is not None:
        X_val, y_val, *w_val = fit.validation_data
        y_val = _as_training_labels(y_val, FitState(est).get("y_dtype_"))
        X_val, y_val = check_fit_data(est, X_val, y_val, checks, reset=False, require_y=True)
        fitted = job.fitted
        encoder = fitted.target_encoder
        val = (fitted.model_input(X_val),
               encoder.transform(y_val) if encoder is not None else y_val,
               check_sample_weight(w_val[0] if w_val else None, X_val))
        check_cardinality(*val, what="validation_data")
        _warn_if_training_data(fit.validation_data, job.inputs)
        return _Split(train=train, validation=validation(val), held_out=0)
    if fit.validation_split:
        train, val = tail_split(train, fit.validation_split)
        return _Split(train=train, validation=validation(val),
                      held_out=_n_rows(val[0]))
    stopping = est._early_stopping()
    if stopping is not None:
        labels = job.y_labels if checks.multi_output is False or np.ndim(
            job.y_labels) == 1 else None
        train_idx, val_idx = stratified_split(labels, stopping[0], job.rng)
        return _Split(train=tuple(_take(a, train_idx) for a in train),
                      validation=validation(tuple(_take(a, val_idx) for a in train)),
                      held_out=len(val_idx), stopping=stopping)
    return _Split(train=train, validation=None, held_out=0)


def _as_training_labels(y_val: Any, y_dtype: Any) -> Any:
    """Validation targets in the training targets' dtype when no value changes.

    Keras takes ``validation_data`` labels of another dtype (``y_val`` float32
    beside int64 ``y``) and casts them; scikeras's dtype rule would refuse the
    unsafe cast. Labels that convert exactly (3.0 -> 3) are converted; others
    stay as they are for the dtype check to refuse.
    """
    if y_dtype is None or y_val is None or hasattr(y_val, "iloc"):
        return y_val
    array = np.asarray(y_val)
    if array.dtype == y_dtype or np.can_cast(array.dtype, y_dtype) or array.dtype.kind not in (
            "biuf") or np.dtype(y_dtype).kind not in "biuf":
        return y_val
    with np.errstate(invalid="ignore", over="ignore"):
        converted = array.astype(y_dtype)
        same = converted.shape == array.shape and bool(np.all(converted == array))
    return converted if same else y_val
