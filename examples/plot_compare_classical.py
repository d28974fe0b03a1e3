"""
Comparing with classical scikit-learn models
============================================

Is a Keras model worth it here? Put it in the same pipeline as
:class:`~sklearn.linear_model.LogisticRegression` and friends, fit each on the
same training images, and compare test accuracy against fit and prediction
time. :func:`skfashion.benchmark.run_benchmark` does exactly that (it is what
the ``skfashion benchmark`` command runs) and
:class:`~skfashion.plotting.AccuracyTimeDisplay` draws the result.
"""

# %%
# Running a small benchmark
# -------------------------
# Four models of the benchmark's list, two seeds for the seeded ones, on the
# embedded sample. On the full data, and with the CNN, the command's report
# ranks the models differently: small samples favour simple models.
import matplotlib.pyplot as plt

from skfashion.benchmark import compare_best, format_comparison, format_table, run_benchmark
from skfashion.datasets import load_sample

(X, y), (X_test, y_test) = load_sample()
results = run_benchmark(X, y, X_test, y_test,
                        models=["softmax", "mlp", "logistic", "sgd"], repeats=2)
print(format_table(results))

# %%
# Is the difference real?
# -----------------------
# McNemar's exact test on the same test images: how many images only one of
# the two best models gets right.
print(format_comparison(compare_best(results, y_test)))

# %%
# Accuracy against time
# ---------------------
# Error bars are ± 1 standard deviation over the repeats; the panel notes that
# these runs used the sample, not the full data the published figures used.
from skfashion.plotting import AccuracyTimeDisplay

AccuracyTimeDisplay.from_results(results)
plt.show()
