"""The estimator machinery shared by skfashion's Keras estimators.

One visible path through a fit (``_fit_epochs``): check the options and the
data, stage a new fitted state (or take the current one for a warm start),
train with the epoch generator of ``_training``, and commit the state in one
step. ``fit``, ``partial_fit``, ``initialize`` and ``EpochSearchCV`` all go
through it; nothing is planted on the estimator from outside.

A fit that fails leaves the previous fitted state as it was (a warm start's
weights are put back). What prediction needs (model, encoders, the fast
predictor) lives in one :class:`_Fitted` object that a fit replaces at once, so
a ``predict`` in another thread sees the old model or the new one, never a mix.
"""

import math
import warnings
from dataclasses import dataclass
from typing import Optional

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import FunctionTransformer

from ._backend import import_keras
from ._compile import history_key
from ._data import (
    DATA_FACTS,
    check_cardinality,
    check_data,
    check_sample_weight,
    drop_zero_weight,
    input_scale,
    keras_class_weight,
    stratified_split,
    tail_split,
    warn_if_rescaled,
)
from ._options import Option, check_fit_options, from_mapping, layer


def _overridden(model, method):
    """True if ``model`` has its own ``method`` (a subclass or an instance attribute)."""
    import keras

    if method in vars(model):
        return True
    return getattr(type(model), method, None) is not getattr(keras.Model, method)


class _Fitted:
    """What prediction needs, replaced as one object when a fit commits.

    ``shared`` is True once the model may be changed by others: it was handed
    out through ``model_``, passed in by the user, or reached by user callbacks.
    Then predictions read the model's current weights at every call instead of
    a snapshot (same numbers, always current).
    """

    def __init__(self, model, feature_encoder, target_encoder, *, shared):
        self.model = model
        self.feature_encoder = feature_encoder
        self.target_encoder = target_encoder
        self.shared = shared
        self._predictor = None

    def hand_out(self):
        """The model leaves skfashion's hands: predictions read its weights each time."""
        if not self.shared:
            self.shared = True
            predictor = self._predictor
            if predictor is not None:
                predictor.live = True

    def predictor(self):
        """The fast inference path for this model (built on first use)."""
        from ._inference import Predictor

        predictor = self._predictor
        if predictor is None:
            predictor = self._predictor = Predictor(self.model, snapshot=not self.shared)
        return predictor

    def model_input(self, X):
        """``X`` after the feature encoder, shaped for the model's single input."""
        if self.feature_encoder is not None:
            X = self.feature_encoder.transform(X)
        return as_model_input(X, self.model)


def as_model_input(X, model):
    """Reshape flat rows to a single-input model's input shape (e.g. images for a CNN)."""
    if not isinstance(X, np.ndarray) or len(getattr(model, "inputs", None) or ()) != 1:
        return X
    shape = tuple(model.inputs[0].shape[1:])
    if None in shape or shape == X.shape[1:]:
        return X
    if math.prod(shape) != math.prod(X.shape[1:]):
        raise ValueError(
            f"The model expects inputs of shape {shape} ({math.prod(shape)} values per "
            f"sample) but X has samples of shape {X.shape[1:]}."
        )
    return X.reshape((len(X), *shape))


def _is_identity(encoder):
    return (
        type(encoder) is FunctionTransformer
        and encoder.func is None
        and encoder.inverse_func is None
        and not encoder.validate
    )


def _snapshot_variables(model):
    optimizer = getattr(model, "optimizer", None)
    variables = list(model.variables) + list(getattr(optimizer, "variables", []) or [])
    return [(v, np.array(v.numpy())) for v in variables]


def _restore_variables(snapshot):
    for variable, value in snapshot:
        variable.assign(value)


