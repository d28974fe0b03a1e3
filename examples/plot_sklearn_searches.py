"""
scikit-learn's searches, each path of epochs trained once
==========================================================

``skfashion.model_selection`` has scikit-learn's ``GridSearchCV``,
``RandomizedSearchCV``, ``HalvingGridSearchCV`` and ``HalvingRandomSearchCV``
under their own names: the same classes, with the fits that differ only in
``epochs`` served from one training run per fold and candidate. This example
runs scikit-learn's class and skfashion's on the same data, checks that the
results are equal, and times both.
"""

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn import model_selection as sklearn_searches
from sklearn.pipeline import Pipeline

from skfashion import PixelScaler, SoftmaxClassifier
from skfashion import model_selection as skfashion_searches
from skfashion.datasets import load_sample

(X, y), _ = load_sample()
X, y = X[:1500], y[:1500]
pipe = Pipeline([("scale", PixelScaler()), ("clf", SoftmaxClassifier(random_state=0))])
grid = {"clf__learning_rate": [1e-3, 1e-2, 1e-1], "clf__epochs": [1, 2, 4, 8]}
pipe.fit(X[:100], y[:100])  # the backend's first-use costs, outside both clocks


def run(module):
    search = module.GridSearchCV(pipe, grid, cv=3, scoring=["accuracy", "neg_log_loss"],
                                 refit="accuracy", return_train_score=True)
    start = time.perf_counter()
    search.fit(X, y)
    return search, time.perf_counter() - start


theirs, their_seconds = run(sklearn_searches)
ours, our_seconds = run(skfashion_searches)
same = all(np.array_equal(theirs.cv_results_[k], ours.cv_results_[k])
           for k in theirs.cv_results_ if k.endswith("_score"))
print(f"scikit-learn's GridSearchCV: {their_seconds:.1f} s, best {theirs.best_params_}")
print(f"skfashion's GridSearchCV:    {our_seconds:.1f} s, best {ours.best_params_}")
print("every score equal:", same)

# %%
# A halving search over epochs continues its survivors
# ----------------------------------------------------
# With ``resource="clf__epochs"``, each rung trains the candidates that remain
# for more epochs. scikit-learn trains each of them again from the start;
# skfashion's class continues each from where the previous rung left it.
halving = dict(param_grid={"clf__learning_rate": [float(f"{r:.2g}") for r in np.logspace(-4, -0.5, 9)]},
               resource="clf__epochs", min_resources=1, max_resources=9, factor=3, cv=3)
timings = {}
for name, module in (("scikit-learn", sklearn_searches), ("skfashion", skfashion_searches)):
    start = time.perf_counter()
    search = module.HalvingGridSearchCV(pipe, **halving).fit(X, y)
    timings[name] = time.perf_counter() - start
    print(f"{name}: {timings[name]:.1f} s, rungs {search.n_resources_} epochs, "
          f"best {search.best_params_}")

fig, ax = plt.subplots(figsize=(5, 2.5), layout="constrained")
labels = ["grid, scikit-learn", "grid, skfashion", "halving, scikit-learn", "halving, skfashion"]
ax.barh(labels, [their_seconds, our_seconds, timings["scikit-learn"], timings["skfashion"]],
        color=["0.6", "C0", "0.6", "C0"])
ax.invert_yaxis()
ax.set_xlabel("seconds (this build's machine)")
ax.set_title("The same searches, the same results")
plt.show()
