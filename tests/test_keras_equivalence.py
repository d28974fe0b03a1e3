"""Keras is the oracle: every training option gives what ``model.fit`` gives.

Each case trains the same network twice from the same initial weights (set by
the builder): once through skfashion, once with plain ``model.fit``. The final
weights and every ``history`` entry (``val_*`` included) must agree to float32
round-off, and a recording callback must see the same events (names, order,
batch indices, ``params``). This is the net that catches an option that is
accepted but does something else (``validation_data`` once trained on the
validation set while every test checked only that ``val_*`` keys existed).

What "equal to Keras" does not cover, on purpose (docs/guide/keras_semantics.rst):
samples of weight 0 are dropped (scikit-learn's meaning), ``epochs`` counts the
epochs of this call (scikeras's meaning: ``fit(epochs=2, initial_epoch=1)`` is
Keras's ``fit(epochs=3, initial_epoch=1)``), and a loss that becomes NaN raises
unless a callback (``TerminateOnNaN``) stops the training first.

Runs on every backend CI tests (TensorFlow and JAX; PyTorch too).
"""

import keras
import numpy as np
import pytest

from skfashion import BaseWrapper, KerasClassifier, KerasRegressor, SoftmaxClassifier
from skfashion.utils import metric_name

SPARSE = "sparse_categorical_crossentropy"
N_IN, N_CLASSES = 784, 10
# float32 training, two implementations of the same arithmetic: steps traced in
# one loop (skfashion) or one per call (Keras) may fuse differently.
RTOL, ATOL = 2e-5, 2e-6


def initial_weights(shapes, seed=0):
    rng = np.random.RandomState(seed)
    return [rng.normal(0, 0.05, shape).astype("float32") for shape in shapes]


def build_softmax(meta=None, hidden=0, outputs=N_CLASSES, activation="softmax"):
    """The tutorial network (or an MLP), always from the same initial weights."""
    layers = [keras.Input((N_IN,))]
    if hidden:
        layers.append(keras.layers.Dense(hidden, activation="relu"))
    layers.append(keras.layers.Dense(outputs, activation=activation))
    model = keras.Sequential(layers)
    model.set_weights(initial_weights([w.shape for w in model.get_weights()]))
    return model


