"""Find, verify, download and load the Fashion-MNIST data set."""

import gzip
import hashlib
import os
import shutil
import tempfile
import urllib.request
import zlib
from pathlib import Path
from typing import Tuple, Union

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import StrOptions, validate_params

from .._support._images import to_rows
from .._support._optional import import_optional
from ._idx import parse_idx

#: The 28 x 28 grayscale images have 10 classes, label i is CLASS_NAMES[i].
CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

#: SHA-256 of the *decompressed* IDX content of the four official files. The
#: decompressed bytes are checked, not the ``.gz`` files, because redistributors
#: (Debian, mirrors) recompress the same data with other gzip settings.
FILES = {
    "train-images-idx3-ubyte.gz": (
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"
    ),
    "train-labels-idx1-ubyte.gz": (
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"
    ),
    "t10k-images-idx3-ubyte.gz": (
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"
    ),
    "t10k-labels-idx1-ubyte.gz": (
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"
    ),
}

#: Size in bytes of each official file's decompressed content: reading stops
#: past it, so a crafted file cannot make a loader inflate gigabytes.
SIZES = {
    "train-images-idx3-ubyte.gz": 47_040_016,
    "train-labels-idx1-ubyte.gz": 60_008,
    "t10k-images-idx3-ubyte.gz": 7_840_016,
    "t10k-labels-idx1-ubyte.gz": 10_008,
}

#: Official mirrors, tried in order: the one Keras uses, then Zalando's repository.
MIRRORS = (
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
)

ENV_VAR = "SKFASHION_DATA"
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
DEBIAN_PACKAGE = "dataset-fashion-mnist"


def _keras_cache_dir():
    """Where ``keras.datasets.fashion_mnist.load_data()`` keeps its files.

    Keras's own rule: ``$KERAS_HOME``, else ``~/.keras`` (``/tmp/.keras`` when the
    home directory is not writable).
    """
    if "KERAS_HOME" in os.environ:
        keras_home = Path(os.environ["KERAS_HOME"])
    else:
        base = Path("~").expanduser()
        keras_home = (base if os.access(base, os.W_OK) else Path("/tmp")) / ".keras"
    return keras_home / "datasets" / "fashion-mnist"


def data_locations(data_home=None):
    """Return the places searched for the data, in order, as ``(label, Path)``.

    The first place that holds all four official files wins. ``data_home`` and
    the ``SKFASHION_DATA`` environment variable appear only when set.

    Parameters
    ----------
    data_home : str or path-like, default=None
        A directory searched first.

    Returns
    -------
    places : list of (str, Path)
        Each place's description and directory.

    See Also
    --------
    find_data_dir : The first of these places that holds the data.

    Examples
    --------
    >>> [label for label, _ in data_locations("/tmp/fm")][0]
    'data_home argument'
    """
    places = []
    if data_home is not None:
        places.append(("data_home argument", Path(data_home).expanduser()))
    if os.environ.get(ENV_VAR):
        places.append((f"{ENV_VAR} environment variable", Path(os.environ[ENV_VAR])))
    places.append(("Keras cache", _keras_cache_dir()))
    places.append((f"Debian/Ubuntu package {DEBIAN_PACKAGE}", DEBIAN_DIR))
    return places


def _has_files(label, path):
    try:
        return all((path / name).is_file() for name in FILES)
    except PermissionError as exc:
        raise OSError(
            f"The {label} {path} cannot be read ({exc.strerror}). Fix its permissions, or "
            f"point data_home= or {ENV_VAR} at a readable directory."
        ) from exc


