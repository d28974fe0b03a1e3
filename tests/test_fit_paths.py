"""Every fit path validates the same way, keeps a consistent state, and
predictions follow the model."""

import threading

import keras
import numpy as np
import pytest

from skfashion import KerasClassifier, SoftmaxClassifier

SPARSE = "sparse_categorical_crossentropy"


def build(meta):
    return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                             keras.layers.Dense(meta["n_classes_"], activation="softmax")])


@pytest.fixture(scope="module")
def data(small):
    X, y, X_test, _ = small
    return X[:300], y[:300], X_test


@pytest.mark.parametrize("routed, error, match", [
    (dict(fit__epochs=0), ValueError,
     r"The 'fit__epochs' parameter of KerasClassifier must be an int in the range \[1, inf\)\. "
     "Got 0 instead"),
    (dict(fit__batch_size=0), ValueError, r"'fit__batch_size' parameter .* Got 0 instead"),
    (dict(fit__batch_size=-5), ValueError, r"'fit__batch_size' parameter .* Got -5 instead"),
    (dict(fit__batch_size=2.5), TypeError, r"'fit__batch_size' parameter .* Got 2.5 instead"),
    (dict(fit__bogus=1), TypeError, r"fit__bogus: fit\(\) got an unexpected keyword"),
    (dict(fit__validation_split=1.5), ValueError,
     r"'fit__validation_split' parameter .* must be a float in the range \[0.0, 1.0\)\. Got 1.5"),
    (dict(fit__shuffle="yes"), TypeError, r"'fit__shuffle' parameter .* Got 'yes' instead"),
])
def test_routed_options_are_checked_on_every_path(data, routed, error, match):
    X, y, _ = data

    def make(**extra):
        return KerasClassifier(build, loss=SPARSE, random_state=0, **extra)

    with pytest.raises(error, match=match):
        make(**routed).fit(X, y)
    warm = make(warm_start=True).fit(X, y).set_params(**routed)
    with pytest.raises(error, match=match):
        warm.fit(X, y)
    if "fit__epochs" not in routed:  # partial_fit trains one epoch whatever epochs says
        partial = make().partial_fit(X, y).set_params(**routed)
        with pytest.raises(error, match=match):
            partial.partial_fit(X, y)


def _paths(est, X, y):
    """fit, a warm-started fit, and partial_fit (after an initial fit)."""
    yield "fit", lambda **kw: est.fit(X, y, **kw)
    warm = est.__class__(**{**est.get_params(), "warm_start": True}).fit(X, y)
    yield "warm start", lambda **kw: warm.fit(X, y, **kw)
    partial = est.__class__(**est.get_params()).fit(X, y)
    yield "partial_fit", lambda **kw: partial.partial_fit(X, y, **kw)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(epochs=0), ValueError,
     r"The 'fit\(epochs=...\)' parameter of SoftmaxClassifier must be an int in the range "
     r"\[1, inf\)\. Got 0 instead"),
    (dict(batch_size=0), ValueError, r"'fit\(batch_size=...\)' parameter .* Got 0 instead"),
    (dict(bogus=1), TypeError, r"fit\(bogus=...\): fit\(\) got an unexpected keyword"),
    (dict(validation_data=(1, 2, 3, 4)), TypeError,
     r"must be a tuple \(X_val, y_val\) or \(X_val, y_val, sample_weight_val\) or None"),
])
def test_fit_keywords_are_checked_on_every_path(data, kwargs, error, match):
    X, y, _ = data
    for path, fit in _paths(SoftmaxClassifier(random_state=0, epochs=1), X, y):
        if path == "partial_fit" and "epochs" in kwargs:
            with pytest.raises(TypeError, match="Invalid argument `epochs` to `partial_fit`"):
                fit(**kwargs)
            continue
        with pytest.raises(error, match=match):
            fit(**kwargs)


def test_batch_size_minus_one_is_all_samples(data):
    X, y, _ = data
    clf = KerasClassifier(build, loss=SPARSE, fit__batch_size=-1, epochs=3, random_state=0,
                          callbacks=[steps := StepCounter()]).fit(X, y)
    assert steps.count == 3 and clf.n_iter_ == 3  # one step per epoch


class StepCounter(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.count = 0

    def on_train_batch_end(self, batch, logs=None):
        self.count += 1


def test_predictions_follow_model_(data):
    X, y, X_test = data
    clf = SoftmaxClassifier(epochs=1, random_state=0).fit(X, y)
    before = clf.predict_proba(X_test)
    model = clf.model_
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])
    np.testing.assert_allclose(clf.predict_proba(X_test), 0.1, rtol=1e-6)
    model.layers[0].bias.assign(np.arange(10, dtype="float32"))  # a held reference
    assert (clf.predict(X_test) == 9).all()
    clf.fit(X, y)  # a new fit, a new model: snapshots are allowed again
    assert not np.allclose(clf.predict_proba(X_test), 0.1)
    assert before.shape == clf.predict_proba(X_test).shape


