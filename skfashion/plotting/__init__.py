"""Pictures in scikit-learn's Display pattern (``plot``, ``from_estimator`` ...).

matplotlib is an optional dependency: ``pip install matplotlib`` (or, in
skfashion's source folder, ``pip install '.[plotting]'``).
Confusion matrices use :class:`sklearn.metrics.ConfusionMatrixDisplay`.
"""

from ._accuracy_time import AccuracyTimeDisplay
from ._training_curve import TrainingCurveDisplay
from ._images import MisclassifiedDisplay, SampleGridDisplay

__all__ = [
    "AccuracyTimeDisplay",
    "MisclassifiedDisplay",
    "SampleGridDisplay",
    "TrainingCurveDisplay",
]
