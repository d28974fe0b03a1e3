"""Write a benchmark report: Markdown page, pictures, JSON and CSV."""

import csv
import json
import platform
from pathlib import Path

import numpy as np

from ._benchmark import format_table
from .datasets import CLASS_NAMES


def machine_summary():
    """A one-line description of the machine, for reports and benchmark tables."""
    import os

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def _save(display, path):
    display.figure_.tight_layout()
    display.figure_.savefig(path, dpi=110)
    import matplotlib.pyplot as plt

    plt.close(display.figure_)
    return path.name


def write_report(results, output, *, X_test, y_test, data_source, context=None):
    """Write ``report.md``, ``results.json``, ``results.csv`` and PNGs into ``output``.

    Returns the path of ``report.md``. Pictures need matplotlib; without it the
    report says so and still has the table.
    """
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    rows = [r.row() for r in results]
    meta = {"data": data_source, "machine": machine_summary(), **(context or {})}
    (output / "results.json").write_text(json.dumps({"meta": meta, "results": rows}, indent=1))
    with open(output / "results.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    pictures = []
    try:
        pictures = _pictures(results, output, X_test, y_test)
    except ImportError as exc:
        pictures = [("Pictures", None, str(exc))]

    lines = [
        "# skfashion benchmark",
        "",
        f"Data: {data_source}. Machine: {meta['machine']}.",
        "Every model is fitted through `Pipeline([PixelScaler(), model])` on the same "
        "training images and scored on the same test images. 'paper' is the best "
        "configuration's test accuracy in Xiao, Rasul and Vollgraf (2017), Table 3.",
        "",
        format_table(results),
    ]
    for title, name, note in pictures:
        lines += [f"## {title}", ""]
        lines += [f"![{title}]({name})", ""] if name else [note, ""]
    lines += ["Raw results: [results.json](results.json), [results.csv](results.csv).", ""]
    report = output / "report.md"
    report.write_text("\n".join(lines))
    return report


def _pictures(results, output, X_test, y_test):
    from .plotting import (
        AccuracyTimeDisplay,
        MisclassifiedDisplay,
        SampleGridDisplay,
        TrainingCurveDisplay,
    )
    from .plotting._mpl import import_pyplot

    plt = import_pyplot()
    from sklearn.metrics import ConfusionMatrixDisplay

    out = []
    out.append(("One test image per class", _save(
        SampleGridDisplay.from_dataset(X_test, y_test), output / "samples.png"), None))

    keras_results = [r for r in results if r.keras]
    best_keras = max(keras_results, key=lambda r: r.accuracy) if keras_results else None
    logistic = next((r for r in results if r.model == "logistic"), None)
    pair = [r for r in (best_keras, logistic) if r is not None]
    if pair:
        fig, axes = plt.subplots(1, len(pair), figsize=(7.5 * len(pair), 6.8), squeeze=False)
        short = [n.split("/")[0][:8] for n in CLASS_NAMES]
        for ax, r in zip(axes.ravel(), pair):
            disp = ConfusionMatrixDisplay.from_predictions(
                y_test, np.asarray(r.y_pred), display_labels=short, ax=ax, colorbar=False,
                xticks_rotation=45)
            disp.ax_.set_title(f"{r.label}\naccuracy {r.accuracy:.4f}", fontsize=10)
        fig.tight_layout()
        fig.savefig(output / "confusion_matrices.png", dpi=110)
        plt.close(fig)
        out.append(("Confusion matrices", "confusion_matrices.png", None))

    if best_keras is not None and best_keras.history:
        disp = TrainingCurveDisplay(best_keras.history, name=best_keras.label).plot()
        out.append((f"Training curves of {best_keras.label}",
                    _save(disp, output / "training_curves.png"), None))

    out.append(("Accuracy against fit time", _save(
        AccuracyTimeDisplay.from_results(results), output / "accuracy_vs_time.png"), None))

    if best_keras is not None:
        disp = MisclassifiedDisplay.from_predictions(X_test, y_test, np.asarray(best_keras.y_pred))
        out.append((f"Test images {best_keras.label} got wrong",
                    _save(disp, output / "misclassified.png"), None))
    return out
