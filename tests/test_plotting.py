import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from skfashion import SoftmaxClassifier  # noqa: E402
from skfashion.datasets import CLASS_NAMES  # noqa: E402
from skfashion.plotting import (  # noqa: E402
    AccuracyTimeDisplay,
    MisclassifiedDisplay,
    SampleGridDisplay,
    TrainingCurveDisplay,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_sample_grid(sample):
    (X, y), _ = sample
    disp = SampleGridDisplay.from_dataset(X, y)
    assert len(disp.axes_) == 10
    assert [ax.get_title() for ax in disp.axes_] == list(CLASS_NAMES)
    # Each panel shows an image of its own class.
    for ax, c in zip(disp.axes_, range(10)):
        shown = ax.get_images()[0].get_array()
        assert any(np.array_equal(shown, img) for img in X[y == c][:1])


@pytest.mark.parametrize("display", ["grid", "misclassified"])
def test_titles_of_a_row_clear_the_images_above_and_the_suptitle(sample, display):
    (X, y), _ = sample
    if display == "grid":
        disp = SampleGridDisplay.from_dataset(X, y)
    else:
        wrong = (y[:10] + 1) % 10
        disp = MisclassifiedDisplay.from_predictions(y[:10], wrong, images=X[:10])
    fig = disp.figure_
    fig.suptitle("Fashion-MNIST: one image per class")  # as `skfashion show` does
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    image_box = [ax.get_window_extent(renderer) for ax in disp.axes_]  # the shrunk image
    title_box = [ax.title.get_window_extent(renderer) for ax in disp.axes_]
    for above, below in zip(image_box[:5], title_box[5:]):
        assert below.y1 < above.y0
    assert max(box.y1 for box in title_box[:5]) < fig._suptitle.get_window_extent(renderer).y0


def test_training_curves(small):
    X, y, _, _ = small
    clf = SoftmaxClassifier(epochs=3, early_stopping=True, metrics=["accuracy"],
                            random_state=0).fit(X, y)
    disp = TrainingCurveDisplay.from_estimator(clf)
    assert len(disp.axes_) == 2
    loss_ax, acc_ax = disp.axes_
    assert loss_ax.get_ylabel() == "loss" and acc_ax.get_ylabel() == "accuracy"
    assert loss_ax.get_xlabel() == "epoch"
    labels = [line.get_label() for line in loss_ax.get_lines()]
    best = int(np.argmin(clf.history_["val_loss"])) + 1
    assert labels == ["training", "validation", f"lowest validation loss (epoch {best})"]
    np.testing.assert_allclose(loss_ax.get_lines()[0].get_ydata(), clf.history_["loss"])
    with pytest.raises(ValueError, match="no history_"):
        TrainingCurveDisplay.from_estimator(SoftmaxClassifier())


def test_accuracy_against_the_time_a_model_costs():
    results = [
        {"label": "a", "accuracy": 0.8, "fit_seconds": 2.0, "predict_ms_per_1000": 10.0,
         "n_test": 1000, "paper_accuracy": 0.84},
        {"label": "b", "accuracy": 0.9, "fit_seconds": 50.0, "predict_ms_per_1000": 0.5,
         "n_test": 1000, "paper_accuracy": None},
    ]
    disp = AccuracyTimeDisplay.from_results(results, color="red")
    fit_ax, predict_ax, paper_ax = disp.axes_
    assert fit_ax.get_xscale() == predict_ax.get_xscale() == "log"
    assert fit_ax.get_xlabel().startswith("fit time") and fit_ax.get_ylabel() == "test accuracy"
    # The table's unit (issue 33, item 4), not seconds for the whole test set.
    assert predict_ax.get_xlabel().startswith("time to predict 1,000 images (ms)")
    np.testing.assert_allclose(fit_ax.collections[0].get_offsets(), [[2.0, 0.8], [50.0, 0.9]])
    np.testing.assert_allclose(predict_ax.collections[0].get_offsets(),
                               [[10.0, 0.8], [0.5, 0.9]])
    assert tuple(fit_ax.collections[0].get_facecolor()[0][:3]) == (1.0, 0.0, 0.0)  # **kwargs
    # The paper's figure is a reference apart, at no measured time.
    assert "Published" in paper_ax.get_title()
    np.testing.assert_allclose(paper_ax.collections[0].get_offsets()[:, 1], [0.84])
    assert sorted(t.get_text() for t in fit_ax.texts if t.get_text()) == ["a", "b"]


def test_point_labels_neither_overlap_nor_leave_the_axes():
    """Long names near the right edge go left; close points get stacked labels."""
    names = ["KerasClassifier CNN (2 conv blocks)", "SoftmaxClassifier (tutorial)",
             "LogisticRegression", "LinearSVC", "KNeighborsClassifier (5, distance, p=1)"]
    results = [
        {"label": n, "accuracy": a, "fit_seconds": f, "predict_ms_per_1000": p, "n_test": 1000,
         "paper_accuracy": q}
        for n, a, f, p, q in zip(names, [0.919, 0.8433, 0.8445, 0.8396, 0.8615],
                                 [110.8, 1.9, 9.8, 73.8, 0.1], [42.0, 2.1, 4.4, 1.8, 19349.0],
                                 [None, None, 0.842, 0.836, 0.854])
    ]
    disp = AccuracyTimeDisplay.from_results(results)
    renderer = disp.figure_.canvas.get_renderer()
    for ax in disp.axes_[:2]:
        frame = ax.get_window_extent(renderer)
        boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text()]
        assert len(boxes) == len(names)
        for i, box in enumerate(boxes):
            assert frame.x0 <= box.x0 and box.x1 <= frame.x1
            assert not any(box.overlaps(other) for other in boxes[:i])
    paper = [t.get_window_extent(renderer) for t in disp.axes_[2].texts if t.get_text()]
    assert len(paper) == 3
    assert not any(a.overlaps(b) for i, a in enumerate(paper) for b in paper[:i])


