"""scikit-learn's estimator checks on every public estimator of skfashion.

Estimators are found by discovery (every BaseEstimator subclass exported by
``skfashion``), each with the small fast settings of ``skfashion._testing``. An
expected failure is listed only where scikit-learn lists the same check for its
own comparable estimator, with the reason; ``xfail_strict`` makes a listed check
that starts passing fail.
"""

import re

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skfashion._testing import (
    check_settings,
    expected_failed_checks,
    public_estimators,
)


def test_discovery_finds_every_estimator():
    names = {type(e).__name__ for e in public_estimators()}
    assert names == {"PixelScaler", "SoftmaxClassifier", "KerasClassifier", "KerasRegressor",
                     "BaseWrapper", "EpochSearchCV"}
    assert set(check_settings()) == names


def _same_ids_in_every_process(mark):
    """scikit-learn's test ids name a model builder by its address
    (``<function small_regressor at 0x7f...>``); pytest-xdist's workers must
    collect the same ids, so the address is left out."""
    ids = mark.kwargs["ids"]

    def stable(obj):
        return re.sub(r"at0x[0-9a-f]+", "", ids(obj))

    return pytest.mark.parametrize(*mark.args, **{**mark.kwargs, "ids": stable})


@_same_ids_in_every_process(parametrize_with_checks(
    public_estimators(),
    expected_failed_checks=expected_failed_checks,
    xfail_strict=True,
).mark)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
