import subprocess
import sys

import numpy as np
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline

from skfashion import PixelScaler, SoftmaxClassifier

SCRIPT = """
import numpy as np
from skfashion import PixelScaler, SoftmaxClassifier
from skfashion.datasets import load_sample
(X, y), (X_test, _) = load_sample()
clf = SoftmaxClassifier(hidden_layer_sizes=(16,), dropout=0.1, epochs=2, random_state=5)
clf.fit(PixelScaler().transform(X[:800]), y[:800])
np.save({out!r}, clf.predict_proba(PixelScaler().transform(X_test[:200])))
"""


def test_bit_identical_across_processes(sample, tmp_path):
    (X, y), (X_test, _) = sample
    out = tmp_path / "proba.npy"
    subprocess.run([sys.executable, "-c", SCRIPT.format(out=str(out))], check=True)
    clf = SoftmaxClassifier(hidden_layer_sizes=(16,), dropout=0.1, epochs=2, random_state=5)
    clf.fit(PixelScaler().transform(X[:800]), y[:800])
    np.testing.assert_array_equal(np.load(out), clf.predict_proba(PixelScaler().transform(X_test[:200])))


def test_same_results_with_one_or_two_jobs(sample):
    (X, y), _ = sample
    X, y = X[:600], y[:600]
    pipe = make_pipeline(PixelScaler(), SoftmaxClassifier(random_state=0))
    cv = KFold(3, shuffle=True, random_state=0)
    serial = cross_val_score(pipe, X, y, cv=cv, n_jobs=1, scoring="neg_log_loss")
    parallel = cross_val_score(pipe, X, y, cv=cv, n_jobs=2, scoring="neg_log_loss")
    np.testing.assert_array_equal(serial, parallel)
    grid = {"softmaxclassifier__epochs": [1, 2]}
    a = GridSearchCV(pipe, grid, cv=cv, n_jobs=1, scoring="neg_log_loss").fit(X, y)
    b = GridSearchCV(pipe, grid, cv=cv, n_jobs=2, scoring="neg_log_loss").fit(X, y)
    np.testing.assert_array_equal(a.cv_results_["mean_test_score"],
                                  b.cv_results_["mean_test_score"])
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