def test_misclassified(sample):
    _, (X_test, y_test) = sample
    y_pred = y_test.copy()
    y_pred[[3, 10]] = (y_test[[3, 10]] + 1) % 10
    disp = MisclassifiedDisplay.from_predictions(y_test, y_pred, images=X_test)
    titles = [ax.get_title() for ax in disp.axes_]
    assert titles == [f"true: {CLASS_NAMES[y_test[i]]}\npred: {CLASS_NAMES[y_pred[i]]}"
                      for i in (3, 10)]
    assert disp.figure_ is disp.axes_[0].figure


def test_labels_of_any_type_and_matplotlib_keywords(sample):
    (X, y), _ = sample
    names = np.array(["tee", "trouser", "pullover", "dress", "coat", "sandal", "shirt",
                      "sneaker", "bag", "boot"])
    disp = SampleGridDisplay.from_dataset(X, names[y], cmap="viridis")
    assert sorted(ax.get_title() for ax in disp.axes_) == sorted(names)
    assert disp.axes_[0].get_images()[0].get_cmap().name == "viridis"


def test_ax_is_one_bounding_axes_a_figure_or_enough_axes(small):
    """scikit-learn's Displays take one ``ax`` and draw there (a multi-panel one,
    PartialDependenceDisplay, treats it as the bounds of its grid); so do these.
    The oracle: the panels tile the given axes' box, inside its figure."""
    X, y, _, _ = small
    clf = SoftmaxClassifier(epochs=2, metrics=["accuracy"], random_state=0).fit(X[:200], y[:200])
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    disp = TrainingCurveDisplay.from_estimator(clf, ax=right)
    assert disp.figure_ is fig and len(disp.axes_) == 2
    assert not right.axison  # the bounding axes only lends its box
    box = right.get_position()
    for panel in disp.axes_:
        p = panel.get_position()
        assert box.x0 - 1e-6 <= p.x0 < p.x1 <= box.x1 + 1e-6
        assert box.y0 - 1e-6 <= p.y0 < p.y1 <= box.y1 + 1e-6
    assert [line.get_label() for line in disp.axes_[0].get_lines()][0] == "training"
    assert left.axison and not left.get_lines()  # the neighbour is untouched

    figure = plt.figure()
    disp = SampleGridDisplay.from_dataset(X.reshape(-1, 28, 28), y, ax=figure)
    assert disp.figure_ is figure and len(disp.axes_) == 10
    assert all(a.figure is figure for a in disp.axes_)

    _, axes = plt.subplots(1, 2)
    disp = TrainingCurveDisplay.from_estimator(clf, ax=axes, color="black")
    assert disp.ax_ is axes[0] and disp.figure_ is axes[0].figure
    _, axes = plt.subplots(1, 3)
    with pytest.raises(ValueError, match="draws 2 panel\\(s\\) but ax holds 3 axes"):
        TrainingCurveDisplay.from_estimator(clf, ax=axes[:1].tolist() + [axes[1], axes[2]])
    with pytest.raises(TypeError, match="ax must be"):
        TrainingCurveDisplay.from_estimator(clf, ax="left")


