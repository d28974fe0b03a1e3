"""scikit-learn's four searches, with each path of epochs trained once.

``GridSearchCV``, ``RandomizedSearchCV``, ``HalvingGridSearchCV`` and
``HalvingRandomSearchCV`` here are scikit-learn's classes of the same names:
every parameter, attribute, method and result is theirs, and scikit-learn runs
the search (its candidates, folds, scorers, ``error_score``, train scores,
``refit``, routing, verbosity, parallelism). One thing changes: while a search
runs, the fits of a skfashion estimator that differ only in ``epochs`` (the
same fold and other parameters, an integer ``random_state``) are served from
one training run per path (``skfashion._fit._shared``), so ``epochs=[1, 2, 5]``
trains 5 epochs per path instead of 8, and a halving search over
``resource="epochs"`` continues each survivor from its previous rung instead
of training it again. A fit that cannot be served exactly trains as
scikit-learn trains it.
"""

import re
from typing import Any, Optional

from sklearn.base import clone
from sklearn.experimental import enable_halving_search_cv  # noqa: F401  (scikit-learn's)
from sklearn import model_selection as _sk

from .._estimators._keras_base import _BaseKeras
from .._fit._shared import _same, _shareable_params, sharing
from .._support._pipelines import flat_steps
from ._paths import _epochs_name


def _final_keras(estimator) -> Optional[Any]:
    """The skfashion estimator ending ``estimator`` (itself or a Pipeline's last step), or None."""
    try:
        final = flat_steps(estimator)[-1][1]
    except Exception:
        return None
    return final if isinstance(final, _BaseKeras) else None


class _SharedRunsSearch:
    """What the four searches add to scikit-learn's: the fits of a path share one run."""

    estimator: Any
    max_resources_: int

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        # scikit-learn passes callback_ctx (1.9) to a _run_search that takes it
        kwargs = {} if callback_ctx is None else {"callback_ctx": callback_ctx}
        if _final_keras(self.estimator) is None:
            return super()._run_search(evaluate_candidates, **kwargs)  # type: ignore[misc]
        name = _epochs_name(self.estimator)
        default = self.estimator.get_params().get(name)
        horizon = self._largest_epochs(name)

        def evaluate(candidate_params, cv=None, more_results=None, **options):
            candidate_params = list(candidate_params)
            wanted = [c.get(name, default) for c in candidate_params]
            runs.horizon = max([runs.horizon] + [e for e in wanted if _positive(e)])
            if runs.runs:  # a halving search's dropped candidates: their runs end here
                finals = [self._final_params(c) for c in candidate_params]
                runs.keep_only(lambda run: any(f is not None and _same(run.params, f)
                                               for f in finals))
            return evaluate_candidates(candidate_params, cv, more_results, **options)

        with sharing(horizon) as runs:
            try:
                return super()._run_search(evaluate, **kwargs)  # type: ignore[misc]
            finally:
                #: What the runs did (for tests and benchmarks): fits served from a
                #: run, runs started, epochs they trained.
                self._shared_runs = {"served": runs.served, "runs": runs.started,
                                     "epochs": runs.epochs_trained}

    # scikit-learn's two properties, with docstrings that link no glossary
    @property
    def n_features_in_(self):
        """Number of features seen during ``fit`` (by ``best_estimator_``; with ``refit``)."""
        return super().n_features_in_  # type: ignore[misc]

    @property
    def classes_(self):
        """Class labels of ``best_estimator_`` (with ``refit``, for a classifier)."""
        return super().classes_  # type: ignore[misc]

    def _largest_epochs(self, name):
        if getattr(self, "resource", None) == name:
            return int(self.max_resources_)
        return 0

    def _final_params(self, candidate):
        est = clone(self.estimator).set_params(**candidate)
        final = _final_keras(est)
        return None if final is None else _shareable_params(final)


def _positive(value):
    from numbers import Integral

    return isinstance(value, Integral) and not isinstance(value, bool) and int(value) >= 1


_NOTE = """
    skfashion's {name} is scikit-learn's :class:`sklearn.model_selection.{name}`
    with the same parameters, attributes, methods and results. While it runs, the
    fits of a skfashion estimator (or of a Pipeline ending in one) that differ only
    in their number of epochs, on the same fold, are served from one training run
    per path: each takes the run's state after its epochs, as a fit of that many
    epochs would end (``fit_epochs`` = ``fit``). A fit that cannot be served
    exactly (no integer ``random_state``, callbacks, ``verbose``, a subclass, a
    builder that reads ``epochs``, fewer epochs than its run has trained) trains
    as scikit-learn trains it. See :doc:`/guide/searching`.
"""


