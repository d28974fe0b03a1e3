"""Where one fit meets another: suspended epoch generators, threads, later fits.

Oracles: a fresh estimator fitted the same way (bit-identical with a fixed
``random_state``), the weights before and after, and the models after each
whole epoch of a sequential run. (Issue 30, items 8-10 and 12.)
"""

import gc
import subprocess
import sys
import threading

import numpy as np
import pytest
from sklearn.base import clone

from skfashion import KerasClassifier, PixelScaler, SoftmaxClassifier
from skfashion._fit._guard import StaleFitError


@pytest.fixture(scope="module")
def data(sample):
    (X, y), (X_test, _) = sample
    X, X_test = PixelScaler().transform(X), PixelScaler().transform(X_test)
    return X[:400], y[:400], X[400:800], y[400:800] % 3, X_test[:200]


def _weights(est):
    return [np.array(w) for w in est.model_.get_weights()]


# ------------------------------------------------------------------ item 8
@pytest.mark.parametrize("ending", ["resume", "close", "garbage"])
def test_a_suspended_generator_never_undoes_a_later_fit(data, ending):
    X1, y1, X2, y2, X_test = data
    clf = SoftmaxClassifier(epochs=3, random_state=0)
    gen = clf.fit_epochs(X1, y1)
    assert next(gen) == 1
    clf.fit(X2, y2)  # three classes, other data: the later fit
    oracle = clone(clf).fit(X2, y2)
    if ending == "resume":
        with pytest.raises(StaleFitError, match="overtaken by a later fit"):
            next(gen)
    elif ending == "close":
        gen.close()
    else:
        del gen
        gc.collect()
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.n_iter_ == 3
    np.testing.assert_array_equal(clf.predict_proba(X_test), oracle.predict_proba(X_test))


