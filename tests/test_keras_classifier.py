import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from skfashion import KerasClassifier

SPARSE = "sparse_categorical_crossentropy"


def build(meta, compile_kwargs, hidden=8):
    model = keras.Sequential([
        keras.Input((meta["n_features_in_"],)),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(meta["n_classes_"], activation="softmax"),
    ])
    model.compile(**compile_kwargs)
    return model


def bare(meta):
    return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                             keras.layers.Dense(meta["n_classes_"], activation="softmax")])


def test_builder_gets_meta_routed_params_and_compile_kwargs(small):
    X, y, _, _ = small
    seen = {}

    def builder(meta, compile_kwargs, hidden, epochs=None):
        seen.update(meta=meta, compile_kwargs=compile_kwargs, hidden=hidden, epochs=epochs)
        return build(meta, compile_kwargs, hidden)

    clf = KerasClassifier(builder, model__hidden=12, loss=SPARSE, optimizer="adam",
                          optimizer__learning_rate=0.01, epochs=2, random_state=0).fit(X, y)
    assert seen["hidden"] == 12 and seen["epochs"] is None  # only declared names arrive
    assert seen["meta"]["n_features_in_"] == 784 and seen["meta"]["n_classes_"] == 10
    np.testing.assert_array_equal(seen["meta"]["classes_"], np.arange(10))
    assert isinstance(seen["compile_kwargs"]["optimizer"], keras.optimizers.Adam)
    assert np.isclose(float(clf.model_.optimizer.learning_rate), 0.01)
    assert clf.model_.layers[0].units == 12 and clf.n_iter_ == 2


def test_unprefixed_extra_parameters_reach_the_builder(small):
    """scikeras's quickstart: KerasClassifier(get_model, hidden_layer_dim=100)."""
    X, y, _, _ = small

    def get_model(hidden_layer_dim, meta):
        return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                                 keras.layers.Dense(hidden_layer_dim, activation="relu"),
                                 keras.layers.Dense(meta["n_classes_"], activation="softmax")])

    clf = KerasClassifier(get_model, hidden_layer_dim=20, loss=SPARSE, random_state=0)
    assert clf.get_params()["hidden_layer_dim"] == 20 and clf.hidden_layer_dim == 20
    clf.fit(X[:200], y[:200])
    assert clf.model_.layers[0].units == 20
    clf.set_params(hidden_layer_dim=7).fit(X[:200], y[:200])
    assert clf.model_.layers[0].units == 7
    with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
        KerasClassifier(get_model, hidden_layer_dim=4, model__bogus=1, loss=SPARSE).fit(
            X[:50], y[:50])


def test_routed_params_in_get_set_params_and_grid_search(small):
    X, y, _, _ = small
    clf = KerasClassifier(build, model__hidden=4, loss=SPARSE, random_state=0)
    assert clf.get_params()["model__hidden"] == 4 and clf.model__hidden == 4
    clf.set_params(model__hidden=6, epochs=2)
    assert clf.get_params()["model__hidden"] == 6 and clf.epochs == 2
    assert clone(clf).get_params()["model__hidden"] == 6
    search = GridSearchCV(clf, {"model__hidden": [2, 16]}, cv=2).fit(X[:300], y[:300])
    assert search.best_params_["model__hidden"] in (2, 16)
    assert search.best_estimator_.model_.layers[0].units == search.best_params_["model__hidden"]
    with pytest.raises(ValueError, match="Invalid parameter nonsense for estimator"):
        clf.set_params(nonsense=1)


def test_uncompiled_builder_is_compiled_with_the_estimator_settings(small):
    X, y, _, _ = small
    clf = KerasClassifier(bare, optimizer="sgd", loss=SPARSE, metrics=["accuracy"],
                          random_state=0).fit(X, y)
    assert isinstance(clf.model_.optimizer, keras.optimizers.SGD)
    assert set(clf.history_) == {"loss", "accuracy"}


def test_model_instance_is_used_as_given(small):
    """As in scikeras: a model instance is the model (pretrained models can be
    used as they are); clone() gives each search candidate its own copy."""
    X, y, _, _ = small
    template = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")])
    template.compile(loss=SPARSE, optimizer="rmsprop")
    clf = KerasClassifier(template, epochs=1, random_state=0)
    copy = clone(clf)
    assert copy.model is not template
    clf.fit(X, y)
    assert clf.model_ is template
    before = [w.copy() for w in copy.model.get_weights()]
    copy.fit(X, y)
    assert not np.array_equal(before[0], copy.model_.get_weights()[0])
    assert copy.model_ is not template


