"""Run subclass patterns on scikeras or on skfashion and report what each one did.

    python tests/scikeras_oracle.py scikeras OUTCOMES.json < CASES.json

Each case is the source of a subclass of ``KerasClassifier`` / ``KerasRegressor``
/ ``BaseWrapper`` named ``Sub`` (written for scikeras, as its users write them),
the keyword arguments it is made with (a recording callback is added as
``callbacks``) and the data it is fitted on. The report
says, per case, what the fit actually trained (epochs run, steps per epoch, the
logs of the last epoch: ``val_*`` when it validated), the fitted attributes it
left (names and types, and the values that are plain data) and ``get_params()``.
``tests/test_scikeras_subclass_patterns.py`` runs the same cases here in a
subprocess with scikeras (whose import changes Keras's pickling process-wide,
so never in the test process) and compares.
"""

import json
import sys

import numpy as np

#: scikeras's private attributes that subclasses read (its docs and notebooks).
SCIKERAS_PRIVATE = ("_fit_callbacks", "_predict_callbacks", "_random_state")


def _plain(value):
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)) and all(
            isinstance(v, (bool, int, float, str, np.generic)) or v is None for v in value):
        return [_plain(v) for v in value]
    if isinstance(value, np.dtype):
        return str(value)
    if isinstance(value, np.ndarray) and value.size <= 20:
        return value.tolist()
    return f"<{type(value).__name__}>"


def build(meta, hidden=8):
    """The model every case's subclass builds (scikeras's MLP)."""
    import keras

    n_out = meta["n_classes_"] if meta.get("n_classes_") else meta["n_outputs_"]
    last = "softmax" if meta.get("n_classes_") else None
    return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                             keras.layers.Dense(hidden, activation="relu"),
                             keras.layers.Dense(n_out, activation=last)])


def _recorder():
    import keras

    class Recorder(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.epochs, self.logs, self.run_params, self.indices = 0, {}, {}, []

        def on_train_begin(self, logs=None):
            self.run_params = {k: self.params.get(k) for k in ("epochs", "steps")}

        def on_epoch_end(self, epoch, logs=None):
            self.epochs += 1
            self.indices.append(int(epoch))
            self.logs = sorted(logs or {})

    return Recorder()


def _data(kind):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 4)).astype("float32")
    if kind == "regression":
        return X, (X[:, 0] * 2 + X[:, 1]).astype("float32")
    return X, (X[:, 0] > 0).astype("int64") + (X[:, 1] > 0.5)


def run_case(case, wrappers):
    import keras

    recorder = _recorder()
    namespace = {"keras": keras, "np": np, "build": build, "recorder": recorder,
                 **{name: getattr(wrappers, name)
                    for name in ("KerasClassifier", "KerasRegressor", "BaseWrapper")}}
    exec(case["source"], namespace)
    construct = dict(case["construct"], callbacks=[recorder])
    if construct.get("model") == "build":
        construct["model"] = build
    est = namespace["Sub"](**construct)
    X, y = _data(case["data"])
    est.fit(X, y, **case.get("fit", {}))
    attributes = {}
    names = {n for n in dir(est) if n.endswith("_") and not n.startswith("__")}
    for name in sorted(names | set(SCIKERAS_PRIVATE)):
        try:
            value = getattr(est, name)
        except Exception:  # noqa: BLE001 - not set (a property that raises)
            continue
        if callable(value) and not isinstance(value, (list, dict)) and name.startswith("_"):
            attributes[name] = {"type": "method"}
            continue
        entry = {"type": type(value).__name__}
        if name == "history_":
            entry["value"] = {k: len(v) for k, v in value.items()}
        elif name in ("_fit_callbacks", "_predict_callbacks"):
            entry["value"] = [type(cb).__name__ for cb in value]
        else:
            entry["value"] = _plain(value)
        attributes[name] = entry
    params = {k: _plain(v) for k, v in est.get_params().items()}
    return {"epochs_run": recorder.epochs, "epoch_indices": recorder.indices,
            "run_params": recorder.run_params,
            "last_logs": recorder.logs, "attributes": attributes, "params": params}


def main():
    package = sys.argv[1]
    if package == "scikeras":
        import scikeras.wrappers as wrappers
    else:
        import skfashion as wrappers
    outcomes = []
    for case in json.load(sys.stdin):
        try:
            outcomes.append(run_case(case, wrappers))
        except Exception as error:  # noqa: BLE001 - an error is an outcome too
            outcomes.append({"error": type(error).__name__, "message": str(error)[:300]})
    with open(sys.argv[2], "w") as out:  # not stdout: Keras's progress bars print there
        json.dump(outcomes, out)


if __name__ == "__main__":
    main()
