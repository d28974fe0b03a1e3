"""Docstrings of the public API: every parameter and return value documented
(numpydoc's validation, as scikit-learn's test_docstring_parameters does),
shared parameters worded once, and no import circles between modules."""

import ast
import importlib
import inspect
from pathlib import Path

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate", reason="pip install numpydoc")

PUBLIC = ["skfashion", "skfashion.exceptions", "skfashion.datasets", "skfashion.plotting",
          "skfashion.dask", "skfashion.utils", "skfashion.utils.transformers",
          "skfashion.benchmark"]
#: numpydoc checks enforced: no docstring, undocumented or unknown parameters,
#: parameter descriptions not ending in a period, no summary, missing Returns
#: or Yields sections.
ENFORCED = {"GL08", "PR01", "PR02", "PR10", "SS01", "RT01", "YD01"}


def _public_names():
    names = []
    for module_name in PUBLIC:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj):
                names.append(f"{module_name}.{name}")
                for attr, value in _own_members(obj):
                    if isinstance(value, property):
                        continue  # attributes are documented in the class's Attributes
                    if callable(value) or isinstance(value, (classmethod, staticmethod)):
                        names.append(f"{module_name}.{name}.{attr}")
            elif callable(obj):
                names.append(f"{module_name}.{name}")
    return names


def _own_members(cls):
    """Public members ``cls`` has from skfashion's classes, inherited ones
    included (``KerasClassifier.fit_epochs`` lives in a base class but is on
    its API page), each once, from the class that defines it."""
    seen = set()
    for owner in cls.__mro__:
        if not owner.__module__.startswith("skfashion"):
            continue
        for attr, value in vars(owner).items():
            if not attr.startswith("_") and attr not in seen:
                seen.add(attr)
                yield attr, value


@pytest.mark.parametrize("name", _public_names())
def test_public_docstrings(name):
    errors = [(code, msg) for code, msg in numpydoc_validate.validate(name)["errors"]
              if code in ENFORCED]
    assert not errors, f"{name}: {errors}"


def _documented_objects():
    """Every public class and function once (re-exports counted where first seen)."""
    seen, found = set(), []
    for module_name in PUBLIC + ["skfashion.utils.random_state"]:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ["tensorflow_random_state"]):
            obj = getattr(module, name)
            if (inspect.isclass(obj) or inspect.isfunction(obj)) and id(obj) not in seen:
                seen.add(id(obj))
                found.append((f"{module_name}.{name}", obj))
    return found


@pytest.mark.parametrize("name,obj", _documented_objects(), ids=lambda v: v
                         if isinstance(v, str) else "")
def test_every_public_object_has_a_running_example_and_see_also(name, obj):
    """Issue 22: each page of the reference shows an example that runs (as a
    doctest of this suite: no example may be skipped wholesale) and links on."""
    from numpydoc.docscrape import NumpyDocString

    doc = NumpyDocString(inspect.getdoc(obj) or "")
    prompts = [line for line in doc["Examples"] if line.lstrip().startswith(">>>")]
    assert prompts, f"{name}: no Examples"
    assert not any("doctest: +SKIP" in line for line in prompts), f"{name}: skipped examples"
    assert doc["See Also"], f"{name}: no See Also"


SHARED = ("random_state", "verbose", "steps_per_execution", "early_stopping",
          "validation_fraction", "n_iter_no_change", "tol", "class_weight", "shuffle")


def _parameters(cls):
    from numpydoc.docscrape import ClassDoc

    return {p.name: " ".join(p.desc) for p in ClassDoc(cls)["Parameters"]}


@pytest.mark.parametrize("name", SHARED)
def test_shared_parameters_have_one_wording(name):
    import skfashion

    wordings = {cls.__name__: _parameters(cls).get(name)
                for cls in (skfashion.KerasClassifier, skfashion.SoftmaxClassifier)}
    assert len(set(wordings.values())) == 1, wordings


def _documented_default(kind):
    """The value after ``default=`` in a numpydoc type line, or ``_NO_DEFAULT``."""
    if "default=" not in kind:
        return _NO_DEFAULT
    text = kind.rsplit("default=", 1)[1].strip()
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text  # a name (np.float32, a class): compared as written


