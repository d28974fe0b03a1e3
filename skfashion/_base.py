"""The estimator shared by skfashion's Keras estimators: hooks and fitted state.

:class:`_BaseKeras` declares what a subclass provides (the hooks: the model,
compile settings, options, callbacks, encoders) and the public face of a
fitted estimator (``fit``, ``fit_epochs``, ``partial_fit``, ``initialize``,
``model_``, ``n_iter_``...). The rest lives beside it, one concern per module:
the training path in ``_fitting`` (one visible path, ``_fit_epochs``), the
fitted state and its commit/rollback in ``_fitted``, one training call's typed
data in ``_fit_data``, prediction in ``_predicting`` and pickling/saving in
``_persisting`` (mixins of :class:`_BaseKeras`).

A fit that fails leaves the previous fitted state as it was (a warm start's
weights are put back). What prediction needs (model, encoders, the fast
predictor) lives in one :class:`_Fitted` object that a fit replaces at once,
and a fit holds the estimator's lock (``_fit_guard``) while it stages, trains
one epoch or commits, as ``predict`` does while it runs: a ``predict`` in
another thread sees the old model, or (a warm start, ``fit_epochs``, which
train the published model in place) the model after a whole epoch, never one
in the middle of an epoch.
"""

from typing import Any, Iterator, Optional, TypeVar

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import FunctionTransformer

from ._fit_guard import fit_guard
from ._fitted import _Fitted, _Rollback
from ._fitting import _FitMixin
from ._persisting import _PersistMixin
from ._predicting import _PredictMixin

#: An estimator's own type: ``fit`` returns the estimator it was called on.
_Est = TypeVar("_Est", bound="_BaseKeras")


class _BaseKeras(_FitMixin, _PredictMixin, _PersistMixin, BaseEstimator):
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
    def fit(self: _Est, X: ArrayLike, y: ArrayLike, sample_weight: Optional[ArrayLike] = None,
            **kwargs: Any) -> _Est:
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

        Raises
        ------
        ValueError
            Invalid parameters (scikit-learn's ``InvalidParameterError`` is one), or
            invalid data: NaN or infinite values, ``X`` and ``y`` of different
            lengths, a ``y`` missing, labels the loss cannot take.
        TypeError
            A model builder that returns no ``keras.Model``, or ``fit`` options Keras's
            ``Model.fit`` does not take.
        """
        for _ in self._fit_epochs(X, y, sample_weight=sample_weight, kwargs=kwargs):
            pass
        return self

    def fit_epochs(self, X: ArrayLike, y: ArrayLike, sample_weight: Optional[ArrayLike] = None,
                   **kwargs: Any) -> Iterator[int]:
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

        Raises
        ------
        ValueError
            Invalid parameters (scikit-learn's ``InvalidParameterError`` is one), or
            invalid data: NaN or infinite values, ``X`` and ``y`` of different
            lengths, a ``y`` missing, labels the loss cannot take.
        TypeError
            A model builder that returns no ``keras.Model``, or ``fit`` options Keras's
            ``Model.fit`` does not take.
        skfashion.exceptions.StaleFitError
            From ``next()``, once a later ``fit``, ``partial_fit``, ``initialize`` or
            ``fit_epochs`` of the same estimator has started.

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

    def partial_fit(self: _Est, X: ArrayLike, y: ArrayLike,
                    sample_weight: Optional[ArrayLike] = None, **kwargs: Any) -> _Est:
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

        Raises
        ------
        ValueError
            Invalid parameters (scikit-learn's ``InvalidParameterError`` is one), or
            invalid data: NaN or infinite values, ``X`` and ``y`` of different
            lengths, a ``y`` missing, labels the loss cannot take.
        TypeError
            A model builder that returns no ``keras.Model``, or ``fit`` options Keras's
            ``Model.fit`` does not take, ``epochs`` or ``initial_epoch`` among them.
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

    def initialize(self: _Est, X: ArrayLike, y: Optional[ArrayLike] = None) -> _Est:
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

        Raises
        ------
        ValueError
            Invalid parameters or data.
        TypeError
            A model builder that returns no ``keras.Model``.
        """
        guard = fit_guard(self)
        guard.begin()  # a suspended fit_epochs generator is stale from here
        with guard.lock:
            previous = _Rollback(self)
            try:
                staged = self._stage_state(X, y, warm=False, train=False)[0]
            except BaseException:
                previous.restore(self)
                raise
            self._commit(staged)
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
