"""Searches over a skfashion estimator's parameters, epochs included."""

from ._epoch_search import EpochSearchCV

__all__ = ["EpochSearchCV"]