def test_bad_images():
    with pytest.raises(ValueError, match="not a square"):
        SampleGridDisplay.from_dataset(np.zeros((2, 10)), [0, 1])


def test_training_curves_across_cv_folds_are_the_mean_and_a_band(small):
    """The oracle is NumPy on the folds' own histories."""
    from sklearn.model_selection import cross_validate

    X, y, _, _ = small
    clf = SoftmaxClassifier(epochs=3, random_state=0)
    cv = cross_validate(clf, X, y, cv=3, return_estimator=True,
                        params={"validation_split": 0.2})  # Keras's, through fit
    disp = TrainingCurveDisplay.from_cv_results(cv)
    histories = [e.history_ for e in cv["estimator"]]
    for axis, q in zip(disp.axes_, ("loss", "accuracy")):
        for line, key in zip(axis.lines, (q, f"val_{q}")):
            folds = np.array([h[key] for h in histories])
            np.testing.assert_allclose(line.get_ydata(), folds.mean(axis=0))
            assert "mean of 3 fits" in line.get_label()
        bands = axis.collections
        assert len(bands) == 2  # training and validation
        for band, key in zip(bands, (q, f"val_{q}")):
            folds = np.array([h[key] for h in histories])
            ys = band.get_paths()[0].vertices[:, 1]
            np.testing.assert_allclose(
                [ys.min(), ys.max()],
                [(folds.mean(0) - folds.std(0)).min(), (folds.mean(0) + folds.std(0)).max()],
                rtol=1e-6)


def test_cv_curves_of_folds_stopped_early_average_what_each_trained():
    class Fitted:
        def __init__(self, loss):
            self.history_ = {"loss": loss}

    disp = TrainingCurveDisplay.from_cv_results([Fitted([3.0, 2.0, 1.0]), Fitted([5.0, 4.0])])
    np.testing.assert_allclose(disp.history["loss"], [4.0, 3.0, 1.0])
    np.testing.assert_allclose(disp.spread["loss"], [1.0, 1.0, 0.0])
    with pytest.raises(ValueError, match="return_estimator=True"):
        TrainingCurveDisplay.from_cv_results({"estimator": []})


def test_misclassified_most_confident_first_with_their_probability(sample):
    """The oracle: NumPy's ordering of the wrong predictions by their top probability."""
    (X, y), _ = sample
    rng = np.random.RandomState(0)
    X, y = X[:200], y[:200]
    y_pred = np.where(rng.rand(200) < 0.3, (y + 1) % 10, y)
    proba = rng.dirichlet(np.ones(10), size=200)
    disp = MisclassifiedDisplay.from_predictions(y, y_pred, images=X, y_proba=proba, n=6)
    wrong = np.flatnonzero(y != y_pred)
    expected = wrong[np.argsort(-proba[wrong].max(axis=1), kind="stable")][:6]
    for axis, i in zip(disp.axes_, expected):
        np.testing.assert_array_equal(axis.get_images()[0].get_array(), X[i])
        assert axis.get_title().endswith(f"({proba[i].max():.2f})")
    assert disp.ax_ is disp.axes_[0]
    assert "most confident" in disp.figure_._suptitle.get_text()
    in_order = MisclassifiedDisplay.from_predictions(y, y_pred, images=X, n=6)
    for axis, i in zip(in_order.axes_, wrong[:6]):
        np.testing.assert_array_equal(axis.get_images()[0].get_array(), X[i])
    assert "data order" in in_order.figure_._suptitle.get_text()


def test_misclassified_from_estimator_uses_its_probabilities(small):
    X, y, X_test, y_test = small
    clf = SoftmaxClassifier(epochs=1, random_state=0).fit(X, y)
    disp = MisclassifiedDisplay.from_estimator(clf, X_test, y_test, n=4)
    proba = clf.predict_proba(X_test)
    oracle = MisclassifiedDisplay.from_predictions(y_test, clf.predict(X_test), images=X_test,
                                                   y_proba=proba, n=4)
    assert [a.get_title() for a in disp.axes_] == [a.get_title() for a in oracle.axes_]
    assert all(a.get_title().endswith(")") for a in disp.axes_)
    assert SampleGridDisplay.from_dataset(X, y).ax_ is not None


