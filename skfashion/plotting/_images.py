"""Displays of images: one sample per class, and misclassified test images."""

import numpy as np

from .._support._docs import shared_doc
from .._support._images import to_images
from ..datasets import CLASS_NAMES
from ._mpl import axes_for, import_pyplot


def _namer(class_names):
    """Label -> text: a class name for an integer label in range, else the label."""
    def name(label):
        if class_names is not None and isinstance(label, (int, np.integer)) and \
                0 <= int(label) < len(class_names):
            return str(class_names[int(label)])
        return str(label)

    return name


class SampleGridDisplay:
    """One image per class with its class name, as in the tutorial.

    Parameters
    ----------
    images : ndarray of shape (n_classes, height, width) or (n_classes, n_pixels)
        One image per class (flat square images are reshaped).
    labels : sequence of str
        Title of each image.

    Attributes
    ----------
    figure_ : matplotlib Figure
        The figure drawn into.
    axes_ : ndarray of matplotlib Axes
        One axis per image.
    ax_ : matplotlib Axes
        The first axis.

    See Also
    --------
    MisclassifiedDisplay : Images a model got wrong.
    skfashion.datasets.load_sample : Images to draw.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skfashion.datasets import load_sample
    >>> from skfashion.plotting import SampleGridDisplay
    >>> (X, y), _ = load_sample()
    >>> disp = SampleGridDisplay.from_dataset(X, y, random_state=0)
    >>> [ax.get_title() for ax in disp.axes_.ravel()][:3]
    ['T-shirt/top', 'Trouser', 'Pullover']
    """

    def __init__(self, images, labels):
        self.images = images
        self.labels = labels

    @shared_doc
    def plot(self, *, ax=None, ncols=5, **kwargs):
        """Draw the grid.

        Parameters
        ----------
        {param:ax}
        {param:ncols}
        **kwargs : dict
            Passed to ``Axes.imshow`` (default ``cmap="gray_r"``).

        Returns
        -------
        display : SampleGridDisplay
        """
        plt = import_pyplot()
        images = to_images(self.images)
        fig, axes = axes_for(plt, ax, len(images), ncols=ncols,
                             figsize=lambda r, c: (1.9 * c, 2.2 * r), layout="compressed")
        style = {"cmap": "gray_r", **kwargs}
        for axis, image, label in zip(axes, images, self.labels):
            axis.imshow(image, **style)
            axis.set_title(label, fontsize=9)
            axis.set_xticks([])
            axis.set_yticks([])
        self.figure_, self.axes_, self.ax_ = fig, axes, axes[0]
        return self

    @classmethod
    @shared_doc
    def from_dataset(cls, X, y, *, class_names=CLASS_NAMES, ax=None, random_state=None,
                     **kwargs):
        """The first image (or a random one) of each class in ``(X, y)``.

        Parameters
        ----------
        X : array-like of images or flat rows
            Images.
        y : array-like of shape (n_samples,)
            Labels of any type.
        class_names : sequence of str or None, default=CLASS_NAMES
            Names of integer labels (other labels are shown as they are).
        {param:ax}
        random_state : int or None, default=None
            Pick a random image per class instead of the first.
        **kwargs : dict
            Passed to ``Axes.imshow``.

        Returns
        -------
        display : SampleGridDisplay
        """
        y = np.asarray(y)
        rng = np.random.RandomState(random_state) if random_state is not None else None
        classes = np.unique(y)
        picks = []
        for c in classes:
            idx = np.flatnonzero(y == c)
            picks.append(idx[0] if rng is None else rng.choice(idx))
        name = _namer(class_names)
        return cls(to_images(X)[picks], [name(c) for c in classes]).plot(ax=ax, **kwargs)