def find_data_dir(data_home=None):
    """Return the first directory of :func:`data_locations` holding all four files.

    Nothing is downloaded or verified here.

    Parameters
    ----------
    data_home : str or path-like, default=None
        A directory searched first.

    Returns
    -------
    directory : Path or None
        None when no place has the four files.

    Raises
    ------
    OSError
        If a place cannot be read (permissions), naming it.

    See Also
    --------
    data_locations : Every place searched, in order.
    load_fashion_mnist : Load the data found there.

    Examples
    --------
    ``data_home`` is searched first, and only the four names count:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from skfashion.datasets import find_data_dir
    >>> home = Path(tempfile.mkdtemp())
    >>> for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
    ...              "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
    ...     _ = (home / name).write_bytes(b"")
    >>> find_data_dir(home) == home
    True
    """
    for label, path in data_locations(data_home):
        if _has_files(label, path):
            return path
    return None


def _download_dir(data_home=None):
    """Where a download goes: ``data_home``, else ``SKFASHION_DATA``, else Keras's cache."""
    if data_home is not None:
        return Path(data_home).expanduser()
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    return _keras_cache_dir()


def _decompress(path, limit):
    try:
        with gzip.open(path, "rb") as fh:
            payload = fh.read(limit + 1)
    except PermissionError as exc:
        raise OSError(f"{path} cannot be read ({exc.strerror}); fix its permissions.") from exc
    except (OSError, EOFError, zlib.error) as exc:
        raise OSError(
            f"{path} is not a readable gzip file ({exc}): it is truncated or corrupt. "
            "Delete it and fetch the data again."
        ) from exc
    if len(payload) > limit:
        raise OSError(
            f"{path} decompresses to more than the {limit} bytes of the official file: it "
            "is not the official Fashion-MNIST. Delete it and fetch the data again."
        )
    return payload


def _check_sha256(payload, name, path):
    digest = hashlib.sha256(payload).hexdigest()
    if digest != FILES[name]:
        raise OSError(
            f"{path} has the wrong content: SHA-256 of its decompressed data is "
            f"{digest}, expected {FILES[name]}. The file is corrupt or not the "
            "official Fashion-MNIST; delete it and fetch the data again."
        )


def _read_array(directory, name):
    path = Path(directory) / name
    payload = _decompress(path, SIZES[name])
    _check_sha256(payload, name, path)
    return parse_idx(payload, name=str(path), expected_ndim=1 if "labels" in name else 3)


def _download(directory, *, mirrors=None, timeout=60):
    """Download the missing official files into ``directory``, verified and atomic."""
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OSError(
            f"Cannot create the data directory {directory} ({exc}). Pass a writable "
            f"data_home= or set {ENV_VAR} to a writable directory."
        ) from exc
    if not os.access(directory, os.W_OK):
        raise OSError(
            f"The data directory {directory} is not writable. Pass a writable "
            f"data_home= or set {ENV_VAR} to a writable directory."
        )
    for name in FILES:
        target = directory / name
        if target.is_file():
            continue
        errors = []
        for base in mirrors or MIRRORS:
            url = base + name
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".part")
            try:
                with os.fdopen(fd, "wb") as out, urllib.request.urlopen(
                    url, timeout=timeout
                ) as response:
                    shutil.copyfileobj(response, out)
                _check_sha256(_decompress(tmp, SIZES[name]), name, url)
                os.replace(tmp, target)
                break
            except OSError as exc:  # URLError and checksum failures are OSErrors
                errors.append(f"{url}: {exc}")
            finally:
                if os.path.exists(tmp):
                    os.remove(tmp)
        else:
            raise OSError(f"Could not download {name}:\n  " + "\n  ".join(errors))
    return directory


def _missing_data_error(data_home, download_error=None):
    searched = "\n".join(f"  - {label}: {path}" for label, path in data_locations(data_home))
    reason = f"\nThe download failed: {download_error}" if download_error else ""
    return OSError(
        "Fashion-MNIST was not found. Searched, in order:\n"
        f"{searched}{reason}\n"
        "To fix it, do one of:\n"
        f"  1. install the Debian/Ubuntu package: apt-get install {DEBIAN_PACKAGE}\n"
        f"  2. point {ENV_VAR} (or data_home=) at a directory holding the four "
        "official .gz files\n"
        "  3. allow a download: connect to the network and keep "
        "download_if_missing=True"
    )