def _drawn_texts(fig):
    """Every text matplotlib draws in ``fig`` (tick labels outside the view are not drawn)."""
    from matplotlib.text import Text

    fig.canvas.draw()
    hidden = set()
    for ax in fig.axes:
        for axis, limits in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            low, high = sorted(limits)
            slack = 1e-9 * (high - low)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not low - slack <= tick.get_loc() <= high + slack:
                    hidden.update((id(tick.label1), id(tick.label2)))
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
            and id(t) not in hidden and t.figure is fig]


def _layout_problems(fig):
    """Texts that leave the figure, and pairs of texts that overlap (1 px slack)."""
    import itertools

    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in _drawn_texts(fig)]
    outside = [text for text, b in boxes
               if b.x0 < -1 or b.y0 < -1 or b.x1 > width + 1 or b.y1 > height + 1]
    overlapping = [(ta, tb) for (ta, a), (tb, b) in itertools.combinations(boxes, 2)
                   if a.x0 < b.x1 - 1 and b.x0 < a.x1 - 1 and a.y0 < b.y1 - 1 and b.y0 < a.y1 - 1]
    return outside, overlapping


_HISTORY = {"loss": list(np.linspace(1.0, 0.4, 15)), "accuracy": list(np.linspace(0.7, 0.9, 15)),
            "val_loss": list(np.linspace(1.1, 0.5, 15)),
            "val_accuracy": list(np.linspace(0.68, 0.88, 15))}


@pytest.mark.parametrize("scale", [0.75, 1.0, 1.6])
@pytest.mark.parametrize("display", ["grid", "misclassified", "curves"])
def test_no_text_leaves_the_figure_or_overlaps_another(sample, display, scale):
    """Drawn at its own size and resized smaller and larger, as savefig would write it.

    (Before, a training-curve figure saved with ``figure_.savefig`` lost its
    "epoch" labels below the figure's edge.)
    """
    (X, y), (X_test, y_test) = sample
    fig = {
        "grid": lambda: SampleGridDisplay.from_dataset(X, y).figure_,
        "misclassified": lambda: MisclassifiedDisplay.from_predictions(
            y_test, (y_test + 1) % 10, images=X_test, n=10).figure_,
        "curves": lambda: TrainingCurveDisplay(_HISTORY, name="KerasClassifier CNN").plot()
        .figure_,
    }[display]()
    width, height = fig.get_size_inches()
    fig.set_size_inches(width * scale, height * scale)
    outside, overlapping = _layout_problems(fig)
    assert not outside, outside
    assert not overlapping, overlapping


_BENCHMARK = [  # the shape of a --quick run's results (3,000 training images)
    dict(label=label, keras=keras, accuracy=acc, accuracy_std=acc_sd, fit_seconds=fit,
         fit_std=fit_sd, predict_ms_per_1000=pred, predict_std=pred_sd, paper_accuracy=paper,
         n_train=3000, n_test=1000)
    for label, keras, acc, acc_sd, fit, fit_sd, pred, pred_sd, paper in [
        ("KerasClassifier CNN (2 conv blocks)", True, 0.8515, 0.0035, 10.6, 1.7, 115.9, 20.6,
         None),
        ("RandomForestClassifier (100, entropy)", False, 0.846, 0.0028, 2.8, 0.05, 74.2, 3.6,
         0.873),
        ("MLPClassifier (100,)", False, 0.841, 0.0028, 0.6, 0.1, 6.34, 0.01, 0.871),
        ("SoftmaxClassifier MLP (512,), dropout 0.3", True, 0.839, 0.0085, 2.4, 0.4, 33.9,
         7.8, None),
        ("LinearSVC", False, 0.821, 0.0, 1.1, 0.1, 6.0, 0.18, 0.836),
        ("LogisticRegression", False, 0.814, 0.0, 1.7, 0.0, 13.3, 0.0, 0.842),
        ("KNeighborsClassifier (5, distance, p=1)", False, 0.805, 0.0, 0.004, 0.0, 2064.8, 0.0,
         0.854),
        ("SoftmaxClassifier (tutorial)", True, 0.7965, 0.0035, 0.4, 0.1, 11.6, 3.2, None),
        ("SGDClassifier", False, 0.772, 0.0042, 1.7, 0.2, 4.5, 0.17, 0.819),
    ]]


