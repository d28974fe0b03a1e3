"""The benchmark's report: Markdown and self-contained HTML pages, JSON, CSV, pictures.

Both pages and the JSON record when, where and with what the results were
measured (date, machine, versions of Python, skfashion, scikit-learn, Keras,
the Keras backend and NumPy). The HTML page embeds its pictures, so it opens
from disk anywhere.
"""

import base64
import csv
import datetime
import html
import json
import os
import platform
from pathlib import Path

import numpy as np

from .._support._optional import install_hint
from ..datasets import CLASS_NAMES
from ._run import PREDICT_BUDGET_S, PREDICT_REPEATS
from ._tables import TABLE_COLUMNS, compare_best, format_comparison, format_table, table_rows

_PICTURES_NEED = f"{install_hint('plotting', 'matplotlib')} for the pictures"


def machine_summary():
    """A one-line description of the machine, for reports and benchmark tables.

    Returns
    -------
    summary : str
        Processor, cores and Python version.

    See Also
    --------
    environment : Versions and the machine in detail.

    Examples
    --------
    >>> import platform
    >>> from skfashion.benchmark import machine_summary
    >>> platform.python_version() in machine_summary()
    True
    """
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


def environment():
    """Date, machine and library versions, as recorded in every report.

    Returns
    -------
    environment : dict of str

    See Also
    --------
    machine_summary : The machine in one line.
    write_report : Records this in every report.

    Examples
    --------
    >>> from skfashion.benchmark import environment
    >>> env = environment()
    >>> {"python", "scikit-learn", "keras", "keras_backend"} <= set(env)
    True
    """
    import importlib.metadata as metadata

    import keras
    import sklearn

    from .._version import __version__

    backend = keras.backend.backend()
    distribution = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}.get(backend)
    try:
        backend_version = metadata.version(distribution) if distribution else ""
    except metadata.PackageNotFoundError:
        backend_version = ""
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine_summary(),
        "python": platform.python_version(),
        "skfashion": __version__,
        "scikit-learn": sklearn.__version__,
        "keras": keras.__version__,
        "keras_backend": f"{backend} {backend_version}".strip(),
        "numpy": np.__version__,
    }


def check_output(output):
    """Fail early, before any model is fitted, when ``output`` cannot hold a report.

    Parameters
    ----------
    output : str or path-like
        The report directory (created if needed).

    Returns
    -------
    output : Path

    Raises
    ------
    OSError
        If ``output`` exists and is not a directory, or cannot be created or
        written to.

    See Also
    --------
    write_report : Writes the report into that directory.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skfashion.benchmark import check_output
    >>> base = Path(tempfile.mkdtemp())
    >>> check_output(base / "report").is_dir()
    True
    >>> _ = (base / "a-file").write_text("")
    >>> check_output(base / "a-file")
    Traceback (most recent call last):
    ...
    OSError: ...
    """
    output = Path(output)
    if output.exists() and not output.is_dir():
        raise OSError(f"--output {output} exists and is not a directory; choose another path.")
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OSError(f"Cannot create the report directory {output}: {exc.strerror or exc}") \
            from exc
    if not os.access(output, os.W_OK):
        raise OSError(f"The report directory {output} is not writable; choose another --output.")
    return output


