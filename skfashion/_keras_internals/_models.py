"""Keras models: their layers, compile arguments, symbolic build, and the bytes a
config declares (measured without allocating them)."""

from ._changes import _module, changed

#: Where Keras keeps its global state and its seed generators (a name changed
#: here is what tests/test_internals_fallbacks.py simulates; so for each below).
_GLOBAL_STATE = "keras.src.backend.common.global_state"
_SEED_GENERATOR = "keras.src.random.seed_generator"


def _keras_global_state():
    """Keras's ``global_state`` module and its name for the global ``SeedGenerator``,
    or None (said once) where they moved."""
    global_state, seed_generator = _module(_GLOBAL_STATE), _module(_SEED_GENERATOR)
    name = getattr(seed_generator, "GLOBAL_SEED_GENERATOR", None)
    if global_state is not None and name is not None \
            and callable(getattr(global_state, "get_global_attribute", None)):
        return global_state, name
    changed("keras.src.backend.common.global_state (Keras's global seed)",
            "keras.random draws without a seed inside a model builder are not seeded "
            "by random_state")
    return None


_FLATTEN_LAYERS = "_flatten_layers"
_COMPILE_CONFIG = "_compile_config"
_SYMBOLIC_BUILD = "_symbolic_build"
_JAX_STATE_SYNC = "jax_state_sync"


# ------------------------------------------------------------------ models
def layers_of(model, *, include_self):
    """Every layer inside ``model`` (nested ones too), Keras's own traversal
    (``_flatten_layers``); where it moved, the public ``layers`` of each model,
    recursively (said once: layers a subclassed model holds only as attributes
    are then missed by the seed coverage check, which builds twice instead)."""
    flatten = getattr(model, _FLATTEN_LAYERS, None)
    if flatten is not None:
        return flatten(include_self=include_self)
    changed("Layer._flatten_layers", "skfashion walks the public Model.layers instead, "
            "and a model whose initial weights it cannot prove seeded is built twice")
    found, stack, seen = [], [model], set()
    while stack:
        layer = stack.pop(0)
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        if layer is not model or include_self:
            found.append(layer)
        stack.extend(getattr(layer, "layers", None) or ())
    return found


def compile_config_of(model):
    """The arguments ``model.compile`` received (a dict), or None if not compiled;
    where Keras keeps them elsewhere, the compiled metric objects (said once)."""
    if not hasattr(model, _COMPILE_CONFIG):
        changed("Model._compile_config (the compile arguments)", "custom metric classes "
                "a file must name are found from model.metrics instead of the compile "
                "arguments (a metric not yet built is missed, and the save says so)")
        metrics = list(getattr(model, "metrics", None) or ())
        return {"metrics": metrics} if metrics else None
    config = getattr(model, _COMPILE_CONFIG)
    return None if config is None else config.config


def compile_token(model):
    """An object that stays the same until ``model`` is compiled again (the
    ``_compile_config`` ``compile`` makes anew), or None where Keras has none:
    then a model's compiled steps are not remembered between training calls.
    Keras's own ``model.fit`` keeps its ``train_function`` until then too."""
    if not hasattr(model, _COMPILE_CONFIG):
        changed("Model._compile_config (the compile token)", "a model's traced steps are "
                "traced again at every training call (partial_fit, warm starts: slower)")
        return None
    return getattr(model, _COMPILE_CONFIG)


def training_loop_available(model):
    """True when skfashion's training loop can train ``model``: Keras's symbolic
    build (``Model._symbolic_build``) and, on JAX, its callbacks' state protocol
    (``jax_state_sync``) are where the loop expects them. Otherwise (said once) a
    fit trains through Keras's own ``model.fit`` (slower, same training), and a
    search fits each number of epochs from scratch."""
    import keras

    missing = [name for name in (_SYMBOLIC_BUILD,) if not callable(getattr(model, name, None))]
    if keras.backend.backend() == "jax" and not callable(getattr(model, _JAX_STATE_SYNC, None)):
        missing.append(_JAX_STATE_SYNC)
    if missing:
        changed(f"Model.{', Model.'.join(missing)}",
                "skfashion trains through Keras's own model.fit: Keras's training, with "
                "Keras's own shuffles (a seeded fit repeats itself, but its batches are "
                "not those of skfashion's loop), and fit_epochs and searches fit each "
                "number of epochs anew (slower)")
        return False
    return True


def symbolic_build(model, batch):
    """Build ``model``'s variables, metrics and optimizer for ``batch`` (Keras's
    own step before training: ``model.fit`` calls it on its first batch).
    Only called where :func:`training_loop_available`."""
    model._symbolic_build(data_batch=batch)


def declared_variable_bytes(config):
    """The bytes of the variables the model ``config`` declares, without allocating them.

    ``config`` is a ``.keras`` file's ``config.json`` (plain data). Keras
    builds a model from its config by allocating every variable, so a few
    bytes declaring ``Dense(units=20_000_000)`` would allocate gigabytes
    before anything could be compared (issue 30, item 15). Inside Keras's
    ``StatelessScope`` (``keras.src.backend.common.stateless_scope``) a new
    variable records its shape and initializer and defers its value;
    ``initialize_variables=False`` keeps it deferred when the scope ends, and
    the thread's list of deferred variables (``global_state``'s
    ``"uninitialized_variables"``, which a later ``initialize_all_variables()``
    would fill) is put back as it was, so nothing declared here is ever
    allocated. Deserialization runs in safe mode (no code from the file).
    """
    import math

    import keras
    import numpy as np

    found = _keras_global_state()
    if found is None:  # the deferred variables could not be put back: measure nothing
        changed("keras.src.backend.common.global_state (deferred variables)",
                "the bytes a file's model declares cannot be measured before Keras builds "
                "it, so skfashion.load refuses .skf files (a file could make Keras allocate "
                "without bound); pickles of files you trust still load")
        return None
    key = "uninitialized_variables"
    before = list(found[0].get_global_attribute(key, [], set_to_default=True))
    try:
        with keras.StatelessScope(initialize_variables=False):
            model = keras.saving.deserialize_keras_object(
                dict(config, compile_config=None), safe_mode=True)
            variables = list(model.variables)
        return sum(math.prod(v.shape) * np.dtype(v.dtype).itemsize for v in variables)
    finally:
        found[0].set_global_attribute(key, before)
