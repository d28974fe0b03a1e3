"""Lazy matplotlib import with an install hint."""


def import_pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "skfashion.plotting needs matplotlib: pip install 'skfashion[plotting]' "
            "(or pip install matplotlib)."
        ) from exc
    return plt