def test_a_plain_fit_overtaken_by_another_threads_fit_says_so(data):
    """Two threads fitting one estimator: the later fit wins at once (the earlier
    stops after the epoch it is in, recording nothing of it), and the earlier
    ``fit()`` says what happened in a fit's words (it had no generator)."""
    import threading
    import time

    import keras

    from skfashion._fit._guard import fit_guard

    X1, y1, X2, y2, X_test = data
    clf = SoftmaxClassifier(epochs=3, random_state=0)
    paused, resume = threading.Event(), threading.Event()

    class Pause(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 0 and not paused.is_set():
                paused.set()
                resume.wait(60)

    errors = []

    def first():
        try:
            clf.fit(X1, y1, callbacks=[Pause()])
        except StaleFitError as error:
            errors.append(error)

    earlier = threading.Thread(target=first)
    earlier.start()
    assert paused.wait(60)
    later = threading.Thread(target=lambda: clf.fit(X2, y2))
    later.start()
    deadline = time.monotonic() + 60
    while fit_guard(clf).generation < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    resume.set()  # the later fit has begun: the earlier one's epoch ends now
    earlier.join(60)
    later.join(60)
    assert len(errors) == 1
    message = str(errors[0])
    assert message.startswith("This fit() of SoftmaxClassifier was overtaken by a later fit")
    assert "generator" not in message and "clone" in message
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    np.testing.assert_array_equal(clf.predict_proba(X_test),
                                  clone(clf).fit(X2, y2).predict_proba(X_test))


def test_a_stale_generator_leaves_a_warm_started_model_alone(data):
    """The later fit trains the same model (warm start): the old run must not touch it."""
    X1, y1, _, _, X_test = data
    clf = SoftmaxClassifier(epochs=2, random_state=0, warm_start=True).fit(X1, y1)
    gen = clf.fit_epochs(X1, y1)
    next(gen)
    clf.fit(X1, y1)
    after = _weights(clf)
    proba = clf.predict_proba(X_test)
    gen.close()
    for a, b in zip(after, _weights(clf)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(clf.predict_proba(X_test), proba)


def test_a_generator_closed_before_any_later_fit_still_keeps_its_epochs(data):
    X1, y1, _, _, X_test = data
    clf = SoftmaxClassifier(epochs=5, random_state=0)
    for n_iter in clf.fit_epochs(X1, y1):
        if n_iter == 2:
            break
    oracle = clone(clf).set_params(epochs=2).fit(X1, y1)
    np.testing.assert_array_equal(clf.predict_proba(X_test), oracle.predict_proba(X_test))


# ------------------------------------------------------------------ item 9
def test_an_unclosed_generator_is_silent_at_interpreter_exit(tmp_path):
    script = tmp_path / "exit.py"
    script.write_text(
        "from skfashion import PixelScaler, SoftmaxClassifier\n"
        "from skfashion.datasets import load_sample\n"
        "(X, y), _ = load_sample()\n"
        "clf = SoftmaxClassifier(epochs=3, random_state=0)\n"
        "gen = clf.fit_epochs(PixelScaler().transform(X[:200]), y[:200])\n"
        "next(gen)\n"
        "print('trained', clf.n_iter_)\n"
    )
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "trained 1"
    assert "Exception ignored" not in proc.stderr and "Traceback" not in proc.stderr, \
        proc.stderr[-2000:]


# ------------------------------------------------------------------ item 10
def _epoch_models(make, X, y, X_test, epochs):
    """predict_proba after each whole epoch of a warm refit, run alone."""
    est = make().fit(X, y)
    out = [est.predict_proba(X_test)]
    for _ in est.fit_epochs(X, y):
        out.append(est.predict_proba(X_test))
    assert len(out) == epochs + 1
    return out


class _Pause:
    """Sleeps after each chunk of batches: another thread gets the GIL mid-epoch.

    Without the fit lock a prediction would land inside the epoch here; with it,
    the prediction waits for the epoch's end. (The sleep changes no number: the
    oracle trains with the same callback.)
    """

    def __new__(cls):
        import time

        import keras

        class Pause(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                time.sleep(0.002)

        return Pause()


@pytest.mark.parametrize("how", ["warm_start fit", "fit_epochs"])
def test_predict_in_another_thread_sees_whole_epochs(data, how):
    X, y, _, _, X_test = data

    def make():
        return SoftmaxClassifier(epochs=4, batch_size=16, random_state=0, warm_start=True,
                                 callbacks=[_Pause()], steps_per_execution=5)

    oracle = _epoch_models(make, X, y, X_test, 4)
    est = make().fit(X, y)
    seen, errors = [], []
    done, predicting = threading.Event(), threading.Event()

    def predict():
        while not done.is_set():
            try:
                seen.append(est.predict_proba(X_test))
            except Exception as exc:  # noqa: BLE001 - any error is a failure
                errors.append(exc)
            predicting.set()

    thread = threading.Thread(target=predict)
    thread.start()
    assert predicting.wait(60)  # the thread predicts before the fit starts
    try:
        if how == "warm_start fit":
            est.fit(X, y)
        else:
            for _ in est.fit_epochs(X, y):
                pass
    finally:
        done.set()
        thread.join()
    assert not errors, errors[:3]
    matched = [min(np.abs(p - o).max() for o in oracle) for p in seen]
    assert max(matched) < 1e-6, f"{sum(m >= 1e-6 for m in matched)} of {len(seen)} " \
        "predictions match no whole-epoch model"


def test_predict_during_a_new_fit_never_sees_half_staged_attributes(data):
    """A new fit re-stages X_dtype_, classes_...: a predict meanwhile sees a whole state."""
    X1, y1, _, _, X_test = data

    def model(meta):
        import keras

        return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                                 keras.layers.Dense(meta["n_classes_"], activation="softmax")])

    est = KerasClassifier(model, loss="sparse_categorical_crossentropy", epochs=1,
                          random_state=0).fit(X1, y1)
    errors, done = [], threading.Event()

    def predict():
        while not done.is_set():
            try:
                est.predict(X_test)
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

    thread = threading.Thread(target=predict)
    thread.start()
    try:
        for _ in range(8):
            est.fit(X1, y1)
    finally:
        done.set()
        thread.join()
    assert not errors, errors[:3]


# ------------------------------------------------------------------ item 12
def _dense_model(meta):
    import keras

    return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                             keras.layers.Dense(meta["n_classes_"], activation="softmax")])


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.uint8])
def test_validation_labels_of_another_dtype_are_taken_as_keras_takes_them(data, dtype):
    """Keras casts validation targets; the history equals that of the same labels as int64."""
    X1, y1, X2, _, _ = data
    y_val = y1[:100]

    def fit(labels):
        est = KerasClassifier(_dense_model, loss="sparse_categorical_crossentropy", epochs=2,
                              random_state=0)
        return est.fit(X1, y1.astype(np.int64), validation_data=(X2[:100], labels)).history_

    oracle, got = fit(y_val.astype(np.int64)), fit(y_val.astype(dtype))
    assert got.keys() == oracle.keys() and "val_loss" in got
    for key in oracle:
        np.testing.assert_array_equal(got[key], oracle[key])


