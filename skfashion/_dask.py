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

    Examples
    --------
    >>> from dask.distributed import Client  # doctest: +SKIP
    >>> with dask_backend(Client("tcp://scheduler:8786")):  # doctest: +SKIP
    ...     GridSearchCV(pipe, grid, n_jobs=-1).fit(X, y)
    """
    import joblib

    limit_worker_threads(client)
    with joblib.parallel_config(backend="dask"):
        yield client
