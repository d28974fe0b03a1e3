"""KerasClassifier: any Keras model or model builder as a scikit-learn classifier."""

import inspect

from ._base import BaseKerasClassifier

#: Prefixes of routed parameters, as in scikeras: ``model__units=32`` reaches
#: the builder, ``optimizer__learning_rate=0.01`` the optimizer, and so on.
ROUTES = ("model", "optimizer", "loss", "compile", "fit", "callbacks")
#: ``fit__`` parameters understood by skfashion's training loop.
FIT_OPTIONS = ("shuffle", "batch_size", "epochs", "verbose")


def resolve_optimizer(optimizer, **kwargs):
    """A fresh Keras optimizer from a name, a class or an instance, with overrides."""
    import keras

    if isinstance(optimizer, keras.optimizers.Optimizer):
        return type(optimizer).from_config({**optimizer.get_config(), **kwargs})
    if isinstance(optimizer, type) and issubclass(optimizer, keras.optimizers.Optimizer):
        return optimizer(**kwargs)
    if isinstance(optimizer, str):
        try:
            return keras.optimizers.get({"class_name": optimizer, "config": kwargs})
        except (ValueError, TypeError) as exc:
            raise ValueError(
                f"Unknown optimizer {optimizer!r} ({exc}). Use a Keras optimizer name such "
                "as 'rmsprop', 'adam', 'sgd' or 'adamw', or a keras.optimizers.Optimizer."
            ) from exc
    raise TypeError(
        "optimizer must be a name such as 'rmsprop', a keras.optimizers.Optimizer class "
        f"or instance; got {optimizer!r} of type {type(optimizer).__name__}."
    )


def _resolve_loss(loss, **kwargs):
    import keras

    if kwargs:
        if isinstance(loss, str):
            return keras.losses.get({"class_name": loss, "config": kwargs})
        if isinstance(loss, type):
            return loss(**kwargs)
    return loss