class _BaseKeras(BaseEstimator):
    """Fitting, prediction and persistence of a Keras model as an estimator.

    Subclasses provide the model (``_make_model``), its compile settings
    (``_compile_settings``), their training options (``_fit_option_values``),
    callbacks, and target/feature encoders. Class attributes tune the data
    checks: ``_x_dtype`` (convert X), ``_multi_output`` (2-D targets),
    ``_y_numeric``, ``_check_dtypes`` (scikeras's dtype rule) and
    ``_reset_history_on_fit`` (scikeras: each ``fit`` starts ``history_`` anew;
    scikit-learn's warm start continues it).
    """

    _x_dtype: Optional[type] = None
    _allow_nd = True
    _multi_output = True
    _y_numeric = False
    _check_dtypes = True
    _reset_history_on_fit = True
    _requires_y = True

    # ------------------------------------------------------------ subclass hooks
    @property
    def target_encoder(self):
        """A new, unfitted transformer from targets to model outputs (identity here)."""
        return FunctionTransformer()

    @property
    def feature_encoder(self):
        """A new, unfitted transformer from X to model inputs (identity here)."""
        return FunctionTransformer()

    def _check_params(self):
        """Validate the declared parameters (``_parameter_constraints``)."""
        if getattr(self, "_parameter_constraints", None):
            self._validate_params()

    def _fit_option_values(self):
        """Training options from the estimator's parameters, as ``{name: Option}``."""
        raise NotImplementedError

    def _fit_callbacks(self, options):
        """``(callbacks, user_held)``: instances for this fit, and whether the user holds any."""
        raise NotImplementedError

    def _predict_callbacks(self):
        """Callbacks that should see ``model.predict`` (none by default)."""
        return []

    def _predict_option_values(self):
        """Options for ``model.predict`` when it is called (``{name: Option}``)."""
        return {}

    def _make_model(self, meta, seed):
        """Build the model for the data described by ``meta``.

        Returns ``(model, compile_applied, shared)``: the model (compiled or
        not), whether the estimator's compile settings reached it, and whether
        others hold it (a model passed in by the user).
        """
        raise NotImplementedError

    def _compile_settings(self):
        """``model.compile`` arguments for a model that comes back uncompiled."""
        raise NotImplementedError

    def _check_compiled_model(self, model, compile_applied):
        """Refuse or warn about parameters a precompiled model did not take."""

    def _early_stopping(self):
        """scikit-learn style early stopping: None or (fraction, patience, min_delta)."""
        return None

    def _sample_weight_for_classes(self, y, sample_weight, options, encoder):
        """Fold ``class_weight`` into the sample weights (classifiers)."""
        return sample_weight

    def _random_seed(self, rng):
        """The integer seed for building the model, or None for an unseeded build."""
        if getattr(self, "random_state", None) is None:
            return None
        return int(rng.randint(np.iinfo(np.int32).max))

    def _rng(self):
        from sklearn.utils import check_random_state

        random_state = getattr(self, "random_state", None)
        if isinstance(random_state, np.random.RandomState):
            # Draw from a copy: the same RandomState gives the same fit each time.
            rng = np.random.RandomState()
            rng.set_state(random_state.get_state())
            return rng
        return check_random_state(random_state)

    # ------------------------------------------------------------- fitted state
    @property
    def model_(self):
        """The fitted Keras model. Reading it hands it to you: predictions then
        follow whatever you do to it (no weight snapshot is used)."""
        staging = self.__dict__.get("_staging")
        fitted = staging.fitted if staging is not None and staging.fitted is not None \
            else self.__dict__.get("_fitted")
        if fitted is None:
            raise AttributeError(f"This {type(self).__name__} has no model_: fit it first.")
        fitted.hand_out()
        return fitted.model

    @model_.setter
    def model_(self, model):
        fitted = self.__dict__.get("_fitted")
        self._fitted = _Fitted(
            model,
            fitted.feature_encoder if fitted else None,
            fitted.target_encoder if fitted else None,
            shared=True,
        )

    @property
    def initialized_(self):
        """True once the estimator has a model (after ``fit`` or ``initialize``)."""
        return "_fitted" in self.__dict__

    @property
    def current_epoch(self):
        """Epochs recorded in ``history_`` (0 before any training)."""
        history = self.__dict__.get("history_") or {}
        return len(history.get("loss", []))

    @property
    def n_iter_(self):
        """Epochs trained, as recorded in ``history_``."""
        if "history_" not in self.__dict__:
            raise AttributeError("n_iter_ is set by fit")
        return self.current_epoch

    @property
    def loss_curve_(self):
        """Training loss per epoch, ``history_["loss"]``."""
        if "history_" not in self.__dict__:
            raise AttributeError("loss_curve_ is set by fit")
        return self.history_.get("loss", [])

    def __sklearn_is_fitted__(self):
        return "_fitted" in self.__dict__

    def _require_fitted(self):
        fitted = self.__dict__.get("_fitted")
        if fitted is None:
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )
        return fitted

    def _fitted_names(self):
        return self.__dict__.get("_fitted_keys", ())

    def _commit(self, staged):
        """Replace the fitted state by ``staged`` in one step."""
        stale = [k for k in self._fitted_names() if k not in staged]
        staged = dict(staged, _fitted_keys=tuple(k for k in staged if k != "_fitted_keys"))
        self.__dict__.update(staged)
        for key in stale:
            self.__dict__.pop(key, None)

    # ----------------------------------------------------------------- fitting
    def fit(self, X, y, sample_weight=None, **kwargs):
        """Build a model (or keep it, with ``warm_start``) and train it on ``(X, y)``.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, ...)
            Training inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights; samples of weight 0 are left out.
        **kwargs : dict
            Options of Keras's ``Model.fit`` for this call (``epochs``,
            ``batch_size``, ``validation_data``, ``callbacks``...); they override
            the estimator's parameters.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        for _ in self._fit_epochs(X, y, sample_weight=sample_weight, kwargs=kwargs):
            pass
        return self

    def partial_fit(self, X, y, sample_weight=None, **kwargs):
        """Train one epoch on ``(X, y)``, continuing from the current model.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, ...)
            Training inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights.
        **kwargs : dict
            Options of Keras's ``Model.fit`` for this call (not ``epochs`` or
            ``initial_epoch``).

        Returns
        -------
        self : object
            The updated estimator.
        """
        for name, what in (("epochs", "always trains for 1 epoch"),
                           ("initial_epoch", "always trains for from the current epoch")):
            if name in kwargs:
                raise TypeError(
                    f"Invalid argument `{name}` to `partial_fit`: `partial_fit` {what}."
                )
        for _ in self._fit_epochs(X, y, sample_weight=sample_weight, kwargs=kwargs,
                                  partial=True):
            pass
        return self

    def initialize(self, X, y=None):
        """Build (or take) the model without training it.

        Needed only to predict with a model that needs no training (a
        pretrained ``keras.Model`` passed as ``model``); ``fit`` initializes by
        itself.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Example inputs (their shape and type are recorded).
        y : array-like, default=None
            Example targets.

        Returns
        -------
        self : object
            The initialized estimator.
        """
        previous = _Rollback(self)
        try:
            job = self._stage(X, y, None, {}, warm=False, partial=False, train=False)
        except BaseException:
            previous.restore(self)
            raise
        self._commit(job.staged)
        return self

    def _collect_options(self, kwargs, *, partial):
        options = layer(self._fit_option_values(),
                        from_mapping(kwargs, "fit({name}=...)"))
        if partial:
            options["epochs"] = Option(1, "partial_fit")
            options.pop("initial_epoch", None)
        return options

    def _check_fit_data(self, X, y, *, reset, require_y):
        return check_data(
            self, X, y, reset=reset, x_dtype=self._x_dtype, allow_nd=self._allow_nd,
            multi_output=self._multi_output, y_numeric=self._y_numeric,
            check_dtypes=self._check_dtypes, require_y=require_y,
        )

    def _stage(self, X, y, sample_weight, kwargs, *, warm, partial, train=True):
        """Check everything and prepare one training call.

        A new fit (not ``warm``) puts its fitted state on the estimator through
        :meth:`_initialize` before the model is built, as scikeras does, so a
        builder or a subclass reads this fit's ``n_features_in_``, ``classes_``...
        The caller (:meth:`_fit_epochs`) restores the previous state if the fit
        fails.
        """
        inputs = (X, y)
        import_keras()  # a missing backend: say which are installed
        self._check_params()
        options = self._collect_options(kwargs, partial=partial)
        rng = self._rng()
        require_y = self._requires_y and train
        staging = None
        if warm:
            X, y = self._check_fit_data(X, y, reset=False, require_y=require_y)
        else:
            staging = self.__dict__["_staging"] = _Staging(rng=rng, require_y=require_y,
                                                           train=train)
            try:
                X, y = self._initialize(X, y)
            finally:
                self.__dict__.pop("_staging", None)
        staged = {k: self.__dict__[k] for k in self._fitted_names() if k in self.__dict__}
        if staging is not None:
            staged["_fitted"] = staging.fitted
        staged["_input_scale"] = input_scale(X)  # predict warns about inputs scaled otherwise
        staged["_rescale_warned"] = False
        sample_weight = check_sample_weight(sample_weight, X)
        fitted = staged["_fitted"]
        if not train:
            return _Job(staged=staged)
        model = fitted.model
        if warm:  # the model may come from initialize(), which asks for no loss
            self._check_compiled_model(model, True)
        target_encoder = fitted.target_encoder
        sample_weight = self._sample_weight_for_classes(y, sample_weight, options,
                                                        target_encoder)
        sample_weight, X, y = drop_zero_weight(sample_weight, X, y)
        y_enc = target_encoder.transform(y) if target_encoder is not None else y
        if isinstance(y_enc, np.ndarray) and y_enc.dtype.kind in "OUSV":
            raise ValueError(
                f"Unknown label type: the targets reach the model as {y_enc.dtype} values "
                f"({type(self).__name__} passes y through its target_encoder). Use "
                "KerasClassifier for labels, or a target_encoder that makes numbers."
            )
        X_enc = fitted.model_input(X)
        check_cardinality(X_enc, y_enc, sample_weight)
        passthrough = _overridden(model, "fit")
        for name in ("batch_size", "validation_batch_size"):
            if name in options and options[name].value == -1 and not hasattr(X_enc, "shape"):
                raise ValueError(
                    f"`{name}=-1` requires that `X` implement `shape` ({options[name].source}; "
                    "the feature_encoder made X a structure of several inputs)."
                )
        fit = check_fit_options(options, n_samples=X.shape[0], allow_extra=passthrough)
        history = staged.get("history_")
        initial = fit.initial_epoch if "initial_epoch" in options else (
            len((history or {}).get("loss", []))
            if (partial or (warm and not self._reset_history_on_fit)) else 0
        )
        if not warm or not history or initial == 0:
            history = {}
        staged["history_"] = {k: list(v) for k, v in history.items()}
        return _Job(
            staged=staged, fitted=fitted, X=X_enc, y=y_enc, y_labels=y, w=sample_weight,
            fit=fit, initial=initial, passthrough=passthrough, rng=rng, inputs=inputs,
        )

    def _initialize(self, X, y=None):
        """Start a new fitted state for ``(X, y)``; return the validated ``(X, y)``.

        scikeras's extension point, with its signature and meaning: the data is
        checked (``n_features_in_``, ``X_shape_``... are set), the encoders are
        fitted (``target_encoder_``, ``feature_encoder_`` and their
        ``get_metadata()`` become attributes), and the model is built
        (``model_``), all on the estimator, before any training. A subclass may
        override it, call ``super()._initialize(X, y)`` and set fitted
        attributes of its own; ``fit`` calls it at each new fit (not on a warm
        start), and a fit that fails puts the previous attributes back.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Training inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Targets.

        Returns
        -------
        X, y : ndarray
            The validated inputs and targets (before the encoders).
        """
        import keras

        staging = self.__dict__.get("_staging") or _Staging(
            rng=self._rng(), require_y=self._requires_y and y is not None, train=False)
        for key in self._fitted_names():
            if key not in _PUBLISHED:
                self.__dict__.pop(key, None)
        X, y = self._check_fit_data(X, y, reset=True, require_y=staging.require_y)
        names = [name for name in DATA_FACTS if name in self.__dict__]
        state = self.__dict__
        state["target_type_"] = self._type_of_target(y) if y is not None else None
        target_encoder = self.target_encoder.fit(y)
        state["target_encoder_"] = target_encoder
        feature_encoder = self.feature_encoder.fit(X)
        state["feature_encoder_"] = feature_encoder
        names += ["target_type_", "target_encoder_", "feature_encoder_"]
        for encoder in (target_encoder, feature_encoder):
            metadata = getattr(encoder, "get_metadata", dict)()
            state.update(metadata)
            names += [k for k in metadata if k not in names]
        meta = {k: state[k] for k in names}
        seed = self._random_seed(staging.rng)
        model, compile_applied, shared = self._make_model(meta, seed)
        if not isinstance(model, keras.Model):
            raise TypeError(
                f"The model builder returned {type(model).__name__}, not a keras.Model. It "
                "must return the model."
            )
        if not model.compiled:
            model.compile(**self._compile_settings())
            compile_applied = True
        if staging.train:  # a model only initialized (to predict) needs no loss
            self._check_compiled_model(model, compile_applied)
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
        if "_staging" in state:
            staging.fitted = fitted  # published when the fit commits
        else:
            state["_fitted"] = fitted
        state["_seed"] = seed
        state["_fitted_keys"] = tuple(names) + ("_fitted", "_seed")
        return X, y

    def _type_of_target(self, y):
        from sklearn.utils.multiclass import type_of_target

        return type_of_target(y)

    def _validation(self, job):
        """Split one training call's data into what it trains on and what it validates on.

        Returns a :class:`_Split`: the training data, the validation data (or
        None) and scikit-learn style early stopping (or None), as named fields.
        """
        from ._training import Validation

        fit = job.fit
        train = (job.X, job.y, job.w)
        batch = fit.validation_batch_size or fit.batch_size

        def validation(data):
            return Validation(_with_weights(data), batch, fit.validation_steps,
                              fit.validation_freq)

        if fit.validation_data is not None:
            X_val, y_val, *w_val = fit.validation_data
            X_val, y_val = self._check_fit_data(X_val, y_val, reset=False, require_y=True)
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
        stopping = self._early_stopping()
        if stopping is not None:
            labels = job.y_labels if self._multi_output is False or np.ndim(
                job.y_labels) == 1 else None
            train_idx, val_idx = stratified_split(labels, stopping[0], job.rng)
            return _Split(train=tuple(_take(a, train_idx) for a in train),
                          validation=validation(tuple(_take(a, val_idx) for a in train)),
                          held_out=len(val_idx), stopping=stopping)
        return _Split(train=train, validation=None, held_out=0)

    def _fit_epochs(self, X, y, *, sample_weight=None, kwargs=None, partial=False,
                    commit_each_epoch=False):
        """The training path: yield the number of epochs trained after each epoch.

        With ``commit_each_epoch`` the estimator is in a consistent fitted state
        at each yield (a search can score it); otherwise the new state is
        committed when training ends, and a failure leaves the old one whole.
        """
        warm = (partial or getattr(self, "warm_start", False)) and self.initialized_
        previous = _Rollback(self)
        snapshot = None
        try:
            job = self._stage(X, y, sample_weight, dict(kwargs or {}), warm=warm,
                              partial=partial)
            import keras  # _stage imported it (or said which backends are installed)

            model, fit, staged = job.fitted.model, job.fit, job.staged
            history = staged["history_"]
            # Training changes the model in place when it is kept (warm start) or
            # is the user's own instance (model=keras.Model): a failure puts it back.
            current = previous.state.get("_fitted")
            keeps = warm or (current is not None and current.model is model)
            snapshot = _snapshot_variables(model) if keeps else None
            callbacks, user_held = self._fit_callbacks(fit)
            if job.passthrough:
                if commit_each_epoch:
                    raise TypeError(
                        f"{type(model).__name__} overrides fit(), so skfashion cannot "
                        "train it epoch by epoch; fit it for each number of epochs instead."
                    )
                self._keras_fit(job, callbacks, history)
            else:
                split = self._validation(job)
                X_t, y_t, w_t = split.train
                if split.stopping is not None:
                    _, patience, min_delta = split.stopping
                    callbacks = list(callbacks) + [keras.callbacks.EarlyStopping(
                        monitor="val_loss", patience=patience, min_delta=min_delta,
                        restore_best_weights=True)]
                from ._training import Plan, fit_epochs

                plan = Plan(
                    epochs=job.initial + fit.epochs, initial_epoch=job.initial,
                    batch_size=fit.batch_size, shuffle=fit.shuffle, verbose=fit.verbose,
                    callbacks=callbacks, steps_per_execution=fit.steps_per_execution,
                    steps_per_epoch=fit.steps_per_epoch, validation=split.validation,
                    rng=job.rng,
                    n_train=_n_rows(job.X) - split.held_out,
                )
                if w_t is None:
                    w_t = np.ones(len(keras_first(y_t)), np.float32)
                if fit.class_weight is not None:
                    w_t = w_t * keras_class_weight(fit.class_weight, y_t)
                data = (X_t, y_t, w_t)
                for _, logs in fit_epochs(model, data, plan):
                    for key, value in logs.items():
                        history.setdefault(history_key(key), []).append(_plain(value))
                    staged["_fitted"]._predictor = None  # the weights changed
                    if commit_each_epoch:
                        self._commit(staged)
                    yield len(history.get("loss", []))
        except BaseException:
            if snapshot is not None:
                _restore_variables(snapshot)
            previous.restore(self)
            raise
        if user_held:
            staged["_fitted"].hand_out()
        else:
            staged["_fitted"]._predictor = None  # weights changed: take a new snapshot
        self._commit(staged)

    def _keras_fit(self, job, callbacks, history):
        """Train with the model's own ``fit`` (a model that overrides it)."""
        from ._random import keras_seed

        fit = job.fit
        validation_data = None
        if fit.validation_data is not None:
            validation_data = _dense(self._validation(job).validation.data)
        args = dict(
            x=_dense(job.X), y=job.y, sample_weight=job.w, batch_size=fit.batch_size,
            epochs=job.initial + fit.epochs, initial_epoch=job.initial,
            verbose=fit.verbose, callbacks=callbacks, validation_split=fit.validation_split,
            validation_data=validation_data, shuffle=fit.shuffle,
            validation_batch_size=fit.validation_batch_size,
            validation_steps=fit.validation_steps, validation_freq=fit.validation_freq,
            steps_per_epoch=fit.steps_per_epoch,
        )
        if fit.class_weight is not None:
            args["class_weight"] = fit.class_weight
        args.update(fit.extra)
        with keras_seed(job.staged.get("_seed")):
            result = job.fitted.model.fit(**args)
        for key, values in getattr(result, "history", {}).items():
            history.setdefault(history_key(key), []).extend(_plain(v) for v in values)

    # --------------------------------------------------------------- prediction
    def _outputs(self, X, kwargs, *, proba):
        """Validated ``X`` through the model: ``(fitted, outputs)``."""
        fitted = self._require_fitted()
        X, _ = check_data(self, X, None, reset=False, x_dtype=self._x_dtype,
                          allow_nd=self._allow_nd, check_dtypes=self._check_dtypes,
                          require_y=False)
        if not self.__dict__.get("_rescale_warned", True):
            self.__dict__["_rescale_warned"] = warn_if_rescaled(
                self.__dict__.get("_input_scale"), X, type(self).__name__)
        X = fitted.model_input(X)
        if not isinstance(X, np.ndarray) and _has_sparse(X):
            # dense rows a block at a time, never the whole matrix
            import keras

            from ._training._sparse import dense_blocks

            parts = [self._model_outputs(fitted, block, kwargs, proba=proba)
                     for block in dense_blocks(X)]
            return fitted, keras.tree.map_structure(
                lambda *arrays: np.concatenate(arrays), *parts)
        return fitted, self._model_outputs(fitted, X, kwargs, proba=proba)

    def _model_outputs(self, fitted, X, kwargs, *, proba):
        from ._inference import to_probabilities

        model = fitted.model
        args = {name: opt.value for name, opt in self._predict_option_values().items()}
        args.update(kwargs)
        if args.get("batch_size") == -1:
            if not hasattr(X, "shape"):
                raise ValueError(
                    "`batch_size=-1` requires that `X` implement `shape` (the "
                    "feature_encoder made X a structure of several inputs)."
                )
            args["batch_size"] = X.shape[0]
        callbacks = [cb for cb in self._predict_callbacks() if _wants_predict_events(cb)]
        if kwargs or callbacks or _overridden(model, "predict"):
            args.setdefault("verbose", 0)
            if callbacks:
                args["callbacks"] = callbacks
            out = model.predict(x=X, **args)
            return to_probabilities(out, model) if proba else out
        predictor = fitted.predictor()
        return predictor.proba(X) if proba else predictor.outputs(X)

    def predict(self, X, **kwargs):
        """Predictions for ``X``: the model's outputs decoded by the target encoder.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, ...)
            Inputs.
        **kwargs : dict
            Options of Keras's ``Model.predict`` (then ``model.predict`` runs).

        Returns
        -------
        y_pred : ndarray
        """
        fitted, out = self._outputs(X, kwargs, proba=False)
        encoder = fitted.target_encoder
        return encoder.inverse_transform(out) if encoder is not None else out

    # ----------------------------------------------------------- persistence
    def __getstate__(self):
        from ._model_bytes import ModelBytes, freeze

        state = {}
        for key, value in self.__dict__.items():
            if key == "_fitted":
                value = {
                    "model": ModelBytes.from_model(value.model),
                    "feature_encoder": value.feature_encoder,
                    "target_encoder": value.target_encoder,
                    "shared": value.shared,
                }
            else:
                value = freeze(value)
            state[key] = value
        return state

    def __setstate__(self, state):
        from ._model_bytes import thaw

        state = dict(state)
        fitted = state.pop("_fitted", None)
        state = {key: thaw(value) for key, value in state.items()}
        if fitted is not None:
            state["_fitted"] = _Fitted(
                fitted["model"].to_model(), fitted["feature_encoder"],
                fitted["target_encoder"], shared=fitted["shared"],
            )
        self.__dict__.update(state)

    def _export_state(self):
        """The fitted state as plain Python values, for :mod:`skfashion._persist`.

        Returns
        -------
        attributes : dict
            Fitted attributes (numbers, strings, dtypes, tuples, arrays, dicts of
            lists), the encoders as ``(class name, state)``.
        model : keras.Model
            The fitted model.
        """
        from ._encoders import export_encoder

        fitted = self._require_fitted()
        attributes = {
            name: self.__dict__[name] for name in self._fitted_names()
            if not name.startswith("_") and name not in ("target_encoder_", "feature_encoder_")
        }
        attributes["target_encoder_"] = export_encoder(self.target_encoder_)
        attributes["feature_encoder_"] = export_encoder(self.feature_encoder_)
        return attributes, fitted.model

    def _import_state(self, attributes, model):
        """Restore what :meth:`_export_state` gave (used when loading a file)."""
        from ._encoders import import_encoder

        staged = dict(attributes)
        staged["target_encoder_"] = import_encoder(*attributes["target_encoder_"])
        staged["feature_encoder_"] = import_encoder(*attributes["feature_encoder_"])
        _check_imported(staged, model)
        features = staged["feature_encoder_"]
        staged["_fitted"] = _Fitted(
            model, None if _is_identity(features) else features, staged["target_encoder_"],
            shared=False,
        )
        self._commit(staged)
        return self

    def save(self, path):
        """Save the fitted estimator to ``path`` without pickle.

        The file can be loaded with :func:`skfashion.load`, even from an
        untrusted source: loading runs no code stored in the file. Parameters
        that are not plain data (a builder function, callback objects) are not
        stored: they are listed in the returned list and take their default
        values on load. A loaded ``KerasClassifier`` or ``KerasRegressor`` can
        be refitted: its ``model`` parameter is the loaded model's architecture.

        Parameters
        ----------
        path : str or path-like
            Destination file; written atomically.

        Returns
        -------
        skipped : list of str
            Names of the parameters that were not stored.
        """
        from ._persist import save

        return save(self, path)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _check_imported(state, model):
    """Refuse a loaded fitted state that no fit could have produced with ``model``.

    A file declaring 3 classes for a 10-output model, or a ``history_`` that is
    not a dict of per-epoch lists, would load and then fail (or mislead) at
    ``predict`` or ``partial_fit``; it fails at load instead.
    """
    history = state.get("history_", {})
    if not isinstance(history, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(
                isinstance(x, (int, float, list)) and not isinstance(x, bool) for x in v)
            for k, v in history.items()):
        raise ValueError("history_ must map metric names to lists of per-epoch values")
    n_features = state.get("n_features_in_")
    if n_features is not None and (not isinstance(n_features, int) or isinstance(
            n_features, bool) or n_features < 1):
        raise ValueError(f"n_features_in_ must be a positive integer, not {n_features!r}")
    names = state.get("feature_names_in_")
    if names is not None and len(names) != n_features:
        raise ValueError(f"{len(names)} feature names for {n_features} features")
    classes = state.get("classes_")
    if classes is not None and len(classes) != state.get("n_classes_", len(classes)):
        raise ValueError(f"{len(classes)} classes_ but n_classes_={state['n_classes_']}")
    encoder = state.get("target_encoder_")
    if hasattr(encoder, "_adapt_to_model"):
        encoder._adapt_to_model(model)  # the output layer's width against the targets
    shape = state.get("X_shape_")
    if shape is not None and n_features is not None and (
            len(shape) < 2 or shape[1] != n_features):
        raise ValueError(f"n_features_in_={n_features} but the training data had shape "
                         f"{tuple(shape)}")
    sample = tuple(shape[1:]) if shape is not None else (
        (n_features,) if n_features is not None else None)
    inputs = getattr(model, "inputs", None) or ()
    if (sample is not None and len(inputs) == 1 and _is_identity(state["feature_encoder_"])
            and None not in inputs[0].shape[1:]
            and math.prod(inputs[0].shape[1:]) != math.prod(sample)):
        raise ValueError(f"the model takes inputs of shape {tuple(inputs[0].shape[1:])} but "
                         f"the estimator was fitted on samples of shape {sample}")


