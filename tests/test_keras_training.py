"""Keras's fit semantics in skfashion's training loop: callbacks, batch events,
validation, models with their own fit, quiet traced functions."""

import keras
import numpy as np
import pytest
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from skfashion import KerasClassifier, KerasRegressor, PixelScaler, SoftmaxClassifier

SPARSE = "sparse_categorical_crossentropy"


class Recorder(keras.callbacks.Callback):
    """Records every event with its index (the callbacks a Keras user writes)."""

    def __init__(self):
        super().__init__()
        self.events = []

    def on_train_begin(self, logs=None):
        self.events.append(("train_begin", None))

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(("epoch_begin", epoch))

    def on_train_batch_begin(self, batch, logs=None):
        self.events.append(("batch_begin", batch))

    def on_train_batch_end(self, batch, logs=None):
        self.events.append(("batch_end", batch))
        assert "loss" in logs

    def on_test_begin(self, logs=None):
        self.events.append(("test_begin", None))

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(("epoch_end", epoch))

    def on_train_end(self, logs=None):
        self.events.append(("train_end", None))

    def of(self, kind):
        return [i for k, i in self.events if k == kind]


@pytest.fixture(scope="module")
def data(small):
    X, y, X_test, y_test = small
    return X[:800], y[:800], X_test, y_test


def test_the_callback_instance_passed_sees_the_events(data):
    X, y, _, _ = data
    recorder = Recorder()
    clf = SoftmaxClassifier(epochs=2, batch_size=8, callbacks=[recorder], random_state=0)
    clf.fit(X, y)
    assert recorder.events[0] == ("train_begin", None)
    assert recorder.events[-1] == ("train_end", None)
    assert recorder.of("epoch_begin") == [0, 1] and recorder.of("epoch_end") == [0, 1]
    assert recorder.model is clf.model_


@pytest.mark.parametrize("steps_per_execution, chunk", [("auto", 2), (1, 1), (25, 25)])
def test_batch_events_follow_steps_per_execution(data, steps_per_execution, chunk):
    """100 steps per epoch: "auto" gives 50 chunks of 2 steps when a callback
    listens to batches; an integer is Keras's steps_per_execution."""
    X, y, _, _ = data
    recorder = Recorder()
    SoftmaxClassifier(epochs=1, batch_size=8, callbacks=[recorder], random_state=0,
                      steps_per_execution=steps_per_execution).fit(X, y)
    begins = list(range(0, 100, chunk))
    assert recorder.of("batch_begin") == begins
    assert recorder.of("batch_end") == [min(b + chunk, 100) - 1 for b in begins]


def test_chunked_training_equals_whole_epochs(data):
    """Batch events change when the loop pauses, not what it computes."""
    X, y, X_test, _ = data
    whole = SoftmaxClassifier(epochs=2, batch_size=8, random_state=0).fit(X, y)
    chunked = SoftmaxClassifier(epochs=2, batch_size=8, random_state=0,
                                steps_per_execution=7).fit(X, y)
    np.testing.assert_allclose(whole.predict_proba(X_test), chunked.predict_proba(X_test),
                               rtol=1e-5, atol=1e-6)


def test_verbose_1_draws_a_progress_bar_that_moves_within_the_epoch(data, capsys):
    X, y, _, _ = data
    SoftmaxClassifier(epochs=2, batch_size=8, verbose=1, random_state=0).fit(X, y)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    # Redrawn within the epoch (Keras throttles redraws to one per 0.05 s).
    assert "  2/100" in out and "100/100" in out


def test_user_early_stopping_instance_records_where_it_stopped(data):
    X, y, _, _ = data
    stop = keras.callbacks.EarlyStopping(monitor="loss", min_delta=10.0, patience=0)
    clf = SoftmaxClassifier(epochs=10, callbacks=[stop], random_state=0).fit(X, y)
    assert clf.n_iter_ == 2 and stop.stopped_epoch == 1


