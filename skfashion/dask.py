"""Run scikit-learn's joblib work (grid searches, benchmarks) on a Dask cluster.

Needs dask and distributed: ``pip install dask distributed`` (or, in skfashion's
source folder, ``pip install '.[dask]'``).
"""

from ._support._dask import dask_backend, limit_worker_threads

__all__ = ["dask_backend", "limit_worker_threads"]