@dataclass(frozen=True)
class _Job:
    """One training call, checked and encoded by ``_stage`` (typed: no string keys).

    ``X``, ``y`` and ``w`` are the training data as the model takes it (after
    the encoders, samples of weight 0 dropped); validation data is derived
    from them and the options by ``_validation`` into a :class:`_Split`, whose
    fields name the training and the validation data separately.
    """

    staged: dict
    fitted: Optional[_Fitted] = None
    X: object = None
    y: object = None
    y_labels: object = None
    w: object = None
    fit: object = None  # the checked FitOptions
    initial: int = 0
    passthrough: bool = False
    rng: Optional[np.random.RandomState] = None
    inputs: Optional[tuple] = None  # the user's (X, y), to warn if validation_data is them


@dataclass
class _Staging:
    """What a fit hands to :meth:`_BaseKeras._initialize` besides scikeras's
    ``(X, y)``, and the new model it gets back (``fitted``)."""

    rng: np.random.RandomState
    require_y: bool
    train: bool
    fitted: object = None


#: What ``predict`` reads: replaced only when a fit commits, so a prediction
#: in another thread during a refit uses the previous model whole.
_PUBLISHED = ("_fitted", "_input_scale", "_rescale_warned")


#: Private attributes that belong to the fitted state (public ones end in "_").
_PRIVATE_FITTED = _PUBLISHED + ("_fitted_keys", "_seed")


