"""What a Keras loss expects of its targets, decided by its class or function.

A loss's *name* says nothing reliable (``BinaryCrossentropy(name="x")`` is
binary; a custom ``Loss`` subclass may have any name), so the kind is read from
the loss class or the function it wraps, and, for losses skfashion does not
know, from the model's output shape (see :func:`target_mode`).
"""

#: Kinds of target a loss expects.
SPARSE, CATEGORICAL, BINARY, UNKNOWN = "sparse", "categorical", "binary", "unknown"


def _kind_tables():
    from keras import losses

    by_class = {
        losses.SparseCategoricalCrossentropy: SPARSE,
        losses.CategoricalCrossentropy: CATEGORICAL,
        losses.CategoricalFocalCrossentropy: CATEGORICAL,
        losses.CategoricalHinge: CATEGORICAL,
        losses.BinaryCrossentropy: BINARY,
        losses.BinaryFocalCrossentropy: BINARY,
    }
    by_function = {
        losses.sparse_categorical_crossentropy: SPARSE,
        losses.categorical_crossentropy: CATEGORICAL,
        losses.categorical_focal_crossentropy: CATEGORICAL,
        losses.categorical_hinge: CATEGORICAL,
        losses.binary_crossentropy: BINARY,
        losses.binary_focal_crossentropy: BINARY,
    }
    return by_class, by_function


def loss_kind(loss):
    """``"sparse"``, ``"categorical"``, ``"binary"`` or ``"unknown"`` for one loss.

    ``loss`` may be a name, a function, a ``keras.losses.Loss`` class or
    instance; subclasses count as their base class.

    Examples
    --------
    >>> import keras
    >>> loss_kind(keras.losses.BinaryCrossentropy(name="anything"))
    'binary'
    >>> loss_kind("categorical_crossentropy"), loss_kind("mse")
    ('categorical', 'unknown')
    """
    import keras

    by_class, by_function = _kind_tables()
    if isinstance(loss, str):
        try:
            loss = keras.losses.get(loss)
        except ValueError:
            return UNKNOWN
    cls = loss if isinstance(loss, type) else type(loss)
    for base, kind in by_class.items():
        if isinstance(cls, type) and issubclass(cls, base):
            return kind
    fn = getattr(loss, "fn", loss)  # LossFunctionWrapper instances wrap a function
    return by_function.get(fn, UNKNOWN)


def from_logits(loss):
    """True when a compiled loss takes logits (``from_logits=True``)."""
    return bool(getattr(loss, "from_logits", False))


def single_loss(model):
    """The loss of a single-output compiled model, or None (none, or several)."""
    loss = getattr(model, "loss", None)
    if isinstance(loss, dict):
        values = list(loss.values())
        return values[0] if len(values) == 1 else None
    if isinstance(loss, (list, tuple)):
        return loss[0] if len(loss) == 1 else None
    return loss


def loss_class_for(loss_function):
    """The ``keras.losses.Loss`` class wrapping a built-in loss function, or None.

    Used to apply ``loss__*`` options to a loss given by name, e.g.
    ``loss="sparse_categorical_crossentropy", loss__from_logits=True``.
    """
    import inspect

    from keras import losses

    for _, cls in inspect.getmembers(losses, inspect.isclass):
        if not issubclass(cls, losses.Loss) or cls is losses.Loss:
            continue
        try:
            fn = getattr(cls(), "fn")
        except Exception:  # noqa: BLE001 - classes needing arguments wrap no default function
            continue
        if fn is loss_function:
            return cls
    return None
