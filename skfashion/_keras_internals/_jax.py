"""JAX: the trace context compiled programs are keyed on, and the state protocol of
Keras's JAX trainer that callbacks read."""

from ._changes import _module, _private


_JAX_CONFIG = "jax._src.config"


# -------------------------------------------------------------- JAX state
def jax_trace_context():
    """JAX's trace context (``jax._src.config.trace_context()``): the configuration
    JAX's own compilation caches key on (matmul precision, x64, the Threefry
    algorithm...). A compiled program serves another fit only under the same
    one (``_training._jaxpr_key``). None where JAX has no such function: then
    no program is shared."""
    config = _module(_JAX_CONFIG)
    trace_context = _private(config, "trace_context", "jax._src.config.trace_context",
                             "no JAX program is shared between fits (each fit compiles "
                             "its own: slower)")
    if trace_context is None:
        return None
    try:
        context = trace_context()
        hash(context)
    except Exception:  # noqa: BLE001 - a context that cannot be compared: no sharing
        return None
    return context


def jax_state_synced(model):
    """False while Keras's JAX callbacks protocol holds newer values than the variables."""
    return getattr(model, "_jax_state_synced", True)


def offer_jax_state(model, trainable, non_trainable, optimizer, metrics):
    """Offer carried JAX values to callbacks as Keras's JAX trainer does
    (``Callback.model`` calls ``model.jax_state_sync()``, which reads these)."""
    model._jax_state = {
        "trainable_variables": trainable,
        "non_trainable_variables": non_trainable,
        "optimizer_variables": optimizer,
        "metrics_variables": metrics,
    }
    model._jax_state_synced = False


def clear_jax_state(model):
    """The variables hold the current values again."""
    model._jax_state = None
    model._jax_state_synced = True