def _is_fitted_name(name):
    return name in _PRIVATE_FITTED or (
        name.endswith("_") and not name.startswith("_") and not name.endswith("__"))


class _Rollback:
    """The estimator's fitted attributes before a fit, to put back if it fails.

    A fit sets its fitted attributes on the estimator as it goes (scikeras's
    order: a builder reads them); every attribute that names fitted state (a
    trailing underscore, or one of skfashion's private ones), including those a
    subclass sets, is restored, and those the failed fit added are removed.
    """

    def __init__(self, estimator):
        self.state = {k: v for k, v in estimator.__dict__.items() if _is_fitted_name(k)}

    def restore(self, estimator):
        state = estimator.__dict__
        for key in [k for k in state if _is_fitted_name(k) and k not in self.state]:
            del state[key]
        state.update(self.state)


@dataclass(frozen=True)
class _Split:
    """One training call's data: what it trains on, what it validates on.

    Named fields, so the training data and the validation data cannot trade
    places unseen (they once did: ``fit(validation_data=...)`` trained on the
    validation set). ``held_out`` counts the samples taken out of the user's
    training data for validation (0 for ``validation_data``).
    """

    train: tuple
    validation: object
    held_out: int
    stopping: Optional[tuple] = None


def _warn_if_training_data(validation_data, inputs):
    """Warn when ``validation_data`` is the training data (same object or values).

    Validation scores on the training data measure the fit, not generalization:
    almost always a mistake (a swapped argument, a split not applied).
    """
    X_val, y_val = validation_data[0], validation_data[1]
    X, y = inputs
    same = X_val is X and y_val is y
    if not same:
        try:
            a, b = np.asarray(X_val), np.asarray(X)
            same = a.shape == b.shape and np.array_equal(a, b) and np.array_equal(
                np.asarray(y_val), np.asarray(y))
        except (TypeError, ValueError):  # structures that are not arrays
            same = False
    if same:
        warnings.warn(
            "validation_data is the training data: the val_* scores will measure how well "
            "the model fits its training set, not how it generalizes. Pass held-out data "
            "(e.g. from train_test_split), or use validation_split.",
            UserWarning,
            stacklevel=5,
        )


def _take(array, idx):
    import keras

    if array is None:
        return None
    return keras.tree.map_structure(lambda a: a[idx], array)


def _with_weights(data):
    x, y, w = data
    if w is None:
        w = np.ones(len(keras_first(y)), dtype=np.float32)
    return (x, y, w)


def keras_first(data):
    import keras

    return keras.tree.flatten(data)[0]


def _has_sparse(data):
    from ._training._sparse import is_sparse

    return is_sparse(data)


def _dense(data):
    """``data`` with its sparse matrices densified, dtypes kept (Keras's own ``fit``)."""
    from ._training._sparse import densify

    return densify(data, keras_dtypes=False)


def _n_rows(data):
    from ._training._sparse import n_samples

    return n_samples(data)


def _plain(value):
    value = np.asarray(value)
    return float(value) if value.ndim == 0 else value.tolist()


def _wants_predict_events(callback):
    import keras

    base = keras.callbacks.Callback
    return any(
        getattr(type(callback), name, None) is not getattr(base, name)
        for name in ("on_predict_begin", "on_predict_end", "on_predict_batch_begin",
                     "on_predict_batch_end")
    )
