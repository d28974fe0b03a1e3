"""BaseWrapper: any Keras model or model builder as a scikit-learn estimator.

The parameters, routing and fitted attributes are scikeras's (0.13), so code
written for scikeras runs by changing the import; the machinery underneath is
skfashion's (``_base``): one training path with Keras's callback semantics,
fast on every backend.
"""

from sklearn.utils.metaestimators import available_if

from . import _model as _wrapper_model
from . import _params as _wrapper_params
from .._estimators._keras_base import _BaseKeras
from .._fit._compile import resolve_callbacks
from .._support._docs import shared_doc
from .._fit._state import FitState
from .._fit._options import Option, constraints_for, constructor_options
from .._support._registry import register
from .._fit._routing import ROUTES, routed


def _has_scorer(est):
    return type(est).scorer is not BaseWrapper.scorer


def _instances(spec):
    """The callback instances written in a ``callbacks`` parameter."""
    import keras

    if spec is None or isinstance(spec, type):
        return []
    if isinstance(spec, dict):
        return [cb for v in spec.values() for cb in _instances(v)]
    if isinstance(spec, (list, tuple)):
        return [cb for v in spec for cb in _instances(v)]
    return [spec] if isinstance(spec, keras.callbacks.Callback) else []


@register
@shared_doc
class BaseWrapper(_BaseKeras):
    """A Keras model, or a function that builds one, as a scikit-learn estimator.

    The general wrapper (scikeras's ``BaseWrapper``): targets pass through
    ``target_encoder`` and inputs through ``feature_encoder`` (identities here;
    override them in a subclass), and ``predict`` returns the decoded model
    outputs. :class:`KerasClassifier` and :class:`KerasRegressor` build on it.

    Parameters
    ----------
    {params:wrapper}
    {param:kwargs}

    Attributes
    ----------
    model_ : keras.Model
        The fitted model.
    history_ : dict of lists
        Loss and metrics per epoch of the last ``fit`` and later ``partial_fit``.
    initialized_ : bool
        True after ``fit`` or ``initialize``.
    current_epoch : int
        Epochs recorded in ``history_``.
    n_features_in_ : int
        Number of features (``X.shape[1]``) seen in fit.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Column names, when ``X`` had string column names.
    X_dtype_, X_shape_, y_dtype_, y_ndim_ : dtype, tuple, dtype, int
        Type and shape of the training data.
    target_type_ : str
        scikit-learn's ``type_of_target`` of the training targets.
    target_encoder_, feature_encoder_ : transformer
        The fitted encoders.
    n_outputs_, n_outputs_expected_ : int
        Outputs of the targets, and outputs the model must have.

    See Also
    --------
    KerasClassifier : The wrapper for classification (labels encoded, ``predict_proba``).
    KerasRegressor : The wrapper for regression (``score`` is R²).
    SoftmaxClassifier : The tutorial's model, no builder needed.

    Examples
    --------
    >>> import keras
    >>> import numpy as np
    >>> from skfashion import BaseWrapper
    >>> def two_outputs(meta):
    ...     return keras.Sequential([keras.Input((meta["n_features_in_"],)), keras.layers.Dense(2)])
    >>> X = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    >>> y = np.c_[X.sum(axis=1), X[:, 0]]
    >>> est = BaseWrapper(two_outputs, loss="mse", epochs=2, random_state=0).fit(X, y)
    >>> est.predict(X[:5]).shape
    (5, 2)
    """

    _fit_kwargs = {
        "batch_size", "epochs", "verbose", "validation_split", "shuffle", "class_weight",
        "sample_weight", "initial_epoch", "validation_steps", "validation_batch_size",
        "validation_freq",
    }
    _predict_kwargs = {"batch_size", "verbose", "steps"}
    _compile_kwargs = {"optimizer", "loss", "metrics", "loss_weights", "weighted_metrics",
                       "run_eagerly"}
    #: skfashion's training options that are constructor parameters beside
    #: scikeras's ``_fit_kwargs`` (``_options.offered_options``).
    _loop_options = frozenset({"steps_per_execution"})
    _wrapper_params = {"warm_start", "random_state"}
    _routing_prefixes = set(ROUTES)
    _requires_y = False

    #: Every constructor parameter (scikit-learn checks them at fit). The model,
    #: compile settings and callbacks take what scikeras takes (strings, classes,
    #: instances, callables, lists and dicts of them) and are resolved, with their
    #: own errors, when the model is built; routed parameters are checked where
    #: they are used (``fit__*`` with the same constraints, in ``_options``).
    _parameter_constraints = {
        # checked when the model is built, with scikeras's message ("``model``
        # must be ..."), which scikeras's suite pins
        "model": "no_validation",
        "build_fn": "no_validation",
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "optimizer": "no_validation",
        "loss": "no_validation",
        "metrics": "no_validation",
        "run_eagerly": ["boolean"],
        **constraints_for("batch_size", "validation_batch_size", "verbose", "callbacks",
                          "validation_split", "shuffle", "epochs", "steps_per_execution"),
    }

    def __init__(
        self,
        model=None,
        *,
        build_fn=None,
        warm_start=False,
        random_state=None,
        optimizer="rmsprop",
        loss=None,
        metrics=None,
        batch_size=None,
        validation_batch_size=None,
        verbose=0,
        callbacks=None,
        validation_split=0.0,
        shuffle=True,
        run_eagerly=False,
        epochs=1,
        steps_per_execution="auto",
        **kwargs,
    ):
        self.model = model
        self.build_fn = build_fn
        self.warm_start = warm_start
        self.random_state = random_state
        self.optimizer = optimizer
        self.loss = loss
        self.metrics = metrics
        self.batch_size = batch_size
        self.validation_batch_size = validation_batch_size
        self.verbose = verbose
        self.callbacks = callbacks
        self.validation_split = validation_split
        self.shuffle = shuffle
        self.run_eagerly = run_eagerly
        self.epochs = epochs
        self.steps_per_execution = steps_per_execution
        # Extra and routed parameters: not attributes (scikit-learn's rule), but
        # parameters all the same (get_params, set_params, clone) and readable as
        # attributes (est.fit__batch_size), as in scikeras.
        self._extra_params = dict(kwargs)

    # ------------------------- routed and extra parameters (``_wrapper_params``)
    def __getattr__(self, name):
        return _wrapper_params.extra_param(self, name)

    @property
    def __name__(self):
        return type(self).__name__

    def get_params(self, deep=True):
        """Parameters of this estimator, routed and extra ones included.

        Parameters
        ----------
        deep : bool, default=True
            Also return the parameters of parameters that are estimators.

        Returns
        -------
        params : dict
        """
        return _wrapper_params.get_params(self, deep)

    def set_params(self, **params):
        """Set parameters, routed (``optimizer__learning_rate``) and extra ones included.

        Parameters
        ----------
        **params : dict
            Parameter names and values.

        Returns
        -------
        self : object
        """
        return _wrapper_params.set_params(self, **params)

    def _check_params(self):
        super()._check_params()
        _wrapper_params.check_routed_names(self)

    def _user_params(self):
        return _wrapper_params.user_params(self)

    # ------------------------------------- the model (``_wrapper_model``)
    def _builder(self):
        """``(builder, instance)``: what makes the model (scikeras's rules)."""
        return _wrapper_model.builder_of(self)

    def _random_seed(self, rng):
        drawn = super()._random_seed(rng)  # drawn all the same: shuffling follows it
        return _wrapper_model.wrapper_seed(self, drawn)

    def _make_model(self, meta, seed):
        return _wrapper_model.make_model(self, meta, seed)

    def _compile_settings(self):
        return _wrapper_model.compile_settings(self)

    def _check_compiled_model(self, model, compile_applied):
        _wrapper_model.check_compiled_model(self, model, compile_applied)

    # ------------------------------------------------------- training options
    def _fit_option_values(self):
        params = self.get_params()
        options = constructor_options(self, params)
        # scikeras: fit trains ``self.epochs`` (or fit__epochs) whatever
        # _fit_kwargs and get_params() say (a subclass may make it a property),
        # and starts at the call's initial_epoch alone (0 unless fit(...) gives one)
        options["epochs"] = Option(getattr(self, "epochs", 1), "epochs")
        options.pop("initial_epoch", None)
        for name, value in routed(params, "compile").items():
            if name == "steps_per_execution":
                options[name] = Option(value, "compile__steps_per_execution")
        for name, value in routed(params, "fit").items():
            if name not in ("callbacks", "initial_epoch") and "__" not in name:
                _warn_if_overridden(self, name, options.get(name), value)
                options[name] = Option(value, f"fit__{name}")
        return options

    # ---------------------------------------------------------------- callbacks
    def _initialize(self, X, y=None):
        """Start a new fitted state for ``(X, y)`` (see ``_BaseKeras._initialize``).

        As scikeras's does, it also sets ``_random_state`` (the integer seed of
        this fit, or None) and resolves the callbacks parameters into
        ``_fit_callbacks`` and ``_predict_callbacks`` (lists of instances), which
        the fit and ``predict`` use and a subclass may read or change: scikeras's
        own ``_fit_keras_model`` passes ``callbacks=self._fit_callbacks``.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Training inputs.
        y : array-like, default=None
            Targets.

        Returns
        -------
        X, y : ndarray
            The validated inputs and targets.
        """
        X, y = super()._initialize(X, y)
        state = FitState(self)
        state.declare(_random_state=state.get("_seed"),
                      _fit_callbacks=self._params_fit_callbacks(),
                      _predict_callbacks=self._params_predict_callbacks())
        return X, y

    def _params_fit_callbacks(self):
        params = self.get_params()
        callbacks = resolve_callbacks(self.callbacks, routed(params, "callbacks"))
        return callbacks + resolve_callbacks(routed(params, "fit").get("callbacks"),
                                             routed(params, "fit__callbacks"),
                                             what="fit__callbacks")

    def _params_predict_callbacks(self):
        params = self.get_params()
        return resolve_callbacks(self.callbacks, routed(params, "callbacks")) + resolve_callbacks(
            routed(params, "predict").get("callbacks"), routed(params, "predict__callbacks"),
            what="predict__callbacks")

    def _callbacks_for_fit(self, fit):
        if fit.callbacks:  # fit(callbacks=...) replaces the parameters, as in Keras
            spec = fit.callbacks
            return resolve_callbacks(spec, {}, what="fit(callbacks=...)"), bool(_instances(spec))
        callbacks = FitState(self).get("_fit_callbacks")
        if callbacks is None:  # an estimator loaded from a file
            callbacks = self._params_fit_callbacks()
        fit_spec = routed(self.get_params(), "fit").get("callbacks")
        return list(callbacks), bool(_instances(self.callbacks) or _instances(fit_spec))

    def _callbacks_for_predict(self):
        callbacks = FitState(self).get("_predict_callbacks")
        return list(callbacks) if callbacks is not None else self._params_predict_callbacks()

    def _predict_option_values(self):
        params = self.get_params()
        options = {"batch_size": Option(self.batch_size, "batch_size"),
                   "verbose": Option(self.verbose, "verbose")}
        for name, value in routed(params, "predict", strict=True).items():
            if name != "callbacks":
                options[name] = Option(value, f"predict__{name}")
        return options

    @available_if(_has_scorer)
    @shared_doc
    def score(self, X, y, sample_weight=None):
        """The ``scorer`` of ``predict(X)`` against ``y`` (a subclass defines ``scorer``).

        Parameters
        ----------
        X : array-like
            Inputs.
        y : array-like
            Targets.
        sample_weight : array-like, default=None
            Sample weights.

        Returns
        -------
        score : float

        {predict_raises}
        NotImplementedError
            A subclass that defines no ``scorer``.
        """
        from .._fit._checks import check_sample_weight, drop_zero_weight

        params = self.get_params()
        sample_weight = check_sample_weight(sample_weight, X) if sample_weight is not None \
            else None
        y_pred = self.predict(X)
        import numpy as np

        y = np.asarray(y)
        if sample_weight is not None:
            sample_weight, y, y_pred = drop_zero_weight(sample_weight, y, np.asarray(y_pred))
        return self.scorer(y, y_pred, sample_weight=sample_weight, **routed(params, "score"))

    @staticmethod
    def scorer(y_true, y_pred, **kwargs):
        """The score of predictions (not implemented for the general wrapper).

        Parameters
        ----------
        y_true : array-like
            True targets.
        y_pred : array-like
            Predictions.
        **kwargs : dict
            Extra arguments (``score__*`` parameters, ``sample_weight``).

        Returns
        -------
        score : float
        """
        raise NotImplementedError("Scoring is not implemented on BaseWrapper.")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        # The general wrapper returns the model's outputs as they are (an output
        # column for 1-D targets); its subclasses shape predictions like y.
        tags.target_tags.single_output = type(self).target_encoder is not \
            BaseWrapper.target_encoder
        return tags


