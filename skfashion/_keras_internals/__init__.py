"""The one place where skfashion reaches into Keras's (and TensorFlow's) private parts.

Each function here uses something Keras or TensorFlow does not document
(``keras.src``, a private attribute, a protocol between Keras's own classes),
says why, and is pinned by ``tests/test_keras_internals.py``: a Keras upgrade
that moves it fails that test with the name of the function to fix, here. No
other module of the package touches them (``tests/test_keras_internals.py``
checks that too, strings naming a private module included).

Every use has a checked fallback: where a release moves or changes what a
function here reads, it says so once with a
:class:`~skfashion.exceptions.KerasInternalsWarning` (:func:`changed`) and
takes a slower path that gives the same results (no shared trace, the
model's own ``fit``, variables that keep their debug names...), never a wrong
result or a crash. ``tests/test_internals_fallbacks.py`` simulates each change.
No function leaves a patch installed after the block that needed it.

The parts, by what they serve: ``_seeds`` (seeding a fit), ``_models`` (Keras
models: layers, compile arguments, the symbolic build), ``_jax`` and
``_tensorflow`` (what the training runners need); ``_changes`` says that a part
changed. Everything the rest of the package uses is named here.
"""

from ._changes import changed
from ._jax import clear_jax_state, jax_state_synced, jax_trace_context, offer_jax_state
from ._models import (
    compile_config_of,
    compile_token,
    declared_variable_bytes,
    layers_of,
    symbolic_build,
    training_loop_available,
)
from ._seeds import (
    keras_seed_state,
    seed_torch_dropout,
    set_keras_seed_state,
    tensorflow_global_seed,
    tensorflow_seed_context,
)
from ._tensorflow import (
    call_with_captures,
    can_call_with_captures,
    release_all_reduce_gradients,
    resource_handle_data,
    resource_value_bytes,
    tensorflow_gradient_registry,
    tensorflow_op_def,
    tensorflow_variables_without_debug_names,
)

__all__ = [
    "call_with_captures", "can_call_with_captures", "changed", "clear_jax_state",
    "compile_config_of", "compile_token", "declared_variable_bytes", "jax_state_synced",
    "jax_trace_context", "keras_seed_state", "layers_of", "offer_jax_state",
    "release_all_reduce_gradients", "resource_handle_data", "resource_value_bytes",
    "seed_torch_dropout", "set_keras_seed_state", "symbolic_build",
    "tensorflow_global_seed", "tensorflow_gradient_registry", "tensorflow_op_def",
    "tensorflow_seed_context", "tensorflow_variables_without_debug_names",
    "training_loop_available",
]
