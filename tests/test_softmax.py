import random

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.class_weight import compute_sample_weight

from skfashion import PixelScaler, SoftmaxClassifier


@pytest.fixture(scope="module")
def fitted(small):
    X, y, _, _ = small
    return SoftmaxClassifier(random_state=0, metrics=["accuracy"]).fit(X, y)


def test_defaults_are_the_tutorial(fitted):
    clf = SoftmaxClassifier()
    defaults = (clf.epochs, clf.batch_size, clf.optimizer, clf.learning_rate)
    assert defaults == (5, 32, "rmsprop", 1e-3)
    model = fitted.model_
    assert [type(layer).__name__ for layer in model.layers] == ["Dense"]
    assert model.layers[0].units == 10
    assert keras.activations.serialize(model.layers[0].activation) == "softmax"
    assert isinstance(model.optimizer, keras.optimizers.RMSprop)
    assert np.isclose(float(model.optimizer.learning_rate), 1e-3)
    assert model.loss == "sparse_categorical_crossentropy"


def test_fit_attributes(fitted, small):
    X, y, X_test, y_test = small
    assert fitted.n_iter_ == 5 and fitted.n_features_in_ == 784
    np.testing.assert_array_equal(fitted.classes_, np.arange(10))
    assert set(fitted.history_) == {"loss", "accuracy"}
    assert fitted.loss_curve_ == fitted.history_["loss"] and len(fitted.loss_curve_) == 5
    assert fitted.loss_curve_[-1] < fitted.loss_curve_[0]
    assert fitted.score(X_test, y_test) > 0.7


def test_predict_proba(fitted, small):
    X_test = small[2]
    proba = fitted.predict_proba(X_test)
    assert proba.shape == (500, 10) and proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(axis=1), 1, atol=1e-6)
    np.testing.assert_array_equal(fitted.predict(X_test), fitted.classes_[proba.argmax(1)])


def test_string_labels(small):
    X, y, X_test, _ = small
    names = np.array(["tee", "trouser", "pullover", "dress", "coat", "sandal", "shirt",
                      "sneaker", "bag", "boot"], dtype=object)
    clf = SoftmaxClassifier(epochs=1, random_state=0).fit(X, names[y])
    assert set(clf.predict(X_test)) <= set(names)
    np.testing.assert_array_equal(clf.classes_, np.sort(names))


def test_random_state_gives_bit_identical_fits_and_leaves_globals_alone(small):
    X, y, X_test, _ = small
    np.random.seed(123)
    random.seed(123)
    expected_np, expected_py = np.random.rand(), random.random()
    np.random.seed(123)
    random.seed(123)
    a = SoftmaxClassifier(hidden_layer_sizes=(16,), dropout=0.2, epochs=2, random_state=7).fit(X, y)
    assert np.random.rand() == expected_np and random.random() == expected_py
    b = SoftmaxClassifier(hidden_layer_sizes=(16,), dropout=0.2, epochs=2, random_state=7).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X_test), b.predict_proba(X_test))
    c = SoftmaxClassifier(hidden_layer_sizes=(16,), dropout=0.2, epochs=2, random_state=8).fit(X, y)
    assert not np.array_equal(a.predict_proba(X_test), c.predict_proba(X_test))


def test_mlp_variant(small):
    X, y, X_test, y_test = small
    clf = SoftmaxClassifier(hidden_layer_sizes=(32, 16), dropout=0.1, l2=1e-4, epochs=3,
                            random_state=0).fit(X, y)
    kinds = [type(layer).__name__ for layer in clf.model_.layers]
    assert kinds == ["Dense", "Dropout", "Dense", "Dropout", "Dense"]
    assert clf.model_.layers[0].units == 32 and clf.score(X_test, y_test) > 0.6


def test_warm_start_continues(small):
    X, y, _, _ = small
    clf = SoftmaxClassifier(epochs=2, warm_start=True, random_state=0).fit(X, y)
    model = clf.model_
    clf.fit(X, y)
    assert clf.model_ is model and clf.n_iter_ == 4 and len(clf.loss_curve_) == 4
    cold = SoftmaxClassifier(epochs=2, random_state=0).fit(X, y)
    assert clf.loss_curve_[-1] < cold.loss_curve_[-1]


def test_partial_fit(small):
    X, y, X_test, y_test = small
    inferred = SoftmaxClassifier(random_state=0).partial_fit(X, y)  # classes of the first y
    np.testing.assert_array_equal(inferred.classes_, np.arange(10))
    clf = SoftmaxClassifier(random_state=0)
    clf.partial_fit(X[:500], y[:500], classes=np.arange(10))
    clf.partial_fit(X[500:], y[500:])
    assert clf.n_iter_ == 2
    with pytest.raises(ValueError, match=r"y contains labels not in classes_: \[11\]"):
        clf.partial_fit(X[:3], np.array([1, 2, 11]))
    with pytest.raises(ValueError, match="differs from the classes of the first call"):
        clf.partial_fit(X[:3], y[:3], classes=np.arange(5))


