"""scikit-learn style early stopping, declared once for the estimators that offer it
(``SoftmaxClassifier``, ``KerasClassifier``, ``KerasRegressor``): its four
parameters' constraints. ``_BaseKeras._early_stopping`` reads them at fit;
``_fitting`` applies the held-out split and restores the best weights."""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval

#: Merged into each such estimator's ``_parameter_constraints``.
EARLY_STOPPING_CONSTRAINTS = {
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
    "tol": [Interval(Real, 0, None, closed="left")],
}