def _warn_if_overridden(estimator, name, parameter, routed_value):
    """Say when ``fit__<name>`` silently replaces a ``<name>`` the user set.

    ``fit__epochs=5`` wins over ``epochs=2`` (scikeras's order: parameter <
    ``fit__`` < ``fit(...)``); a user who set both, or a search over ``epochs``
    with ``fit__epochs`` fixed, would otherwise train 5 epochs without a word.
    A parameter left at its default is not "set": no warning then.
    """
    import inspect
    import warnings

    if parameter is None:
        return
    default = inspect.signature(type(estimator).__init__).parameters.get(name)
    unset = default is not None and default.default is not inspect.Parameter.empty and (
        _same(parameter.value, default.default))
    if unset or _same(parameter.value, routed_value):
        return
    warnings.warn(
        f"{type(estimator).__name__}: {name}={parameter.value!r} is overridden by "
        f"fit__{name}={routed_value!r}, which wins (parameter < fit__{name} < fit({name}=...), "
        f"as in scikeras). Set one of them; a search over {name} changes nothing while "
        f"fit__{name} is set.",
        UserWarning,
        stacklevel=5,
    )


def _same(a, b):
    try:
        return bool(a == b) and type(a) is type(b)
    except (TypeError, ValueError):  # arrays and the like: compare identity only
        return a is b