def test_partial_fit_with_classes_missing_from_the_batch(small):
    X, y, _, _ = small
    mask = y < 5
    clf = SoftmaxClassifier(random_state=0).partial_fit(X[mask], y[mask], classes=np.arange(10))
    assert clf.predict_proba(X[:2]).shape == (2, 10)


def test_class_weight_is_sample_weight(small):
    X, y, X_test, _ = small
    X, y = X[:400], y[:400]
    weights = {c: 1.0 + c for c in range(10)}
    a = SoftmaxClassifier(epochs=1, class_weight=weights, random_state=0).fit(X, y)
    b = SoftmaxClassifier(epochs=1, random_state=0).fit(
        X, y, sample_weight=compute_sample_weight(weights, y))
    np.testing.assert_allclose(a.predict_proba(X_test), b.predict_proba(X_test), rtol=1e-6)
    balanced = SoftmaxClassifier(epochs=1, class_weight="balanced", random_state=0).fit(X, y)
    assert balanced.n_iter_ == 1


def test_sample_weight_changes_the_fit(small):
    X, y, X_test, _ = small
    weight = np.where(y == 3, 20.0, 1.0)
    plain = SoftmaxClassifier(epochs=2, random_state=0).fit(X, y)
    heavy = SoftmaxClassifier(epochs=2, random_state=0).fit(X, y, sample_weight=weight)
    assert (heavy.predict(X_test) == 3).sum() > (plain.predict(X_test) == 3).sum()
    with pytest.raises(ValueError,
                       match="Sample weights must contain at least one non-zero number"):
        SoftmaxClassifier().fit(X, y, sample_weight=np.zeros(len(y)))
    with pytest.raises(ValueError, match="Negative values in data passed to `sample_weight`"):
        SoftmaxClassifier().fit(X, y, sample_weight=-np.ones(len(y)))


def test_early_stopping_restores_best_weights(small):
    X, y, _, _ = small
    clf = SoftmaxClassifier(hidden_layer_sizes=(64,), optimizer="adam", learning_rate=0.02,
                            epochs=60, early_stopping=True, n_iter_no_change=2,
                            random_state=0).fit(X, y)
    assert clf.n_iter_ < 60 and "val_loss" in clf.history_
    val_losses = clf.history_["val_loss"]
    best = int(np.argmin(val_losses))
    assert best == clf.n_iter_ - 1 - 2  # patience 2: stopped two epochs after the best
    # Recompute the validation loss of the restored weights on the same split.
    from sklearn.model_selection import train_test_split as split

    rng = np.random.RandomState(0)
    rng.randint(np.iinfo(np.int32).max)  # the Keras seed is drawn first
    _, val_idx = split(np.arange(len(y)), test_size=100, random_state=rng, stratify=y)
    proba = clf.predict_proba(X[np.sort(val_idx)])
    loss = -np.mean(np.log(proba[np.arange(100), y[np.sort(val_idx)]]))
    assert loss == pytest.approx(val_losses[best], rel=1e-4)


