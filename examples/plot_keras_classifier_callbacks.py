"""
A scikeras-style KerasClassifier with callbacks and validation
==============================================================

Code written for scikeras runs with one changed import. This example is
scikeras's way of working end to end: a function that builds the Keras model
from ``meta`` (what the estimator learned about the data), routed parameters
(``optimizer__learning_rate``), Keras callbacks and validation data, with the
guarantees skfashion adds: the callback instances you pass are the ones that
receive Keras's events, and validation data is only ever scored, never trained
on.
"""

# %%
# A model-building function, as scikeras takes it
# -----------------------------------------------
import keras
import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split

from skfashion import KerasClassifier, PixelScaler
from skfashion.datasets import load_sample

(X, y), (X_test, y_test) = load_sample()
X_flat, X_test_flat = PixelScaler().transform(X), PixelScaler().transform(X_test)
# Early stopping chooses an epoch on the validation data, so that data must not
# be the test set the model is finally scored on: hold out part of the training
# images for it.
X_train, X_val, y_train, y_val = train_test_split(X_flat, y, test_size=0.2, stratify=y,
                                                  random_state=0)


def get_model(hidden_layer_dim, meta):
    return keras.Sequential([
        keras.Input((meta["n_features_in_"],)),
        keras.layers.Dense(hidden_layer_dim, activation="relu"),
        keras.layers.Dense(meta["n_classes_"], activation="softmax"),
    ])


# %%
# Callbacks and validation data
# -----------------------------
# ``EarlyStopping`` watches the validation loss, Keras's way; the
# ``CSVLogger``-like recorder below is an ordinary Keras callback that keeps
# the epochs it saw.
class Recorder(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.epochs = []

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append((epoch, round(logs["val_accuracy"], 3)))


stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
recorder = Recorder()
clf = KerasClassifier(get_model, loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                      hidden_layer_dim=64, optimizer="adam", optimizer__learning_rate=1e-3,
                      epochs=30, callbacks=[stop, recorder], random_state=0)
clf.fit(X_train, y_train, validation_data=(X_val, y_val))

print("epochs trained:", len(clf.history_["loss"]), "- stopped at epoch", stop.stopped_epoch)
print("what the callback saw (epoch, val_accuracy):", recorder.epochs[:4], "...")
print(f"test accuracy (the restored best weights): {clf.score(X_test_flat, y_test):.3f}")
print(f"validation accuracy of those weights: {clf.score(X_val, y_val):.3f}")

# %%
# The history, with the validation curve
# --------------------------------------
# The validation curve comes from the data passed to ``fit``; the marker shows
# the epoch of the lowest validation loss, whose weights ``restore_best_weights``
# put back.
from skfashion.plotting import TrainingCurveDisplay

TrainingCurveDisplay.from_estimator(clf, name="KerasClassifier")
plt.show()

# %%
# The same estimator in a search
# ------------------------------
# Parameters of the builder (``hidden_layer_dim``) and routed ones
# (``optimizer__learning_rate``) are ordinary scikit-learn parameters. Each
# candidate gets a fresh copy of the callbacks, so folds do not share state.
from sklearn.model_selection import GridSearchCV

search = GridSearchCV(clf.set_params(epochs=3, callbacks=None),
                      {"hidden_layer_dim": [32, 128]}, cv=2)
search.fit(X_flat, y)
print(search.best_params_, f"{search.best_score_:.3f}")
