"""Displays of images: one sample per class, and misclassified test images."""

import numpy as np

from ..datasets import CLASS_NAMES
from ._mpl import import_pyplot


def _as_images(X):
    X = np.asarray(X)
    if X.ndim == 2:
        side = int(round(np.sqrt(X.shape[1])))
        if side * side != X.shape[1]:
            raise ValueError(
                f"Cannot show flat images of {X.shape[1]} pixels: not a square; pass "
                "(n, height, width) images."
            )
        X = X.reshape(len(X), side, side)
    if X.ndim == 4 and X.shape[-1] == 1:
        X = X[..., 0]
    if X.ndim != 3:
        raise ValueError(f"Expected images of shape (n, height, width); got {X.shape}.")
    return X


def _grid(plt, n, ncols, ax, size):
    if ax is None:
        nrows = -(-n // ncols)
        fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * 1.15 * nrows),
                                 squeeze=False)
        axes = axes.ravel()
    else:
        axes = np.asarray(ax).ravel()
        if len(axes) < n:
            raise ValueError(f"Need {n} axes, got {len(axes)}.")
        fig = axes[0].figure
    for extra in axes[n:]:
        extra.axis("off")
    return fig, axes[:n]


class SampleGridDisplay:
    """One image per class with its class name, as in the tutorial.

    Parameters
    ----------
    images : ndarray of shape (n_classes, height, width)
        One image per class.
    labels : sequence of str
        Title of each image.

    Attributes
    ----------
    figure_ : matplotlib Figure
    axes_ : ndarray of matplotlib Axes

    Examples
    --------
    >>> from skfashion.datasets import load_sample
    >>> from skfashion.plotting import SampleGridDisplay
    >>> (X, y), _ = load_sample()
    >>> disp = SampleGridDisplay.from_dataset(X, y)  # doctest: +SKIP
    """

    def __init__(self, images, labels):
        self.images = images
        self.labels = labels

    def plot(self, *, ax=None, ncols=5, cmap="gray_r"):
        """Draw the grid; ``ax`` is None or an array of at least n axes."""
        plt = import_pyplot()
        images = _as_images(self.images)
        fig, axes = _grid(plt, len(images), ncols, ax, 1.8)
        for axis, image, label in zip(axes, images, self.labels):
            axis.imshow(image, cmap=cmap)
            axis.set_title(label, fontsize=9)
            axis.set_xticks([])
            axis.set_yticks([])
        self.figure_, self.axes_ = fig, axes
        return self

    @classmethod
    def from_dataset(cls, X, y, *, class_names=CLASS_NAMES, ax=None, random_state=None):
        """The first image (or a random one) of each class in ``(X, y)``."""
        y = np.asarray(y)
        rng = np.random.RandomState(random_state) if random_state is not None else None
        classes = np.unique(y)
        picks = []
        for c in classes:
            idx = np.flatnonzero(y == c)
            picks.append(idx[0] if rng is None else rng.choice(idx))
        names = [class_names[int(c)] if class_names is not None else str(c) for c in classes]
        return cls(_as_images(X)[picks], names).plot(ax=ax)


class MisclassifiedDisplay:
    """Test images that a model got wrong, titled with true and predicted labels.

    Parameters
    ----------
    images : ndarray of shape (n, height, width)
    y_true, y_pred : sequences of labels
    class_names : sequence of str or None
        Names indexed by integer labels; None shows the labels themselves.

    Attributes
    ----------
    figure_ : matplotlib Figure
    axes_ : ndarray of matplotlib Axes
    """

    def __init__(self, images, y_true, y_pred, *, class_names=CLASS_NAMES):
        self.images = images
        self.y_true = y_true
        self.y_pred = y_pred
        self.class_names = class_names

    def _name(self, label):
        return self.class_names[int(label)] if self.class_names is not None else str(label)

    def plot(self, *, ax=None, ncols=5):
        """Draw the images; returns self."""
        plt = import_pyplot()
        images = _as_images(self.images)
        fig, axes = _grid(plt, max(len(images), 1), ncols, ax, 2.0)
        for axis, image, t, p in zip(axes, images, self.y_true, self.y_pred):
            axis.imshow(image, cmap="gray_r")
            axis.set_title(f"true: {self._name(t)}\npred: {self._name(p)}", fontsize=8,
                           color="firebrick")
            axis.set_xticks([])
            axis.set_yticks([])
        self.figure_, self.axes_ = fig, axes
        return self

    @classmethod
    def from_predictions(cls, X, y_true, y_pred, *, n=10, class_names=CLASS_NAMES, ax=None):
        """Up to ``n`` misclassified images, in data order."""
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        wrong = np.flatnonzero(y_true != y_pred)[:n]
        return cls(_as_images(X)[wrong], y_true[wrong], y_pred[wrong],
                   class_names=class_names).plot(ax=ax)

    @classmethod
    def from_estimator(cls, estimator, X, y, *, n=10, class_names=CLASS_NAMES, ax=None):
        """Misclassified images of ``estimator.predict(X)``."""
        return cls.from_predictions(X, y, estimator.predict(X), n=n, class_names=class_names,
                                    ax=ax)