def test_fit_routed_options(small):
    X, y, _, _ = small
    clf = KerasClassifier(build, fit__epochs=3, epochs=1, loss=SPARSE, random_state=0).fit(X, y)
    assert clf.n_iter_ == 3
    with pytest.raises(TypeError, match=r"fit__bogus: fit\(\) got an unexpected keyword"):
        KerasClassifier(build, fit__bogus=3, loss=SPARSE).fit(X, y)


def test_callbacks_routing(small):
    X, y, _, _ = small

    class Counter(keras.callbacks.Callback):
        calls = []

        def __init__(self, tag="x"):
            super().__init__()
            self.tag = tag

        def on_epoch_end(self, epoch, logs=None):
            Counter.calls.append(self.tag)

    KerasClassifier(build, callbacks={"c": Counter}, callbacks__c__tag="routed", loss=SPARSE,
                    epochs=2, random_state=0).fit(X[:100], y[:100])
    assert Counter.calls == ["routed", "routed"]


def test_categorical_and_binary_losses(small):
    X, y, X_test, _ = small
    # One-hot targets with categorical cross-entropy: the same fit as sparse labels.
    onehot = KerasClassifier(build, loss="categorical_crossentropy", epochs=2,
                             random_state=0).fit(X, y)
    sparse = KerasClassifier(build, loss=SPARSE, epochs=2, random_state=0).fit(X, y)
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


@pytest.mark.parametrize("loss", [
    keras.losses.BinaryCrossentropy(name="anything"),
    keras.losses.CategoricalCrossentropy(name="sparse_lookalike"),
])
def test_encoding_follows_the_loss_class_not_its_name(small, loss):
    X, y, _, _ = small
    labels = np.where(y == 1, "a", "b")
    units = 1 if isinstance(loss, keras.losses.BinaryCrossentropy) else 2

    def builder(meta):
        return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                                 keras.layers.Dense(units, activation="sigmoid" if units == 1
                                                    else "softmax")])

    clf = KerasClassifier(builder, loss=loss, epochs=2, random_state=0).fit(X, labels)
    assert clf.score(X, labels) > 0.8


def test_logits_output_gets_softmax(small):
    X, y, X_test, _ = small

    def logits(meta):
        return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                                 keras.layers.Dense(meta["n_classes_"])])

    for clf in (
        KerasClassifier(logits, loss=keras.losses.SparseCategoricalCrossentropy(
            from_logits=True), epochs=2, random_state=0),
        KerasClassifier(logits, loss=SPARSE, loss__from_logits=True, epochs=2, random_state=0),
    ):
        proba = clf.fit(X, y).predict_proba(X_test)
        assert (proba >= 0).all()
        np.testing.assert_allclose(proba.sum(1), 1, atol=1e-6)
        assert clf.model_.loss.from_logits


def test_image_shaped_model_input(small):
    X, y, _, _ = small

    def cnn(meta):
        return keras.Sequential([
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(meta["n_classes_"], activation="softmax"),
        ])

    clf = KerasClassifier(cnn, loss=SPARSE, epochs=1, random_state=0).fit(X[:200], y[:200])
    assert clf.predict(X[:5]).shape == (5,)
    images = X[:200].reshape(-1, 28, 28, 1)
    clf = KerasClassifier(cnn, loss=SPARSE, epochs=1, random_state=0).fit(images, y[:200])
    assert clf.n_features_in_ == 28 and clf.predict(images[:5]).shape == (5,)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(model=None), ValueError, "must implement ``_keras_build_fn``"),
        (dict(model=lambda meta: "not a model", loss=SPARSE), TypeError,
         "returned str, not a keras.Model"),
        (dict(model=lambda meta: keras.Sequential(
            [keras.Input((meta["n_features_in_"],)), keras.layers.Dense(3)]), loss=SPARSE),
         ValueError, "output layer has 3 units but the data has 10 classes"),
        (dict(model=build, optimizer="nonsense", loss=SPARSE), ValueError,
         "Could not interpret optimizer identifier"),
        # issue 40: a close name is suggested; no internal probe config, no "losss"
        (dict(model=build, optimizer="rmsporp", loss=SPARSE), ValueError,
         r"optimizer='rmsporp': Could not interpret optimizer identifier 'rmsporp': Keras "
         r"has no optimizer of that name\. Did you mean 'RMSprop'\? Use a Keras optimizer "
         r"name, class or instance \(the names are those of keras\.optimizers"),
        (dict(model=build, loss="sparse_categorical_crosentropy"), ValueError,
         r"Did you mean 'sparse_categorical_crossentropy'.*those of keras\.losses,"),
        (dict(model=build, loss=SPARSE, metrics=["acuracy"]), ValueError,
         r"metrics='acuracy': .*Did you mean 'accuracy'.*keras\.metrics,"),
        (dict(model=bare, loss=SPARSE, optimizer__foo=1), TypeError,
         r"optimizer: RMSprop refused the routed arguments \['foo'\]"),
        # The constructor's epochs and a routed fit__batch_size: one engine, the
        # same scikit-learn constraints and error (skfashion._fit._options).
        (dict(model=build, epochs=0, loss=SPARSE), ValueError,
         r"The 'epochs' parameter of KerasClassifier must be an int in the range \[1, inf\)\. "
         "Got 0 instead"),
        (dict(model=build, fit__batch_size=0, loss=SPARSE), ValueError,
         r"The 'fit__batch_size' parameter of KerasClassifier must be an int in the range "
         r"\[1, inf\), a int among \{-1\} or None\. Got 0 instead"),
        (dict(model=build, fit__batch_size=-2, loss=SPARSE), ValueError,
         r"The 'fit__batch_size' parameter of KerasClassifier .* Got -2 instead"),
        (dict(model=build, hidden=3, loss=SPARSE, unknown__x=1), ValueError,
         "unknown__x: unknown routing prefix 'unknown'"),
        (dict(model=bare), ValueError, "You must provide a loss or a compiled model"),
    ],
)
def test_invalid_models_and_parameters(small, kwargs, error, match):
    X, y, _, _ = small
    with pytest.raises(error, match=match):
        KerasClassifier(**kwargs).fit(X[:50], y[:50])