def test_validation_labels_that_change_when_cast_are_still_refused(data):
    X1, y1, X2, _, _ = data
    est = KerasClassifier(_dense_model, loss="sparse_categorical_crossentropy", epochs=1,
                          random_state=0)
    with pytest.raises(ValueError, match="not safe"):
        est.fit(X1, y1.astype(np.int64),
                validation_data=(X2[:100], y1[:100].astype(np.float32) + 0.5))


# ------------------------------------------------------------------ item 11
def _classifier(cls=KerasClassifier, **params):
    params = {"epochs": 3, **params}
    return cls(_dense_model, loss="sparse_categorical_crossentropy", random_state=0, **params)


class _Recording(KerasClassifier):
    """Records scikeras's arguments, then trains with skfashion's loop (super())."""

    def _fit_keras_model(self, X, y, sample_weight, warm_start, epochs, initial_epoch,
                         **kwargs):
        self.calls_ = getattr(self, "calls_", []) + [dict(
            X=X, y=y, sample_weight=sample_weight, warm_start=warm_start, epochs=epochs,
            initial_epoch=initial_epoch, kwargs=sorted(kwargs))]
        super()._fit_keras_model(X, y, sample_weight, warm_start, epochs, initial_epoch,
                                 **kwargs)


def test_fit_keras_model_is_called_with_scikeras_arguments_and_super_trains_alike(data):
    """Oracle: the base class's own fit and partial_fit, bit for bit."""
    X1, y1, X2, y2, X_test = data
    ours, base = _classifier(_Recording), _classifier()
    ours.fit(X1, y1, validation_data=(X2, y2 % 2 + 1))
    base.fit(X1, y1, validation_data=(X2, y2 % 2 + 1))
    (call,) = ours.calls_
    assert (call["warm_start"], call["epochs"], call["initial_epoch"]) == (False, 3, 0)
    assert call["kwargs"] == ["validation_data"] and call["sample_weight"] is None
    np.testing.assert_array_equal(call["X"], X1)
    np.testing.assert_array_equal(call["y"], base.target_encoder_.transform(y1))
    assert ours.history_ == base.history_ and len(ours.history_["val_loss"]) == 3
    np.testing.assert_array_equal(ours.predict_proba(X_test), base.predict_proba(X_test))
    ours.partial_fit(X1, y1)
    base.partial_fit(X1, y1)
    assert (ours.calls_[-1]["warm_start"], ours.calls_[-1]["epochs"],
            ours.calls_[-1]["initial_epoch"]) == (True, 1, 3)
    assert ours.history_ == base.history_ and ours.n_iter_ == 4
    np.testing.assert_array_equal(ours.predict_proba(X_test), base.predict_proba(X_test))


class _Streaming(KerasClassifier):
    """The issue's script: trains through model.fit on its own data pipeline."""

    def _fit_keras_model(self, X, y, sample_weight, warm_start, epochs, initial_epoch,
                         **kwargs):
        self.initial_weights_ = [np.array(w) for w in self.model_.get_weights()]
        hist = self.model_.fit(X, y, batch_size=32, shuffle=False, verbose=0,
                               epochs=initial_epoch + epochs, initial_epoch=initial_epoch)
        self.history_ = {k: list(v) for k, v in hist.history.items()}


def test_an_override_that_trains_its_own_way_is_not_bypassed(data):
    """Oracle: plain Keras model.fit from the same initial weights."""
    import keras

    X1, y1, _, _, X_test = data
    est = _classifier(_Streaming, epochs=2).fit(X1, y1)
    oracle = _dense_model({"n_features_in_": 784, "n_classes_": est.n_classes_})
    oracle.set_weights(est.initial_weights_)
    oracle.compile(loss="sparse_categorical_crossentropy", optimizer="rmsprop")
    hist = oracle.fit(X1, est.target_encoder_.transform(y1), batch_size=32, shuffle=False,
                      verbose=0, epochs=2)
    for ours, theirs in zip(est.model_.get_weights(), oracle.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(est.history_["loss"], hist.history["loss"], rtol=1e-6)
    np.testing.assert_allclose(est.predict_proba(X_test),
                               np.asarray(oracle.predict(X_test, verbose=0)), atol=1e-6)
    assert isinstance(oracle, keras.Model)


def test_an_override_cannot_be_trained_epoch_by_epoch_or_called_directly(data):
    X1, y1, _, _, _ = data
    est = _classifier(_Recording)
    with pytest.raises(TypeError, match="overrides scikeras's _fit_keras_model"):
        next(est.fit_epochs(X1, y1))
    est.fit(X1, y1)
    with pytest.raises(RuntimeError, match="within a fit of this estimator"):
        est._fit_keras_model(X1, y1, None, False, 1, 0)
