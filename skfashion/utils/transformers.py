"""The default target encoders of the wrappers, to subclass or reuse."""

from .._fit._encoders import ClassifierLabelEncoder, RegressorTargetEncoder, TargetReshaper

__all__ = ["ClassifierLabelEncoder", "RegressorTargetEncoder", "TargetReshaper"]