class MisclassifiedDisplay:
    """Test images that a model got wrong, titled with true and predicted labels.

    Parameters
    ----------
    images : ndarray of shape (n, height, width)
        The images.
    y_true, y_pred : sequences of labels
        True and predicted labels of each image.
    class_names : sequence of str or None, default=CLASS_NAMES
        Names of integer labels (other labels are shown as they are).
    confidence : sequence of float, default=None
        The predicted class's probability for each image, shown in its title.
    selection : str, default=None
        How the images were chosen, shown above them in a new figure.

    Attributes
    ----------
    figure_ : matplotlib Figure
        The figure drawn into.
    axes_ : ndarray of matplotlib Axes
        One axis per image.
    ax_ : matplotlib Axes
        The first axis.

    See Also
    --------
    SampleGridDisplay : One image per class.
    sklearn.metrics.ConfusionMatrixDisplay : Which classes are confused, in counts.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.pipeline import make_pipeline
    >>> from skfashion import PixelScaler, SoftmaxClassifier
    >>> from skfashion.datasets import load_sample
    >>> from skfashion.plotting import MisclassifiedDisplay
    >>> (X, y), (X_test, y_test) = load_sample()
    >>> pipe = make_pipeline(PixelScaler(), SoftmaxClassifier(epochs=1, random_state=0))
    >>> disp = MisclassifiedDisplay.from_estimator(pipe.fit(X, y), X_test, y_test, n=6)
    >>> len(disp.axes_), disp.selection is not None
    (6, True)
    """

    def __init__(self, images, y_true, y_pred, *, class_names=CLASS_NAMES, confidence=None,
                 selection=None):
        self.images = images
        self.y_true = y_true
        self.y_pred = y_pred
        self.class_names = class_names
        self.confidence = confidence
        self.selection = selection

    @shared_doc
    def plot(self, *, ax=None, ncols=5, **kwargs):
        """Draw the images.

        Parameters
        ----------
        {param:ax}
        {param:ncols}
        **kwargs : dict
            Passed to ``Axes.imshow`` (default ``cmap="gray_r"``).

        Returns
        -------
        display : MisclassifiedDisplay
        """
        plt = import_pyplot()
        images = to_images(self.images) if len(self.images) else np.zeros((0, 1, 1))
        fig, axes = axes_for(plt, ax, max(len(images), 1), ncols=ncols,
                             figsize=lambda r, c: (2.2 * c, 2.6 * r), layout="compressed")
        name = _namer(self.class_names)
        style = {"cmap": "gray_r", **kwargs}
        confidence = ([None] * len(images) if self.confidence is None
                      else list(self.confidence))
        titles = [[f"true: {name(t)}", f"pred: {name(p)}"] + ([f"({c:.2f})"] if c is not None
                                                              else [])
                  for t, p, c in zip(self.y_true, self.y_pred, confidence)]
        fontsize, titles = _fitting_titles(fig, axes[:len(images)], titles)
        for axis, image, title in zip(axes, images, titles):
            axis.imshow(image, **style)
            axis.set_title(title, fontsize=fontsize, color="firebrick")
            axis.set_xticks([])
            axis.set_yticks([])
        if not len(images):
            axes[0].axis("off")
            axes[0].set_title("no misclassified image")
        if ax is not None and fig.get_layout_engine() is None:
            # the two-line titles need room above each image: the user's axes get
            # a layout that keeps them apart (a figure with its own layout keeps it)
            fig.set_layout_engine("compressed")
        if self.selection and (ax is None or fig._suptitle is None):
            fig.suptitle(self.selection, fontsize=9)  # the caption: which mistakes these are
        self.figure_, self.axes_, self.ax_ = fig, axes, axes[0]
        return self

    @classmethod
    @shared_doc
    def from_predictions(cls, y_true, y_pred, *, images=None, y_proba=None, confidence=None,
                         n=10, class_names=CLASS_NAMES, ax=None, **kwargs):
        """Up to ``n`` misclassified images: the most confident mistakes, or in data order.

        Parameters
        ----------
        y_true, y_pred : array-like of shape (n_samples,)
            True and predicted labels (scikit-learn's order).
        images : array-like of images or flat rows, default=None
            The images the predictions are for. None works when ``y_true``
            is the test labels of Fashion-MNIST itself, in their order (of the
            full data set or of :func:`~skfashion.datasets.load_sample`): the
            images are then those test images. Any other labels need their
            images.
        y_proba : array-like of shape (n_samples, n_classes), default=None
            Predicted probabilities. Given, the mistakes made with the highest
            probability (of the predicted class: each row's largest) come first
            and each title shows it; otherwise the first mistakes in data order.
        confidence : array-like of shape (n_samples,), default=None
            The probability each prediction was made with (``y_proba``'s row
            maximum), where the whole ``y_proba`` is not kept: the same order
            and titles. Give one of ``y_proba`` and ``confidence``.
        n : int, default=10
            Images to show at most.
        class_names : sequence of str or None, default=CLASS_NAMES
            Names of integer labels.
        {param:ax}
        **kwargs : dict
            Passed to ``Axes.imshow``.

        Returns
        -------
        display : MisclassifiedDisplay
        """
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        if images is None:
            images = _test_images_of(y_true)
        if len(y_true) != len(y_pred) or len(y_true) != len(images):
            raise ValueError(
                f"y_true, y_pred and images must have the same length; got {len(y_true)}, "
                f"{len(y_pred)} and {len(images)}."
            )
        wrong = np.flatnonzero(y_true != y_pred)
        if y_proba is not None and confidence is not None:
            raise ValueError("Give y_proba or confidence, not both.")
        top = None
        if y_proba is not None:
            y_proba = np.asarray(y_proba)
            if y_proba.ndim != 2 or len(y_proba) != len(y_true):
                raise ValueError(f"y_proba must have shape (n_samples, n_classes) = "
                                 f"({len(y_true)}, ...); got {y_proba.shape}.")
            top = y_proba.max(axis=1)
        elif confidence is not None:
            top = np.asarray(confidence, dtype=float)
            if top.shape != (len(y_true),):
                raise ValueError(f"confidence must have shape (n_samples,) = ({len(y_true)},); "
                                 f"got {top.shape}.")
        confidence = None
        if top is None:
            selection = f"the first {min(n, len(wrong))} of {len(wrong)} mistakes, in data order"
        else:
            wrong = wrong[np.argsort(-top[wrong], kind="stable")]
            confidence = top[wrong[:n]]
            selection = (f"the {min(n, len(wrong))} most confident of {len(wrong)} mistakes "
                         "(predicted class's probability)")
        wrong = wrong[:n]
        return cls(to_images(images)[wrong], y_true[wrong], y_pred[wrong],
                   class_names=class_names, confidence=confidence,
                   selection=selection).plot(ax=ax, **kwargs)

    @classmethod
    @shared_doc
    def from_estimator(cls, estimator, X, y, *, images=None, n=10, class_names=CLASS_NAMES,
                       ax=None, **kwargs):
        """Misclassified images of ``estimator.predict(X)``, most confident first.

        With ``predict_proba``, the mistakes made with the highest probability
        come first, each titled with it (see :meth:`from_predictions`).

        Parameters
        ----------
        estimator : estimator
            Fitted classifier (or pipeline).
        X : array-like
            Inputs.
        y : array-like of shape (n_samples,)
            True labels.
        images : array-like, default=None
            The images to show (default: ``X`` itself).
        n : int, default=10
            Images to show at most.
        class_names : sequence of str or None, default=CLASS_NAMES
            Names of integer labels.
        {param:ax}
        **kwargs : dict
            Passed to ``Axes.imshow``.

        Returns
        -------
        display : MisclassifiedDisplay
        """
        y_proba = estimator.predict_proba(X) if hasattr(estimator, "predict_proba") else None
        return cls.from_predictions(y, estimator.predict(X), images=X if images is None
                                    else images, y_proba=y_proba, n=n,
                                    class_names=class_names, ax=ax, **kwargs)