def test_a_failed_refit_leaves_the_previous_state_whole(data):
    X, y, X_test = data
    letters = np.array(list("abcdefghij"))[y]
    clf = SoftmaxClassifier(epochs=1, random_state=0).fit(X, letters)
    expected = clf.predict(X_test)
    with pytest.raises(ValueError, match="tuple of positive integers"):
        clf.set_params(hidden_layer_sizes=(0,)).fit(X, y)  # other classes, bad parameter
    np.testing.assert_array_equal(clf.classes_, np.array(list("abcdefghij")))
    np.testing.assert_array_equal(clf.predict(X_test), expected)


def test_a_failed_warm_start_puts_the_weights_back(data):
    X, y, X_test = data
    clf = SoftmaxClassifier(epochs=1, warm_start=True, random_state=0).fit(X, y)
    weights = [w.copy() for w in clf.model_.get_weights()]
    history = {k: list(v) for k, v in clf.history_.items()}

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:  # the second epoch of this fit has changed the weights
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        clf.set_params(epochs=3, callbacks=[Interrupt()]).fit(X, y)
    for a, b in zip(weights, clf.model_.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert clf.history_ == history


def test_predict_during_a_refit_sees_one_model(data):
    """A refit builds its model aside and swaps it in at once."""
    X, y, X_test = data
    clf = SoftmaxClassifier(epochs=1, random_state=0).fit(X, y)
    old = clf.predict_proba(X_test)
    other = SoftmaxClassifier(epochs=3, random_state=1).fit(X, y).predict_proba(X_test)
    seen, errors = [], []
    done = threading.Event()

    def reader():
        while not done.is_set():
            try:
                seen.append(clf.predict_proba(X_test))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        clf.set_params(epochs=3, random_state=1).fit(X, y)
    finally:
        done.set()
        thread.join()
    assert not errors
    for proba in seen:
        assert np.array_equal(proba, old) or np.array_equal(proba, other)


@pytest.mark.parametrize("callbacks, match", [
    ([1], "callbacks contains 1 of type int"),
    ([keras.callbacks.History, "x"], "callbacks contains 'x' of type str"),
])
def test_bad_callbacks_are_one_clear_type_error(data, callbacks, match):
    X, y, _ = data
    for est in (SoftmaxClassifier(callbacks=callbacks),
                KerasClassifier(build, loss=SPARSE, callbacks=callbacks)):
        with pytest.raises(TypeError, match=match):
            est.fit(X, y)


@pytest.mark.parametrize("name, bad", [
    ("epochs", 0), ("batch_size", 0), ("batch_size", -2), ("validation_batch_size", 1.5),
    ("verbose", 3), ("shuffle", 2), ("validation_split", 1.0), ("steps_per_execution", 0),
    ("steps_per_execution", "fast"),
])
def test_one_engine_constructor_and_routed_values_meet_the_same_constraints(data, name, bad):
    """Issue 19: a constructor parameter (checked by scikit-learn's
    ``_validate_params``) and the same option routed as ``fit__<name>`` (checked
    in the fit path) are refused by the same constraint objects: the oracle is
    scikit-learn's own message for the constructor parameter."""
    from sklearn.utils._param_validation import InvalidParameterError

    X, y, _ = data
    with pytest.raises(InvalidParameterError) as constructor:
        KerasClassifier(build, loss=SPARSE, **{name: bad}).fit(X, y)
    with pytest.raises(InvalidParameterError) as routed:
        KerasClassifier(build, loss=SPARSE, **{f"fit__{name}": bad}).fit(X, y)
    assert str(routed.value) == str(constructor.value).replace(f"'{name}'", f"'fit__{name}'")


def test_every_constructor_parameter_is_declared():
    """scikit-learn's ``_parameter_constraints`` cover every constructor parameter
    of every estimator (the routed ``**kwargs`` of the wrappers excepted)."""
    import inspect

    from skfashion import BaseWrapper, EpochSearchCV, KerasRegressor, PixelScaler

    for cls in (SoftmaxClassifier, KerasClassifier, KerasRegressor, BaseWrapper, PixelScaler,
                EpochSearchCV):
        names = {n for n, p in inspect.signature(cls).parameters.items()
                 if p.kind is not p.VAR_KEYWORD}
        assert names <= set(cls._parameter_constraints), (cls.__name__,
                                                          names - set(cls._parameter_constraints))
