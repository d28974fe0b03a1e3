"""skfashion: Keras classifiers that behave like scikit-learn estimators.

Importing the package is cheap: TensorFlow and Keras load on the first fit,
prediction or load of a model, and nothing global is changed.
"""

from ._base import load
from ._epoch_search import EpochSearchCV
from ._keras import KerasClassifier
from ._pixel import PixelScaler
from ._softmax import SoftmaxClassifier
from ._version import __version__

__all__ = [
    "EpochSearchCV",
    "KerasClassifier",
    "PixelScaler",
    "SoftmaxClassifier",
    "__version__",
    "load",
]