class KerasClassifier(BaseKerasClassifier):
    """A Keras model, or a function that builds one, as a scikit-learn classifier.

    Drop-in for scikeras's ``KerasClassifier``: the builder may take ``meta`` (a
    dict with ``n_features_in_``, ``n_classes_``, ``classes_``, ``target_type_``,
    ``X_shape_``, ``X_dtype_``) and ``compile_kwargs``, plus any parameter of this
    estimator whose name it accepts, and routed parameters reach their target:
    ``model__*`` the builder, ``optimizer__*`` the optimizer, ``loss__*`` the
    loss, ``compile__*`` ``model.compile``, ``callbacks__*`` callback classes and
    ``fit__*`` the training loop.

    Parameters
    ----------
    model : keras.Model, callable or None, default=None
        The network. A model instance is cloned (architecture only, new weights)
        at each fit; a callable is called with the arguments above and returns a
        model, compiled or not. An uncompiled model is compiled with
        ``optimizer``, ``loss``, ``metrics`` and ``compile__*``.
    optimizer : str, keras.optimizers.Optimizer or its class, default="rmsprop"
        Used when the builder does not compile the model.
    loss : str or keras.losses.Loss, default="sparse_categorical_crossentropy"
        ``"categorical_crossentropy"`` gets one-hot targets; a binary loss with a
        one-unit output gets 0/1 targets (for two classes).
    metrics : list or None, default=None
        Keras metrics computed during training and recorded in ``history_``.
        None computes only the loss, which is fastest.
    epochs : int, default=1
        Passes over the training data per ``fit``.
    batch_size : int, default=32
        Samples per gradient step.
    callbacks : list or dict of keras.callbacks.Callback (instances or classes), default=None
        Instances are copied at each fit, classes instantiated with
        ``callbacks__<key>__<arg>`` (key: the dict key or list position) and
        ``callbacks__<arg>`` values.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (stratified), stop after
        ``n_iter_no_change`` epochs without a ``tol`` improvement of the
        validation loss, and restore the best weights.
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping`` is on.
    n_iter_no_change : int, default=5
        Patience of early stopping, in epochs.
    tol : float, default=0.0
        Minimum decrease of the validation loss that counts as improvement.
    class_weight : dict, "balanced" or None, default=None
        Weights per class label, multiplied into ``sample_weight``.
    shuffle : bool, default=True
        Shuffle the training data before each epoch.
    warm_start : bool, default=False
        Continue from the previous fit's weights and optimizer state.
    random_state : int, RandomState instance or None, default=None
        An int makes fits bit-identical: weight initialisation, dropout, shuffling
        and the validation split are all seeded, and global random states are left
        as they were. None draws from NumPy's global generator and Keras's global
        seed state, so results vary unless ``keras.utils.set_random_seed`` was
        called before.
    verbose : int, default=0
        0 silent, 1 progress bar, 2 one line per epoch.
    **kwargs
        Routed parameters (see above), listed by ``get_params`` and settable by
        ``set_params``, so ``GridSearchCV`` can search them.

    Attributes
    ----------
    model_ : keras.Model
        The trained model, a plain Keras model.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` had string column names.
    history_ : dict of lists
        Loss and metrics per epoch (``val_*`` with early stopping), over all fits
        of a warm-started or partially fitted model.
    loss_curve_ : list of float
        ``history_["loss"]``.
    n_iter_ : int
        Epochs run, over all warm-started or partial fits.

    See Also
    --------
    SoftmaxClassifier : the Fashion-MNIST tutorial model, no builder needed.

    Examples
    --------
    >>> import keras
    >>> from sklearn.datasets import load_iris
    >>> from skfashion import KerasClassifier
    >>> def build(meta, hidden=8):
    ...     return keras.Sequential([
    ...         keras.Input((meta["n_features_in_"],)),
    ...         keras.layers.Dense(hidden, activation="relu"),
    ...         keras.layers.Dense(meta["n_classes_"], activation="softmax"),
    ...     ])
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = KerasClassifier(build, model__hidden=16, optimizer="adam",
    ...                       optimizer__learning_rate=0.05, epochs=30, random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.9
    True
    """

    _parameter_constraints = {
        **BaseKerasClassifier._parameter_constraints,
        "model": [None, callable],
        "optimizer": "no_validation",
        "loss": "no_validation",
        "callbacks": [list, dict, None],
    }

    def __init__(
        self,
        model=None,
        *,
        optimizer="rmsprop",
        loss="sparse_categorical_crossentropy",
        metrics=None,
        epochs=1,
        batch_size=32,
        callbacks=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        tol=0.0,
        class_weight=None,
        shuffle=True,
        warm_start=False,
        random_state=None,
        verbose=0,
        **kwargs,
    ):
        self.model = model
        self.optimizer = optimizer
        self.loss = loss
        self.metrics = metrics
        self.epochs = epochs
        self.batch_size = batch_size
        self.callbacks = callbacks
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.class_weight = class_weight
        self.shuffle = shuffle
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        # Checked at fit (an __init__ only stores). Kept out of the public attributes (an __init__ stores parameters only),
        # but listed by get_params, so clone and GridSearchCV see them.
        self._routed_params = dict(kwargs)

    # ------------------------------------------------------ routed parameters
    @staticmethod
    def _check_route(name):
        route = name.split("__", 1)[0]
        if "__" not in name or route not in ROUTES:
            raise ValueError(
                f"KerasClassifier got an unknown parameter {name!r}. Routed "
                f"parameters start with one of {[r + '__' for r in ROUTES]}."
            )

    @classmethod
    def _is_param_name(cls, name):
        return name in cls._get_param_names() or (
            "__" in name and name.split("__", 1)[0] in ROUTES
        )

    def _routed(self, route):
        prefix = route + "__"
        return {
            k[len(prefix):]: v for k, v in self._routed_params.items() if k.startswith(prefix)
        }

    def get_params(self, deep=True):
        """Parameters of this estimator, routed ones (``model__*`` ...) included."""
        params = super().get_params(deep=False)
        params.update(self._routed_params)
        return params

    def set_params(self, **params):
        """Set parameters, routed ones (``model__*`` ...) included."""
        plain = {}
        for name, value in params.items():
            if "__" in name and name.split("__", 1)[0] in ROUTES:
                self._routed_params[name] = value
            else:
                plain[name] = value
        return super().set_params(**plain) if plain else self

    # ------------------------------------------------------------ building
    def _compile_kwargs(self):
        optimizer = resolve_optimizer(self.optimizer, **self._routed("optimizer"))
        kwargs = {
            "optimizer": optimizer,
            "loss": _resolve_loss(self.loss, **self._routed("loss")),
            "metrics": list(self.metrics) if self.metrics is not None else None,
        }
        kwargs.update(self._routed("compile"))
        return kwargs

    def _build_model(self, meta):
        import keras

        for name in self._routed_params:
            self._check_route(name)
        unknown = set(self._routed("fit")) - set(FIT_OPTIONS)
        if unknown:
            raise ValueError(
                f"Unknown fit__ parameters {sorted(unknown)}; the training loop accepts "
                f"{list(FIT_OPTIONS)}."
            )
        compile_kwargs = self._compile_kwargs()
        if self.model is None:
            raise ValueError(
                "KerasClassifier needs a model: pass a keras.Model or a function that "
                "builds one, e.g. KerasClassifier(model=build_fn)."
            )
        if isinstance(self.model, keras.Model):
            model = keras.models.clone_model(self.model)
        elif callable(self.model):
            model = self.model(**self._builder_kwargs(meta, compile_kwargs))
        else:
            raise TypeError(
                "model must be a keras.Model or a callable returning one; got "
                f"{type(self.model).__name__}."
            )
        if not isinstance(model, keras.Model):
            raise TypeError(
                f"The model builder {getattr(self.model, '__name__', self.model)!r} returned "
                f"{type(model).__name__}, not a keras.Model. It must return the model."
            )
        if len(model.inputs or ()) != 1 or len(model.outputs or ()) != 1:
            raise ValueError(
                "KerasClassifier needs a built model with one input and one output "
                "(start a Sequential model with keras.Input((meta['n_features_in_'],)))."
            )
        if not model.compiled:
            model.compile(**compile_kwargs)
        return model

    def _builder_kwargs(self, meta, compile_kwargs):
        signature = inspect.signature(self.model)
        accepts_any = any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values()
        )
        routed = self._routed("model")
        available = {
            **{k: v for k, v in self.get_params().items() if "__" not in k and k != "model"},
            **routed,
            "meta": meta,
            "compile_kwargs": compile_kwargs,
        }
        names = set(signature.parameters)
        if accepts_any:
            names |= set(routed) | {"meta", "compile_kwargs"}
        return {k: v for k, v in available.items() if k in names}

    def _make_callbacks(self):
        import keras

        spec = self.callbacks
        if spec is None:
            return []
        items = spec.items() if isinstance(spec, dict) else enumerate(spec)
        routed = self._routed("callbacks")
        shared = {k: v for k, v in routed.items() if "__" not in k}
        out = []
        for key, cb in items:
            if isinstance(cb, type) and issubclass(cb, keras.callbacks.Callback):
                own = {
                    k.split("__", 1)[1]: v for k, v in routed.items()
                    if "__" in k and k.split("__", 1)[0] == str(key)
                }
                out.append(cb(**{**shared, **own}))
            elif isinstance(cb, keras.callbacks.Callback):
                out.extend(self._copy_callbacks([cb]))
            else:
                raise TypeError(
                    f"callbacks[{key!r}] is {cb!r}; expected a keras.callbacks.Callback "
                    "instance or class."
                )
        return out

    def _fit_option(self, name):
        return self._routed("fit").get(name, getattr(self, name))
