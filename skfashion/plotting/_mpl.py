"""matplotlib for the Displays, imported when first needed."""

from .._optional import import_optional


def import_pyplot():
    """``matplotlib.pyplot``, or an ImportError saying how to install it."""
    return import_optional("matplotlib.pyplot", "skfashion.plotting")


def axes_for(plt, ax, n, *, figsize, ncols=None, layout=None):
    """``n`` axes: new ones in one figure, or the ``ax`` given (which must hold n).

    Returns ``(figure, axes)`` with ``axes`` a flat array of length ``n``. A new
    figure gets matplotlib's ``layout`` (``"compressed"`` for grids of images:
    unlike ``tight_layout`` it knows that square images shrink inside their axes,
    so titles of one row stay clear of the row above, and a ``suptitle`` added
    later gets its room).

    Raises
    ------
    ValueError
        If ``ax`` holds fewer than ``n`` axes: the Display would not draw
        everything it was asked to.
    """
    import numpy as np

    if ax is None:
        ncols = ncols or n
        nrows = -(-n // ncols)
        fig, axes = plt.subplots(nrows, ncols, figsize=figsize(nrows, ncols), squeeze=False,
                                 layout=layout)
        axes = axes.ravel()
        for extra in axes[n:]:
            extra.axis("off")
        return fig, axes[:n]
    axes = np.atleast_1d(np.asarray(ax, dtype=object)).ravel()
    if len(axes) < n:
        raise ValueError(
            f"This display draws {n} panel(s) but ax holds {len(axes)} axes; pass "
            f"{n} axes (e.g. plt.subplots(1, {n})[1]) or ax=None."
        )
    return axes[0].figure, axes[:n]
