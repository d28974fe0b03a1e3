"""Where the modules of skfashion's flat package went (issue 41's move).

Pickles name the module of every class they hold (``skfashion._softmax.
SoftmaxClassifier``, ``skfashion._model_bytes.ModelBytes``...), so a joblib
file written before the move names modules that no longer exist. A finder on
``sys.meta_path`` (installed by ``import skfashion``) answers an import of an
old name with the module it became: the same module object, under both names.
Nothing is imported until a file asks for an old name. Kept for a release
(``tests/test_moved_modules.py`` loads files written by the old layout).
"""

import importlib
import importlib.abc
import importlib.util
import sys

#: Old module name -> the module it is now.
MOVED = {
    "skfashion._backend": "skfashion._support._backend",
    # inside subpackages (issue 41's splits): a Display pickled from the old module
    "skfashion.plotting._curves": "skfashion.plotting",
    "skfashion._base": "skfashion._estimators._keras_base",
    "skfashion._check_settings": "skfashion._testing",
    "skfashion._classifier": "skfashion._wrappers._keras_classifier",
    "skfashion._classifier_base": "skfashion._estimators._classifier_base",
    "skfashion._compile": "skfashion._fit._compile",
    "skfashion._dask": "skfashion._support._dask",
    "skfashion._data": "skfashion._fit._checks",
    "skfashion._docs": "skfashion._support._docs",
    "skfashion._early_stopping": "skfashion._estimators._early_stopping",
    "skfashion._encoders": "skfashion._fit._encoders",
    "skfashion._epoch_search": "skfashion.model_selection._epoch_search",
    "skfashion._fit_data": "skfashion._fit._job",
    "skfashion._fit_guard": "skfashion._fit._guard",
    "skfashion._fitted": "skfashion._fit._state",
    "skfashion._fitting": "skfashion._fit._path",
    "skfashion._images": "skfashion._support._images",
    "skfashion._inference": "skfashion._predict._fast_path",
    "skfashion._json_codec": "skfashion._persistence._json_codec",
    "skfashion._losses": "skfashion._fit._losses",
    "skfashion._memory": "skfashion._support._memory",
    "skfashion._model_bytes": "skfashion._support._model_bytes",
    "skfashion._optional": "skfashion._support._optional",
    "skfashion._options": "skfashion._fit._options",
    "skfashion._persist": "skfashion._persistence._skf",
    "skfashion._persist_v1": "skfashion._persistence._skf_v1",
    "skfashion._persisting": "skfashion._persistence._pickling",
    "skfashion._pipelines": "skfashion._support._pipelines",
    "skfashion._pixel": "skfashion._estimators._pixel_scaler",
    "skfashion._predicting": "skfashion._predict._outputs",
    "skfashion._quiet": "skfashion._support._quiet",
    "skfashion._random": "skfashion._fit._seeding",
    "skfashion._registry": "skfashion._support._registry",
    "skfashion._regressor": "skfashion._wrappers._keras_regressor",
    "skfashion._routing": "skfashion._fit._routing",
    "skfashion._safe_zip": "skfashion._persistence._safe_zip",
    "skfashion._softmax": "skfashion._estimators._softmax",
    "skfashion._wrapper": "skfashion._wrappers._base_wrapper",
    "skfashion._wrapper_model": "skfashion._wrappers._model",
    "skfashion._wrapper_params": "skfashion._wrappers._params",
}


class _Alias(importlib.abc.Loader):
    """Loads an old name as the module it became."""

    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        return importlib.import_module(self.target)

    def exec_module(self, module):
        """Nothing to run: the module is the new one, already executed."""


class _MovedFinder(importlib.abc.MetaPathFinder):
    """Finds the old names of moved modules (:data:`MOVED`)."""

    def find_spec(self, fullname, path=None, target=None):
        new = MOVED.get(fullname)
        if new is None:
            return None
        return importlib.util.spec_from_loader(fullname, _Alias(new))


def install():
    """Put the finder on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, _MovedFinder) for f in sys.meta_path):
        sys.meta_path.append(_MovedFinder())
