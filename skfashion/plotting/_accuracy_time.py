"""Test accuracy against fit time, one point per model, coloured by model family:
the benchmark's trade-off picture."""

import numpy as np

from .._support._docs import shared_doc
from ._mpl import axes_for, import_pyplot
from ._labels import _label_points


class AccuracyTimeDisplay:
    """Test accuracy against the time each model costs: fitting, and predicting.

    Two panels share the accuracy axis: fit time, and the time to predict 1,000
    images (log scales; the unit of the benchmark's table). Published accuracies
    are drawn apart, in a third panel, as references for the accuracy only: they
    were not measured at any of these times. A model run more than once shows
    each run (small rings) and their range (bars from the lowest to the highest
    value), or, given only standard deviations, ± 1 sd bars.

    Parameters
    ----------
    labels : list of str
        Model names.
    accuracy : list of float
        Test accuracy of each model (the mean of its runs).
    fit_seconds : list of float
        Fit time of each model.
    predict_ms_per_1000 : list of float
        Milliseconds each model takes to predict 1,000 images.
    paper_accuracy : list of float or None, default=None
        The Fashion-MNIST paper's figure per model (None where it has none).
    accuracy_std, fit_std, predict_std : list of float or None, default=None
        Standard deviations over repeated runs (0 for a model run once), drawn
        as ± 1 sd bars when ``runs`` is not given; ``predict_std`` in
        milliseconds per 1,000 images.
    families : list of str or None, default=None
        The model family of each point (its colour, in a legend); None: one
        colour.
    n_train, n_test : int or None, default=None
        The images this run used. When they are not the full data set's
        60,000 and 10,000, the panels say so: the published figures come from
        the full data.
    runs : list of list of dict or None, default=None
        Each model's runs, each with ``accuracy``, ``fit_seconds`` and
        ``predict_ms_per_1000``: drawn as points with their range, instead of
        standard deviations (with 2 runs a standard deviation says little).
    load_note : str or None, default=None
        Shown on the figure, in red, when the times were measured on a busy
        machine (the benchmark's report says how busy): times from a loaded
        machine are not comparable with others.

    Attributes
    ----------
    figure_ : matplotlib Figure
        The figure drawn into.
    axes_ : ndarray of matplotlib Axes
        The fit panel, the predict panel and the paper panel.
    ax_ : matplotlib Axes
        The fit panel.

    See Also
    --------
    skfashion.benchmark.run_benchmark : Measures what this display draws.
    TrainingCurveDisplay : Loss and accuracy per epoch.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skfashion.plotting import AccuracyTimeDisplay
    >>> disp = AccuracyTimeDisplay(["softmax", "LogisticRegression"], accuracy=[0.84, 0.84],
    ...                            fit_seconds=[1.9, 9.8], predict_ms_per_1000=[2.0, 4.0],
    ...                            paper_accuracy=[None, 0.842], families=["Keras", "linear"])
    >>> disp = disp.plot()
    >>> len(disp.axes_)
    3
    """

    def __init__(self, labels, accuracy, fit_seconds, predict_ms_per_1000, paper_accuracy=None,
                 *, accuracy_std=None, fit_std=None, predict_std=None, families=None,
                 n_train=None, n_test=None, runs=None, load_note=None):
        self.labels = labels
        self.accuracy = accuracy
        self.fit_seconds = fit_seconds
        self.predict_ms_per_1000 = predict_ms_per_1000
        self.paper_accuracy = paper_accuracy
        self.accuracy_std = accuracy_std
        self.fit_std = fit_std
        self.predict_std = predict_std
        self.families = families
        self.n_train = n_train
        self.n_test = n_test
        self.runs = runs
        self.load_note = load_note

    def _bars(self, n):
        """Per panel, ``(low, high)`` of the x values and of the accuracy, and what
        the bars mean; ``None`` where no model has a spread."""
        acc = np.asarray(self.accuracy, dtype=float)
        panels = []
        if self.runs is not None:
            counts = {len(r) for r in self.runs if len(r) > 1}
            meaning = ("bars: range of the runs" if len(counts) != 1 else
                       f"bars: range of {counts.pop()} runs")
            for key, values in (("fit_seconds", self.fit_seconds),
                                ("predict_ms_per_1000", self.predict_ms_per_1000)):
                x = np.asarray(values, dtype=float)
                x_lo, x_hi, a_lo, a_hi = x.copy(), x.copy(), acc.copy(), acc.copy()
                for i, model_runs in enumerate(self.runs):
                    if len(model_runs) > 1:
                        xs = [r[key] for r in model_runs]
                        accs = [r["accuracy"] for r in model_runs]
                        x_lo[i], x_hi[i] = min(xs), max(xs)
                        a_lo[i], a_hi[i] = min(accs), max(accs)
                panels.append((x_lo, x_hi, a_lo, a_hi))
            return panels, meaning
        acc_std = np.asarray(self.accuracy_std if self.accuracy_std is not None
                             else [0.0] * n, dtype=float)
        for values, spread in ((self.fit_seconds, self.fit_std),
                               (self.predict_ms_per_1000, self.predict_std)):
            x = np.asarray(values, dtype=float)
            sd = np.asarray(spread if spread is not None else [0.0] * n, dtype=float)
            # never below 0 on the log axis
            panels.append((x - np.minimum(sd, x * 0.99), x + sd, acc - acc_std, acc + acc_std))
        return panels, "bars: ± 1 sd over the runs"

    @shared_doc
    def plot(self, *, ax=None, **kwargs):
        """Draw the panels.

        Parameters
        ----------
        {param:ax}
        **kwargs : dict
            Passed to ``Axes.scatter`` for the measured points.

        Returns
        -------
        display : AccuracyTimeDisplay
        """
        plt = import_pyplot()
        own = ax is None
        if own:
            fig, axes = plt.subplots(1, 3, figsize=(13.5, 6.2), sharey=True,
                                     gridspec_kw={"width_ratios": [4, 4, 1.9]})
            fig.subplots_adjust(bottom=0.2, top=0.8 if self.load_note else 0.84, wspace=0.12)
        else:
            fig, axes = axes_for(plt, ax, 3, figsize=None)
        n = len(self.labels)
        acc = np.asarray(self.accuracy, dtype=float)
        families = list(self.families) if self.families is not None else None
        colours: dict = {}
        if families is not None:
            cycle = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])
            for family in families:
                colours.setdefault(family, cycle[len(colours) % len(cycle)])
        point_colours = [colours[f] for f in families] if families is not None else None
        style: dict = {"s": 50, "zorder": 3}
        if point_colours is not None:
            style["color"] = point_colours
        style.update(kwargs)
        bars, meaning = self._bars(n)
        spread = False
        for axis, times, key, (x_lo, x_hi, a_lo, a_hi), what in (
                (axes[0], self.fit_seconds, "fit_seconds", bars[0], "fit time (s)"),
                (axes[1], self.predict_ms_per_1000, "predict_ms_per_1000", bars[1],
                 "time to predict 1,000 images (ms)")):
            times = np.asarray(times, dtype=float)
            axis.scatter(times, acc, **style)
            shown = (x_hi > x_lo) | (a_hi > a_lo)
            if shown.any():
                spread = True
                axis.errorbar(times[shown], acc[shown],
                              xerr=[(times - x_lo)[shown], (x_hi - times)[shown]],
                              yerr=[(acc - a_lo)[shown], (a_hi - acc)[shown]],
                              fmt="none", ecolor="0.35", elinewidth=1, capsize=2, zorder=2)
            if self.runs is not None:
                xs, ys, cs = [], [], []
                for i, model_runs in enumerate(self.runs):
                    if len(model_runs) > 1:
                        xs += [r[key] for r in model_runs]
                        ys += [r["accuracy"] for r in model_runs]
                        cs += [point_colours[i] if point_colours else "C0"] * len(model_runs)
                if xs:
                    axis.scatter(xs, ys, s=14, facecolors="none", edgecolors=cs,
                                 linewidths=0.8, zorder=4)
            axis.set_xscale("log")
            low, high = min(x_lo.min(), times.min()), max(x_hi.max(), times.max())
            axis.set_xlim(low / 2, high * 8)  # room for the labels right of the points
            axis.set_xlabel(f"{what}, log scale")
            axis.grid(alpha=0.3, which="both")
        axes[0].set_ylabel("test accuracy")
        partial = (self.n_train is not None and self.n_train != 60000) or (
            self.n_test is not None and self.n_test != 10000)
        counts = ((self.n_train, "training"), (self.n_test, "test"))
        sizes = [f"{v:,} {what}" for v, what in counts if v is not None]
        notes = ([f"this run: {', '.join(sizes)} images"] if partial else []) + (
            [meaning] if spread else [])
        for axis, title in ((axes[0], "Accuracy against fit time"),
                            (axes[1], "Accuracy against prediction time")):
            axis.set_title("\n".join([title] + notes), fontsize=10)
        if self.load_note:
            if own:
                fig.suptitle(self.load_note, color="firebrick", fontsize=10)
            else:
                axes[0].set_title(axes[0].get_title() + "\n" + self.load_note, fontsize=10,
                                  color="firebrick")
        paper = [(label, p) for label, p in zip(self.labels, self.paper_accuracy or [])
                 if p is not None]
        axis = axes[2]
        if paper:
            axis.scatter([0] * len(paper), [p for _, p in paper], s=60, facecolors="none",
                         edgecolors="crimson")
        axis.set_xlim(-0.4, 3)
        axis.set_xticks([])
        axis.set_title("Published\n(Xiao et al. 2017,\nTable 3"
                       + (", full data" if partial else "") + ")", fontsize=9)
        axis.grid(alpha=0.3, axis="y")
        # Labels last, once every limit is set: they are placed where they fit.
        for axis, times in ((axes[0], self.fit_seconds), (axes[1], self.predict_ms_per_1000)):
            _label_points(axis, times, self.accuracy, self.labels)
        if paper:
            _label_points(axes[2], [0] * len(paper), [p for _, p in paper],
                          [label.split(" (")[0] for label, _ in paper], color="crimson",
                          sides=("right",))
        if families is not None and len(colours) > 1 and "color" not in kwargs:
            from matplotlib.lines import Line2D

            handles = [Line2D([], [], marker="o", linestyle="", color=c, label=f)
                       for f, c in colours.items()]
            if own:  # below the panels, clear of every point and label
                fig.legend(handles=handles, title="model family", fontsize=8,
                           title_fontsize=8, loc="lower center", ncols=len(handles),
                           bbox_to_anchor=(0.5, 0.0))
            else:
                axes[0].legend(handles=handles, title="model family", fontsize=8,
                               title_fontsize=8)
        self.figure_, self.axes_, self.ax_ = fig, np.asarray(axes), axes[0]
        return self

    @classmethod
    @shared_doc
    def from_results(cls, results, *, ax=None, load_note=None, **kwargs):
        """From a list of benchmark results (objects or dicts).

        Parameters
        ----------
        results : list of Result or dict
            With ``label``, ``accuracy``, ``fit_seconds``, ``predict_ms_per_1000``,
            ``n_test``, ``paper_accuracy`` and ``runs`` (each run's ``accuracy``,
            ``fit_seconds`` and ``predict_seconds`` for the ``n_test`` images).
        {param:ax}
        load_note : str or None, default=None
            Shown on the figure when the times come from a busy machine.
        **kwargs : dict
            Passed to ``Axes.scatter``.

        Returns
        -------
        display : AccuracyTimeDisplay
        """
        def get(r, k, default=None):
            return r.get(k, default) if isinstance(r, dict) else getattr(r, k, default)

        n_test = [get(r, "n_test", 1000) for r in results]
        n_train = {get(r, "n_train") for r in results} - {None, 0}
        runs = None
        if all(get(r, "runs") for r in results):
            runs = [[{"accuracy": run["accuracy"], "fit_seconds": run["fit_seconds"],
                      "predict_ms_per_1000": 1e6 * run["predict_seconds"] / t}
                     for run in get(r, "runs")] for r, t in zip(results, n_test)]
        return cls(
            [get(r, "label") for r in results],
            [get(r, "accuracy") for r in results],
            [get(r, "fit_seconds") for r in results],
            [get(r, "predict_ms_per_1000") for r in results],
            [get(r, "paper_accuracy") for r in results],
            accuracy_std=[get(r, "accuracy_std", 0.0) for r in results],
            fit_std=[get(r, "fit_std", 0.0) for r in results],
            predict_std=[get(r, "predict_std", 0.0) for r in results],
            families=[model_family(r) for r in results],
            n_train=n_train.pop() if len(n_train) == 1 else None,
            n_test=n_test[0] if len(set(n_test)) == 1 else None,
            runs=runs, load_note=load_note,
        ).plot(ax=ax, **kwargs)


#: Families of the benchmark's classical models, by estimator class name.
_FAMILIES = {"LogisticRegression": "linear", "SGDClassifier": "linear", "LinearSVC": "linear",
             "SVC": "kernel (SVC)", "RandomForestClassifier": "trees",
             "KNeighborsClassifier": "neighbours", "MLPClassifier": "scikit-learn MLP"}


def model_family(result):
    """The family a benchmark result's model belongs to (its colour in the figures).

    Parameters
    ----------
    result : Result or dict
        With ``label`` and, for skfashion's models, ``keras`` true.

    Returns
    -------
    family : str
        "Keras (skfashion)", a classical family, or "other".
    """
    get = result.get if isinstance(result, dict) else lambda k, d=None: getattr(result, k, d)
    if get("keras", False):
        return "Keras (skfashion)"
    return _FAMILIES.get(str(get("label", "")).split(" (")[0], "other")