class Recorder(keras.callbacks.Callback):
    """Every event a Keras user can listen to, with its index and log keys."""

    def __init__(self):
        super().__init__()
        self.events = []

    def _record(self, name, index=None, logs=None):
        self.events.append((name, index, tuple(sorted(logs or ()))))

    def on_train_begin(self, logs=None):
        self._record("train_begin", None, logs)
        self.seen_params = dict(self.params)

    def on_train_end(self, logs=None):
        self._record("train_end", None, logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._record("epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._record("epoch_end", epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._record("train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._record("train_batch_end", batch, logs)

    def on_test_begin(self, logs=None):
        self._record("test_begin", None, logs)

    def on_test_end(self, logs=None):
        self._record("test_end", None, logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._record("test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._record("test_batch_end", batch, logs)


class StopAtBatch(keras.callbacks.Callback):
    """Sets ``model.stop_training`` in the middle of the second epoch."""

    def on_train_batch_end(self, batch, logs=None):
        if batch == 3 and self.seen_epoch == 1:
            self.model.stop_training = True

    def on_epoch_begin(self, epoch, logs=None):
        self.seen_epoch = epoch


@pytest.fixture(scope="module")
def data(small):
    X, y, X_test, y_test = small
    w = np.random.RandomState(1).uniform(0.2, 2.0, 240).astype("float32")
    w_val = np.random.RandomState(2).uniform(0.2, 2.0, 64).astype("float32")
    return {"X": X[:240], "y": y[:240], "w": w, "X_val": X_test[:64], "y_val": y_test[:64],
            "w_val": w_val}


def _full_name(key):
    try:
        return metric_name(key)
    except ValueError:
        return key  # not a metric (learning_rate from a scheduler): kept as it is


def _history_of_keras(history):
    """Keras's history with metrics under their full names (skfashion's ``history_``)."""
    out = {}
    for key, values in history.items():
        if key == "loss" or key == "val_loss":
            name = key
        elif key.startswith("val_"):
            name = "val_" + _full_name(key[4:])
        else:
            name = _full_name(key)
        out[name] = values
    return out


def assert_same_history(ours, keras_history):
    theirs = _history_of_keras(keras_history)
    assert sorted(ours) == sorted(theirs)
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=RTOL * 10, atol=ATOL * 10,
                                   err_msg=f"history[{key!r}]")
        assert len(ours[key]) == len(theirs[key])


def assert_same_weights(model, reference, *, finite=True):
    """Same weights to float32 round-off; finite unless a case diverges on purpose
    (NaN equals NaN in ``assert_allclose``: a broken model must not pass)."""
    ours, theirs = model.get_weights(), reference.get_weights()
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if finite:
            assert np.all(np.isfinite(b)), f"the reference's weight {i} is not finite"
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=f"weight {i}",
                                   equal_nan=not finite)


def reference_model(build=build_softmax, loss=SPARSE, optimizer=None, metrics=("accuracy",),
                    steps_per_execution=1, **build_kwargs):
    model = build(**build_kwargs)
    model.compile(optimizer=optimizer or keras.optimizers.SGD(learning_rate=0.1), loss=loss,
                  metrics=list(metrics), steps_per_execution=steps_per_execution)
    return model


def classifier(**params):
    defaults = dict(model=build_softmax, loss=SPARSE, optimizer="sgd",
                    optimizer__learning_rate=0.1, metrics=["accuracy"], epochs=3,
                    batch_size=32, shuffle=False, random_state=0)
    return KerasClassifier(**{**defaults, **params})


# ------------------------------------------------------------------ the matrix
def _cases(d):
    """``id: (estimator params, fit kwargs, Keras fit kwargs)`` for the shared data."""
    val = (d["X_val"], d["y_val"])
    val_w = (d["X_val"], d["y_val"], d["w_val"])
    return {
        "no options": ({}, {}, {}),
        "validation_data": ({}, {"validation_data": val}, {"validation_data": val}),
        "validation_data with weights": ({}, {"validation_data": val_w},
                                         {"validation_data": val_w}),
        "fit__validation_data": ({"fit__validation_data": val}, {}, {"validation_data": val}),
        "validation_split": ({"validation_split": 0.25}, {}, {"validation_split": 0.25}),
        "validation_split with weights": (
            {"validation_split": 0.25}, {"sample_weight": d["w"]},
            {"validation_split": 0.25, "sample_weight": d["w"]}),
        "validation_batch_size": ({"validation_batch_size": 20},
                                  {"validation_data": val},
                                  {"validation_data": val, "validation_batch_size": 20}),
        "validation_freq": ({"epochs": 4, "fit__validation_freq": 2},
                            {"validation_data": val},
                            {"epochs": 4, "validation_data": val, "validation_freq": 2}),
        "validation_freq list": ({"epochs": 4}, {"validation_data": val,
                                                 "validation_freq": [1, 3]},
                                 {"epochs": 4, "validation_data": val,
                                  "validation_freq": [1, 3]}),
        "validation_steps": ({}, {"validation_data": val, "validation_steps": 1},
                             {"validation_data": val, "validation_steps": 1}),
        "sample_weight": ({}, {"sample_weight": d["w"]}, {"sample_weight": d["w"]}),
        "class_weight": ({"class_weight": {0: 3.0, 3: 0.5, 9: 2.0}}, {},
                         {"class_weight": {0: 3.0, 3: 0.5, 9: 2.0}}),
        "fit__class_weight": ({"fit__class_weight": {1: 2.0}}, {},
                              {"class_weight": {1: 2.0}}),
        "batch_size divides": ({"batch_size": 24}, {}, {"batch_size": 24}),
        "batch_size leaves a partial batch": ({"batch_size": 50}, {}, {"batch_size": 50}),
        "batch_size -1": ({"batch_size": -1}, {}, {"batch_size": 240}),
        "epochs and initial_epoch": ({}, {"epochs": 2, "initial_epoch": 1},
                                     {"epochs": 3, "initial_epoch": 1}),
        "adam": ({"optimizer": "adam", "optimizer__learning_rate": 0.01}, {},
                 {"optimizer": keras.optimizers.Adam(0.01)}),
        "rmsprop with EMA": ({"optimizer": "rmsprop", "optimizer__use_ema": True}, {},
                             {"optimizer": keras.optimizers.RMSprop(0.1, use_ema=True)}),
    }


CASES = list(_cases({k: None for k in ("X_val", "y_val", "w", "w_val")}))


def _reference_fit(d, keras_kwargs, *, steps_per_execution=1, callbacks=(), **build_kwargs):
    kwargs = dict(keras_kwargs)
    optimizer = kwargs.pop("optimizer", None)
    model = reference_model(optimizer=optimizer, steps_per_execution=steps_per_execution,
                            **build_kwargs)
    fit = dict(epochs=3, batch_size=32, shuffle=False, verbose=0, callbacks=list(callbacks))
    fit.update(kwargs)
    history = model.fit(d["X"], d["y"], **fit).history
    return model, history


@pytest.mark.parametrize("case", CASES)
def test_training_option_equals_keras_fit(data, case):
    params, fit_kwargs, keras_kwargs = _cases(data)[case]
    ours = classifier(**params).fit(data["X"], data["y"], **fit_kwargs)
    reference, history = _reference_fit(data, keras_kwargs)
    assert_same_weights(ours.model_, reference)
    assert_same_history(ours.history_, history)


def test_validation_data_is_not_trained_on(data):
    """The bug this file was written for, stated plainly: the weights after fit
    with validation data are the weights after fit without it."""
    with_val = classifier().fit(data["X"], data["y"],
                                validation_data=(data["X_val"], data["y_val"]))
    without = classifier().fit(data["X"], data["y"])
    assert_same_weights(with_val.model_, without.model_)
    assert len(with_val.history_["val_loss"]) == 3


@pytest.mark.parametrize("steps_per_execution", [1, 3, 7])
def test_callback_events_equal_keras(data, steps_per_execution):
    """Names, order, batch indices (Keras's ``steps_per_execution`` rule, the last
    index of a short final chunk included), log keys and ``params``."""
    if steps_per_execution > 1 and keras.backend.backend() == "torch":
        pytest.skip("Keras's PyTorch backend allows only steps_per_execution=1")
    ours_rec, keras_rec = Recorder(), Recorder()
    val = (data["X_val"], data["y_val"])
    classifier(epochs=2, callbacks=[ours_rec],
               steps_per_execution=steps_per_execution).fit(
        data["X"], data["y"], validation_data=val, validation_batch_size=16)
    _reference_fit(data, {"epochs": 2, "validation_data": val, "validation_batch_size": 16},
                   steps_per_execution=steps_per_execution, callbacks=[keras_rec])
    assert ours_rec.events == keras_rec.events
    assert ours_rec.seen_params == keras_rec.seen_params


def test_steps_per_execution_auto_trains_as_keras(data):
    """"auto" runs whole epochs per call: same weights and history as Keras's
    one step per call, and the epoch events of a listener that ignores batches."""
    class EpochsOnly(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.epochs = []

        def on_epoch_end(self, epoch, logs=None):
            self.epochs.append((epoch, sorted(logs)))

    ours_cb, keras_cb = EpochsOnly(), EpochsOnly()
    ours = classifier(callbacks=[ours_cb]).fit(data["X"], data["y"])
    reference, history = _reference_fit(data, {}, callbacks=[keras_cb])
    assert_same_weights(ours.model_, reference)
    assert_same_history(ours.history_, history)
    assert ours_cb.epochs == keras_cb.epochs


def _permutations(random_state, n, epochs):
    """skfashion's documented shuffling: epoch ``e`` visits ``rng.permutation(n)``,
    ``rng`` the estimator's ``RandomState(random_state)`` after it drew the seed
    of the model's build (see ``skfashion._training``)."""
    rng = np.random.RandomState(random_state)
    rng.randint(np.iinfo(np.int32).max)
    return [rng.permutation(n) for _ in range(epochs)]


def test_shuffled_training_equals_keras_fed_the_same_orders(data):
    ours = classifier(shuffle=True, random_state=5).fit(data["X"], data["y"])
    reference = reference_model()
    history = {}
    for epoch, order in enumerate(_permutations(5, 240, 3)):
        h = reference.fit(data["X"][order], data["y"][order], batch_size=32, shuffle=False,
                          epochs=epoch + 1, initial_epoch=epoch, verbose=0).history
        for key, values in h.items():
            history.setdefault(key, []).extend(values)
    assert_same_weights(ours.model_, reference)
    assert_same_history(ours.history_, history)


def test_shuffled_training_with_validation_split_shuffles_the_head_only(data):
    ours = classifier(shuffle=True, random_state=3, validation_split=0.25).fit(
        data["X"], data["y"])
    reference = reference_model()
    X, y, X_val, y_val = data["X"][:180], data["y"][:180], data["X"][180:], data["y"][180:]
    for epoch, order in enumerate(_permutations(3, 180, 3)):
        reference.fit(X[order], y[order], batch_size=32, shuffle=False, epochs=epoch + 1,
                      initial_epoch=epoch, verbose=0, validation_data=(X_val, y_val))
    assert_same_weights(ours.model_, reference)


def test_warm_start_continues_like_a_second_keras_fit(data):
    ours = classifier(warm_start=True, optimizer="adam", optimizer__learning_rate=0.01)
    ours.fit(data["X"], data["y"], epochs=2)
    ours.fit(data["X"], data["y"], epochs=1)
    reference = reference_model(optimizer=keras.optimizers.Adam(0.01))
    reference.fit(data["X"], data["y"], epochs=2, batch_size=32, shuffle=False, verbose=0)
    history = reference.fit(data["X"], data["y"], epochs=1, batch_size=32, shuffle=False,
                            verbose=0).history
    assert_same_weights(ours.model_, reference)
    assert_same_history(ours.history_, history)  # scikeras: each fit starts history_ anew


def test_partial_fit_is_one_more_keras_epoch(data):
    ours = classifier()
    ours.partial_fit(data["X"], data["y"])
    ours.partial_fit(data["X"], data["y"])
    reference = reference_model()
    reference.fit(data["X"], data["y"], epochs=1, batch_size=32, shuffle=False, verbose=0)
    reference.fit(data["X"], data["y"], epochs=2, initial_epoch=1, batch_size=32,
                  shuffle=False, verbose=0)
    assert_same_weights(ours.model_, reference)
    assert ours.n_iter_ == 2


# -------------------------------------------------------------- callbacks
def _callback_cases():
    return {
        "LearningRateScheduler": (
            lambda: keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5), {}),
        "ReduceLROnPlateau": (
            lambda: keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.2, patience=0,
                                                      min_delta=10.0), {}),
        "EarlyStopping restoring the best weights": (
            lambda: keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=10.0,
                                                  patience=1, restore_best_weights=True),
            {"validation": True}),
        "a callback that stops mid-epoch": (StopAtBatch, {}),
    }


