"""Checked by mypy (setup.cfg's [mypy] files), not run by pytest: methods that
return the estimator are typed as the estimator's own class, so a chain such as
``KerasClassifier(...).fit(X, y).predict_proba(X)`` type-checks (issue 31,
item 5: ``KerasClassifier().fit(...)`` was ``Any``)."""

from typing import Iterator, assert_type

import numpy as np

from skfashion import KerasClassifier, KerasRegressor, PixelScaler, SoftmaxClassifier

X = np.zeros((4, 784), np.float32)
y = np.array([0, 1, 0, 1])


def check() -> None:
    assert_type(KerasClassifier().fit(X, y), KerasClassifier)
    assert_type(KerasClassifier().partial_fit(X, y, classes=[0, 1]), KerasClassifier)
    assert_type(KerasClassifier().initialize(X, y), KerasClassifier)
    assert_type(SoftmaxClassifier().fit(X, y), SoftmaxClassifier)
    assert_type(SoftmaxClassifier().partial_fit(X, y), SoftmaxClassifier)
    assert_type(KerasRegressor().fit(X, y), KerasRegressor)
    assert_type(KerasRegressor().partial_fit(X, y), KerasRegressor)
    assert_type(PixelScaler().fit(X), PixelScaler)
    assert_type(SoftmaxClassifier().fit_epochs(X, y), Iterator[int])
    assert_type(SoftmaxClassifier().fit(X, y).predict_proba(X), np.ndarray)
