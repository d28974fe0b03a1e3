"""Run scikit-learn's joblib work (grid searches, benchmarks) on a Dask cluster.

Needs the optional extra: ``pip install "skfashion[dask]"``.
"""

from ._support._dask import dask_backend, limit_worker_threads

__all__ = ["dask_backend", "limit_worker_threads"]