@pytest.mark.parametrize("case", list(_callback_cases()))
def test_callbacks_that_change_training_equal_keras(data, case):
    make, how = _callback_cases()[case]
    val = {"validation_data": (data["X_val"], data["y_val"])} if how.get("validation") else {}
    ours = classifier(epochs=4, callbacks=[make()], steps_per_execution=1).fit(
        data["X"], data["y"], **val)
    reference, history = _reference_fit(data, {"epochs": 4, **val}, callbacks=[make()])
    assert_same_weights(ours.model_, reference)
    assert_same_history(ours.history_, history)


def test_terminate_on_nan_stops_as_keras_does(data):
    """A diverging fit with ``TerminateOnNaN`` ends as Keras's (no error, the
    invalid epoch recorded, the same weights); without the callback skfashion
    raises instead of returning broken weights."""
    X = data["X"]
    target = (X @ np.random.RandomState(0).normal(size=N_IN) / 10).astype("float32")

    def regressor(**params):
        return KerasRegressor(_one_output, loss="mse", optimizer="sgd",
                              optimizer__learning_rate=1e3, epochs=3, shuffle=False,
                              random_state=0, steps_per_execution=1, **params)

    ours = regressor(callbacks=[keras.callbacks.TerminateOnNaN()]).fit(X, target)
    reference = _one_output()
    reference.compile(optimizer=keras.optimizers.SGD(1e3), loss="mse")
    history = reference.fit(X, target, epochs=3, batch_size=32, shuffle=False, verbose=0,
                            callbacks=[keras.callbacks.TerminateOnNaN()]).history
    assert len(ours.history_["loss"]) == len(history["loss"]) == 1
    assert not np.isfinite(ours.history_["loss"][0]) and not np.isfinite(history["loss"][0])
    assert_same_weights(ours.model_, reference, finite=False)
    with pytest.raises(ValueError, match="Training diverged"):
        regressor().fit(X, target)


