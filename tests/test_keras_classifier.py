import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from skfashion import KerasClassifier


def build(meta, compile_kwargs, hidden=8):
    model = keras.Sequential([
        keras.Input((meta["n_features_in_"],)),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(meta["n_classes_"], activation="softmax"),
    ])
    model.compile(**compile_kwargs)
    return model


def test_builder_gets_meta_routed_params_and_compile_kwargs(small):
    X, y, _, _ = small
    seen = {}

    def builder(meta, compile_kwargs, hidden, epochs):
        seen.update(meta=meta, compile_kwargs=compile_kwargs, hidden=hidden, epochs=epochs)
        return build(meta, compile_kwargs, hidden)

    clf = KerasClassifier(builder, model__hidden=12, optimizer="adam",
                          optimizer__learning_rate=0.01, epochs=2, random_state=0).fit(X, y)
    assert seen["hidden"] == 12 and seen["epochs"] == 2
    assert seen["meta"]["n_features_in_"] == 784 and seen["meta"]["n_classes_"] == 10
    np.testing.assert_array_equal(seen["meta"]["classes_"], np.arange(10))
    assert isinstance(seen["compile_kwargs"]["optimizer"], keras.optimizers.Adam)
    assert np.isclose(float(clf.model_.optimizer.learning_rate), 0.01)
    assert clf.model_.layers[0].units == 12 and clf.n_iter_ == 2


def test_routed_params_in_get_set_params_and_grid_search(small):
    X, y, _, _ = small
    clf = KerasClassifier(build, model__hidden=4, random_state=0)
    assert clf.get_params()["model__hidden"] == 4
    clf.set_params(model__hidden=6, epochs=2)
    assert clf.get_params()["model__hidden"] == 6 and clf.epochs == 2
    assert clone(clf).get_params()["model__hidden"] == 6
    search = GridSearchCV(clf, {"model__hidden": [2, 16]}, cv=2).fit(X[:300], y[:300])
    assert search.best_params_["model__hidden"] in (2, 16)
    assert search.best_estimator_.model_.layers[0].units == search.best_params_["model__hidden"]


def test_uncompiled_builder_is_compiled_with_the_estimator_settings(small):
    X, y, _, _ = small

    def bare(meta):
        return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                                 keras.layers.Dense(meta["n_classes_"], activation="softmax")])

    clf = KerasClassifier(bare, optimizer="sgd", metrics=["accuracy"], random_state=0).fit(X, y)
    assert isinstance(clf.model_.optimizer, keras.optimizers.SGD)
    assert set(clf.history_) == {"loss", "accuracy"}


def test_model_instance_is_cloned_not_trained_in_place(small):
    X, y, _, _ = small
    template = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")])
    before = [w.copy() for w in template.get_weights()]
    clf = KerasClassifier(template, epochs=1, random_state=0).fit(X, y)
    assert clf.model_ is not template
    for a, b in zip(before, template.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_fit_routed_options(small):
    X, y, _, _ = small
    clf = KerasClassifier(build, fit__epochs=3, epochs=1, random_state=0).fit(X, y)
    assert clf.n_iter_ == 3
    with pytest.raises(ValueError, match=r"Unknown fit__ parameters \['validation_steps'\]"):
        KerasClassifier(build, fit__validation_steps=3).fit(X, y)


def test_callbacks_routing(small):
    X, y, _, _ = small

    class Counter(keras.callbacks.Callback):
        calls = []

        def __init__(self, tag="x"):
            super().__init__()
            self.tag = tag

        def on_epoch_end(self, epoch, logs=None):
            Counter.calls.append(self.tag)

    KerasClassifier(build, callbacks={"c": Counter}, callbacks__c__tag="routed",
                    epochs=2, random_state=0).fit(X[:100], y[:100])
    assert Counter.calls == ["routed", "routed"]


def test_categorical_and_binary_losses(small):
    X, y, X_test, _ = small
    # One-hot targets with categorical cross-entropy: the same fit as sparse labels.
    onehot = KerasClassifier(build, loss="categorical_crossentropy", epochs=2,
                             random_state=0).fit(X, y)
    sparse = KerasClassifier(build, epochs=2, random_state=0).fit(X, y)
    np.testing.assert_allclose(onehot.predict_proba(X_test), sparse.predict_proba(X_test),
                               atol=1e-4)

    def sigmoid(meta):
        return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                                 keras.layers.Dense(1, activation="sigmoid")])

    labels = np.where(y == 1, "trouser", "other")
    binary = KerasClassifier(sigmoid, loss="binary_crossentropy", epochs=3,
                             random_state=0).fit(X, labels)
    proba = binary.predict_proba(X_test)
    assert proba.shape == (len(X_test), 2)
    np.testing.assert_allclose(proba.sum(1), 1, atol=1e-6)
    assert binary.score(X, labels) > 0.9


def test_logits_output_gets_softmax(small):
    X, y, X_test, _ = small

    def logits(meta):
        return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                                 keras.layers.Dense(meta["n_classes_"])])

    clf = KerasClassifier(
        logits, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        epochs=2, random_state=0).fit(X, y)
    proba = clf.predict_proba(X_test)
    assert (proba >= 0).all()
    np.testing.assert_allclose(proba.sum(1), 1, atol=1e-6)


def test_image_shaped_model_input(small):
    X, y, _, _ = small

    def cnn(meta):
        return keras.Sequential([
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(meta["n_classes_"], activation="softmax"),
        ])

    clf = KerasClassifier(cnn, epochs=1, random_state=0).fit(X[:200], y[:200])
    assert clf.predict(X[:5]).shape == (5,)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(model=None), ValueError, "KerasClassifier needs a model"),
        (dict(model=lambda meta: "not a model"), TypeError, "returned str, not a keras.Model"),
        (dict(model=lambda meta: keras.Sequential(
            [keras.Input((meta["n_features_in_"],)), keras.layers.Dense(3)])),
         ValueError, "output layer has 3 units but the data has 10 classes"),
        (dict(model=build, optimizer="nonsense"), ValueError, "Unknown optimizer 'nonsense'"),
        (dict(model=build, epochs=0), ValueError, "'epochs' parameter"),
        (dict(model=build, unknown__x=1), ValueError, "unknown parameter 'unknown__x'"),
        (dict(model=build, hidden=3), ValueError, "unknown parameter 'hidden'"),
    ],
)
def test_invalid_models_and_parameters(small, kwargs, error, match):
    X, y, _, _ = small
    with pytest.raises(error, match=match):
        KerasClassifier(**kwargs).fit(X[:50], y[:50])
