"""Displays of training curves and of accuracy against fit time."""

import numpy as np

from ._mpl import import_pyplot


class TrainingCurveDisplay:
    """Loss and accuracy per epoch, training and validation, from ``history_``.

    Parameters
    ----------
    history : dict of lists
        Keras-style history: ``loss``, optionally ``accuracy``, ``val_loss``,
        ``val_accuracy``.
    name : str, default=None
        Shown in the titles.

    Attributes
    ----------
    figure_ : matplotlib Figure
    axes_ : ndarray of matplotlib Axes
        One axis per quantity (loss, and accuracy when recorded).

    Examples
    --------
    >>> from skfashion.plotting import TrainingCurveDisplay
    >>> disp = TrainingCurveDisplay({"loss": [0.9, 0.6]})  # doctest: +SKIP
    >>> disp.plot()  # doctest: +SKIP
    """

    def __init__(self, history, *, name=None):
        self.history = history
        self.name = name

    def plot(self, *, ax=None):
        """Draw the curves; ``ax`` is None or one axis per quantity."""
        plt = import_pyplot()
        if "loss" not in self.history:
            raise ValueError(
                f"history has no 'loss' entry (keys: {sorted(self.history)}); fit the "
                "estimator first."
            )
        quantities = [q for q in ("loss", "accuracy") if q in self.history]
        if ax is None:
            fig, axes = plt.subplots(1, len(quantities), figsize=(5 * len(quantities), 3.6),
                                     squeeze=False)
            axes = axes.ravel()
        else:
            axes = np.atleast_1d(ax).ravel()
            fig = axes[0].figure
        for axis, q in zip(axes, quantities):
            epochs = np.arange(1, len(self.history[q]) + 1)
            axis.plot(epochs, self.history[q], marker="o", label="training")
            if f"val_{q}" in self.history:
                axis.plot(epochs, self.history[f"val_{q}"], marker="s", label="validation")
            if "val_loss" in self.history:
                best = int(np.argmin(self.history["val_loss"])) + 1
                axis.axvline(best, color="gray", linestyle="--", linewidth=1,
                             label=f"lowest validation loss (epoch {best})")
            axis.set_xlabel("epoch")
            axis.set_ylabel(q)
            axis.set_title(f"{self.name}: {q}" if self.name else q)
            axis.grid(alpha=0.3)
            axis.legend()
        self.figure_, self.axes_ = fig, axes
        return self

    @classmethod
    def from_estimator(cls, estimator, *, name=None, ax=None):
        """Curves of a fitted skfashion classifier (or a Pipeline ending in one)."""
        final = estimator[-1] if hasattr(estimator, "steps") else estimator
        if not hasattr(final, "history_"):
            raise ValueError(
                f"{type(final).__name__} has no history_: fit a skfashion classifier first."
            )
        return cls(final.history_, name=name or type(final).__name__).plot(ax=ax)


class AccuracyTimeDisplay:
    """Test accuracy against fit time (log scale) for each model of a benchmark.

    Parameters
    ----------
    labels : list of str
    accuracy : list of float
    fit_seconds : list of float
    paper_accuracy : list of float or None
        The Fashion-MNIST paper's figure per model (None where it has none),
        drawn as a hollow marker at the same time.

    Attributes
    ----------
    figure_ : matplotlib Figure
    ax_ : matplotlib Axes
    """

    def __init__(self, labels, accuracy, fit_seconds, paper_accuracy=None):
        self.labels = labels
        self.accuracy = accuracy
        self.fit_seconds = fit_seconds
        self.paper_accuracy = paper_accuracy

    def plot(self, *, ax=None):
        """Draw the scatter plot; returns self."""
        plt = import_pyplot()
        if ax is None:
            fig, ax = plt.subplots(figsize=(7.5, 4.8))
        else:
            fig = ax.figure
        ax.scatter(self.fit_seconds, self.accuracy, s=50, zorder=3, label="skfashion benchmark")
        for label, t, acc in zip(self.labels, self.fit_seconds, self.accuracy):
            ax.annotate(label, (t, acc), textcoords="offset points", xytext=(6, 4), fontsize=8)
        if self.paper_accuracy is not None:
            pairs = [(t, p) for t, p in zip(self.fit_seconds, self.paper_accuracy)
                     if p is not None]
            if pairs:
                ax.scatter(*zip(*pairs), s=60, facecolors="none", edgecolors="crimson",
                           zorder=2, label="Xiao et al. 2017 (Table 3)")
        ax.set_xscale("log")
        low, high = min(self.fit_seconds), max(self.fit_seconds)
        ax.set_xlim(low / 2, high * 6)  # room for the labels right of the points
        ax.set_xlabel("fit time (s, log scale)")
        ax.set_ylabel("test accuracy")
        ax.set_title("Accuracy against fit time")
        ax.grid(alpha=0.3, which="both")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=8,
                  frameon=False)
        self.figure_, self.ax_ = fig, ax
        return self

    @classmethod
    def from_results(cls, results, *, ax=None):
        """From a list of benchmark results (objects or dicts)."""
        get = (lambda r, k: r[k]) if results and isinstance(results[0], dict) else getattr
        return cls(
            [get(r, "label") for r in results],
            [get(r, "accuracy") for r in results],
            [get(r, "fit_seconds") for r in results],
            [get(r, "paper_accuracy") for r in results],
        ).plot(ax=ax)
