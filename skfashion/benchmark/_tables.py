"""The benchmark's results as tables: one row per model (medians over repeats, the
paper's figure beside ours) and the comparison of the best models."""

from ._stats import mcnemar


def compare_best(results, y_test):
    """McNemar's test between the best Keras model and the best classical model.

    Uses the first run of each (same test images, same seed).

    Parameters
    ----------
    results : list of Result
        From :func:`run_benchmark`.
    y_test : array-like of shape (n_samples,)
        The test labels.

    Returns
    -------
    comparison : dict or None
        The two models and :func:`~skfashion.benchmark.mcnemar`'s result;
        None when the results lack one of the two kinds.

    See Also
    --------
    format_comparison : The result as a sentence.
    run_benchmark : Makes the results compared.

    Examples
    --------
    >>> from skfashion.benchmark import Result, compare_best
    >>> def first_run(accuracy, y_pred):
    ...     return [{"seed": 0, "accuracy": accuracy, "fit_seconds": 1.0,
    ...              "predict_seconds": 0.002, "y_pred": y_pred}]
    >>> results = [Result.from_runs("softmax", first_run(0.75, [0, 1, 2, 2])),
    ...            Result.from_runs("logistic", first_run(0.5, [0, 1, 1, 1]))]
    >>> comparison = compare_best(results, y_test=[0, 1, 2, 3])
    >>> comparison["a_label"], comparison["b_label"], comparison["p_value"]
    ('SoftmaxClassifier (tutorial)', 'LogisticRegression', 1.0)
    """
    keras_best = max((r for r in results if r.keras), key=lambda r: r.accuracy, default=None)
    classical = max((r for r in results if not r.keras), key=lambda r: r.accuracy, default=None)
    if keras_best is None or classical is None:
        return None
    test = mcnemar(y_test, keras_best.y_pred, classical.y_pred)
    return {"a": keras_best.model, "a_label": keras_best.label,
            "a_accuracy": keras_best.runs[0]["accuracy"], "b": classical.model,
            "b_label": classical.label, "b_accuracy": classical.runs[0]["accuracy"], **test}


def format_table(results):
    """A Markdown table of the results, best mean accuracy first.

    Parameters
    ----------
    results : list of Result
        From :func:`run_benchmark`.

    Returns
    -------
    table : str

    See Also
    --------
    write_report : Writes this table, and more, to files.

    Examples
    --------
    >>> from skfashion.benchmark import Result, format_table
    >>> run = {"seed": 0, "accuracy": 0.75, "fit_seconds": 1.0, "predict_seconds": 0.002,
    ...        "y_pred": [0, 1, 2, 2]}
    >>> classical = Result.from_runs("logistic", [{**run, "accuracy": 0.5, "seed": None}])
    >>> keras_model = Result.from_runs("softmax", [run])
    >>> print(format_table([classical, keras_model]).splitlines()[2])
    | SoftmaxClassifier (tutorial) | 0.7500 | ...
    """
    header = "| " + " | ".join(TABLE_COLUMNS) + " |\n|---|---:|---:|---:|---:|---:|\n"
    rows = ["| " + " | ".join(cells) + " |" for cells in table_rows(results)]
    return header + "\n".join(rows) + "\n"


#: The columns of the results table (Markdown, the terminal and report.html).
TABLE_COLUMNS = ("model", "test accuracy", "runs", "paper", "fit (s)",
                 "predict (ms / 1,000 images)")


def table_rows(results):
    """The cells of the results table, best mean accuracy first.

    Means with ± one standard deviation over the runs where a model ran more
    than once (accuracy, fit time and prediction time alike).

    Parameters
    ----------
    results : list of Result
        From :func:`run_benchmark`.

    Returns
    -------
    rows : list of tuple of str
        One tuple of cells per model, in the order of ``TABLE_COLUMNS``.
    """
    rows = []
    for r in sorted(results, key=lambda r: -r.accuracy):
        several = len(r.runs) > 1
        paper = f"{r.paper_accuracy:.3f}" if r.paper_accuracy is not None else ""
        rows.append((
            r.label,
            f"{r.accuracy:.4f}" + (f" ± {r.accuracy_std:.4f}" if several else ""),
            str(len(r.runs)), paper,
            f"{r.fit_seconds:.1f}" + (f" ± {r.fit_std:.1f}" if several else ""),
            f"{r.predict_ms_per_1000:.2f}" + (f" ± {r.predict_std:.2f}" if several else ""),
        ))
    return rows


def format_comparison(comparison):
    """One sentence on :func:`compare_best`'s result.

    Parameters
    ----------
    comparison : dict or None
        From :func:`compare_best`.

    Returns
    -------
    text : str
        Empty when there is nothing to compare.

    See Also
    --------
    compare_best : Makes the comparison this describes.

    Examples
    --------
    >>> from skfashion.benchmark import format_comparison
    >>> print(format_comparison({
    ...     "a_label": "SoftmaxClassifier (tutorial)", "a_accuracy": 0.75,
    ...     "b_label": "LogisticRegression", "b_accuracy": 0.5, "b": 1, "c": 0,
    ...     "method": "exact McNemar (binomial)", "p_value": 1.0}))
    SoftmaxClassifier (tutorial) (0.7500) against LogisticRegression (0.5000) on the same test
    images, first run of each: 1 images only the first gets right, 0 only the second; exact
    McNemar (binomial) p = 1, a difference within what chance explains (p >= 0.05).
    """
    if comparison is None:
        return ""
    verdict = ("more than chance (p < 0.05)" if comparison["p_value"] < 0.05
               else "within what chance explains (p >= 0.05)")
    return (
        f"{comparison['a_label']} ({comparison['a_accuracy']:.4f}) against "
        f"{comparison['b_label']} ({comparison['b_accuracy']:.4f}) on the same test images, "
        f"first run of each: {comparison['b']} images only the first gets right, "
        f"{comparison['c']} only the second; {comparison['method']} p = "
        f"{comparison['p_value']:.3g}, a difference {verdict}."
    )