def _resolve_dir(data_home, download_if_missing):
    directory = find_data_dir(data_home)
    if directory is not None:
        return directory
    if not download_if_missing:
        raise _missing_data_error(data_home)
    try:
        return _download(_download_dir(data_home))
    except OSError as exc:
        raise _missing_data_error(data_home, exc) from exc


def _load_split(directory, prefix):
    images = _read_array(directory, f"{prefix}-images-idx3-ubyte.gz")
    labels = _read_array(directory, f"{prefix}-labels-idx1-ubyte.gz")
    if len(images) != len(labels):
        raise OSError(
            f"{directory}: {prefix} has {len(images)} images but {len(labels)} labels; "
            "the files do not belong together. Fetch the data again."
        )
    return images, labels


def load_fashion_mnist(
    *, data_home: Union[str, "os.PathLike[str]", None] = None, download_if_missing: bool = True,
) -> Tuple[Tuple[np.ndarray, np.ndarray], Tuple[np.ndarray, np.ndarray]]:
    """Load Fashion-MNIST as ``keras.datasets.fashion_mnist.load_data()`` does.

    The data is looked up in ``data_home``, ``$SKFASHION_DATA``, the Keras cache
    ``~/.keras/datasets/fashion-mnist`` and ``/usr/share/datasets/fashion-mnist``
    (Debian package ``dataset-fashion-mnist``), in that order; only when none has
    it and ``download_if_missing`` is true is it downloaded. Every file is checked
    against the SHA-256 of the official data.

    Parameters
    ----------
    data_home : str or path-like, default=None
        A directory searched first, and where a download goes.
    download_if_missing : bool, default=True
        Download the data when it is found nowhere.

    Returns
    -------
    (x_train, y_train), (x_test, y_test) : tuple of tuples of ndarrays
        ``uint8`` arrays of shape (60000, 28, 28), (60000,), (10000, 28, 28), (10000,).

    Raises
    ------
    OSError
        If the data is missing everywhere and cannot be downloaded, or a file is
        truncated or corrupt.

    See Also
    --------
    fetch_fashion_mnist : The same data as a scikit-learn ``Bunch``.
    load_sample : A small real subset shipped with the package.

    Examples
    --------
    >>> from skfashion.datasets import load_fashion_mnist
    >>> (x_train, y_train), (x_test, y_test) = load_fashion_mnist()
    >>> x_train.shape, x_train.dtype
    ((60000, 28, 28), dtype('uint8'))
    """
    directory = _resolve_dir(data_home, download_if_missing)
    x_train, y_train = _load_split(directory, "train")
    x_test, y_test = _load_split(directory, "t10k")
    return (x_train, y_train), (x_test, y_test)


def feature_names(image_shape=(28, 28)):
    """Names of the flattened pixels, ``pixel_<row>_<column>``, row-major.

    Parameters
    ----------
    image_shape : tuple of (int, int), default=(28, 28)
        Height and width of the images.

    Returns
    -------
    names : ndarray of str objects
        ``height * width`` names.

    See Also
    --------
    fetch_fashion_mnist : Its ``feature_names`` come from here.

    Examples
    --------
    >>> feature_names((2, 2)).tolist()
    ['pixel_0_0', 'pixel_0_1', 'pixel_1_0', 'pixel_1_1']
    """
    rows, cols = image_shape
    return np.asarray([f"pixel_{r}_{c}" for r in range(rows) for c in range(cols)], dtype=object)


