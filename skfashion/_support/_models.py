"""Facts of a Keras model that several rooms ask (prediction, the fit path)."""


def overridden(model, method):
    """True if ``model`` has its own ``method`` (a subclass or an instance attribute)."""
    import keras

    if method in vars(model):
        return True
    return getattr(type(model), method, None) is not getattr(keras.Model, method)
