"""The fitted state of skfashion's target and feature encoders as plain data, and
back: what pickles and ``.skf`` files store of an estimator's encoders (only
skfashion's own encoder classes are rebuilt from a file)."""


from sklearn.preprocessing import FunctionTransformer

from .._fit._encoders import ClassifierLabelEncoder, RegressorTargetEncoder


_EXPORTED_STATE = {
    "ClassifierLabelEncoder": ("loss", "categories", "classes_", "n_classes_", "n_outputs_",
                               "n_outputs_expected_", "_target_type", "_y_shape", "_y_dtype",
                               "_mode"),
    "RegressorTargetEncoder": ("n_outputs_", "n_outputs_expected_", "_y_shape", "_y_dtype"),
}
_SAFE_ENCODERS = {"ClassifierLabelEncoder": ClassifierLabelEncoder,
                  "RegressorTargetEncoder": RegressorTargetEncoder}


def export_encoder(encoder):
    """``(name, state)`` of a fitted default encoder, for the pickle-free format.

    Raises
    ------
    TypeError
        For any other encoder (a custom one could only be stored as code).
    """
    if type(encoder) is FunctionTransformer and encoder.func is None and \
            encoder.inverse_func is None:
        return "identity", {}
    name = type(encoder).__name__
    if _SAFE_ENCODERS.get(name) is not type(encoder):
        raise TypeError(
            f"A {name} encoder cannot be stored in skfashion's pickle-free format, which holds "
            "only the default target and feature encoders. Use pickle or joblib for "
            "estimators with custom encoders (and only for files you trust)."
        )
    state = {key: getattr(encoder, key) for key in _EXPORTED_STATE[name] if hasattr(encoder, key)}
    if "loss" in state and not isinstance(state["loss"], (str, type(None))):
        state["loss"] = None  # only the decided _mode matters after fit
    if "categories" in state and not isinstance(state["categories"], str):
        state["categories"] = "auto"
    return name, state


def import_encoder(name, state):
    """The encoder :func:`export_encoder` described."""
    if name == "identity":
        return FunctionTransformer().fit(None)
    cls = _SAFE_ENCODERS.get(name)
    if cls is None:
        raise ValueError(f"unknown encoder {name!r}; expected one of {sorted(_SAFE_ENCODERS)}")
    encoder = cls()
    for key, value in state.items():
        if key not in _EXPORTED_STATE[name]:
            raise ValueError(f"unexpected {name} attribute {key!r}")
        setattr(encoder, key, value)
    return encoder
