"""McNemar's test: do two classifiers differ on the same test set more than chance?"""

import numpy as np


def mcnemar(y_true, pred_a, pred_b):
    """Exact McNemar test of two classifiers' predictions on the same samples.

    Only the samples exactly one of them gets right count: ``b`` (A right, B
    wrong) and ``c`` (A wrong, B right). Under the hypothesis that both err
    equally often, ``b`` is binomial with ``n = b + c`` and ``p = 1/2``; the
    p-value is the exact two-sided binomial test.

    Parameters
    ----------
    y_true, pred_a, pred_b : array-like of shape (n_samples,)
        True labels and the two classifiers' predictions.

    Returns
    -------
    result : dict
        ``b``, ``c``, ``p_value`` and ``method``.

    See Also
    --------
    compare_best : The test applied to a benchmark's best Keras and classical models.

    Examples
    --------
    >>> from skfashion.benchmark import mcnemar
    >>> y = [0, 1, 1, 0, 1, 0, 1, 1]
    >>> r = mcnemar(y, [0, 1, 1, 0, 1, 0, 1, 1], [1, 0, 1, 0, 0, 1, 0, 1])
    >>> r["b"], r["c"], round(r["p_value"], 4)
    (5, 0, 0.0625)
    """
    from scipy.stats import binomtest

    y_true, pred_a, pred_b = (np.asarray(a) for a in (y_true, pred_a, pred_b))
    right_a, right_b = pred_a == y_true, pred_b == y_true
    b = int(np.sum(right_a & ~right_b))
    c = int(np.sum(~right_a & right_b))
    p_value = 1.0 if b + c == 0 else float(binomtest(b, b + c, 0.5).pvalue)
    return {"b": b, "c": c, "p_value": p_value, "method": "exact McNemar (binomial)"}
