"""scikit-learn's estimator checks on every public estimator of skfashion.

Estimators are found by discovery (every BaseEstimator subclass exported by
``skfashion``), each with the small fast settings of ``_check_settings``. An
expected failure is listed only where scikit-learn lists the same check for its
own comparable estimator, with the reason; ``xfail_strict`` makes a listed check
that starts passing fail.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skfashion._check_settings import (
    check_settings,
    expected_failed_checks,
    public_estimators,
)


def test_discovery_finds_every_estimator():
    names = {type(e).__name__ for e in public_estimators()}
    assert names == {"PixelScaler", "SoftmaxClassifier", "KerasClassifier", "KerasRegressor",
                     "BaseWrapper", "EpochSearchCV"}
    assert set(check_settings()) == names


@parametrize_with_checks(
    public_estimators(),
    expected_failed_checks=expected_failed_checks,
    xfail_strict=True,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