# -------------------------------------------------------- other estimators
def _two_outputs(meta=None):
    inputs = keras.Input((N_IN,))
    first = keras.layers.Dense(1, name="first")(inputs)
    second = keras.layers.Dense(1, name="second")(inputs)
    model = keras.Model(inputs, [first, second])
    model.set_weights(initial_weights([w.shape for w in model.get_weights()], seed=4))
    return model


class TwoOutputs(BaseWrapper):
    """scikeras's documented multi-output pattern: a target encoder splits y."""

    @property
    def target_encoder(self):
        from sklearn.preprocessing import FunctionTransformer

        return FunctionTransformer(lambda y: [y[:, :1], y[:, 1:]],
                                   lambda outputs: np.hstack(outputs))


def _one_output(meta=None):
    return build_softmax(outputs=1, activation=None)


@pytest.mark.parametrize("loss", ["mse", "mae", "huber"])
def test_regressor_losses_equal_keras(data, loss):
    X = data["X"]
    target = (X @ np.random.RandomState(0).normal(size=N_IN) / 10).astype("float32")
    ours = KerasRegressor(_one_output, loss=loss, optimizer="sgd",
                          optimizer__learning_rate=0.01, epochs=3, shuffle=False,
                          random_state=0).fit(X, target)
    reference = _one_output()
    reference.compile(optimizer=keras.optimizers.SGD(0.01), loss=loss)
    history = reference.fit(X, target, epochs=3, batch_size=32, shuffle=False,
                            verbose=0).history
    assert_same_weights(ours.model_, reference)
    assert_same_history(ours.history_, history)
    np.testing.assert_allclose(ours.predict(X[:50]),
                               reference.predict(X[:50], verbose=0).ravel(), rtol=1e-5,
                               atol=1e-6)


