"""Edges of the fit path that mutation testing found unchecked, each against an oracle.

``benchmarks/bench_mutation.py`` changed these lines and no test failed: the
early-stopping split (scikit-learn's stratified ``train_test_split``), one-batch
prediction, tiny data at the validation splits, scikeras's dtype rule for y,
object-dtype inputs, and the first ``partial_fit`` batch of a multiclass problem.
"""

import math

import keras
import numpy as np
import pytest
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split

from skfashion import KerasClassifier, KerasRegressor, SoftmaxClassifier

SPARSE = "sparse_categorical_crossentropy"


@pytest.fixture(scope="module")
def data(small):
    X, y, X_test, _ = small
    return X[:300], y[:300], X_test[:40]


def softmax_model(meta):
    return keras.Sequential([
        keras.Input((meta["n_features_in_"],)),
        keras.layers.Dense(meta["n_classes_"], activation="softmax",
                           kernel_initializer=keras.initializers.GlorotUniform(seed=0)),
    ])


def test_early_stopping_holds_out_scikit_learns_stratified_split(data):
    """The validation loss in ``history_`` is the log loss of the final model on
    exactly the samples scikit-learn's stratified split holds out (the split of
    ``MLPClassifier``), drawn from the estimator's seed."""
    X, y, _ = data
    clf = SoftmaxClassifier(epochs=1, early_stopping=True, validation_fraction=0.2,
                            random_state=7).fit(X, y)
    rng = np.random.RandomState(7)
    rng.randint(np.iinfo(np.int32).max)  # the seed of the model's build comes first
    _, held_out = train_test_split(np.arange(len(X)), test_size=math.ceil(0.2 * len(X)),
                                   random_state=rng, stratify=y)
    expected = log_loss(y[held_out], clf.predict_proba(X[held_out]), labels=clf.classes_)
    assert clf.history_["val_loss"][0] == pytest.approx(expected, rel=1e-5)


def test_early_stopping_on_tiny_data(data):
    X, y, _ = data
    two = SoftmaxClassifier(epochs=1, early_stopping=True, validation_fraction=0.5,
                            random_state=0).fit(X[:2], np.array([0, 1]))
    assert len(two.history_["val_loss"]) == 1
    with pytest.raises(ValueError, match=r"validation_fraction=0.9 of 3 samples leaves 0 for "
                                         r"training and 3 for validation"):
        SoftmaxClassifier(epochs=1, early_stopping=True, validation_fraction=0.9).fit(
            X[:3], np.array([0, 1, 1]))


def test_validation_split_on_tiny_data_follows_keras(data):
    """Keras splits 2 samples into 1 and 1, and refuses 1 sample."""
    X, y, _ = data
    clf = KerasClassifier(softmax_model, loss=SPARSE, validation_split=0.5,
                          random_state=0).fit(X[:2], y[:2])
    assert len(clf.history_["val_loss"]) == 1
    with pytest.raises(ValueError, match="Training data contains 1 samples, which is not "
                                         "sufficient to split it"):
        KerasClassifier(softmax_model, loss=SPARSE, validation_split=0.5).fit(X[:1], y[:1])


class PredictBatches(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batches = 0

    def on_predict_batch_end(self, batch, logs=None):
        self.batches += 1


def test_predict_batch_size_minus_one_is_one_batch(data):
    """scikeras's meaning; the oracle is Keras's predict with the whole data as a batch."""
    X, y, X_test = data
    counter = PredictBatches()
    clf = KerasClassifier(softmax_model, loss=SPARSE, predict__batch_size=-1,
                          callbacks=[counter], random_state=0).fit(X, y)
    proba = clf.predict_proba(X_test)
    assert counter.batches == 1
    expected = clf.model_.predict(X_test, batch_size=len(X_test), verbose=0)
    np.testing.assert_allclose(proba, expected, rtol=1e-6)


def test_validation_data_of_the_training_shape_but_other_values_does_not_warn(data):
    import warnings

    X, y, X_test = data
    other = X[::-1].copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        KerasClassifier(softmax_model, loss=SPARSE, random_state=0).fit(
            X, y, validation_data=(other, y))


def test_y_dtype_rule_of_scikeras(data):
    """A later fit may not bring targets of a dtype the first one's does not hold."""
    X, _, _ = data
    target = (X[:, :2] @ np.ones(2)).astype("float32")

    def linear(meta):
        return keras.Sequential([keras.Input((meta["n_features_in_"],)), keras.layers.Dense(1)])

    reg = KerasRegressor(linear, loss="mse", warm_start=True, random_state=0).fit(X, target)
    assert reg.y_dtype_ == np.float32 and reg.y_ndim_ == 1
    with pytest.raises(ValueError, match="Got y with dtype float64, but this KerasRegressor "
                                         "expected float32"):
        reg.fit(X, target.astype("float64"))


def test_object_inputs_train_as_their_numbers(data):
    """Object arrays (as pandas gives them) become Keras's floats, as in scikeras."""
    pd = pytest.importorskip("pandas")
    X, y, X_test = data
    numbers = KerasClassifier(softmax_model, loss=SPARSE, shuffle=False,
                              random_state=0).fit(X[:, :50], y)
    objects = KerasClassifier(softmax_model, loss=SPARSE, shuffle=False,
                              random_state=0).fit(pd.DataFrame(X[:, :50]).astype(object), y)
    np.testing.assert_allclose(objects.predict_proba(X_test[:, :50]),
                               numbers.predict_proba(X_test[:, :50]), rtol=1e-6)


def test_partial_fit_first_batch_of_two_classes_of_many(data):
    """scikit-learn's ``classes=``: the model is built for every class even when the
    first batch holds two of them."""
    X, y, X_test = data
    two = np.isin(y, (3, 7))
    clf = SoftmaxClassifier(random_state=0)
    clf.partial_fit(X[two], y[two], classes=np.arange(10))
    assert clf.target_type_ == "multiclass" and clf.predict_proba(X_test).shape == (40, 10)
    clf.partial_fit(X, y)
    np.testing.assert_array_equal(clf.classes_, np.arange(10))


@pytest.mark.parametrize("routed, value, error, match", [
    ("fit__shuffle", 0, None, None),  # 0 and 1 are booleans, as for Keras
    ("fit__shuffle", 2, TypeError,
     r"'fit__shuffle' parameter of KerasClassifier must be .*a int among \{0, 1\}\. Got 2"),
    ("fit__verbose", 3, ValueError,
     r"'fit__verbose' parameter of KerasClassifier must be a int among \{0, 1, 2\}, a str "
     r"among \{'auto'\} or .*\. Got 3 instead"),
    ("validation_split", 1.0, ValueError,
     r"The 'validation_split' parameter of KerasClassifier must be a float in the range "
     r"\[0.0, 1.0\)\. Got 1.0 instead"),
])
def test_training_options_are_checked_as_keras_would_take_them(data, routed, value, error,
                                                               match):
    X, y, _ = data
    clf = KerasClassifier(softmax_model, loss=SPARSE, random_state=0, **{routed: value})
    if error is None:
        assert clf.fit(X[:50], y[:50]).n_iter_ == 1
    else:
        with pytest.raises(error, match=match):
            clf.fit(X[:50], y[:50])