def test_accuracy_time_error_bars_families_and_data_note():
    disp = AccuracyTimeDisplay.from_results(_BENCHMARK)
    fit_ax, predict_ax, paper_ax = disp.axes_
    acc = np.array([r["accuracy"] for r in _BENCHMARK])
    acc_sd = np.array([r["accuracy_std"] for r in _BENCHMARK])
    fit = np.array([r["fit_seconds"] for r in _BENCHMARK])
    fit_sd = np.array([r["fit_std"] for r in _BENCHMARK])
    shown = (fit_sd > 0) | (acc_sd > 0)
    (bars,) = fit_ax.containers  # ± 1 sd over the runs, where a model ran more than once
    xerr, yerr = bars.lines[2]
    np.testing.assert_allclose([s[:, 1] for s in yerr.get_segments()],
                               np.column_stack([acc - acc_sd, acc + acc_sd])[shown])
    np.testing.assert_allclose([s[:, 0] for s in xerr.get_segments()],
                               np.column_stack([fit - np.minimum(fit_sd, fit * 0.99),
                                                fit + fit_sd])[shown])
    # The table's unit: milliseconds per 1,000 images.
    pred_ms = np.array([r["predict_ms_per_1000"] for r in _BENCHMARK])
    np.testing.assert_allclose(predict_ax.collections[0].get_offsets()[:, 0], pred_ms)
    assert "1,000 images (ms)" in predict_ax.get_xlabel()
    assert "± 1 sd" in fit_ax.get_title()  # no runs given: standard deviations
    # One colour per family, named in a legend.
    legend = disp.figure_.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == [
        "Keras (skfashion)", "trees", "scikit-learn MLP", "linear", "neighbours"]
    colours = fit_ax.collections[0].get_facecolors()
    keras_rows = [i for i, r in enumerate(_BENCHMARK) if r["keras"]]
    assert all((colours[i] == colours[keras_rows[0]]).all() for i in keras_rows)
    assert not (colours[keras_rows[0]] == colours[4]).all()  # LinearSVC: another family
    # The run used part of the data; the published figures are the full data's.
    assert "this run: 3,000 training, 1,000 test images" in fit_ax.get_title()
    assert "full data" in paper_ax.get_title()
    full = [dict(r, n_train=60000, n_test=10000) for r in _BENCHMARK]
    disp = AccuracyTimeDisplay.from_results(full)
    assert "this run" not in disp.axes_[0].get_title()
    assert "full data" not in disp.axes_[2].get_title()


def _with_runs(rows, n_runs=2):
    """The rows with ``n_runs`` runs each for the seeded models (one for the
    others), spread around the mean as a real benchmark's are."""
    out = []
    for i, r in enumerate(rows):
        k = n_runs if r["accuracy_std"] or r["fit_std"] else 1
        signs = [1, -1, 0.5][:k] if k > 1 else [0]
        runs = [{"seed": j, "accuracy": r["accuracy"] + s * r["accuracy_std"],
                 "fit_seconds": r["fit_seconds"] + s * r["fit_std"] * 0.9,
                 "predict_seconds": (r["predict_ms_per_1000"] + s * r["predict_std"] * 0.9)
                 * r["n_test"] / 1e6} for j, s in enumerate(signs)]
        out.append(dict(r, runs=runs))
    return out


def _marker_and_bar_boxes(fig):
    """Display boxes of every scatter marker and error-bar segment, by axes."""
    from skfashion.plotting._labels import _marks

    renderer = fig.canvas.get_renderer()
    return {id(ax): _marks(ax, renderer) for ax in fig.axes}