def write_report(results, output, *, X_test, y_test, data_source, context=None):
    """Write ``report.md``, ``report.html``, ``results.json``, ``results.csv`` and PNGs.

    Parameters
    ----------
    results : list of Result
        From :func:`run_benchmark`.
    output : str or path-like
        Directory (created if needed).
    X_test, y_test : ndarray
        The test images and labels the results were measured on.
    data_source : str
        Where the data came from.
    context : dict, default=None
        Settings of the run (repeats, seed...), recorded in the report.

    Returns
    -------
    report : Path
        The path of ``report.md``.

    See Also
    --------
    check_output : Checks the directory before any model is fitted.
    run_benchmark : Makes the results.

    Examples
    --------
    >>> from skfashion.benchmark import Result
    >>> results = [Result.from_runs(name, [{"seed": 0, "accuracy": accuracy, "fit_seconds": 1.0,
    ...                                     "predict_seconds": 0.002, "y_pred": y_pred}])
    ...            for name, accuracy, y_pred in [("softmax", 0.75, [0, 1, 2, 2]),
    ...                                           ("logistic", 0.5, [0, 1, 1, 1])]]

    >>> import tempfile
    >>> import matplotlib
    >>> import numpy as np
    >>> matplotlib.use("Agg")
    >>> from skfashion.benchmark import write_report
    >>> X_test = np.zeros((4, 28, 28), dtype=np.uint8)
    >>> report = write_report(results, tempfile.mkdtemp(), X_test=X_test,
    ...                       y_test=np.array([0, 1, 2, 3]), data_source="an example")
    >>> report.name, sorted(p.suffix for p in report.parent.iterdir())[:4]
    ('report.md', ['.csv', '.html', '.json', '.md'])
    """
    output = check_output(output)
    env = environment()
    comparison = compare_best(results, y_test)
    meta = {"data": data_source, **env, **(context or {})}
    rows = [r.row() for r in results]
    (output / "results.json").write_text(json.dumps(
        {"meta": meta, "comparison": comparison, "results": rows}, indent=1))
    with open(output / "results.csv", "w", newline="") as fh:
        flat = [{k: v for k, v in r.items() if k != "runs"} for r in rows]
        writer = csv.DictWriter(fh, fieldnames=list(flat[0]))
        writer.writeheader()
        writer.writerows(flat)
    try:
        pictures = _pictures(results, output, X_test, y_test, load_note=_load_note(meta))
        note = None
    except ImportError:
        pictures, note = [], f"No pictures: {_PICTURES_NEED}."
    intro = (
        f"Data: {data_source}. Every model is fitted through `Pipeline([PixelScaler(), model])` "
        "on the same training images and scored on the same test images; models whose "
        "result depends on the seed are fitted once per seed and shown as mean ± standard "
        "deviation. 'predict' is the median of up to "
        f"{PREDICT_REPEATS} calls of `pipe.predict` on the whole test set after a first, "
        f"untimed warm-up call (the same for every model; after {PREDICT_BUDGET_S:g} s of "
        "timed calls, no more: at least one). 'paper' is the best "
        "configuration's test accuracy in Xiao, Rasul and Vollgraf (2017), Table 3, a "
        "reference for the accuracy only."
    )
    report = output / "report.md"
    report.write_text(_markdown(results, meta, comparison, pictures, note, intro))
    (output / "report.html").write_text(
        _html(results, meta, comparison, pictures, note, intro, output))
    return report


def _env_lines(meta):
    keys = ("date", "machine", "python", "skfashion", "scikit-learn", "keras", "keras_backend",
            "numpy", "repeats", "random_state", "n_jobs", "load_average_start",
            "load_average_end")
    return [(k, meta[k]) for k in keys if meta.get(k) is not None]


def _markdown(results, meta, comparison, pictures, note, intro):
    lines = ["# skfashion benchmark", "", intro, "", format_table(results)]
    if comparison is not None:
        lines += ["## Is the best Keras model better than the best classical model?", "",
                  format_comparison(comparison), ""]
    for title, name in pictures:
        lines += [f"## {title}", "", f"![{title}]({name})", ""]
    if note:
        lines += [note, ""]
    lines += ["## Environment", ""] + [f"- {k}: {v}" for k, v in _env_lines(meta)] + [""]
    lines += ["Raw results: [results.json](results.json), [results.csv](results.csv).", ""]
    return "\n".join(lines)


def _html_table(results):
    head = "".join(f"<th>{html.escape(c)}</th>" for c in TABLE_COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"
                   for cells in table_rows(results))
    # A phone-width screen scrolls the table, not the page.
    return f"<div class='scroll'><table><tr>{head}</tr>{body}</table></div>"


