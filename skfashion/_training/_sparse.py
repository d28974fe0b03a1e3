"""Host data for the backend runners: Keras's dtypes, sparse inputs densified
one small chunk of batches at a time.

scikit-learn hands sparse matrices to estimators (``OneHotEncoder``,
``TfidfVectorizer``); a Keras model takes dense batches. Densifying the whole
matrix costs ``n_samples * n_features`` floats (gigabytes for a one-hot
encoding of 20,000 categories); :class:`SparseFeed` keeps the matrix sparse on
the host and gives the backend runner dense rows for at most
:data:`DENSE_BYTES` at a time. The runner's chunks of steps (and so the
callback events) are unchanged: a chunk too large to densify at once runs as
several consecutive runner calls, whose metrics accumulate as one call's would.
"""

import numpy as np
import scipy.sparse as sp

from ._runner import Runner

#: Bytes of dense input built at once from a sparse matrix.
DENSE_BYTES = 2 * 2**20


def standardize(data):
    """Floats in Keras's float type, other dtypes as they are (Keras's rule)."""
    import keras

    floatx = np.dtype(keras.backend.floatx())

    def convert(array):
        if sp.issparse(array):  # densified a few rows at a time (SparseFeed)
            return array.astype(floatx) if array.dtype.kind == "f" and \
                array.dtype != floatx else array
        array = np.asarray(array)
        if array.dtype.kind == "f" and array.dtype != floatx:
            return array.astype(floatx)
        return array

    return keras.tree.map_structure(convert, data)


def is_sparse(data):
    import keras

    return any(sp.issparse(a) for a in keras.tree.flatten(data))


def densify(data, rows=None, *, keras_dtypes=True):
    """``data`` (a structure of arrays and sparse matrices) as dense arrays, for
    ``rows`` (all by default), floats in Keras's float type unless not ``keras_dtypes``."""
    import keras

    def dense(a):
        if rows is not None:
            a = a[rows]
        return a.toarray() if sp.issparse(a) else a

    data = keras.tree.map_structure(dense, data)
    return standardize(data) if keras_dtypes else data


def n_samples(data):
    """Samples in ``data`` (arrays, sparse matrices or structures of them)."""
    import keras

    return int(keras.tree.flatten(data)[0].shape[0])


def _row_bytes(data):
    import keras

    total = 0
    for a in keras.tree.flatten(data):
        width = int(np.prod(a.shape[1:])) if a.ndim > 1 else 1
        total += width * max(4, np.dtype(a.dtype).itemsize)
    return max(total, 1)


def dense_blocks(X):
    """Dense row blocks of ``X`` (a structure with sparse parts), in order."""
    n = n_samples(X)
    step = max(1, DENSE_BYTES // _row_bytes(X))
    for begin in range(0, n, step):
        yield densify(X, slice(begin, min(begin + step, n)))


class SparseFeed(Runner):
    """A runner over host data with sparse parts; ``runner`` gets dense sub-chunks."""

    def __init__(self, runner, batch_size):
        super().__init__(runner.model, batch_size)
        self.runner = runner

    @staticmethod
    def to_device(data):
        return data  # kept on the host, sparse

    @staticmethod
    def order(order):
        return np.asarray(order)

    def _steps_at_once(self, data, batch_size):
        return max(1, DENSE_BYTES // (_row_bytes(data) * batch_size))

    def _run(self, call, data, order, batch_size, begin, end):
        n = len(order)
        step = self._steps_at_once(data, batch_size)
        logs = {}
        for first in range(begin, end, step):
            last = min(first + step, end)
            rows = order[first * batch_size:min(last * batch_size, n)]
            dense = self.runner.to_device(densify(data, rows))
            logs = call(dense, self.runner.order(np.arange(len(rows))), 0, last - first)
        return logs

    def train(self, data, order, begin, end):
        """Train steps ``begin`` to ``end - 1`` of an epoch, densifying as they go."""
        return self._run(self.runner.train, data, order, self.batch_size, begin, end)

    def test(self, data, batch_size, begin, end):
        """Test steps ``begin`` to ``end - 1`` over ``data`` in order."""

        def call(dense, order, first, last):
            return self.runner.test(dense, batch_size, first, last)

        return self._run(call, data, np.arange(n_samples(data)), batch_size, begin, end)

    def sync(self):
        self.runner.sync()

    def close(self):
        self.runner.close()
