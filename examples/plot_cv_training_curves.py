"""
Training curves across cross-validation folds
=============================================

One training curve shows one fit; whether a model over-fits after epoch 5 or
only happened to on one split is a question about all the folds.
:meth:`TrainingCurveDisplay.from_cv_results
<skfashion.plotting.TrainingCurveDisplay.from_cv_results>` takes the result of
:func:`~sklearn.model_selection.cross_validate` with ``return_estimator=True``
and draws the mean training and validation curves across the folds with a
± 1 standard deviation band.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import cross_validate
from sklearn.pipeline import Pipeline

from skfashion import PixelScaler, SoftmaxClassifier
from skfashion.datasets import load_sample
from skfashion.plotting import TrainingCurveDisplay

(X, y), _ = load_sample()

# %%
# An MLP that over-fits the small sample
# --------------------------------------
# Each fold's estimator holds out the last 20% of its training part for
# validation (Keras's ``validation_split``, passed to ``fit`` through the
# pipeline), so every fold has a validation curve.
pipe = Pipeline([("scale", PixelScaler()),
                 ("clf", SoftmaxClassifier(hidden_layer_sizes=(256,), epochs=12,
                                           random_state=0))])
cv_results = cross_validate(pipe, X, y, cv=4, return_estimator=True,
                            params={"clf__validation_split": 0.2})
print("fold test scores:", cv_results["test_score"].round(3))

display = TrainingCurveDisplay.from_cv_results(cv_results, name="MLP (256,)")
plt.show()

# %%
# The numbers behind the band
# ---------------------------
# The display keeps what it drew: the mean history and its spread.
for key in ("loss", "val_loss"):
    mean, sd = np.asarray(display.history[key]), np.asarray(display.spread[key])
    best = int(mean.argmin()) if key == "val_loss" else len(mean) - 1
    print(f"{key}: epoch {best + 1} mean {mean[best]:.3f} ± {sd[best]:.3f}")