def _two_targets(X):
    rng = np.random.RandomState(0)
    return np.stack([X @ rng.normal(size=N_IN) / 10, X @ rng.normal(size=N_IN) / 10],
                    axis=1).astype("float32")


def test_multi_output_model_equals_keras(data):
    X = data["X"]
    target = _two_targets(X)
    ours = TwoOutputs(_two_outputs, loss="mse", optimizer="sgd",
                      optimizer__learning_rate=0.01, epochs=3, shuffle=False,
                      random_state=0).fit(X, target, validation_split=0.25)
    reference = _two_outputs()
    reference.compile(optimizer=keras.optimizers.SGD(0.01), loss=["mse", "mse"])
    history = reference.fit(X, [target[:, :1], target[:, 1:]], epochs=3, batch_size=32,
                            shuffle=False, verbose=0, validation_split=0.25).history
    assert_same_weights(ours.model_, reference)
    assert_same_history(ours.history_, history)
    expected = np.hstack(reference.predict(X[:20], verbose=0))
    np.testing.assert_allclose(ours.predict(X[:20]), expected, rtol=1e-5, atol=1e-6)


def test_multi_target_regressor_equals_keras(data):
    X = data["X"]
    target = _two_targets(X)

    def build(meta=None):
        return build_softmax(outputs=2, activation=None)

    ours = KerasRegressor(build, loss="mse", optimizer="sgd", optimizer__learning_rate=0.01,
                          epochs=3, shuffle=False, random_state=0).fit(X, target)
    reference = build()
    reference.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    history = reference.fit(X, target, epochs=3, batch_size=32, shuffle=False,
                            verbose=0).history
    assert_same_weights(ours.model_, reference)
    assert_same_history(ours.history_, history)


