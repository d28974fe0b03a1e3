"""Training curves: loss and accuracy per epoch of a fitted estimator, a search
or a cross-validation (the mean over folds and a band)."""

import numpy as np

from .._support._docs import shared_doc
from ._mpl import axes_for, import_pyplot


class TrainingCurveDisplay:
    """Loss and accuracy per epoch, training and validation, from ``history_``.

    Parameters
    ----------
    history : dict of lists
        Keras-style history: ``loss``, optionally ``accuracy``, ``val_loss``,
        ``val_accuracy``, and ``test_loss``, ``test_accuracy`` (the test set
        scored after each epoch, as ``skfashion benchmark`` records it: drawn
        as a third curve).
    name : str, default=None
        Shown in the titles.
    spread : dict of lists, default=None
        A standard deviation per epoch for each curve of ``history`` (drawn as
        a band of ± one standard deviation around it); set by
        :meth:`from_cv_results`.
    n_runs : int, default=1
        How many fits ``history`` averages (said in the legend).

    Attributes
    ----------
    figure_ : matplotlib Figure
        The figure drawn into.
    axes_ : ndarray of matplotlib Axes
        One axis per quantity (loss, and accuracy when recorded).
    ax_ : matplotlib Axes
        The first axis (the loss).

    See Also
    --------
    AccuracyTimeDisplay : Accuracy against the time each model costs.
    skfashion.EpochSearchCV : Score every epoch count by cross-validation.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skfashion.plotting import TrainingCurveDisplay
    >>> disp = TrainingCurveDisplay({"loss": [0.9, 0.6], "val_loss": [0.95, 0.7]}).plot()
    >>> [line.get_label() for line in disp.ax_.get_lines()]
    ['training', 'validation', 'lowest validation loss (epoch 2)']
    """

    def __init__(self, history, *, name=None, spread=None, n_runs=1):
        self.history = history
        self.name = name
        self.spread = spread
        self.n_runs = n_runs

    @shared_doc
    def plot(self, *, ax=None, **kwargs):
        """Draw the curves.

        Parameters
        ----------
        {param:ax}
        **kwargs : dict
            Passed to ``Axes.plot`` for every curve (``color``, ``linewidth``...).

        Returns
        -------
        display : TrainingCurveDisplay
        """
        plt = import_pyplot()
        from matplotlib.ticker import MaxNLocator

        if "loss" not in self.history:
            raise ValueError(
                f"history has no 'loss' entry (keys: {sorted(self.history)}); fit the "
                "estimator first."
            )
        quantities = [q for q in ("loss", "accuracy") if q in self.history]
        fig, axes = axes_for(plt, ax, len(quantities), figsize=lambda r, c: (5 * c, 3.6 * r),
                             layout="constrained")  # savefig keeps every label
        spread = self.spread or {}
        of = f" (mean of {self.n_runs} fits ± 1 sd)" if self.n_runs > 1 else ""
        for axis, q in zip(axes, quantities):
            for key, label, style in ((q, "training", dict(marker="o")),
                                      (f"val_{q}", "validation",
                                       dict(marker="s", linestyle="--")),
                                      (f"test_{q}", "test set (scored, not trained on)",
                                       dict(marker="^", linestyle=":"))):
                if key not in self.history:
                    continue
                values = np.asarray(self.history[key], dtype=float)
                epochs = np.arange(1, len(values) + 1)
                (line,) = axis.plot(epochs, values, label=label + of, **{**style, **kwargs})
                if key in spread:
                    sd = np.asarray(spread[key], dtype=float)
                    axis.fill_between(epochs, values - sd, values + sd, alpha=0.2,
                                      color=line.get_color(), linewidth=0)
            if "val_loss" in self.history:
                best = int(np.argmin(self.history["val_loss"])) + 1
                axis.axvline(best, color="gray", linestyle=":", linewidth=1,
                             label=f"lowest validation loss (epoch {best})")
            axis.set_xlabel("epoch")
            axis.xaxis.set_major_locator(MaxNLocator(integer=True))
            axis.set_ylabel(q)
            axis.set_title(f"{self.name}: {q}" if self.name else q)
            axis.grid(alpha=0.3)
            axis.legend()
        self.figure_, self.axes_, self.ax_ = fig, axes, axes[0]
        return self

    @classmethod
    @shared_doc
    def from_cv_results(cls, cv_results, *, name=None, ax=None, **kwargs):
        """Training curves across cross-validation folds: the mean, and a band of ± 1 sd.

        Parameters
        ----------
        cv_results : dict or list of estimators
            What ``cross_validate(..., return_estimator=True)`` returns (its
            ``"estimator"`` entry is used), or a list of fitted skfashion
            estimators (or Pipelines ending in one).
        name : str, default=None
            Shown in the titles (default: the estimators' class name).
        {param:ax}
        **kwargs : dict
            Passed to ``Axes.plot``.

        Returns
        -------
        display : TrainingCurveDisplay
            Its ``history`` holds the mean per epoch, ``spread`` the standard
            deviation across folds (NumPy's ``std``, as scikit-learn's
            ``LearningCurveDisplay``). A fold stopped early (early stopping)
            counts only for the epochs it trained.

        Examples
        --------
        >>> from sklearn.model_selection import cross_validate
        >>> from skfashion import PixelScaler, SoftmaxClassifier
        >>> from skfashion.datasets import load_sample
        >>> from skfashion.plotting import TrainingCurveDisplay
        >>> (X, y), _ = load_sample()
        >>> clf = SoftmaxClassifier(epochs=3, random_state=0)
        >>> cv = cross_validate(clf, PixelScaler().transform(X[:600]), y[:600], cv=3,
        ...                     return_estimator=True, params={"validation_split": 0.2})
        >>> disp = TrainingCurveDisplay.from_cv_results(cv)
        >>> disp.n_runs, len(disp.history["val_loss"])
        (3, 3)
        """
        estimators = cv_results["estimator"] if isinstance(cv_results, dict) else cv_results
        if not len(estimators):
            raise ValueError("No estimators: pass cross_validate(..., return_estimator=True).")
        histories = [_history_of(e) for e in estimators]
        keys = [k for k in histories[0] if all(k in h for h in histories)]
        mean, spread = {}, {}
        for key in keys:
            n = max(len(h[key]) for h in histories)
            values = np.full((len(histories), n), np.nan)
            for row, h in zip(values, histories):
                row[:len(h[key])] = h[key]
            mean[key] = np.nanmean(values, axis=0).tolist()
            spread[key] = np.nanstd(values, axis=0).tolist()
        return cls(mean, name=name or _final_name(estimators[0]), spread=spread,
                   n_runs=len(histories)).plot(ax=ax, **kwargs)

    @classmethod
    @shared_doc
    def from_estimator(cls, estimator, *, name=None, ax=None, **kwargs):
        """Curves of a fitted skfashion estimator (or a Pipeline ending in one).

        Parameters
        ----------
        estimator : estimator or Pipeline
            Fitted, with ``history_``.
        name : str, default=None
            Shown in the titles (default: the estimator's class name).
        {param:ax}
        **kwargs : dict
            Passed to ``Axes.plot``.

        Returns
        -------
        display : TrainingCurveDisplay
        """
        return cls(_history_of(estimator), name=name or _final_name(estimator)).plot(
            ax=ax, **kwargs)


def _final(estimator):
    return estimator[-1] if hasattr(estimator, "steps") else estimator


def _final_name(estimator):
    return type(_final(estimator)).__name__


def _history_of(estimator):
    """``history_`` of a fitted skfashion estimator, or of the one ending a Pipeline."""
    final = _final(estimator)
    if not hasattr(final, "history_"):
        raise ValueError(f"{type(final).__name__} has no history_: fit a skfashion estimator "
                         "first (for cross-validation, cross_validate(..., "
                         "return_estimator=True)).")
    return final.history_
