"""The fitted state of a Keras estimator: what prediction reads, and how a fit
commits it or rolls it back.

A fit stages its attributes on the estimator as it goes (scikeras's order: a
model builder reads them) and publishes what ``predict`` reads (``_PUBLISHED``)
only when it commits; a fit that fails is undone by :class:`_Rollback`.
"""

import math
from dataclasses import dataclass

import numpy as np
from sklearn.preprocessing import FunctionTransformer


class _Fitted:
    """What prediction needs, replaced as one object when a fit commits.

    ``shared`` is True once the model may be changed by others: it was handed
    out through ``model_``, passed in by the user, or reached by user callbacks.
    Then predictions read the model's current weights at every call instead of
    a snapshot (same numbers, always current).
    """

    def __init__(self, model, feature_encoder, target_encoder, *, shared):
        self.model = model
        self.feature_encoder = feature_encoder
        self.target_encoder = target_encoder
        self.shared = shared
        self._predictor = None

    def hand_out(self):
        """The model leaves skfashion's hands: predictions read its weights each time."""
        if not self.shared:
            self.shared = True
            predictor = self._predictor
            if predictor is not None:
                predictor.live = True

    def weights_changed(self):
        """The model was trained: the fast predictor takes a new snapshot on next use."""
        self._predictor = None

    def predictor(self):
        """The fast inference path for this model (built on first use)."""
        from ._inference import Predictor

        predictor = self._predictor
        if predictor is None:
            predictor = self._predictor = Predictor(self.model, snapshot=not self.shared)
        return predictor

    def model_input(self, X):
        """``X`` after the feature encoder, shaped for the model's single input."""
        if self.feature_encoder is not None:
            X = self.feature_encoder.transform(X)
        return as_model_input(X, self.model)


def as_model_input(X, model):
    """Reshape flat rows to a single-input model's input shape (e.g. images for a CNN)."""
    if not isinstance(X, np.ndarray) or len(getattr(model, "inputs", None) or ()) != 1:
        return X
    shape = tuple(model.inputs[0].shape[1:])
    if None in shape or shape == X.shape[1:]:
        return X
    if math.prod(shape) != math.prod(X.shape[1:]):
        hint = ""
        if X.ndim >= 3:  # images: meta["n_features_in_"] is X.shape[1], one image row
            hint = (
                f" A builder that sizes its input with meta[\"n_features_in_\"] gets "
                f"X.shape[1] = {X.shape[1]} for images (scikeras's meta describes rows of "
                "features): flatten them first, with PixelScaler before the estimator "
                "(make_pipeline(PixelScaler(), KerasClassifier(...))) or "
                "X.reshape(len(X), -1), or size the model's input with meta[\"X_shape_\"][1:]."
            )
        raise ValueError(
            f"The model expects inputs of shape {shape} ({math.prod(shape)} values per "
            f"sample) but X has samples of shape {X.shape[1:]}.{hint}"
        )
    return X.reshape((len(X), *shape))


def _is_identity(encoder):
    return (
        type(encoder) is FunctionTransformer
        and encoder.func is None
        and encoder.inverse_func is None
        and not encoder.validate
    )


def _snapshot_variables(model):
    optimizer = getattr(model, "optimizer", None)
    variables = list(model.variables) + list(getattr(optimizer, "variables", []) or [])
    return [(v, np.array(v.numpy())) for v in variables]


def _restore_variables(snapshot):
    for variable, value in snapshot:
        variable.assign(value)


@dataclass
class _Staging:
    """What a fit hands to :meth:`_BaseKeras._initialize` besides scikeras's
    ``(X, y)``, and the new model it gets back (``fitted``)."""

    rng: np.random.RandomState
    require_y: bool
    train: bool
    fitted: object = None


#: What ``predict`` reads: replaced only when a fit commits, so a prediction
#: in another thread during a refit uses the previous model whole.
_PUBLISHED = ("_fitted", "_input_scale", "_rescale_warned")


#: Private attributes that belong to the fitted state (public ones end in "_").
_PRIVATE_FITTED = _PUBLISHED + ("_fitted_keys", "_seed")


def _is_fitted_name(name):
    return name in _PRIVATE_FITTED or (
        name.endswith("_") and not name.startswith("_") and not name.endswith("__"))


class _Rollback:
    """The estimator's fitted attributes before a fit, to put back if it fails.

    A fit sets its fitted attributes on the estimator as it goes (scikeras's
    order: a builder reads them); every attribute that names fitted state (a
    trailing underscore, or one of skfashion's private ones), including those a
    subclass sets, is restored, and those the failed fit added are removed.
    """

    def __init__(self, estimator):
        self.state = {k: v for k, v in estimator.__dict__.items() if _is_fitted_name(k)}

    def restore(self, estimator):
        state = estimator.__dict__
        for key in [k for k in state if _is_fitted_name(k) and k not in self.state]:
            del state[key]
        state.update(self.state)
