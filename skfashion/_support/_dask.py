"""Running joblib work (grid searches, benchmarks) on a Dask cluster."""

from contextlib import contextmanager


def _limit_threads(n_threads):
    """Runs on each worker: cap the threads of TensorFlow and of BLAS libraries."""
    import os

    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n_threads)
    os.environ["TF_NUM_INTRAOP_THREADS"] = str(n_threads)
    os.environ["TF_NUM_INTEROP_THREADS"] = "1"
    try:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(n_threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except (ImportError, RuntimeError):
        pass  # TensorFlow already initialised: the environment applies to new processes
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(n_threads)
    except ImportError:
        pass
    return n_threads


def limit_worker_threads(client):
    """Give each Dask worker's TensorFlow and BLAS its share of the worker's cores.

    A worker running ``nthreads`` tasks at once on ``ncores`` cores gets
    ``max(1, ncores // nthreads)`` threads per library, so tasks do not
    oversubscribe the machine.

    Parameters
    ----------
    client : dask.distributed.Client
        A client of the cluster.

    Returns
    -------
    limits : dict
        Worker address to the thread count applied.

    See Also
    --------
    dask_backend : Calls this, then sends joblib's work to the cluster.

    Examples
    --------
    >>> from dask.distributed import Client, LocalCluster
    >>> from skfashion.dask import limit_worker_threads
    >>> with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
    ...                   dashboard_address=":0") as cluster, Client(cluster) as client:
    ...     limits = limit_worker_threads(client)
    >>> list(limits.values()) >= [1]
    True
    """
    import os

    cores = client.run(os.cpu_count)  # worker address -> cores of its machine
    limits = {}
    for address, worker in client.scheduler_info()["workers"].items():
        share = max(1, cores[address] // max(1, int(worker.get("nthreads", 1))))
        limits[address] = client.run(_limit_threads, share, workers=[address])[address]
    return limits


@contextmanager
def dask_backend(client):
    """Send joblib work (``n_jobs`` of scikit-learn) to the cluster of ``client``.

    Limits each worker's threads first (see :func:`limit_worker_threads`).

    Parameters
    ----------
    client : dask.distributed.Client
        A client of the cluster.

    Yields
    ------
    client : dask.distributed.Client
        The same client, with joblib's backend set to Dask inside the block.

    See Also
    --------
    limit_worker_threads : What it does to each worker first.
    joblib.parallel_config : The joblib setting it switches.

    Examples
    --------
    On a real cluster, ``Client("tcp://scheduler-host:8786")``; here a cluster
    of threads in this process:

    >>> from dask.distributed import Client, LocalCluster
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.pipeline import make_pipeline
    >>> from skfashion import PixelScaler, SoftmaxClassifier
    >>> from skfashion.dask import dask_backend
    >>> from skfashion.datasets import load_sample
    >>> (X, y), _ = load_sample()
    >>> pipe = make_pipeline(PixelScaler(), SoftmaxClassifier(random_state=0))
    >>> grid = {"softmaxclassifier__epochs": [1, 2]}
    >>> with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
    ...                   dashboard_address=":0") as cluster, Client(cluster) as client:
    ...     with dask_backend(client):
    ...         search = GridSearchCV(pipe, grid, cv=2, n_jobs=-1).fit(X[:600], y[:600])
    >>> sorted(search.best_params_)
    ['softmaxclassifier__epochs']
    """
    import joblib

    limit_worker_threads(client)
    with joblib.parallel_config(backend="dask"):
        yield client