def test_validation_data_and_split(data):
    X, y, X_test, y_test = data
    clf = SoftmaxClassifier(epochs=2, metrics=["accuracy"], random_state=0)
    clf.fit(X, y, validation_data=(X_test, y_test), validation_batch_size=64)
    assert set(clf.history_) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    proba = clf.predict_proba(X_test)
    expected = -np.mean(np.log(proba[np.arange(len(y_test)), y_test]))
    assert clf.history_["val_loss"][-1] == pytest.approx(expected, rel=1e-4)
    assert clf.history_["val_accuracy"][-1] == pytest.approx(clf.score(X_test, y_test))

    def build(meta):
        return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                                 keras.layers.Dense(meta["n_classes_"], activation="softmax")])

    split = KerasClassifier(build, loss=SPARSE, validation_split=0.25, epochs=2,
                            random_state=0).fit(X, y)
    assert len(split.history_["val_loss"]) == 2
    routed = KerasClassifier(build, loss=SPARSE, fit__validation_data=(X_test, y_test),
                             random_state=0).fit(X, y)
    assert len(routed.history_["val_loss"]) == 1


def test_early_stopping_callback_on_validation_loss(data):
    X, y, X_test, y_test = data
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=1,
                                         restore_best_weights=True)
    clf = SoftmaxClassifier(hidden_layer_sizes=(64,), optimizer="adam", learning_rate=0.05,
                            epochs=40, callbacks=[stop], random_state=0)
    clf.fit(X, y, validation_data=(X_test, y_test))
    assert clf.n_iter_ < 40 and stop.stopped_epoch == clf.n_iter_ - 1


def test_fit_keyword_arguments_override_parameters(data):
    X, y, _, _ = data
    recorder = Recorder()
    clf = SoftmaxClassifier(epochs=5, random_state=0)
    clf.fit(X, y, epochs=1, callbacks=[recorder])
    assert clf.n_iter_ == 1 and recorder.of("epoch_end") == [0]
    assert clf.epochs == 5  # the parameter is untouched


def test_a_model_with_its_own_fit_is_trained_by_it(data):
    X, y, _, _ = data
    calls = []

    class OwnFit(keras.Sequential):
        def fit(self, *args, **kwargs):
            calls.append(kwargs)
            return super().fit(*args, **kwargs)

    def build(meta):
        return OwnFit([keras.Input((meta["n_features_in_"],)),
                       keras.layers.Dense(meta["n_classes_"], activation="softmax")])

    clf = KerasClassifier(build, loss=SPARSE, epochs=2, batch_size=50, fit__custom=1,
                          random_state=0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'custom'"):
        clf.fit(X, y)  # Keras's own fit refuses it: passed on, not dropped
    clf = KerasClassifier(build, loss=SPARSE, epochs=2, batch_size=50, random_state=0)
    clf.fit(X, y)
    assert calls[-1]["epochs"] == 2 and calls[-1]["batch_size"] == 50
    assert len(clf.history_["loss"]) == 2


def test_regressor_trains_with_the_same_loop(data):
    X, y, _, _ = data
    target = X @ np.random.RandomState(0).normal(size=X.shape[1]) / 10

    def build(meta):
        return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                                 keras.layers.Dense(meta["n_outputs_"])])

    reg = KerasRegressor(build, loss="mse", optimizer="adam", optimizer__learning_rate=0.01,
                         epochs=20, random_state=0).fit(X, target)
    assert reg.score(X, target) > 0.8 and reg.predict(X[:4]).shape == (4,)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                    reason="tf.function retracing is a TensorFlow matter")
def test_no_retracing_warnings_in_cross_validation(sample, caplog):
    (X, y), _ = sample
    pipe = make_pipeline(PixelScaler(), SoftmaxClassifier(epochs=1, random_state=0))
    with caplog.at_level("WARNING"):
        cross_val_score(pipe, X[:700], y[:700], cv=7)
    assert not [r for r in caplog.records if "retracing" in r.getMessage()]