def _test_images_of(y_true):
    """The Fashion-MNIST test images whose labels, in order, are ``y_true``."""
    from ..datasets import find_data_dir, load_fashion_mnist, load_sample

    candidates = [load_sample]
    if len(y_true) == 10_000 and find_data_dir() is not None:
        candidates.append(lambda: load_fashion_mnist(download_if_missing=False))
    for load in candidates:
        _, (X_test, y_test) = load()
        if len(y_test) == len(y_true) and (
                np.array_equal(y_true, y_test)
                or np.array_equal(y_true.astype(object), np.asarray(CLASS_NAMES, object)[y_test])):
            return X_test
    raise ValueError(
        "images= is needed: y_true is not the Fashion-MNIST test labels in their order "
        "(of the full data or of load_sample()), so the images these predictions are "
        "for cannot be known. Pass images=X_test."
    )


#: A title character's width, as a share of the font size (DejaVu Sans, on average).
_CHAR_WIDTH = 0.6


def _fitting_titles(fig, axes, titles, largest=8.0, smallest=6.0):
    """``(fontsize, titles)`` so that each image's title fits above it, its
    neighbours' apart: the largest size at which the longest line fits the
    narrowest axes (the confidence on the prediction's line while that fits,
    on a line of its own otherwise); at the smallest size, what still does not
    fit loses its confidence's line break only."""
    if not titles:
        return largest, []
    width = min(axis.get_position().width for axis in axes) * fig.get_figwidth() * 72 * 0.95

    def size(lines):
        return width / (_CHAR_WIDTH * max(len(line) for line in lines))

    joined = [[t[0], " ".join(t[1:])] for t in titles]
    if min(size(t) for t in joined) >= largest or all(len(t) == 2 for t in titles):
        chosen = joined
    else:
        chosen = titles
    fontsize = max(smallest, min(largest, min(size(t) for t in chosen)))
    return fontsize, ["\n".join(t) for t in chosen]