# ------------------------------------------------------------ issue 33, item 2
def _tiny_model(meta):
    import keras

    return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                             keras.layers.Dense(meta["n_classes_"], activation="softmax")])


def test_a_routed_fit_option_that_overrides_a_set_parameter_warns(sample):
    """``epochs=2`` with ``fit__epochs=3`` trains 3 epochs (scikeras's order), with a word."""
    import warnings

    from skfashion import KerasClassifier, PixelScaler

    (X, y), _ = sample
    X, y = PixelScaler().transform(X[:200]), y[:200]

    def clf(**params):
        return KerasClassifier(_tiny_model, loss="sparse_categorical_crossentropy",
                               random_state=0, **params)

    with pytest.warns(UserWarning, match=r"epochs=2 is overridden by fit__epochs=3"):
        assert clf(epochs=2, fit__epochs=3).fit(X, y).n_iter_ == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        assert clf(fit__epochs=3).fit(X, y).n_iter_ == 3           # epochs left at default
        assert clf(epochs=3, fit__epochs=3).fit(X, y).n_iter_ == 3  # the same value
        assert clf(epochs=2).fit(X, y, epochs=3).n_iter_ == 3       # one call's override


# ------------------------------------------------------------ issue 33, item 6
def test_raw_images_get_the_pixel_scaler_hint(sample):
    """(n, 28, 28) images through a builder sized by ``n_features_in_`` (28, as
    in scikeras): the error says why and what to do, as SoftmaxClassifier's does."""
    (X, y), _ = sample
    with pytest.raises(ValueError) as info:
        KerasClassifier(bare, loss=SPARSE, epochs=1).fit(X[:50], y[:50])
    message = str(info.value)
    assert "X has samples of shape (28, 28)" in message
    assert 'meta["n_features_in_"]' in message and "X.shape[1] = 28" in message
    assert "PixelScaler" in message and 'meta["X_shape_"][1:]' in message
    # the hint's first remedy works
    from sklearn.pipeline import make_pipeline

    from skfashion import PixelScaler

    pipe = make_pipeline(PixelScaler(), KerasClassifier(bare, loss=SPARSE, epochs=1))
    assert pipe.fit(X[:50], y[:50]).predict(X[:3]).shape == (3,)


@pytest.mark.parametrize("loss", [SPARSE, keras.losses.SparseCategoricalCrossentropy(),
                                  keras.losses.sparse_categorical_crossentropy])
def test_one_hot_targets_with_a_sparse_loss_say_which_loss_fits(small, loss):
    """Keras's own error is a rank mismatch; ours names the loss and the remedy,
    and the categorical loss it names trains on the same targets."""
    X, y, _, _ = small
    Y = np.eye(10, dtype="float32")[y[:60]]
    with pytest.raises(ValueError, match=r"y is one-hot .* takes class indices\. Use "
                                         r"loss=\"categorical_crossentropy\"") as info:
        KerasClassifier(bare, loss=loss, epochs=1).fit(X[:60], Y)
    assert "sparse_categorical_crossentropy" in str(info.value) or \
        "SparseCategoricalCrossentropy" in str(info.value)
    clf = KerasClassifier(bare, loss="categorical_crossentropy", epochs=1).fit(X[:60], Y)
    assert clf.predict(X[:3]).shape == (3, 10)
