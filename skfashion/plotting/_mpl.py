"""matplotlib for the Displays, imported when first needed."""

from .._support._optional import import_optional


def import_pyplot():
    """``matplotlib.pyplot``, or an ImportError saying how to install it."""
    return import_optional("matplotlib.pyplot", "skfashion.plotting")


def axes_for(plt, ax, n, *, figsize, ncols=None, layout=None):
    """The ``n`` axes a Display draws in, from its ``ax`` argument.

    As scikit-learn's Displays take it: ``None`` makes a new figure; one
    matplotlib ``Axes`` is the box the display draws in (a multi-panel display
    divides it into a grid of ``n`` panels, as ``PartialDependenceDisplay``
    does, and hides the box's own frame); a ``Figure`` (or ``SubFigure``) gets
    the grid; an array of exactly ``n`` axes is used panel by panel.

    Returns ``(figure, axes)`` with ``axes`` a flat array of length ``n``. A new
    figure gets matplotlib's ``layout`` (``"compressed"`` for grids of images:
    unlike ``tight_layout`` it knows that square images shrink inside their axes,
    so titles of one row stay clear of the row above, and a ``suptitle`` added
    later gets its room).

    Raises
    ------
    ValueError
        If an array of axes does not hold exactly ``n``: the Display would
        leave panels out or axes empty.
    TypeError
        If ``ax`` is none of the above.
    """
    import numpy as np
    from matplotlib.axes import Axes
    from matplotlib.figure import FigureBase

    ncols = min(ncols or n, n)
    nrows = -(-n // ncols)
    if ax is None:
        fig, axes = plt.subplots(nrows, ncols, figsize=figsize(nrows, ncols), squeeze=False,
                                 layout=layout)
        return fig, _used(axes.ravel(), n)
    if isinstance(ax, FigureBase):
        return ax.figure, _used(ax.subplots(nrows, ncols, squeeze=False).ravel(), n)
    if isinstance(ax, Axes):
        if n == 1:
            return ax.figure, np.array([ax], dtype=object)
        return ax.figure, _used(_grid_in(ax, nrows, ncols), n)
    axes = np.atleast_1d(np.asarray(ax, dtype=object)).ravel()
    if not all(isinstance(a, Axes) for a in axes):
        raise TypeError(f"ax must be a matplotlib Axes, Figure, array of Axes or None, "
                        f"not {type(ax).__name__}")
    if len(axes) != n:
        raise ValueError(
            f"This display draws {n} panel(s) but ax holds {len(axes)} axes; pass "
            f"one Axes to draw within, {n} axes (e.g. plt.subplots(1, {n})[1]) or ax=None."
        )
    return axes[0].figure, axes


def _used(axes, n):
    for extra in axes[n:]:
        extra.axis("off")
    return axes[:n]


def _grid_in(ax, nrows, ncols):
    """``nrows x ncols`` new axes tiling the box of ``ax``, whose frame is hidden."""
    import numpy as np
    from matplotlib.gridspec import GridSpecFromSubplotSpec

    fig = ax.figure
    spec = ax.get_subplotspec()
    ax.set_axis_off()
    if spec is not None:
        grid = GridSpecFromSubplotSpec(nrows, ncols, subplot_spec=spec, wspace=0.35,
                                       hspace=0.45)
        return np.array([fig.add_subplot(grid[i]) for i in range(nrows * ncols)],
                        dtype=object)
    box = ax.get_position()  # an Axes placed by hand (fig.add_axes)
    w, h = box.width / ncols, box.height / nrows
    return np.array([fig.add_axes((box.x0 + c * w + 0.1 * w, box.y1 - (r + 1) * h + 0.12 * h,
                                   0.8 * w, 0.76 * h))
                     for r in range(nrows) for c in range(ncols)], dtype=object)