def _doc(name, extra, space, more, best):
    theirs = getattr(_sk, name).__doc__ or ""
    theirs = theirs[theirs.index("\n"):]  # after scikit-learn's one-line summary
    # scikit-learn's links to its own user guide and glossary: plain text here
    theirs = re.sub(r":(ref|term|doc):`([^`<]*?)\s*<[^>`]+>`", r"\2", theirs)
    theirs = re.sub(r":(ref|term|doc):`([^`]+)`", r"\2", theirs)
    # scikit-learn's short names of its own classes, qualified (ours stay ours)
    theirs = re.sub(r":(class|obj|func):`(?!~|sklearn\.|joblib\.)(\w+)`",
                    lambda m: (m.group(0) if m.group(2) in _NAMES else
                               f":{m.group(1)}:`~sklearn.model_selection.{m.group(2)}`"),
                    theirs)
    see = theirs.find("\n    See Also\n    --------")
    if see >= 0:  # its See Also names scikit-learn's classes by short names: ours below
        notes = theirs.find("\n    Notes\n    -----", see)
        theirs = (theirs[:see] + _SEE_ALSO.format(name=name)
                  + (theirs[notes:] if notes >= 0 else "\n"))
    cut = theirs.find("\n    Examples\n    --------")
    if cut >= 0:  # scikit-learn's examples fit scikit-learn's models: ours below
        theirs = theirs[:cut] + "\n"
    return (f"{name}: scikit-learn's search, each path of epochs trained once.\n"
            + _NOTE.format(name=name) + extra + theirs
            + _EXAMPLE.format(name=name, space=space, more=more, best=best))


_NAMES = ("GridSearchCV", "RandomizedSearchCV", "HalvingGridSearchCV", "HalvingRandomSearchCV")

_SEE_ALSO = """
    See Also
    --------
    sklearn.model_selection.{name} : The class this one is, run by scikit-learn.
    skfashion.EpochSearchCV : Epochs searched in one run per fold and candidate.
"""

_EXAMPLE = """
    Examples
    --------
    >>> from skfashion import PixelScaler, SoftmaxClassifier
    >>> from skfashion.datasets import load_sample
    >>> from skfashion.model_selection import {name}
    >>> from sklearn.pipeline import make_pipeline
    >>> (X, y), _ = load_sample()
    >>> pipe = make_pipeline(PixelScaler(), SoftmaxClassifier(random_state=0))
    >>> search = {name}(pipe, {space}, cv=2{more}).fit(X[:600], y[:600])
    >>> sorted(search.best_params_)
    {best}
"""


_HALVING = """
    With ``resource`` naming the estimator's epochs (``"epochs"``, or
    ``"clf__epochs"`` in a pipeline), each rung continues its survivors' runs
    from the previous rung instead of training them again, and the runs of the
    candidates a rung drops end there.
"""


_EPOCHS = '{"softmaxclassifier__epochs": [1, 3]}'
_RATES = '{"softmaxclassifier__learning_rate": [0.001, 0.01, 0.1]}'
_HALVED = (', resource="softmaxclassifier__epochs",\n    ...     '
           'min_resources=1, max_resources=3, factor=3')


class GridSearchCV(_SharedRunsSearch, _sk.GridSearchCV):
    __doc__ = _doc("GridSearchCV", "", _EPOCHS, "", "['softmaxclassifier__epochs']")


class RandomizedSearchCV(_SharedRunsSearch, _sk.RandomizedSearchCV):
    __doc__ = _doc("RandomizedSearchCV", "", _EPOCHS, ", n_iter=2, random_state=0",
                   "['softmaxclassifier__epochs']")


class HalvingGridSearchCV(_SharedRunsSearch, _sk.HalvingGridSearchCV):
    __doc__ = _doc("HalvingGridSearchCV", _HALVING, _RATES, _HALVED,
                   "['softmaxclassifier__epochs', 'softmaxclassifier__learning_rate']")


class HalvingRandomSearchCV(_SharedRunsSearch, _sk.HalvingRandomSearchCV):
    __doc__ = _doc("HalvingRandomSearchCV", _HALVING, _RATES,
                   _HALVED + ", n_candidates=3, random_state=0",
                   "['softmaxclassifier__epochs', 'softmaxclassifier__learning_rate']")