_NO_DEFAULT = object()


@pytest.mark.parametrize("name,obj", [(n, o) for n, o in _documented_objects()
                                      if inspect.isclass(o)],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_documented_defaults_are_the_signatures(name, obj):
    """Every ``default=`` in a class's Parameters is its constructor's default
    (the shared entries take theirs from the signature; this checks the rest)."""
    from numpydoc.docscrape import ClassDoc

    import dataclasses
    import sys

    signature = inspect.signature(obj.__init__).parameters
    factories = {f.name: f.default_factory for f in dataclasses.fields(obj)
                 if f.default_factory is not dataclasses.MISSING} if (
        dataclasses.is_dataclass(obj)) else {}
    for entry in ClassDoc(obj)["Parameters"]:
        parameter = signature.get(entry.name)
        if parameter is None or parameter.default is parameter.empty:
            continue
        documented = _documented_default(entry.type)
        assert documented is not _NO_DEFAULT, f"{name}.{entry.name}: default not documented"
        actual = factories[entry.name]() if entry.name in factories else parameter.default
        if isinstance(documented, str) and documented.isidentifier() and not isinstance(
                actual, str):  # a constant of the module, by name
            documented = vars(sys.modules[obj.__module__]).get(documented, documented)
        if isinstance(documented, str) and not isinstance(actual, str):
            assert documented in (repr(actual), getattr(actual, "__name__", None)), (
                f"{name}.{entry.name}: documented {documented}, is {actual!r}")
        else:
            assert documented == actual and type(documented) is type(actual) or (
                isinstance(actual, float) and documented == actual), (
                f"{name}.{entry.name}: documented {documented!r}, is {actual!r}")


def _module_graph():
    """Each skfashion module (packages by their __init__) -> the skfashion modules it
    imports anywhere in its code (lazy imports inside functions included)."""
    import skfashion

    root = Path(skfashion.__file__).parent
    names = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        names[name] = (path, is_package)
    graph = {}
    for name, (path, is_package) in names.items():
        package = name if is_package else name.rsplit(".", 1)[0]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = ".".join(base[: len(base) - node.level + 1])
                    target = f"{base}.{node.module}" if node.module else base
                else:
                    target = node.module or ""
                for alias in node.names:  # "from . import _json_codec" names a module
                    sub = f"{target}.{alias.name}"
                    edges.add(sub if sub in names else target)
            elif isinstance(node, ast.Import):
                edges.update(a.name for a in node.names)
        graph[name] = {e for e in edges if e in names and e != name}
    return graph


def test_no_import_circles():
    graph = _module_graph()
    state = {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycle = path[path.index(nxt):] + [nxt]
                pytest.fail("import circle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])


_ESTIMATORS = ["SoftmaxClassifier", "KerasClassifier", "KerasRegressor", "BaseWrapper",
               "PixelScaler", "EpochSearchCV"]
_RAISING = ["fit", "partial_fit", "fit_epochs", "initialize", "predict", "predict_proba",
            "score", "save", "transform"]


@pytest.mark.parametrize("cls_name", _ESTIMATORS)
def test_methods_say_what_they_raise(cls_name):
    """Issue 33, item 1: each method of an estimator that can refuse its input
    has a Raises section naming the exception classes (importable names)."""
    from numpydoc.docscrape import NumpyDocString

    import skfashion

    cls = getattr(skfashion, cls_name)
    checked = 0
    for name in _RAISING:
        method = getattr(cls, name, None)
        if method is None:
            continue
        checked += 1
        raises = NumpyDocString(inspect.getdoc(method) or "")["Raises"]
        assert raises, f"{cls_name}.{name}: no Raises section"
        for entry in raises:
            module, _, attr = entry.type.rpartition(".")
            exc = getattr(importlib.import_module(module or "builtins"), attr, None)
            assert isinstance(exc, type) and issubclass(exc, BaseException), \
                f"{cls_name}.{name}: {entry.type} is not an exception class"
    assert checked >= 2, cls_name
