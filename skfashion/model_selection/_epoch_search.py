"""EpochSearchCV: search the number of epochs in one training run per fold."""

import time
from functools import partial
from numbers import Integral
from typing import Any, Dict

import numpy as np
from numpy.typing import ArrayLike
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import ParameterGrid, check_cv
from sklearn.utils.metaestimators import available_if
from sklearn.utils import _safe_indexing, get_tags
from sklearn.utils.validation import _check_method_params, check_is_fitted, indexable

from .._support._docs import shared_doc
from ._paths import _epochs_name, _fit_path, _keras_step, _rank


#: At most this many candidate-fold paths train together (``train_together``), and at
#: most about this many bytes of their training data (each path holds its own fold).
_TOGETHER, _TOGETHER_BYTES = 64, 2**30


class EpochSearchCV(MetaEstimatorMixin, BaseEstimator):
    """Cross-validated search over epochs that trains each fold only once.

    ``GridSearchCV`` over ``epochs=[1, 2, 5, 10, 20]`` trains every candidate from
    scratch: 38 epochs per fold. This search trains each fold once, up to the
    largest value, and scores the model after each requested epoch, as
    ``LogisticRegressionCV`` does for its regularization path. With a fixed
    ``random_state`` the first *e* epochs of a longer fit are exactly a fit of
    *e* epochs, so the scores equal those of ``GridSearchCV`` on the same folds.
    Other parameters can be searched too: each candidate of ``param_grid`` gets
    its own epoch path.

    Parameters
    ----------
    estimator : skfashion estimator, or a Pipeline ending in one
        Must not use early stopping or callbacks that stop training, which would
        make the first epochs of a long fit differ from a short fit. A callback
        that reads the run's length (Keras's ``self.params["epochs"]``, as a
        warm-up or decay schedule does) would see ``max(epochs)`` in a shared
        run: such a candidate is trained once per number of epochs instead,
        exactly as ``GridSearchCV`` trains it (slower, same scores).
    epochs : list of int
        The epoch counts to score.
    param_grid : dict or list of dicts, default=None
        Other parameters to search, as in ``GridSearchCV``.
    scoring : str or callable, default=None
        One scorer; None uses the estimator's ``score`` (accuracy, or R² for a
        regressor).
    cv : int, cross-validation generator or iterable, default=None
        As in ``GridSearchCV`` (5-fold stratified by default).
    refit : bool, default=True
        Refit the best candidate on the whole data as ``best_estimator_``.
    n_jobs : int, default=None
        Candidate-fold paths to run in parallel through joblib (a Dask cluster
        under ``joblib.parallel_config(backend="dask")``).
    verbose : int, default=0
        joblib verbosity.
    train_together : bool, default=False
        On JAX, with ``n_jobs`` None or 1: train the candidate-fold paths in
        lockstep, each chunk of steps of every path that shares the compiled
        steps (one architecture, batch size and fold size: learning rates,
        ``l2``, class weights, seeds and the folds themselves) in one
        vectorized call (``jax.vmap``), each path with its own weights,
        optimizer state, fold, shuffle and callbacks. Weights then equal a
        separate fit's within float32 rounding (a batched matrix product adds
        in another order), which a high learning rate can amplify: scores may
        differ slightly from ``GridSearchCV``'s. Up to 64 paths train at once,
        fewer where their folds as float32 (a transformed copy and the
        runner's) would pass about 1 GiB: 4 folds of 38,400 Fashion-MNIST
        images. Off by default: on 2 CPU cores the vectorized step of the
        tutorial's model costs what the separate steps cost, and its one
        compilation per search makes the search slower (measured in the
        epochs guide). On TensorFlow and PyTorch, and with False, the paths
        train one after another and the scores equal ``GridSearchCV``'s bit
        for bit.

    Attributes
    ----------
    cv_results_ : dict of ndarrays
        In ``GridSearchCV``'s format, one row per (candidate, epochs) pair;
        ``mean_fit_time`` is the training time up to that epoch.
    best_params_ : dict
        Best parameters, epochs included.
    best_score_ : float
        Mean cross-validated score of the best candidate.
    best_index_ : int
        Row of the best candidate in ``cv_results_``.
    best_estimator_ : estimator
        Refitted on the whole data (if ``refit``).
    n_splits_ : int
        Number of folds.
    scorer_ : callable
        The scorer used.

    See Also
    --------
    sklearn.model_selection.GridSearchCV : The search it equals (each candidate from scratch).
    SoftmaxClassifier.fit_epochs : The epoch-by-epoch training it scores.
    skfashion.plotting.TrainingCurveDisplay.from_cv_results : Curves across folds.

    Examples
    --------
    >>> from skfashion import EpochSearchCV, PixelScaler, SoftmaxClassifier
    >>> from skfashion.datasets import load_sample
    >>> from sklearn.pipeline import make_pipeline
    >>> (X, y), _ = load_sample()
    >>> pipe = make_pipeline(PixelScaler(), SoftmaxClassifier(random_state=0))
    >>> search = EpochSearchCV(pipe, epochs=[1, 3], cv=2).fit(X[:600], y[:600])
    >>> sorted(search.best_params_)
    ['softmaxclassifier__epochs']
    """

    _parameter_constraints = {
        "estimator": [BaseEstimator],
        "epochs": [list, tuple],
        "param_grid": [dict, list, None],
        "scoring": [str, callable, None],
        "cv": ["cv_object"],
        "refit": ["boolean"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "train_together": ["boolean"],
    }

    def __init__(self, estimator, epochs, *, param_grid=None, scoring=None, cv=None,
                 refit=True, n_jobs=None, verbose=0, train_together=False):
        self.estimator = estimator
        self.epochs = epochs
        self.param_grid = param_grid
        self.scoring = scoring
        self.cv = cv
        self.refit = refit
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.train_together = train_together

    def _check(self):
        classifier = _keras_step(self.estimator)
        epochs = list(self.epochs)
        if not epochs or not all(isinstance(e, Integral) and int(e) >= 1 for e in epochs):
            raise ValueError(
                f"epochs must be a non-empty list of positive integers; got {self.epochs!r}."
            )
        if len(set(epochs)) != len(epochs):
            raise ValueError(f"epochs has duplicates: {self.epochs!r}.")
        if getattr(classifier, "early_stopping", False):
            raise ValueError(
                "EpochSearchCV cannot be combined with early_stopping=True: early stopping "
                "picks the epochs itself and restores earlier weights. Search epochs with "
                "early_stopping=False, or use early stopping alone."
            )
        if classifier.random_state is None:
            raise ValueError(
                "EpochSearchCV needs an integer random_state on the classifier, so that each "
                "epoch's score equals a fit of that many epochs."
            )
        name = _epochs_name(self.estimator)
        grid = list(ParameterGrid(self.param_grid or {}))
        if any(name in params for params in grid):
            raise ValueError(f"{name} is searched by epochs=; remove it from param_grid.")
        return sorted(epochs), grid, name

    def fit(self, X: Any, y: Any, **fit_params: Any) -> "EpochSearchCV":
        """Run the search, then refit the best candidate on all of ``(X, y)``.

        Parameters
        ----------
        X : array-like
            Training data (anything the estimator accepts).
        y : array-like of shape (n_samples,)
            Class labels.
        **fit_params : dict
            Passed to the estimator's ``fit`` (e.g. ``sample_weight`` for a bare
            classifier), as ``GridSearchCV`` passes them: ``groups`` goes to the
            splitter only, and ``sample_weight`` also weights each fold's score
            when the scorer takes it (a warning says when it does not).

        Returns
        -------
        self : EpochSearchCV

        Raises
        ------
        ValueError
            Invalid parameters (``epochs`` empty, not positive integers, or
            ``epochs`` also in ``param_grid``), a ``y`` missing, or data the
            estimator refuses.
        """
        self._validate_params()
        epochs, grid, name = self._check()
        if y is None:
            raise ValueError("EpochSearchCV requires y to be passed, but the target y is None.")
        X, y = indexable(X, y)
        fit_params = _check_method_params(X, params=fit_params)
        groups = fit_params.pop("groups", None)  # the splitter's, as in GridSearchCV
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        splits = list(cv.split(X, y, groups))
        self.scorer_ = check_scoring(self.estimator, self.scoring)
        score_params = self._score_params(fit_params)
        jobs = [(params, train, test) for params in grid for train, test in splits]
        if self._together():
            from .._training._cohort import Cohort

            out = []
            size = _wave_size(X, max(len(train) for _, train, _ in jobs))
            for wave in range(0, len(jobs), size):
                out += Cohort([
                    partial(_fit_path, self.estimator, params, X, y, train, test, epochs,
                            self.scorer_, fit_params, score_params)
                    for params, train, test in jobs[wave:wave + size]
                ]).run()
        else:
            out = Parallel(n_jobs=self.n_jobs, verbose=self.verbose)(
                delayed(_fit_path)(self.estimator, params, X, y, train, test, epochs,
                                   self.scorer_, fit_params, score_params)
                for params, train, test in jobs
            )
        n_splits = len(splits)
        scores = np.array([o[0] for o in out]).reshape(len(grid), n_splits, len(epochs))
        fit_t = np.array([o[1] for o in out]).reshape(len(grid), n_splits, len(epochs))
        score_t = np.array([o[2] for o in out]).reshape(len(grid), n_splits, len(epochs))
        # One row per (candidate, epochs), candidates outer, as ParameterGrid orders them.
        rows = [dict(params, **{name: e}) for params in grid for e in epochs]
        per_row = lambda a: a.transpose(0, 2, 1).reshape(len(rows), n_splits)  # noqa: E731
        split_scores = per_row(scores)
        results: Dict[str, Any] = {"params": rows}
        for key in sorted({k for r in rows for k in r}):
            column = np.ma.MaskedArray(np.empty(len(rows), dtype=object), mask=True)
            for i, r in enumerate(rows):
                if key in r:
                    column[i] = r[key]
            results[f"param_{key}"] = column
        for k in range(n_splits):
            results[f"split{k}_test_score"] = split_scores[:, k]
        results["mean_test_score"] = split_scores.mean(axis=1)
        results["std_test_score"] = split_scores.std(axis=1)
        results["rank_test_score"] = _rank(results["mean_test_score"])
        for label, array in (("fit_time", per_row(fit_t)), ("score_time", per_row(score_t))):
            results[f"mean_{label}"] = array.mean(axis=1)
            results[f"std_{label}"] = array.std(axis=1)
        self.cv_results_ = results
        self.n_splits_ = n_splits
        self.best_index_ = int(np.argmin(results["rank_test_score"]))
        self.best_params_ = rows[self.best_index_]
        self.best_score_ = float(results["mean_test_score"][self.best_index_])
        if self.refit:
            t0 = time.perf_counter()
            self.best_estimator_ = clone(self.estimator).set_params(**self.best_params_)
            self.best_estimator_.fit(X, y, **fit_params)
            self.refit_time_ = time.perf_counter() - t0
        return self

    def _together(self):
        """Whether this fit trains its paths together (``train_together``)."""
        if not self.train_together or self.n_jobs not in (None, 1):
            return False
        import keras

        return keras.backend.backend() == "jax"

    def _score_params(self, fit_params):
        """``sample_weight`` for the scorer, as scikit-learn's searches forward it.

        ``GridSearchCV`` (without metadata routing) scores each fold with the
        fold's weights when the scorer takes ``sample_weight``, and warns when it
        does not.
        """
        import warnings
        from inspect import signature

        weights = fit_params.get("sample_weight")
        if weights is None:
            return {}
        scorer = self.scorer_
        if hasattr(scorer, "_accept_sample_weight"):
            accept = scorer._accept_sample_weight()
        else:
            accept = "sample_weight" in signature(scorer).parameters
        if not accept:
            warnings.warn(
                f"The scoring {scorer} does not support sample_weight, which may lead to "
                f"statistically incorrect results when fitting {self} with sample_weight. ",
                UserWarning,
                stacklevel=3,
            )
            return {}
        return {"sample_weight": weights}

    @property
    def classes_(self):
        """Class labels of ``best_estimator_``."""
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.classes_

    @property
    def n_features_in_(self):
        """Number of features seen by ``best_estimator_``."""
        try:
            check_is_fitted(self, "best_estimator_")
        except Exception as exc:
            raise AttributeError(
                "EpochSearchCV has no n_features_in_ before it is fitted with refit=True."
            ) from exc
        return self.best_estimator_.n_features_in_

    def __sklearn_tags__(self):
        from copy import deepcopy

        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)  # a search is whatever its estimator is
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = deepcopy(inner.classifier_tags)
        tags.regressor_tags = deepcopy(inner.regressor_tags)
        tags.target_tags = deepcopy(inner.target_tags)
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        return tags

    def _refitted(self):
        check_is_fitted(self, "best_estimator_")
        return True

    @available_if(_refitted)
    @shared_doc
    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predict with ``best_estimator_``.

        Parameters
        ----------
        X : array-like
            Inputs.

        Returns
        -------
        y_pred : ndarray

        {search_predict_raises}
        """
        return self.best_estimator_.predict(X)

    @available_if(_refitted)
    @shared_doc
    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Class probabilities of ``best_estimator_``.

        Parameters
        ----------
        X : array-like
            Inputs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)

        {search_predict_raises}
        """
        return self.best_estimator_.predict_proba(X)

    @shared_doc
    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        """Score of ``best_estimator_`` with the search's scorer.

        Parameters
        ----------
        X : array-like
            Inputs.
        y : array-like of shape (n_samples,)
            True targets.

        Returns
        -------
        score : float

        {search_predict_raises}
        """
        check_is_fitted(self, "best_estimator_")
        return self.scorer_(self.best_estimator_, X, y)


def _wave_size(X, n_train):
    """How many paths train together: at most 64, and their folds as float32 (a
    transformed copy and the runner's) within about 1 GiB."""
    per_sample = int(np.prod(np.shape(_safe_indexing(X, [0]))[1:]))  # arrays, lists, frames
    return max(1, min(_TOGETHER, _TOGETHER_BYTES // max(1, 2 * 4 * per_sample * n_train)))
