"""skfashion: Keras models that behave like scikit-learn estimators.

Importing the package is cheap: Keras and its backend load on the first fit,
prediction or load of a model, and nothing global is changed.
"""

from ._classifier import KerasClassifier
from ._epoch_search import EpochSearchCV
from ._persist import load
from ._pixel import PixelScaler
from ._regressor import KerasRegressor
from ._softmax import SoftmaxClassifier
from ._version import __version__
from ._wrapper import BaseWrapper


def save(estimator, path):
    """Save a fitted skfashion estimator, or a Pipeline of them, without pickle.

    ``estimator.save(path)`` does the same for one estimator; this function
    also takes a :class:`~sklearn.pipeline.Pipeline` whose steps are skfashion
    estimators (and ``StandardScaler``, ``MinMaxScaler``, ``MaxAbsScaler``).
    Load the file with :func:`load`.

    Parameters
    ----------
    estimator : estimator or Pipeline
        Fitted.
    path : str or path-like
        Destination file; written atomically.

    Returns
    -------
    skipped : list of str
        Parameters that are not plain data and were not stored.
    """
    from ._persist import save as _save

    return _save(estimator, path)


__all__ = [
    "BaseWrapper",
    "EpochSearchCV",
    "KerasClassifier",
    "KerasRegressor",
    "PixelScaler",
    "SoftmaxClassifier",
    "__version__",
    "load",
    "save",
]
