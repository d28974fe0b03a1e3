"""Labels beside the points of a plot that neither overlap each other nor the
points: where :class:`~skfashion.plotting.AccuracyTimeDisplay` writes each
model's name."""

import numpy as np


def _overlaps(a, b, pad=1.0):
    return a.x0 < b.x1 + pad and b.x0 < a.x1 + pad and a.y0 < b.y1 + pad and b.y0 < a.y1 + pad


def _marks(axis, renderer):
    """Boxes (display space) of what is drawn in ``axis`` that a label must not
    cover: each scatter marker, and each segment of the error or range bars."""
    from matplotlib.collections import LineCollection, PathCollection
    from matplotlib.transforms import Bbox

    boxes = []
    scale = axis.figure.dpi / 72.0
    for collection in axis.collections:
        if isinstance(collection, PathCollection) and collection.get_visible():
            sizes = collection.get_sizes()
            points = collection.get_offset_transform().transform(collection.get_offsets())
            for i, (x, y) in enumerate(points):
                half = np.sqrt(sizes[i % len(sizes)] if len(sizes) else 36.0) * scale / 2
                boxes.append(Bbox([[x - half, y - half], [x + half, y + half]]))
        elif isinstance(collection, LineCollection) and collection.get_visible():
            transform = collection.get_transform()
            for segment in collection.get_segments():
                if len(segment):
                    (x0, y0), (x1, y1) = transform.transform(segment).min(axis=0), \
                        transform.transform(segment).max(axis=0)
                    boxes.append(Bbox([[x0 - 0.5, y0 - 0.5], [x1 + 0.5, y1 + 0.5]]))
    return boxes


#: The smallest a point's label may get, as a share of its font size.
_SMALLEST = 0.85


def _label_points(axis, xs, ys, labels, *, color=None, sides=("right", "left"), fontsize=7):
    """Name each point with a label that stays inside the axes and covers no
    other label, marker or bar.

    The labels are ordinary annotations of ``axis`` (in ``axis.texts``); an
    artist drawn before them places them each time the figure is drawn, at the
    size it is drawn at, so a figure resized or saved at another size still
    reads. From the lowest point up, a label goes right of its point or left
    where it would leave the axes, at the nearest line up or down that covers
    no label placed before it and no marker or bar of the axes (with a thin line
    back to its point); where none fits it gets a little smaller (never below
    ``_SMALLEST`` of its size), then may leave the axes sideways, then moves up.
    """
    from matplotlib.artist import Artist
    from matplotlib.transforms import Bbox

    texts, leaders = [], []
    for x, y, label in zip(xs, ys, labels):
        texts.append(axis.annotate(label, (x, y), textcoords="offset points", xytext=(5, 4),
                                   fontsize=fontsize, color=color, annotation_clip=False))
        leaders.append(axis.annotate("", (x, y), textcoords="offset points", xytext=(5, 4),
                                     arrowprops={"arrowstyle": "-", "lw": 0.5, "color": "0.5",
                                                 "shrinkA": 0, "shrinkB": 3},
                                     annotation_clip=False, visible=False))

    def free_spot(text, renderer, bounds, placed):
        """(dx, rise in pixels, box) of the nearest place clear of ``placed``
        and inside ``bounds`` (None: anywhere, upwards only), or None."""
        for side in sides:
            dx = 5 if side == "right" else -5
            text.set_position((dx, 4))
            text.set_horizontalalignment("left" if dx > 0 else "right")
            base = text.get_window_extent(renderer)
            step = base.height + 1.5
            for k in range(25):
                rise = step * ((k + 1) // 2) * (1 if k % 2 else -1) if k else 0.0
                if bounds is None and rise < 0:
                    continue
                box = base.translated(0, rise)
                if bounds is not None and not (bounds.x0 <= box.x0 and box.x1 <= bounds.x1
                                               and bounds.y0 <= box.y0 and box.y1 <= bounds.y1):
                    continue
                if not any(_overlaps(box, other) for other in placed):
                    return dx, rise, box
        return None

    def layout(renderer):
        fig, frame = axis.figure, axis.get_window_extent(renderer)
        wide = Bbox([[fig.bbox.x0, frame.y0], [fig.bbox.x1, frame.y1]])
        marks = _marks(axis, renderer)
        placed: list = []
        smallest = fontsize * _SMALLEST
        for i in sorted(range(len(texts)), key=lambda k: (ys[k], xs[k])):
            for bounds, size, avoid in ((frame, fontsize, True), (frame, smallest, True),
                                        (wide, smallest, True), (None, smallest, True),
                                        (None, smallest, False)):
                texts[i].set_fontsize(size)
                choice = free_spot(texts[i], renderer, bounds, placed + marks if avoid
                                   else placed)
                if choice is not None:
                    break
            dx, rise, box = choice
            points = rise * 72.0 / fig.dpi
            texts[i].set_position((dx, 4 + points))
            texts[i].set_horizontalalignment("left" if dx > 0 else "right")
            leaders[i].set_position((dx, 4 + points + (3 if rise > 0 else -3)))
            leaders[i].set_visible(rise != 0)
            placed.append(box)

    class _Placer(Artist):
        """Draws nothing: places the labels just before they are drawn."""

        def draw(self, renderer):
            if self.get_visible():
                layout(renderer)
            self.stale = False

    placer = _Placer()
    placer.set_zorder(-100)  # the axes draws its artists by zorder: this one first
    axis.add_artist(placer)
    layout(axis.figure.canvas.get_renderer())  # placed before any draw, too
    return texts
