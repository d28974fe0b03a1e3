"""scikit-learn style early stopping, written once for the estimators that offer it
(``SoftmaxClassifier``, ``KerasClassifier``, ``KerasRegressor``): its four
parameters' constraints and what the fit path reads from them. Where it applies
the held-out split and restores the best weights: ``_fitting``."""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval


class _EarlyStoppingMixin:
    """``early_stopping``, ``validation_fraction``, ``n_iter_no_change`` and ``tol``."""

    #: Merged into each estimator's ``_parameter_constraints``.
    _early_stopping_constraints = {
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
    }

    def _early_stopping(self):
        """None, or ``(validation_fraction, n_iter_no_change, tol)`` when it is on."""
        if not self.early_stopping:
            return None
        return self.validation_fraction, self.n_iter_no_change, self.tol
