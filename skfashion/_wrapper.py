"""BaseWrapper: any Keras model or model builder as a scikit-learn estimator.

The parameters, routing and fitted attributes are scikeras's (0.13), so code
written for scikeras runs by changing the import; the machinery underneath is
skfashion's (``_base``): one training path with Keras's callback semantics,
fast on every backend.
"""

import inspect
import warnings
from numbers import Integral

from sklearn.utils.metaestimators import available_if

from ._base import _BaseKeras
from ._compile import resolve_callbacks, resolve_loss, resolve_metrics, resolve_optimizer
from ._options import Option
from ._random import seeded_build
from ._routing import ROUTES, is_routed, routed
from ._registry import register


_MISSING = object()


def _accepts(fn, name):
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == name and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
               for p in parameters)


def _accepts_kwargs(fn):
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.kind == p.VAR_KEYWORD for p in parameters)


def _has_scorer(est):
    return type(est).scorer is not BaseWrapper.scorer


def _has_loss(loss):
    if loss is None:
        return False
    if isinstance(loss, dict):
        return any(_has_loss(v) for v in loss.values())
    if isinstance(loss, (list, tuple)) or type(loss).__name__ == "ListWrapper":
        return any(_has_loss(v) for v in loss)
    return True


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
class BaseWrapper(_BaseKeras):
    """A Keras model, or a function that builds one, as a scikit-learn estimator.

    The general wrapper (scikeras's ``BaseWrapper``): targets pass through
    ``target_encoder`` and inputs through ``feature_encoder`` (identities here;
    override them in a subclass), and ``predict`` returns the decoded model
    outputs. :class:`KerasClassifier` and :class:`KerasRegressor` build on it.

    Parameters
    ----------
    model : keras.Model, callable or None, default=None
        The network. A callable (a *builder*) is called at each new fit with the
        arguments it declares among: its ``model__*`` parameters and the
        unprefixed extra parameters of this estimator, ``meta`` (fitted facts
        such as ``n_features_in_``, ``n_classes_``, ``X_shape_``),
        ``compile_kwargs`` (the compile settings below) and ``params`` (every
        parameter). It returns a model, compiled or not. A model instance is
        used as it is (fitting trains it). None: the subclass's
        ``_keras_build_fn`` method is the builder.
    build_fn : callable, default=None
        Old name of ``model`` (deprecated, as in scikeras).
    warm_start : bool, default=False
        Keep the model between calls to ``fit`` (``history_`` still restarts).
    random_state : int, RandomState instance or None, default=None
        An int makes fits bit-identical (initial weights, dropout, shuffling,
        validation split) in any process or thread and under any machine load,
        without changing any global random state; "Randomness" in the README
        says when this holds. None draws from the global generators, so fits
        differ.
    optimizer : str, keras.optimizers.Optimizer or its class, default="rmsprop"
        Used when the model comes back uncompiled; ``optimizer__*`` parameters
        reach its constructor. An instance is copied for each fit.
    loss : str, keras.losses.Loss, its class, function, list or dict, default=None
        Used when the model comes back uncompiled; ``loss__*`` parameters reach
        its constructor (a name gets its Loss class).
    metrics : list, dict, str, class or instance, default=None
        Keras metrics (``metrics__*`` routed); recorded in ``history_`` by
        their full names.
    batch_size : int or None, default=None
        Samples per step in fit and predict (None: 32; -1: all samples).
    validation_batch_size : int or None, default=None
        Samples per step on validation data (None: ``batch_size``).
    verbose : int, default=0
        0 silent, 1 progress bar, 2 one line per epoch.
    callbacks : callback, list or dict of callbacks or callback classes, default=None
        Receive the training (and prediction) events; instances are used as
        given, classes are built with the ``callbacks__*`` parameters.
    validation_split : float, default=0.0
        Fraction of the training data, taken from its end as in Keras, held out
        for validation (``val_*`` entries in ``history_``).
    shuffle : bool, default=True
        Shuffle the training data before each epoch.
    run_eagerly : bool, default=False
        Compile the model to run eagerly (debugging; slow).
    epochs : int, default=1
        Passes over the training data per ``fit``.
    steps_per_execution : int or "auto", default="auto"
        Training steps per backend call, Keras's meaning: callbacks see batch
        events once per call. "auto" runs whole epochs per call unless a
        callback wants batch events or ``verbose=1`` draws a progress bar; then
        about 50 calls per epoch.
    **kwargs
        Routed parameters (``model__*``, ``fit__*``, ``predict__*``,
        ``compile__*``, ``optimizer__*``, ``loss__*``, ``metrics__*``,
        ``callbacks__*``, ``score__*``) and extra builder parameters, listed by
        ``get_params`` and settable by ``set_params``.

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
    feature_names_in_ : ndarray of shape (n_features_in_,)
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
    KerasClassifier, KerasRegressor : the wrapper for classification and regression.
    """

    _fit_kwargs = {
        "batch_size", "epochs", "verbose", "validation_split", "shuffle", "class_weight",
        "sample_weight", "initial_epoch", "validation_steps", "validation_batch_size",
        "validation_freq",
    }
    _predict_kwargs = {"batch_size", "verbose", "steps"}
    _compile_kwargs = {"optimizer", "loss", "metrics", "loss_weights", "weighted_metrics",
                       "run_eagerly"}
    _wrapper_params = {"warm_start", "random_state"}
    _routing_prefixes = set(ROUTES)
    _requires_y = False

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

    # --------------------------------------------------------------- parameters
    def __getattr__(self, name):
        extra = self.__dict__.get("_extra_params")
        if extra is not None and name in extra:
            return extra[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def __name__(self):
        return type(self).__name__

    def _own_names(self):
        init = type(self).__init__
        names = [
            p.name for p in inspect.signature(init).parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        ]
        return names

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
        params = {}
        for name in self._own_names():
            # A subclass may take a parameter in __init__ and not store it
            # (scikeras's MLPClassifier notebook does): as in scikeras, it is
            # then not a parameter (clone leaves it at its default).
            value = getattr(self, name, _MISSING)
            if value is not _MISSING:
                params[name] = value
        for key, value in self.__dict__.items():
            if not key.startswith("_") and not key.endswith("_") and key not in params:
                params[key] = value  # a subclass's attribute set in its __init__
        params.update(self.__dict__.get("_extra_params", {}))
        if deep:
            for key, value in list(params.items()):
                if hasattr(value, "get_params") and not isinstance(value, type):
                    params.update({f"{key}__{k}": v for k, v in value.get_params().items()})
        return params

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
        known = set(self.get_params(deep=False))
        extra = self.__dict__.setdefault("_extra_params", {})
        for name, value in params.items():
            if name in extra or (is_routed(name) and name not in self.__dict__):
                extra[name] = value
            elif name in known:
                setattr(self, name, value)
            else:
                raise ValueError(
                    f"Invalid parameter {name} for estimator {type(self).__name__}.\n"
                    "This issue can likely be resolved by setting this parameter in the "
                    f"{type(self).__name__} constructor:\n`{type(self).__name__}({name}="
                    f"{value!r})`\nCheck the list of available parameters with "
                    "`estimator.get_params().keys()`"
                )
        return self

    def _check_params(self):
        super()._check_params()
        for name in self.__dict__.get("_extra_params", {}):
            if "__" in name and not is_routed(name):
                raise ValueError(
                    f"{name}: unknown routing prefix {name.split('__', 1)[0]!r}; routed "
                    f"parameters start with one of {[r + '__' for r in ROUTES]}."
                )

    def _user_params(self):
        """Unprefixed extra parameters (they reach the builder)."""
        return {k: v for k, v in self.__dict__.get("_extra_params", {}).items() if "__" not in k}

    # -------------------------------------------------------------- the model
    def _builder(self):
        """``(builder, instance)``: what makes the model (scikeras's rules)."""
        import keras

        model = self.model
        if model is None and self.build_fn is not None:
            model = self.build_fn
            warnings.warn(
                "``build_fn`` will be renamed to ``model`` in a future release, at which "
                "point use of ``build_fn`` will raise an Error instead.",
                UserWarning,
                stacklevel=6,
            )
        if model is None:
            if not hasattr(self, "_keras_build_fn"):
                raise ValueError(
                    "If not using the ``build_fn`` param, you must implement "
                    "``_keras_build_fn``: pass model=<a keras.Model or a function that "
                    "builds one>."
                )
            return self._keras_build_fn, None
        if isinstance(model, keras.Model):
            return None, model
        if callable(model):
            if hasattr(self, "_keras_build_fn"):
                raise ValueError(
                    "This class cannot implement ``_keras_build_fn`` if using the `model` "
                    "parameter"
                )
            return model, None
        raise TypeError(
            "``model`` must be a callable, a Keras Model instance or None; got "
            f"{type(model).__name__}."
        )

    def _random_seed(self, rng):
        """scikeras's seeding: an integer ``random_state`` is the seed of the build.

        The model then starts from the initial weights that scikeras's
        ``random_state`` and plain Keras after ``keras.utils.set_random_seed``
        give it (see :func:`~skfashion._random.seeded_build`); a RandomState
        instance gives a seed drawn from it.
        """
        drawn = super()._random_seed(rng)  # drawn all the same: shuffling follows it
        random_state = getattr(self, "random_state", None)
        if isinstance(random_state, Integral) and not isinstance(random_state, bool):
            return int(random_state)
        return drawn

    def _make_model(self, meta, seed):
        builder, instance = self._builder()
        if instance is not None:
            return instance, False, True
        params = self.get_params()
        arguments = {**self._user_params(), **routed(params, "model", strict=True)}
        wants_all = _accepts_kwargs(builder)
        takes_compile = wants_all or _accepts(builder, "compile_kwargs")

        def build():
            kwargs = dict(arguments)
            if wants_all or _accepts(builder, "meta"):
                kwargs["meta"] = dict(meta)
            if wants_all or _accepts(builder, "compile_kwargs"):
                kwargs["compile_kwargs"] = self._compile_settings()
            if wants_all or _accepts(builder, "params"):
                kwargs["params"] = self.get_params()
            return builder(**kwargs)

        return seeded_build(build, seed), takes_compile, False

    def _compile_settings(self):
        params = self.get_params()
        settings = {k: params[k] for k in sorted(self._compile_kwargs) if k in params}
        settings.update(routed(params, "compile"))
        settings["optimizer"] = resolve_optimizer(
            settings.get("optimizer"), routed(params, "optimizer", strict=True))
        settings["loss"] = resolve_loss(settings.get("loss"), routed(params, "loss"))
        settings["metrics"] = resolve_metrics(settings.get("metrics"), routed(params, "metrics"))
        return settings

    def _check_compiled_model(self, model, compile_applied):
        if not _has_loss(getattr(model, "loss", None)):
            raise ValueError(
                "No valid loss function found. You must provide a loss or a compiled "
                "model: pass loss=... to the estimator, or compile the model with a loss in "
                "the builder."
            )
        if getattr(model, "optimizer", None) is None:
            raise ValueError(
                "You must provide an optimizer or a compiled model: pass optimizer=... (e.g. "
                "'rmsprop') or compile the model with an optimizer in the builder."
            )
        _check_loss_agrees(self, model)
        if compile_applied:
            return
        params = self.get_params()
        ignored = [k for k in ("optimizer", "metrics") if not _is_default(self, k)]
        ignored += sorted(k for k in params if "__" in k and k.split("__", 1)[0] in
                          ("optimizer", "metrics", "compile")
                          and k != "compile__steps_per_execution")
        if ignored:
            warnings.warn(
                f"The model came compiled (by a builder that takes no compile_kwargs, or "
                f"passed compiled), so these parameters were not used: {ignored}. Take "
                "compile_kwargs in the builder, or return an uncompiled model, to apply them.",
                UserWarning,
                stacklevel=6,
            )

    # ------------------------------------------------------- training options
    def _fit_option_values(self):
        params = self.get_params()
        options = {}
        for name in ("epochs", "batch_size", "verbose", "validation_split", "shuffle",
                     "validation_batch_size", "steps_per_execution"):
            if name in params:
                options[name] = Option(params[name], name)
        for name, value in routed(params, "compile").items():
            if name == "steps_per_execution":
                options[name] = Option(value, "compile__steps_per_execution")
        for name, value in routed(params, "fit").items():
            if name != "callbacks" and "__" not in name:
                options[name] = Option(value, f"fit__{name}")
        return options

    def _fit_callbacks(self, fit):
        params = self.get_params()
        if fit.callbacks:  # fit(callbacks=...) replaces the parameters, as in Keras
            spec = fit.callbacks
            return resolve_callbacks(spec, {}, what="fit(callbacks=...)"), bool(_instances(spec))
        fit_spec = routed(params, "fit").get("callbacks")
        callbacks = resolve_callbacks(self.callbacks, routed(params, "callbacks"))
        callbacks += resolve_callbacks(fit_spec, routed(params, "fit__callbacks"),
                                       what="fit__callbacks")
        return callbacks, bool(_instances(self.callbacks) or _instances(fit_spec))

    def _predict_callbacks(self):
        params = self.get_params()
        return resolve_callbacks(self.callbacks, routed(params, "callbacks")) + resolve_callbacks(
            routed(params, "predict").get("callbacks"), routed(params, "predict__callbacks"),
            what="predict__callbacks")

    def _predict_option_values(self):
        params = self.get_params()
        options = {"batch_size": Option(self.batch_size, "batch_size"),
                   "verbose": Option(self.verbose, "verbose")}
        for name, value in routed(params, "predict", strict=True).items():
            if name != "callbacks":
                options[name] = Option(value, f"predict__{name}")
        return options

    def _early_stopping(self):
        return None

    @available_if(_has_scorer)
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
        """
        from ._data import check_sample_weight, drop_zero_weight

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


def _check_loss_agrees(est, model):
    """scikeras's rule: a non-default ``loss`` must be the loss the model compiled with."""
    import keras

    from ._compile import loss_name

    parameter = inspect.signature(type(est).__init__).parameters.get("loss")
    default = None if parameter is None else parameter.default
    given, got = est.loss, model.loss
    simple = (str, keras.losses.Loss, type)
    if not all(isinstance(x, simple) for x in (given, got)):
        return  # lists, dicts, functions: nothing to compare by name
    try:
        given_name, got_name = loss_name(given), loss_name(got)
        default_name = loss_name(default) if default is not None else None
    except (TypeError, ValueError):
        return
    if given_name != default_name and got_name != given_name:
        raise ValueError(
            f"loss={given!r} but model compiled with {got!r}. Data may not match loss "
            "function! Compile the model with the loss parameter (take compile_kwargs in "
            "the builder) or leave loss at its default."
        )


def _is_default(est, name):
    parameter = inspect.signature(type(est).__init__).parameters.get(name)
    if parameter is None:
        return True
    value = getattr(est, name)
    return value is parameter.default or (isinstance(value, str) and value == parameter.default)