def test_callbacks_receive_the_events(small):
    X, y, _, _ = small

    class Recorder(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.epochs = []

        def on_epoch_end(self, epoch, logs=None):
            self.epochs.append((epoch, round(logs["loss"], 6)))

    recorder = Recorder()
    clf = SoftmaxClassifier(epochs=3, callbacks=[recorder], random_state=0).fit(X, y)
    # The instance passed is the one that sees the events, as in Keras.
    assert [epoch for epoch, _ in recorder.epochs] == [0, 1, 2]
    assert [loss for _, loss in recorder.epochs] == [round(v, 6) for v in clf.loss_curve_]
    assert clf.n_iter_ == 3
    # clone() copies the parameter, so a search's candidates stay independent.
    assert clone(clf).callbacks[0] is not recorder

    class StopAfterTwo(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = epoch == 1

    clf = SoftmaxClassifier(epochs=10, callbacks=[StopAfterTwo()], random_state=0).fit(X, y)
    assert clf.n_iter_ == 2


def test_verbose_progress(small, capsys):
    X, y, _, _ = small
    SoftmaxClassifier(epochs=2, verbose=2, random_state=0).fit(X[:100], y[:100])
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "loss" in out
    SoftmaxClassifier(epochs=1, random_state=0).fit(X[:100], y[:100])
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    "params, error, match",
    [
        (dict(epochs=-1), InvalidParameterError, "'epochs' parameter"),
        (dict(batch_size=0), InvalidParameterError, "'batch_size' parameter"),
        (dict(optimizer="sgdd"), ValueError,
         "optimizer='sgdd': Could not interpret optimizer identifier"),
        (dict(optimizer=3), TypeError, "optimizer must be a name"),
        (dict(hidden_layer_sizes=(0,)), ValueError, "tuple of positive integers"),
        (dict(activation="bogus"), InvalidParameterError, "'activation' parameter"),
        (dict(dropout=1.0), InvalidParameterError, "'dropout' parameter"),
        (dict(validation_fraction=0.0), InvalidParameterError, "'validation_fraction'"),
    ],
)
def test_invalid_parameters(small, params, error, match):
    X, y, _, _ = small
    with pytest.raises(error, match=match):
        SoftmaxClassifier(**params).fit(X[:50], y[:50])


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.zeros((3, 4)), [0, 0, 0], "at least 2 classes; got 1 class"),
        (np.zeros((3, 4)), [0.5, 1.5, 2.5], "Unknown label type"),
        (np.full((3, 4), np.nan), [0, 1, 0], "Input X contains NaN"),
        (np.zeros((0, 4)), [], "0 sample"),
        (np.zeros(4), [0, 1, 0, 1], "Reshape your data"),
        (np.zeros((3, 4, 2)), [0, 1, 0], "Found array with dim 3"),
        (np.zeros((3, 4)), [0, 1], "inconsistent numbers of samples"),
        (np.zeros((3, 4), dtype=complex), [0, 1, 0], "Complex data not supported"),
        (np.array([["a"] * 4] * 3), [0, 1, 0], "could not convert"),
        (np.zeros((3, 4)), None, "requires y to be passed"),
    ],
)
def test_bad_training_data(X, y, match):
    with pytest.raises(ValueError, match=match):
        SoftmaxClassifier(epochs=1).fit(X, y)


def test_ragged_and_object_data():
    with pytest.raises(ValueError, match="inhomogeneous shape"):
        SoftmaxClassifier(epochs=1).fit([[0, 1, 2], [0]], [0, 1])
    with pytest.raises(TypeError, match="must be a string or a real number, not 'dict'"):
        SoftmaxClassifier(epochs=1).fit(np.array([[{"a": 1}] * 3] * 3, dtype=object), [0, 1, 0])


def test_boolean_features_are_numbers(small):
    """As in scikit-learn, boolean features are 0/1 numbers, not an error."""
    X, y, _, _ = small
    clf = SoftmaxClassifier(epochs=1, random_state=0).fit(X[:100] > 0.5, y[:100])
    assert clf.predict(X[:3] > 0.5).shape == (3,)


def test_bad_prediction_data(fitted):
    with pytest.raises(ValueError,
                       match="X has 5 features, but SoftmaxClassifier is expecting 784"):
        fitted.predict(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="Input X contains infinity"):
        fitted.predict_proba(np.full((2, 784), np.inf))
    with pytest.raises(ValueError, match=r"labels never seen in fit: \[42\]"):
        fitted.score(np.zeros((2, 784)), [1, 42])
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        SoftmaxClassifier().predict(np.zeros((2, 784)))


def test_sparse_input_is_densified(small):
    import scipy.sparse as sp

    X, y, X_test, _ = small
    dense = SoftmaxClassifier(epochs=1, random_state=0).fit(X, y)
    sparse = SoftmaxClassifier(epochs=1, random_state=0).fit(sp.csr_matrix(X), y)
    np.testing.assert_array_equal(dense.predict_proba(X_test),
                                  sparse.predict_proba(sp.csr_matrix(X_test)))


def test_issue_quick_start_on_the_sample(sample):
    from sklearn.linear_model import LogisticRegression

    (X, y), _ = sample
    X, y = X[:900], y[:900]
    X_tr, X_val, y_tr, y_val = train_test_split(X, y, test_size=0.2, random_state=42)
    pipe = Pipeline([("scale", PixelScaler()), ("clf", SoftmaxClassifier(random_state=42))])
    assert pipe.fit(X_tr, y_tr).score(X_val, y_val) > 0.65
    scores = cross_val_score(pipe, X_tr, y_tr, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.5
    search = GridSearchCV(pipe, {"clf__epochs": [1, 3]}, cv=3).fit(X_tr, y_tr)
    assert search.best_params_["clf__epochs"] in (1, 3)
    assert search.best_estimator_.named_steps["clf"].n_iter_ == search.best_params_["clf__epochs"]
    baseline = pipe.set_params(clf=LogisticRegression(max_iter=200)).fit(X_tr, y_tr)
    assert baseline.score(X_val, y_val) > 0.6


def test_clone_keeps_parameters_only(fitted):
    copy = clone(fitted)
    assert not hasattr(copy, "model_") and copy.get_params() == fitted.get_params()
