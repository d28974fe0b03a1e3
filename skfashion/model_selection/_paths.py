"""One path of an epoch search: a fold and a candidate's other parameters, trained
once up to its largest number of epochs and scored after each number asked for;
or, where a callback reads the run's length, fitted once per number of epochs
as ``GridSearchCV`` fits it."""

import time

import numpy as np
from sklearn.base import clone
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _check_method_params

from .._estimators._keras_base import _BaseKeras
from .._fit._path import EpochLoopUnavailable, fit_path
from .._support._pipelines import flat_steps


def _keras_step(estimator):
    """The skfashion estimator that ends ``estimator`` (itself, or a Pipeline's last step)."""
    final = flat_steps(estimator)[-1][1]
    if not isinstance(final, _BaseKeras):
        raise TypeError(
            "EpochSearchCV needs a skfashion estimator (SoftmaxClassifier, KerasClassifier, "
            "KerasRegressor), or a Pipeline ending in one; got "
            f"{type(estimator).__name__} ending in {type(final).__name__}."
        )
    return final


def _epochs_name(estimator):
    if hasattr(estimator, "steps"):
        return f"{estimator.steps[-1][0]}__{_epochs_name(estimator.steps[-1][1])}"
    return "epochs"


def _fit_transformers(estimator, X, y, params):
    """Fit the steps before the final estimator as scikit-learn does; route the rest.

    The steps before the last one are fitted by scikit-learn's own Pipeline
    (``estimator[:-1].fit_transform``, with its routing of
    ``step__param`` fit parameters); the last step's parameters go on, to a
    nested pipeline's transformers or to the skfashion estimator.

    Returns
    -------
    Xt : array-like
        ``X`` through the fitted transformers.
    final : skfashion estimator
        The estimator to train, inside ``estimator``.
    final_params : dict
        Its fit parameters.
    """
    if not hasattr(estimator, "steps"):
        return X, estimator, dict(params)
    last = estimator.steps[-1][0]
    head_params, last_params = {}, {}
    for key, value in params.items():
        step, _, rest = key.partition("__")
        if not rest:
            raise ValueError(
                f"Pipeline.fit does not accept the {key} parameter. You can pass parameters "
                "to specific steps of your pipeline using the stepname__parameter format."
            )
        if step == last:
            last_params[rest] = value
        else:
            head_params[key] = value
    if len(estimator.steps) > 1:
        head = estimator[:-1]  # the same step objects: fitting them fits estimator's
        X = head.fit_transform(X, y, **head_params)
        estimator.steps[:-1] = head.steps
    elif head_params:
        raise ValueError(f"Pipeline.fit got parameters for unknown steps: {sorted(head_params)}.")
    return _fit_transformers(estimator.steps[-1][1], X, y, last_params)


def _fit_path(estimator, params, X, y, train, test, epochs, scorer, fit_params,
              score_params, together=None):
    """Train once up to max(epochs); score after each requested epoch.

    A user callback that reads the run's length (``params["epochs"]``) would
    see ``max(epochs)`` in the shared run: then the candidate is trained once
    per number of epochs instead, as ``GridSearchCV`` trains it.

    ``together``: the path's place in a cohort of paths trained together
    (``_training._cohort.Member``), or None.

    Returns (scores, fit_times, score_times), one entry per value of ``epochs``.
    """
    from .._training import watch_epochs_read

    fit_params = _check_method_params(X, params=fit_params, indices=train)
    score_params = _check_method_params(X, params=score_params, indices=test)
    X_train, y_train = _safe_indexing(X, train), _safe_indexing(y, train)
    X_test, y_test = _safe_indexing(X, test), _safe_indexing(y, test)

    def score(est):
        t0 = time.perf_counter()
        value = scorer(est, X_test, y_test, **score_params)
        return value, time.perf_counter() - t0

    with watch_epochs_read() as watch:
        shared = _shared_path(estimator, params, X_train, y_train, epochs, score,
                              fit_params, watch, together)
    if shared is not None:
        return shared
    scores, fit_times, score_times = [], [], []
    for e in epochs:  # a callback read the run's length: one fit per number of epochs
        est = clone(estimator).set_params(**params, **{_epochs_name(estimator): e})
        start = time.perf_counter()
        Xt, final, final_params = _fit_transformers(est, X_train, y_train, fit_params)
        final.fit(Xt, y_train, **final_params)
        fit_times.append(time.perf_counter() - start)
        value, seconds = score(est)
        scores.append(value)
        score_times.append(seconds)
    return scores, fit_times, score_times


def _shared_path(estimator, params, X_train, y_train, epochs, score, fit_params, watch,
                 together=None):
    """One run to max(epochs), scored after each requested epoch; None if ``watch`` saw a
    callback read the run's length."""
    est = clone(estimator).set_params(**params, **{_epochs_name(estimator): max(epochs)})
    start = time.perf_counter()
    Xt, final, final_params = _fit_transformers(est, X_train, y_train, fit_params)
    sample_weight = final_params.pop("sample_weight", None)
    wanted = set(epochs)
    scores, fit_times, score_times = {}, {}, {}
    scoring = 0.0
    # final.fit_epochs(...), with the cohort handed down
    run = fit_path(final, Xt, y_train, sample_weight=sample_weight, kwargs=final_params,
                   commit_each_epoch=True, together=together)
    try:
        for n_iter in run:
            if watch.read:
                return None
            if n_iter in wanted:
                fit_times[n_iter] = time.perf_counter() - start - scoring
                scores[n_iter], score_times[n_iter] = score(est)
                scoring += score_times[n_iter]
    except EpochLoopUnavailable:  # this Keras lacks what the loop needs: fits per count
        return None
    finally:
        run.close()
    if watch.read:
        return None
    missing = [e for e in epochs if e not in scores]
    if missing:  # a callback stopped training early: later epochs equal the final model
        raise RuntimeError(
            f"Training stopped after {final.n_iter_} epochs, before epochs {missing}; "
            "remove callbacks that stop training from an EpochSearchCV estimator."
        )
    return ([scores[e] for e in epochs], [fit_times[e] for e in epochs],
            [score_times[e] for e in epochs])


def _rank(mean):
    """Rank 1 for the best mean score, ties share the smallest rank (as GridSearchCV)."""
    from scipy.stats import rankdata

    return np.asarray(rankdata(-mean, method="min"), dtype=np.int32)
