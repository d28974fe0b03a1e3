"""Small, fast settings for scikit-learn's estimator checks, and the expected failures.

Shared by ``tests/test_common.py`` and ``benchmarks/bench_conformance.py`` so the
benchmark counts exactly what the tests run.
"""


def small_mlp(meta, compile_kwargs):
    """A small Keras MLP builder for the checks' toy data.

    Multilabel targets (one sigmoid unit per label, binary cross-entropy) as well
    as classes (softmax, the estimator's loss).
    """
    import keras

    multilabel = meta["target_type_"] == "multilabel-indicator"
    model = keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(meta["n_classes_"], activation="sigmoid" if multilabel
                               else "softmax"),
        ]
    )
    compile_kwargs["loss"] = compile_kwargs["loss"] or (
        "binary_crossentropy" if multilabel else "sparse_categorical_crossentropy")
    model.compile(**compile_kwargs)
    return model


def small_regressor(meta):
    """A small Keras MLP builder for regression on the checks' toy data."""
    import keras

    return keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(meta.get("n_outputs_", 1)),
        ]
    )


def check_settings():
    """Constructor arguments per public estimator, strong enough for the checks'
    accuracy thresholds and small enough to keep the checks fast."""
    from sklearn.model_selection import ShuffleSplit

    from ._estimators._softmax import SoftmaxClassifier

    return {
        "PixelScaler": dict(image_shape=None),
        "SoftmaxClassifier": dict(
            epochs=20, batch_size=16, learning_rate=0.05, optimizer="adam", random_state=0
        ),
        "KerasClassifier": dict(
            model=small_mlp, epochs=20, batch_size=16,
            optimizer="adam", optimizer__learning_rate=0.05, random_state=0,
        ),
        "KerasRegressor": dict(
            model=small_regressor, loss="mse", epochs=20, batch_size=16, optimizer="adam",
            optimizer__learning_rate=0.05, random_state=0,
        ),
        "BaseWrapper": dict(
            model=small_regressor, loss="mse", epochs=5, batch_size=16, optimizer="adam",
            optimizer__learning_rate=0.05, random_state=0,
        ),
        "EpochSearchCV": dict(
            estimator=SoftmaxClassifier(
                batch_size=16, learning_rate=0.05, optimizer="adam", random_state=0
            ),
            epochs=[5, 20],
            # One split (the search's API is what the checks test): one fold's
            # fit and the refit, where cv=2 took three fits per check.
            cv=ShuffleSplit(n_splits=1, test_size=0.25, random_state=0),
        ),
    }


_FLOAT32_REASON = (
    "Keras computes in keras.backend.floatx() (float32 by default) and the regressor "
    "returns that precision, as scikeras does (its test suite pins it); with "
    "keras.backend.set_floatx('float64') the predictions are float64."
)

_SGD_REASON = (
    "sample_weight is not equivalent to removing/repeating samples with mini-batch "
    "stochastic gradient training; scikit-learn expects the same failure of "
    "SGDClassifier and Perceptron (meta-issue #16298)."
)

#: Checks expected to fail, with the reason; only where scikit-learn lists the
#: same check for its own comparable (SGD-trained) estimators.
EXPECTED_FAILED = {
    name: {
        "check_sample_weight_equivalence_on_dense_data": _SGD_REASON,
        "check_sample_weight_equivalence_on_sparse_data": _SGD_REASON,
    }
    for name in ("SoftmaxClassifier", "KerasClassifier", "KerasRegressor", "BaseWrapper")
}
EXPECTED_FAILED["KerasRegressor"]["check_regressor_multioutput"] = _FLOAT32_REASON


def public_estimators():
    """An instance of every public estimator of skfashion, found by discovery."""
    import inspect

    from sklearn.base import BaseEstimator

    import skfashion

    settings = check_settings()
    found = []
    for name in skfashion.__all__:
        obj = getattr(skfashion, name)
        if inspect.isclass(obj) and issubclass(obj, BaseEstimator):
            found.append(obj(**settings.get(name, {})))
    return found


def expected_failed_checks(estimator):
    return EXPECTED_FAILED.get(type(estimator).__name__, {})
