"""The estimator shared by skfashion's Keras estimators: hooks and fitted state.

:class:`_BaseKeras` declares what a subclass provides (the hooks: the model,
compile settings, options, callbacks, encoders) and the public face of a
fitted estimator (``fit``, ``fit_epochs``, ``partial_fit``, ``initialize``,
``predict``, ``save``, ``model_``, ``n_iter_``...). Its methods call down into
plain functions, one concern per module: the training path in ``_fitting``
(one visible path, ``fit_path``), the fitted state and its commit/rollback in
``_fitted``, one training call's typed data in ``_fit_data``, prediction in
``_predicting`` and pickling/saving in ``_persisting``.

A fit that fails leaves the previous fitted state as it was (a warm start's
weights are put back). What prediction needs (model, encoders, the fast
predictor) lives in one :class:`_Fitted` object that a fit replaces at once,
and a fit holds the estimator's lock (``_fit_guard``) while it stages, trains
one epoch or commits, as ``predict`` does while it runs: a ``predict`` in
another thread sees the old model, or (a warm start, ``fit_epochs``, which
train the published model in place) the model after a whole epoch, never one
in the middle of an epoch.
"""

import os
from typing import Any, Iterator, List, Optional, TypeVar, Union

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator
from sklearn.preprocessing import FunctionTransformer

from .._persistence import _pickling as _persisting
from .._support._docs import shared_doc
from .._fit._guard import fit_guard
from .._fit._shared import serve as serve_shared
from .._fit._state import FitState, _Fitted
from .._fit._path import (
    EpochLoopUnavailable,
    default_fit_keras_model,
    fit_path,
    refit_each_epoch,
)
from .._fit._staging import initialize_state, split_validation, stage_state
from .._fit._options import constructor_options
from .._predict._outputs import outputs

