"""
Searching over epochs with EpochSearchCV
========================================

:class:`~sklearn.model_selection.GridSearchCV` over ``epochs=[1, 2, 4, 8]``
trains every candidate from scratch: 15 epochs per fold.
:class:`~skfashion.EpochSearchCV` trains each fold once, up to 8 epochs, and
scores the model after each requested epoch. With an integer ``random_state``
the first *e* epochs of a longer fit are exactly a fit of *e* epochs, so both
searches give the same scores; this example checks it, and times both.
"""

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline

from skfashion import EpochSearchCV, PixelScaler, SoftmaxClassifier
from skfashion.datasets import load_sample

(X, y), (X_test, y_test) = load_sample()
pipe = Pipeline([("scale", PixelScaler()),
                 ("clf", SoftmaxClassifier(hidden_layer_sizes=(64,), random_state=0))])
epochs = [1, 2, 4, 8]
cv = StratifiedKFold(3, shuffle=True, random_state=0)

start = time.perf_counter()
path = EpochSearchCV(pipe, epochs=epochs, cv=cv).fit(X, y)
path_seconds = time.perf_counter() - start

start = time.perf_counter()
grid = GridSearchCV(pipe, {"clf__epochs": epochs}, cv=cv).fit(X, y)
grid_seconds = time.perf_counter() - start

print("EpochSearchCV :", path.best_params_, f"{path.best_score_:.4f}", f"{path_seconds:.1f} s")
print("GridSearchCV  :", grid.best_params_, f"{grid.best_score_:.4f}", f"{grid_seconds:.1f} s")
print("largest score difference:",
      np.abs(path.cv_results_["mean_test_score"] - grid.cv_results_["mean_test_score"]).max())

# %%
# The validation curve over epochs
# --------------------------------
# ``cv_results_`` has GridSearchCV's format: one row per epoch count, with the
# mean and standard deviation of the fold scores.
results = path.cv_results_
fig, ax = plt.subplots(figsize=(5, 3.5), layout="constrained")
ax.errorbar(results["param_clf__epochs"].astype(int), results["mean_test_score"],
            yerr=results["std_test_score"], marker="o", capsize=3)
ax.set_xlabel("epochs")
ax.set_ylabel("mean accuracy over 3 folds (± 1 sd)")
ax.set_xscale("log", base=2)
ax.set_title("EpochSearchCV: one training run per fold")
plt.show()

# %%
# The refitted best model
# -----------------------
# ``best_estimator_`` is the pipeline refitted on all the training data with
# the best number of epochs.
print(f"test accuracy of the best pipeline: {path.score(X_test, y_test):.3f}")
