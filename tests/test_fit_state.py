"""One owner of the fitted state (issue 31, item 3): ``FitState`` is the only
code that writes an estimator's ``__dict__``, and a fit in progress leaves
nothing of its own on the estimator but the fitted attributes it stages."""

import ast
import pathlib
import pickle
import threading

import numpy as np
import pytest

import skfashion
from skfashion import KerasClassifier, SoftmaxClassifier

PACKAGE = pathlib.Path(skfashion.__file__).parent
WRITES = {"update", "pop", "setdefault", "clear", "popitem", "__setitem__", "__delitem__"}


def _is_instance_dict(node):
    """``x.__dict__`` or ``vars(x)``."""
    return (isinstance(node, ast.Attribute) and node.attr == "__dict__") or (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        and node.func.id == "vars" and len(node.args) == 1)


def _dict_writes(tree):
    """``(line, what)`` for each write to an instance dict, and each instance
    dict bound to a name (an alias could be written anywhere)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
                node.func.attr in WRITES and _is_instance_dict(node.func.value)):
            found.append((node.lineno, f"__dict__.{node.func.attr}"))
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [
                node.target]
            for target in targets:
                if isinstance(target, ast.Subscript) and _is_instance_dict(target.value):
                    found.append((node.lineno, "__dict__[...] ="))
            value = getattr(node, "value", None)
            if value is not None and _is_instance_dict(value):
                found.append((node.lineno, "a name bound to __dict__"))
    return found


def test_dict_write_finder_finds_each_kind_of_write():
    code = ("def f(est, step):\n"
            "    est.__dict__['a'] = 1\n"
            "    vars(step).update({})\n"
            "    est.__dict__.pop('a', None)\n"
            "    state = est.__dict__\n"
            "    del est.__dict__['b']\n"
            "    x = est.__dict__.get('a')\n"  # a read
            "    return 'a' in vars(est)\n")  # a read
    assert sorted(line for line, _ in _dict_writes(ast.parse(code))) == [2, 3, 4, 5, 6]


def test_fit_state_is_the_only_writer_of_an_instance_dict():
    writes = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for line, what in _dict_writes(ast.parse(path.read_text())):
            writes.setdefault(str(path.relative_to(PACKAGE)), []).append((line, what))
    assert set(writes) == {"_fit/_state.py"}, writes
    fitted = ast.parse((PACKAGE / "_fit" / "_state.py").read_text())
    state = next(n for n in fitted.body if isinstance(n, ast.ClassDef) and n.name == "FitState")
    owners = {}
    for method in state.body:
        if isinstance(method, ast.FunctionDef):
            for line, what in _dict_writes(method):
                owners.setdefault(method.name, []).append(what)
    # one alias, taken once, and written by one method, in two calls
    assert owners == {"__init__": ["a name bound to __dict__"]}, owners
    write = next(m for m in state.body if isinstance(m, ast.FunctionDef) and m.name == "_write")
    calls = [n.func.attr for n in ast.walk(write) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Attribute) and n.func.attr in WRITES]
    assert calls == ["update", "pop"]
    writers = {m.name for m in state.body if isinstance(m, ast.FunctionDef) and any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
        and n.func.attr in WRITES and isinstance(n.func.value, ast.Attribute)
        and n.func.value.attr == "_attrs" for n in ast.walk(m))}
    assert writers == {"_write"}


def _data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).astype("float32")
    return X, (X[:, 0] > 0).astype(int)


_SEEN = {}


def _recording_builder(meta):
    """A builder that records what it can see of the estimator being fitted."""
    import keras

    est = _SEEN["est"]
    _SEEN["keys"] = set(vars(est))
    _SEEN["pickled"] = set(vars(pickle.loads(pickle.dumps(est))))
    return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                             keras.layers.Dense(meta["n_classes_"], activation="softmax")])


def test_a_fit_in_progress_leaves_only_fitted_attributes_on_the_estimator():
    """The builder runs mid-fit: what it can see (and pickle) of the estimator is
    its parameters and this fit's fitted attributes, no staging object."""
    seen = _SEEN
    clf = KerasClassifier(_recording_builder, loss="sparse_categorical_crossentropy",
                          epochs=1, random_state=0, verbose=0)
    seen["est"] = clf
    X, y = _data()
    clf.fit(X, y)
    params = set(clf.get_params(deep=False))
    for keys in (seen["keys"], seen["pickled"]):
        private = {k for k in keys if k.startswith("_")} - {"_extra_params"}
        assert all(k in params or k.endswith("_") or k.startswith("_") for k in keys)
        assert private <= {"_fitted", "_fitted_keys", "_seed", "_input_scale",
                           "_rescale_warned"}, private
    assert "classes_" in seen["keys"] and "n_features_in_" in seen["keys"]


def test_model_is_the_staged_one_inside_initialize_and_the_published_one_outside():
    """``model_`` read by a subclass's ``_initialize`` after ``super()`` is this
    fit's new model; a predict in another thread meanwhile uses the old one."""
    X, y = _data()
    clf = SoftmaxClassifier(epochs=1, random_state=0).fit(X, y)
    old = clf.model_
    inside = {}

    class Sub(SoftmaxClassifier):
        def _initialize(self, X, y=None):
            out = super()._initialize(X, y)
            inside["model"] = self.model_
            result = {}
            thread = threading.Thread(target=lambda: result.update(
                other=skfashion._fit._state.FitState(self).current))
            thread.start()
            thread.join()
            inside["other_thread"] = result["other"]
            return out

    sub = Sub(epochs=1, random_state=0).fit(X, y)
    first = sub.model_
    sub.set_params(warm_start=False)
    sub.fit(X, y)
    assert inside["model"] is sub.model_ and inside["model"] is not first
    # another thread sees the published state of the first fit, not the staged model
    assert inside["other_thread"].model is first
    assert old is not first


def test_a_failed_new_fit_restores_every_fitted_attribute_and_adds_none():
    X, y = _data()
    clf = SoftmaxClassifier(epochs=1, random_state=0).fit(X, y)
    before = {k: v for k, v in vars(clf).items() if k.endswith("_") or k.startswith("_")}
    with pytest.raises(ValueError):
        clf.fit(X, np.r_[y[:-1], 7.5])  # continuous labels: refused after staging began
    after = {k: v for k, v in vars(clf).items() if k.endswith("_") or k.startswith("_")}
    assert after.keys() == before.keys()
    assert all(after[k] is before[k] for k in before)