#: An estimator's own type: ``fit`` returns the estimator it was called on.
_Est = TypeVar("_Est", bound="_BaseKeras")


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
        """Training options from the estimator's parameters, as ``{name: Option}``:
        each constructor parameter named in ``FIT_CONSTRAINTS`` (``_options``)."""
        return constructor_options(self)

    def _callbacks_for_fit(self, options):
        """``(callbacks, user_held)``: instances for this fit, and whether the user holds any."""
        raise NotImplementedError

    def _callbacks_for_predict(self):
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
        """scikit-learn style early stopping: None, or ``(validation_fraction,
        n_iter_no_change, tol)`` for an estimator whose ``early_stopping`` is on."""
        if not getattr(self, "early_stopping", False):
            return None
        return self.validation_fraction, self.n_iter_no_change, self.tol

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
        fitted = FitState(self).current
        if fitted is None:
            raise AttributeError(f"This {type(self).__name__} has no model_: fit it first.")
        fitted.hand_out()
        return fitted.model

    @model_.setter
    def model_(self, model):
        state = FitState(self)
        fitted = state.published
        state.set(_fitted=_Fitted(
            model,
            fitted.feature_encoder if fitted else None,
            fitted.target_encoder if fitted else None,
            shared=True,
        ))

    @property
    def initialized_(self):
        """True once the estimator has a model (after ``fit`` or ``initialize``)."""
        return FitState(self).published is not None

    @property
    def current_epoch(self):
        """Epochs recorded in ``history_`` (0 before any training)."""
        history = FitState(self).get("history_") or {}
        return len(history.get("loss", []))

    @property
    def n_iter_(self):
        """Epochs trained, as recorded in ``history_``."""
        if "history_" not in FitState(self):
            raise AttributeError("n_iter_ is set by fit")
        return self.current_epoch

    @property
    def loss_curve_(self):
        """Training loss per epoch, ``history_["loss"]``."""
        if "history_" not in FitState(self):
            raise AttributeError("loss_curve_ is set by fit")
        return self.history_.get("loss", [])

    def __sklearn_is_fitted__(self):
        return self.initialized_

    # ----------------------------------------------------------------- fitting
    @shared_doc
    def fit(self: _Est, X: ArrayLike, y: ArrayLike, sample_weight: Optional[ArrayLike] = None,
            **kwargs: Any) -> _Est:
        """Build a model (or keep it, with ``warm_start``) and train it on ``(X, y)``.

        Parameters
        ----------
        {fit_data}
        **kwargs : dict
            Options of Keras's ``Model.fit`` for this call (``epochs``,
            ``batch_size``, ``validation_data``, ``callbacks``...); they override
            the estimator's parameters.

        Returns
        -------
        self : object
            The fitted estimator.

        {fit_raises}
        """
        if serve_shared(self, X, y, sample_weight, kwargs):  # a search's shared run
            return self
        for _ in fit_path(self, X, y, sample_weight=sample_weight, kwargs=kwargs):
            pass
        return self

    @shared_doc
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
        {fit_data}
        **kwargs : dict
            Options of Keras's ``Model.fit`` for this call, as for :meth:`fit`.

        Yields
        ------
        n_iter : int
            Epochs trained so far (``n_iter_``).

        {fit_raises}
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
        run = fit_path(self, X, y, sample_weight=sample_weight, kwargs=kwargs,
                       commit_each_epoch=True)
        try:
            first = next(run)
        except StopIteration:
            return
        except EpochLoopUnavailable:  # this Keras lacks what the loop needs (warned)
            yield from refit_each_epoch(self, X, y, sample_weight, kwargs)
            return
        try:
            yield first
        except GeneratorExit:  # left after the first epoch: the run ends there
            run.close()
            raise
        yield from run

    @shared_doc
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

        {partial_fit_raises}
        """
        for name, what in (("epochs", "always trains for 1 epoch"),
                           ("initial_epoch", "always trains for from the current epoch")):
            if name in kwargs:
                raise TypeError(
                    f"Invalid argument `{name}` to `partial_fit`: `partial_fit` {what}."
                )
        for _ in fit_path(self, X, y, sample_weight=sample_weight, kwargs=kwargs, partial=True):
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
            state = FitState(self)
            previous = state.snapshot()
            try:
                staged = stage_state(self, X, y, warm=False, train=False)[0]
            except BaseException:
                state.restore(previous)
                raise
            state.commit(staged)
        return self

    @shared_doc
    def predict(self, X: ArrayLike, **kwargs: Any) -> np.ndarray:
        """Predictions for ``X``: the model's outputs decoded by the target encoder.

        Parameters
        ----------
        {predict_data}

        Returns
        -------
        y_pred : ndarray

        {predict_raises}
        """
        fitted, out = outputs(self, X, kwargs, proba=False)
        encoder = fitted.target_encoder
        return encoder.inverse_transform(out) if encoder is not None else out

    # ------------------------------------------- scikeras's extension points
    def _initialize(self, X: Any, y: Any = None) -> Any:
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
        return initialize_state(self, X, y)

    def _type_of_target(self, y: Any) -> str:
        from sklearn.utils.multiclass import type_of_target

        return type_of_target(y)

    def _validation(self, job: Any) -> Any:
        """Split one training call's data into training and validation data
        (``_fitting.split_validation``)."""
        return split_validation(self, job)

    def _fit_keras_model(self, X: Any, y: Any, sample_weight: Any, warm_start: bool,
                         epochs: int, initial_epoch: int, **kwargs: Any) -> None:
        """Train ``self.model_`` on encoded data: scikeras's extension point.

        ``fit`` and ``partial_fit`` call it, as scikeras 0.13 does, when a
        subclass overrides it: ``X`` and ``y`` after the feature and target
        encoders, ``sample_weight`` (or None), ``warm_start`` (``fit``: the
        estimator's ``warm_start``; ``partial_fit``: True), ``epochs`` to train
        from ``initial_epoch``, and this call's other ``fit`` keyword arguments.
        An override may stream its data its own way (``self.model_.fit`` on a
        ``tf.data`` pipeline, say) and then keeps ``history_`` itself; or call
        ``super()._fit_keras_model(...)`` to train with skfashion's loop (this
        body): the estimator's options with ``kwargs`` over them, this fit's
        callbacks and random generator, and ``history_`` restarted unless
        ``warm_start`` and ``initial_epoch > 0``, as scikeras does. Without an
        override, ``fit`` trains through the same loop directly (and
        ``fit_epochs`` can stop after any epoch, which an override cannot).

        Parameters
        ----------
        X, y : array-like
            Inputs and targets as the model takes them.
        sample_weight : ndarray or None
            Per-sample weights.
        warm_start : bool
            Continue ``history_`` (with ``initial_epoch > 0``).
        epochs : int
            Epochs to train.
        initial_epoch : int
            The epoch to start from.
        **kwargs : dict
            Options of Keras's ``Model.fit`` for this call.
        """
        default_fit_keras_model(self, X, y, sample_weight, warm_start, epochs, initial_epoch,
                                **kwargs)

    _fit_keras_model._skfashion_default = True  # type: ignore[attr-defined]

    # --------------------------------------------------------- persistence
    def __getstate__(self):
        return _persisting.get_state(self)

    def __setstate__(self, state):
        _persisting.set_state(self, state)

    def _export_state(self):
        """The fitted state as plain data and the model (``_persisting.export_state``)."""
        return _persisting.export_state(self)

    def _import_state(self, attributes, model):
        """Take back what :meth:`_export_state` gave (``_persisting.import_state``)."""
        return _persisting.import_state(self, attributes, model)

    def save(self, path: Union[str, "os.PathLike[str]"]) -> List[str]:
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

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit``.
        ValueError
            A ``path`` ending in ``.keras`` or ``.onnx``: those names promise a served
            model, which :func:`skfashion.export` writes.
        """
        from .._persistence._skf import save

        return save(self, path)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