def test_softmax_classifier_trains_as_the_tutorial(data):
    """``SoftmaxClassifier``'s defaults are the tutorial's: RMSprop, batch 32."""
    X, y = data["X"], data["y"]
    ours = SoftmaxClassifier(epochs=3, shuffle=False, random_state=0, warm_start=True,
                             metrics=["accuracy"]).initialize(X, y)
    start = [np.random.RandomState(9).normal(0, 0.05, w.shape).astype("float32")
             for w in ours.model_.get_weights()]
    ours.model_.set_weights(start)
    val = (data["X_val"], data["y_val"])
    ours.fit(X, y, validation_data=val)
    reference = keras.Sequential([keras.Input((N_IN,)),
                                  keras.layers.Dense(N_CLASSES, activation="softmax")])
    reference.set_weights(start)
    reference.compile(optimizer="rmsprop", loss=SPARSE, metrics=["accuracy"])
    history = reference.fit(X, y, epochs=3, batch_size=32, shuffle=False, verbose=0,
                            validation_data=val).history
    assert_same_weights(ours.model_, reference)
    assert_same_history(ours.history_, history)


# -------------------------------------------------------------- prediction
def _cnn(meta=None):
    """A CNN off the NumPy path (convolution, batch normalization), seeded initializers."""
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(4, 3, activation="relu",
                            kernel_initializer=keras.initializers.GlorotUniform(seed=1)),
        keras.layers.BatchNormalization(),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(N_CLASSES, activation="softmax",
                           kernel_initializer=keras.initializers.GlorotUniform(seed=2)),
    ])


def assert_same_outputs(ours, expected):
    assert np.all(np.isfinite(expected))
    np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=1e-6, equal_nan=False)


@pytest.mark.parametrize("path", ["numpy", "compiled", "keras"])
def test_every_prediction_path_equals_model_predict(data, path):
    """NumPy forward pass (Dense models), the backend's compiled call (a CNN
    with batch normalization) and Keras's own ``predict`` (any predict option)
    give ``model.predict``'s probabilities and its argmax labels, whatever the
    input dtype of earlier calls."""
    build = _cnn if path == "compiled" else build_softmax
    clf = classifier(model=build, epochs=1).fit(data["X"], data["y"])
    kwargs = {"batch_size": 7} if path == "keras" else {}
    pixels = np.round(data["X_val"] * 255).astype("uint8")
    # Calls with other dtypes (and fractional values) after the first: none may
    # reuse the first call's input type.
    for X_new in (pixels, data["X_val"], pixels > 127, pixels.astype("float16")):
        shaped = X_new.astype("float32").reshape((len(X_new), *clf.model_.input_shape[1:]))
        expected = clf.model_.predict(shaped, verbose=0)
        assert_same_outputs(clf.predict_proba(X_new, **kwargs), expected)
        np.testing.assert_array_equal(clf.predict(X_new, **kwargs),
                                      clf.classes_[expected.argmax(axis=1)])


# ------------------------------------------------------------- guards
def test_validation_data_that_is_the_training_data_warns(data):
    X, y = data["X"], data["y"]
    with pytest.warns(UserWarning, match="validation_data is the training data"):
        classifier(epochs=1).fit(X, y, validation_data=(X, y))
    with pytest.warns(UserWarning, match="validation_data is the training data"):
        classifier(epochs=1).fit(X, y, validation_data=(X.copy(), y.copy()))


def test_training_data_of_the_wrong_size_never_trains(data, monkeypatch):
    """The loop refuses training data whose size is not what the estimator counted
    in the user's data: the ``validation_data`` bug, reintroduced, stops the fit."""
    original = KerasClassifier._validation

    def swapped(self, job):
        split = original(self, job)
        return type(split)(train=split.validation.data, validation=split.validation,
                           held_out=split.held_out)

    monkeypatch.setattr(KerasClassifier, "_validation", swapped)
    with pytest.raises(RuntimeError, match="the training loop was given 64 samples but "
                                           "the estimator counted 240"):
        classifier(epochs=1).fit(data["X"], data["y"],
                                 validation_data=(data["X_val"], data["y_val"]))
