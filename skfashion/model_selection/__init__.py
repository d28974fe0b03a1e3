"""Searches over a skfashion estimator's parameters, epochs included.

``GridSearchCV``, ``RandomizedSearchCV``, ``HalvingGridSearchCV`` and
``HalvingRandomSearchCV`` are scikit-learn's, with each path of epochs trained
once; ``EpochSearchCV`` searches epochs in one run per fold.
"""

from ._epoch_search import EpochSearchCV
from ._search import (GridSearchCV, HalvingGridSearchCV, HalvingRandomSearchCV,
                      RandomizedSearchCV)

__all__ = ["EpochSearchCV", "GridSearchCV", "RandomizedSearchCV", "HalvingGridSearchCV",
           "HalvingRandomSearchCV"]