def _labels_on_marks(fig):
    """Point labels (annotations) that cover a marker or a bar (1 px slack)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    marks = _marker_and_bar_boxes(fig)
    hits = []
    for ax in fig.axes:
        for text in ax.texts:
            if not (text.get_visible() and text.get_text().strip()):
                continue
            box = text.get_window_extent(renderer)
            for mark in marks[id(ax)]:
                if box.x0 < mark.x1 - 1 and mark.x0 < box.x1 - 1 and box.y0 < mark.y1 - 1 \
                        and mark.y0 < box.y1 - 1:
                    hits.append(text.get_text())
                    break
    return hits


@pytest.mark.parametrize("scale", [0.75, 1.0, 1.6])
@pytest.mark.parametrize("kind", ["sd", "runs", "load"])
def test_accuracy_time_text_neither_leaves_nor_overlaps(scale, kind):
    """The point labels are placed when the figure is drawn, at that size: a
    figure made smaller (or larger) after the display drew it still reads. No
    label covers another text, a marker or a bar (issue 33, item 4: labels sat
    on markers), and none shrinks below 0.85 of its size (the published panel
    shrank a name to ~5 px)."""
    rows = _with_runs(_BENCHMARK) if kind != "sd" else _BENCHMARK
    note = "Times measured under load: load average 1.50 on 2 cores" if kind == "load" else None
    fig = AccuracyTimeDisplay.from_results(rows, load_note=note).figure_
    width, height = fig.get_size_inches()
    fig.set_size_inches(width * scale, height * scale)
    outside, overlapping = _layout_problems(fig)
    assert not outside and not overlapping, (outside, overlapping)
    assert not _labels_on_marks(fig)
    sizes = {t.get_text(): t.get_fontsize() for ax in fig.axes for t in ax.texts
             if t.get_text().strip()}
    assert min(sizes.values()) >= 7 * 0.85 - 1e-9, sizes


def test_accuracy_time_shows_each_run_and_its_range():
    """With 2 runs a standard deviation says little: the figure shows the runs
    themselves (rings) and bars from the lowest to the highest (the oracle: the
    runs' own values), and says so in the titles."""
    rows = _with_runs(_BENCHMARK)
    disp = AccuracyTimeDisplay.from_results(rows)
    fit_ax, predict_ax, _ = disp.axes_
    multi = [r for r in rows if len(r["runs"]) > 1]
    for ax, x_of in ((fit_ax, lambda run, r: run["fit_seconds"]),
                     (predict_ax, lambda run, r: 1e6 * run["predict_seconds"] / r["n_test"])):
        assert "bars: range of 2 runs" in ax.get_title() and "sd" not in ax.get_title()
        rings = ax.collections[-1].get_offsets()
        np.testing.assert_allclose(rings, [(x_of(run, r), run["accuracy"])
                                           for r in multi for run in r["runs"]])
        (bars,) = ax.containers
        xerr, yerr = bars.lines[2]
        xs = [[x_of(run, r) for run in r["runs"]] for r in multi]
        np.testing.assert_allclose([s[:, 0] for s in xerr.get_segments()],
                                   [[min(x), max(x)] for x in xs])
        np.testing.assert_allclose(
            [s[:, 1] for s in yerr.get_segments()],
            [[min(a), max(a)] for a in ([run["accuracy"] for run in r["runs"]] for r in multi)])


def test_accuracy_time_flags_times_from_a_busy_machine():
    note = "Times measured under load: load average 1.50 on 2 cores when the run began"
    disp = AccuracyTimeDisplay.from_results(_BENCHMARK, load_note=note)
    suptitle = disp.figure_._suptitle
    assert suptitle is not None and suptitle.get_text() == note
    assert suptitle.get_color() == "firebrick"
    quiet = AccuracyTimeDisplay.from_results(_BENCHMARK)
    assert quiet.figure_._suptitle is None


def test_from_predictions_finds_the_test_images_of_fashion_mnist_labels(sample, official_dir):
    """scikit-learn's from_predictions takes labels only; for Fashion-MNIST's own
    test labels (in order) the images are known: the oracle is the same display
    given images= explicitly. Other labels still need images (a clear error)."""
    _, (X_test, y_test) = sample
    y_pred = np.roll(y_test, 1)
    implicit = MisclassifiedDisplay.from_predictions(y_test, y_pred, n=4)
    explicit = MisclassifiedDisplay.from_predictions(y_test, y_pred, images=X_test, n=4)
    np.testing.assert_array_equal(implicit.images, explicit.images)
    names = np.array(CLASS_NAMES, dtype=object)
    by_name = MisclassifiedDisplay.from_predictions(names[y_test], names[y_pred], n=4)
    np.testing.assert_array_equal(by_name.images, explicit.images)

    from skfashion.datasets import load_fashion_mnist

    _, (X_full, y_full) = load_fashion_mnist(data_home=official_dir)
    rolled = np.roll(y_full, 1)
    full = MisclassifiedDisplay.from_predictions(y_full, rolled, n=3)
    np.testing.assert_array_equal(full.images, X_full[np.flatnonzero(y_full != rolled)[:3]])

    with pytest.raises(ValueError, match="images= is needed"):
        MisclassifiedDisplay.from_predictions(y_test[::-1], y_pred)
