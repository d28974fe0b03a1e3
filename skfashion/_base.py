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

The rest of an estimator lives beside this module: the fitted state and its
commit/rollback in ``_fitted``, one training call's typed data in
``_fit_data``, prediction in ``_predicting`` and pickling/saving in
``_persisting`` (mixins of :class:`_BaseKeras`).
"""

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
)
from ._fit_data import (
    _Job,
    _Split,
    _dense,
    _n_rows,
    _plain,
    _take,
    _warn_if_training_data,
    _with_weights,
    keras_first,
)
from ._fitted import (
    _PUBLISHED,
    _Fitted,
    _Rollback,
    _Staging,
    _is_identity,
    _restore_variables,
    _snapshot_variables,
)
from ._options import Option, check_fit_options, from_mapping, layer
from ._persisting import _PersistMixin
from ._predicting import _PredictMixin, _overridden


class _BaseKeras(_PredictMixin, _PersistMixin, BaseEstimator):
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

    def fit_epochs(self, X, y, sample_weight=None, **kwargs):
        """Train as :meth:`fit` does, one epoch at a time: a generator.

        After each epoch it yields the number of epochs trained, with the
        estimator fitted to that point (``predict``, ``score``, ``history_``
        and ``n_iter_`` see the model after that epoch). Run to its end, it
        trains exactly as ``fit`` with the same arguments; left early (a
        ``break``, or ``close()``), it ends the training there as ``fit`` with
        that many epochs would: Keras's ``on_train_end`` runs and the estimator
        keeps those epochs. An error during training leaves the estimator's
        previous fitted state, as ``fit`` does. :class:`EpochSearchCV` scores
        its folds through this generator.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, ...)
            Training inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights; samples of weight 0 are left out.
        **kwargs : dict
            Options of Keras's ``Model.fit`` for this call, as for :meth:`fit`.

        Yields
        ------
        n_iter : int
            Epochs trained so far (``n_iter_``).

        See Also
        --------
        fit : the same training, to the end.

        Examples
        --------
        >>> from skfashion import PixelScaler, SoftmaxClassifier
        >>> from skfashion.datasets import load_sample
        >>> (X, y), (X_test, y_test) = load_sample()
        >>> X, X_test = PixelScaler().transform(X), PixelScaler().transform(X_test)
        >>> clf = SoftmaxClassifier(epochs=20, random_state=0)
        >>> for n_iter in clf.fit_epochs(X, y):
        ...     if clf.score(X_test, y_test) > 0.7:  # stop when good enough
        ...         break
        >>> clf.n_iter_ == n_iter < 20
        True
        """
        yield from self._fit_epochs(X, y, sample_weight=sample_weight, kwargs=kwargs,
                                    commit_each_epoch=True)

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
                epochs = fit_epochs(model, data, plan)
                for _, logs in epochs:
                    for key, value in logs.items():
                        history.setdefault(history_key(key), []).append(_plain(value))
                    staged["_fitted"].weights_changed()
                    if commit_each_epoch:
                        self._commit(staged)
                    try:
                        yield len(history.get("loss", []))
                    except GeneratorExit:  # the caller stops here (fit_epochs): keep it
                        epochs.close()  # Keras's ending: on_train_end, final values
                        break
        except BaseException:
            if snapshot is not None:
                _restore_variables(snapshot)
            previous.restore(self)
            raise
        if user_held:
            staged["_fitted"].hand_out()
        else:
            staged["_fitted"].weights_changed()
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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
