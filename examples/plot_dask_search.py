"""
A grid search on a Dask cluster
===============================

scikit-learn runs a search's fits through joblib, and joblib can send them to
a Dask cluster: :func:`skfashion.dask.dask_backend` switches joblib to Dask
and limits each worker's threads to its share of cores. Here the cluster is a
:class:`~distributed.LocalCluster` of two worker processes on this machine;
with a real cluster only the address changes. A seeded search gives the same
scores on the cluster as in this process, which the example checks.
"""

# %%
import numpy as np
from dask.distributed import Client, LocalCluster
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skfashion import PixelScaler, SoftmaxClassifier
from skfashion.dask import dask_backend
from skfashion.datasets import load_sample

(X, y), _ = load_sample()
X, y = X[:1500], y[:1500]
pipe = Pipeline([("scale", PixelScaler()), ("clf", SoftmaxClassifier(random_state=0))])
grid = {"clf__epochs": [1, 3]}

# %%
# The same search, locally and on the cluster
# -------------------------------------------
# (Run as a script, the worker processes import this file: the guard keeps
# them from running the searches themselves.)
if __name__ == "__main__":
    local = GridSearchCV(pipe, grid, cv=2).fit(X, y)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        with dask_backend(client):
            on_dask = GridSearchCV(pipe, grid, cv=2, n_jobs=-1).fit(X, y)

    print("local :", local.cv_results_["mean_test_score"].round(4))
    print("dask  :", on_dask.cv_results_["mean_test_score"].round(4))
    print("identical:", np.array_equal(local.cv_results_["mean_test_score"],
                                       on_dask.cv_results_["mean_test_score"]))
