"""Pictures in scikit-learn's Display pattern (``plot``, ``from_estimator`` ...).

matplotlib is an optional dependency: ``pip install 'skfashion[plotting]'``.
Confusion matrices use :class:`sklearn.metrics.ConfusionMatrixDisplay`.
"""

from ._curves import AccuracyTimeDisplay, TrainingCurveDisplay
from ._images import MisclassifiedDisplay, SampleGridDisplay

__all__ = [
    "AccuracyTimeDisplay",
    "MisclassifiedDisplay",
    "SampleGridDisplay",
    "TrainingCurveDisplay",
]