def _inline_code(text):
    """Escaped ``text`` with its Markdown `code` spans as <code> elements."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def _html(results, meta, comparison, pictures, note, intro, output):
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<title>skfashion benchmark</title><style>",
        "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}",
        ".scroll{overflow-x:auto;max-width:100%}",
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}",
        "td:not(:first-child){text-align:right;white-space:nowrap}",
        "img{max-width:100%;height:auto}li{overflow-wrap:anywhere}",
        # A figure keeps a readable width on a phone: its box scrolls sideways
        # (the page does not), and a link opens the picture full size.
        ".figure{overflow-x:auto;max-width:100%}",
        "@media (max-width:700px){.figure img{width:700px;max-width:none}}",
        "</style></head><body>",
        "<h1>skfashion benchmark</h1>", f"<p>{_inline_code(intro)}</p>", _html_table(results),
    ]
    if comparison is not None:
        parts += ["<h2>Is the best Keras model better than the best classical model?</h2>",
                  f"<p>{_inline_code(format_comparison(comparison))}</p>"]
    for title, name in pictures:
        data = base64.b64encode((output / name).read_bytes()).decode("ascii")
        parts += [f"<h2>{html.escape(title)}</h2>",
                  f"<div class='figure'><img alt='{html.escape(title)}' "
                  f"src='data:image/png;base64,{data}'></div>",
                  f"<p><a href='{html.escape(name)}'>Open {html.escape(name)} full size</a>"
                  "</p>"]
    if note:
        parts.append(f"<p>{_inline_code(note)}</p>")
    parts.append("<h2>Environment</h2><ul>")
    parts += [f"<li>{html.escape(str(k))}: {html.escape(str(v))}</li>" for k, v in _env_lines(meta)]
    parts.append("</ul></body></html>")
    return "\n".join(parts)


def _save(figure, path):
    import matplotlib.pyplot as plt

    figure.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(figure)
    return path.name


def _load_note(meta):
    """A warning for the figure when the machine was busy before the run began.

    The 1-minute load average at the start counts the work of other programs
    (the run's own work is in the one at the end): from half the cores on, the
    times of this run are not comparable with a quiet machine's.
    """
    import re

    found = re.match(r"\s*([0-9.]+)", str(meta.get("load_average_start") or ""))
    cores = os.cpu_count() or 1
    if found is None or float(found.group(1)) < 0.5 * cores:
        return None
    return (f"Times measured under load: load average {float(found.group(1)):.2f} on "
            f"{cores} cores when the run began; compare them only with runs on a quiet "
            "machine.")


def _pictures(results, output, X_test, y_test, *, load_note=None):
    from sklearn.metrics import ConfusionMatrixDisplay

    from ..plotting import (
        AccuracyTimeDisplay,
        MisclassifiedDisplay,
        SampleGridDisplay,
        TrainingCurveDisplay,
    )
    from ..plotting._mpl import import_pyplot

    plt = import_pyplot()
    out = [("One test image per class",
            _save(SampleGridDisplay.from_dataset(X_test, y_test).figure_,
                  output / "samples.png"))]

    keras_best = max((r for r in results if r.keras), key=lambda r: r.accuracy, default=None)
    classical = max((r for r in results if not r.keras), key=lambda r: r.accuracy, default=None)
    pair = [r for r in (keras_best, classical) if r is not None]
    fig, axes = plt.subplots(1, len(pair), figsize=(8.5 * len(pair), 8), squeeze=False)
    for ax, r in zip(axes.ravel(), pair):
        disp = ConfusionMatrixDisplay.from_predictions(
            y_test, np.asarray(r.y_pred), labels=np.arange(len(CLASS_NAMES)),
            display_labels=list(CLASS_NAMES), ax=ax,
            colorbar=False, xticks_rotation=45)
        disp.ax_.set_title(f"{r.label}\naccuracy {r.runs[0]['accuracy']:.4f} (first run)",
                           fontsize=10)
    out.append(("Confusion matrices of the best Keras and the best classical model",
                _save(fig, output / "confusion_matrices.png")))

    if keras_best is not None and keras_best.history.get("loss"):
        disp = TrainingCurveDisplay(keras_best.history, name=keras_best.label).plot()
        out.append((f"Training curves of {keras_best.label} (first run)",
                    _save(disp.figure_, output / "training_curves.png")))

    disp = AccuracyTimeDisplay.from_results(results, load_note=load_note)
    out.append(("Accuracy against the time it costs (fit, and predicting the test set)",
                _save(disp.figure_, output / "accuracy_vs_time.png")))

    if keras_best is not None:
        disp = MisclassifiedDisplay.from_predictions(
            y_test, np.asarray(keras_best.y_pred), images=X_test,
            confidence=keras_best.y_confidence or None)
        out.append((f"The most confident mistakes of {keras_best.label} (first run), with the "
                    "probability it gave the wrong class" if keras_best.y_confidence else
                    f"Test images {keras_best.label} got wrong (first run)",
                    _save(disp.figure_, output / "misclassified.png")))
    return out