def _make_bunch(images, target, *, descr, return_X_y, as_frame):
    data = to_rows(images, images.shape[1:], who="fetch_fashion_mnist")
    names = feature_names(images.shape[1:])
    if as_frame:
        pd = import_optional("pandas", "fetch_fashion_mnist(as_frame=True)")
        data = pd.DataFrame(data, columns=names)
        target = pd.Series(target, name="class")
    if return_X_y:
        return data, target
    frame = None
    if as_frame:
        frame = data.assign(**{"class": target.values})
    return Bunch(
        data=data,
        images=images,
        target=target,
        frame=frame,
        target_names=list(CLASS_NAMES),
        feature_names=names.tolist(),
        DESCR=descr,
    )


def _descr():
    return (Path(__file__).parent / "descr" / "fashion_mnist.rst").read_text(encoding="utf-8")


@validate_params(
    {
        "subset": [StrOptions({"train", "test", "all"})],
        "data_home": [str, os.PathLike, None],
        "download_if_missing": ["boolean"],
        "return_X_y": ["boolean"],
        "as_frame": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def fetch_fashion_mnist(
    *,
    subset="train",
    data_home=None,
    download_if_missing=True,
    return_X_y=False,
    as_frame=False,
):
    """Load Fashion-MNIST in the style of scikit-learn's ``fetch_*`` functions.

    Parameters
    ----------
    subset : {"train", "test", "all"}, default="train"
        The 60,000 training images, the 10,000 test images, or both (train first).
    data_home : str or path-like, default=None
        A directory searched first, and where a download goes. See
        :func:`load_fashion_mnist` for the whole lookup order.
    download_if_missing : bool, default=True
        Download the data when it is found nowhere.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        Return pandas objects: ``data`` a DataFrame with ``pixel_r_c`` columns,
        ``target`` a Series named ``class``, and ``frame`` both together.

    Returns
    -------
    bunch : :class:`~sklearn.utils.Bunch`
        ``data`` (n, 784) uint8, ``images`` (n, 28, 28) uint8, ``target`` (n,)
        uint8, ``target_names``, ``feature_names``, ``frame`` and ``DESCR``.
    (data, target) : tuple
        If ``return_X_y`` is True.

    See Also
    --------
    load_fashion_mnist : The same data as Keras's tuples.
    load_sample : A small real subset shipped with the package.

    Examples
    --------
    >>> from skfashion.datasets import fetch_fashion_mnist
    >>> bunch = fetch_fashion_mnist(subset="test")
    >>> bunch.data.shape, bunch.target_names[0]
    ((10000, 784), 'T-shirt/top')
    """
    directory = _resolve_dir(data_home, download_if_missing)
    parts = {"train": ["train"], "test": ["t10k"], "all": ["train", "t10k"]}[subset]
    splits = [_load_split(directory, prefix) for prefix in parts]
    if len(splits) == 1:
        images, target = splits[0]
    else:
        images = np.concatenate([s[0] for s in splits])
        target = np.concatenate([s[1] for s in splits])
    return _make_bunch(
        images, target, descr=_descr(), return_X_y=return_X_y, as_frame=as_frame
    )


def load_or_sample(*, data_home=None, quick=False):
    """The full data when found (never downloaded), else the embedded sample.

    Parameters
    ----------
    data_home : str or path-like, default=None
        A directory searched first.
    quick : bool, default=False
        Use the sample even when the full data is there.

    Returns
    -------
    X, y, X_test, y_test : ndarray
        Training and test images and labels.
    source : str
        What was loaded, for messages.
    full : bool
        True for the full data set, False for the sample.
    """
    from ._sample import load_sample

    if not quick:
        directory = find_data_dir(data_home)
        if directory is not None:
            (X, y), (X_test, y_test) = load_fashion_mnist(data_home=data_home,
                                                          download_if_missing=False)
            return (X, y, X_test, y_test,
                    f"Fashion-MNIST from {directory} (60,000 train, 10,000 test)", True)
    (X, y), (X_test, y_test) = load_sample()
    return (X, y, X_test, y_test,
            "the embedded sample of Fashion-MNIST (3,000 train, 1,000 test)", False)
