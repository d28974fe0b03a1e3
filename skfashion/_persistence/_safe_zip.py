"""Reading zip archives from untrusted sources with bounded work, writing atomically.

A zip member declares its sizes; a crafted one can declare little and inflate
to gigabytes, or lie. :func:`read_members` refuses archives with too many
members, members larger than a limit or compressed beyond a ratio no real file
reaches, and reads each member with a hard cap, so the work done is bounded
by the limits whatever the file says.
"""

import os
import stat
import struct
import tempfile
import zipfile
import zlib
from pathlib import Path
from ..exceptions import ArchiveError  # noqa: F401 (re-exported)

#: No member of a skfashion file (or of the Keras model inside) needs more.
MAX_MEMBERS = 64
#: Deflate reaches about 1000:1 on zeros; JSON metadata and weights stay far below.
MAX_RATIO = 200
#: Members under this size may have any ratio (small files compress oddly).
RATIO_FREE_BYTES = 1 << 20


def check_archive(zf, limits, *, label):
    """Check the declared members of ``zf`` against ``limits`` ``{name: max bytes}``.

    A name absent from ``limits`` is refused unless ``limits`` has a ``"*"``
    entry, which then bounds every other member.
    """
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ArchiveError(f"{label} has {len(infos)} members; at most {MAX_MEMBERS} expected.")
    seen = set()
    for info in infos:
        name = info.filename
        if name in seen:  # zipfile would read the last one; another reader the first
            raise ArchiveError(f"{label} contains the member {name!r} twice.")
        seen.add(name)
        if name.startswith("/") or ".." in Path(name).parts:
            raise ArchiveError(f"{label} contains the unsafe member name {name!r}.")
        limit = limits.get(name, limits.get("*"))
        if limit is None:
            raise ArchiveError(
                f"{label} contains the unexpected member {name!r}; expected "
                f"{sorted(k for k in limits if k != '*')}."
            )
        if info.file_size > limit:
            raise ArchiveError(
                f"{label}: member {name!r} declares {info.file_size} bytes, more than the "
                f"{limit} a real file has."
            )
        if info.file_size > RATIO_FREE_BYTES and info.file_size > MAX_RATIO * max(
                info.compress_size, 1):
            raise ArchiveError(
                f"{label}: member {name!r} is compressed "
                f"{info.file_size / max(info.compress_size, 1):.0f}:1, "
                f"beyond the {MAX_RATIO}:1 of any real file (a decompression bomb?)."
            )
    return infos


def read_member(zf, name, limit, *, label):
    """Read member ``name`` of ``zf``, never more than ``limit`` bytes.

    A corrupt member (CRC mismatch, truncated or lying headers, an unknown
    compression) is an :class:`ArchiveError` naming the file.
    """
    try:
        with zf.open(name) as fh:
            data = fh.read(limit + 1)
    except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError, RuntimeError,
            OSError, ValueError, struct.error) as exc:
        raise ArchiveError(f"{label}: member {name!r} is corrupt ({type(exc).__name__}: "
                           f"{exc}).") from exc
    if len(data) > limit:
        raise ArchiveError(f"{label}: member {name!r} inflates beyond its limit of {limit} bytes.")
    return data


def open_archive(path, *, label=None):
    """A ``ZipFile`` for ``path``, with a ``ValueError`` naming the file if it is not one."""
    label = label or str(path)
    try:
        mode = os.stat(path).st_mode  # follows links: a link to /dev/zero is a device
    except OSError as exc:
        raise ArchiveError(f"{label} cannot be read ({exc.strerror or exc}).") from exc
    if not stat.S_ISREG(mode):
        raise ArchiveError(f"{label} is not a skfashion file (not a regular file).")
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, struct.error) as exc:
        raise ArchiveError(f"{label} is not a skfashion file (not a readable zip: {exc}).") \
            from exc


def _umask():
    """The process's umask, read without changing it (Linux), else by setting it back."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path, write):
    """Create ``path`` by ``write(file_object)`` on a temporary file, then rename it.

    The temporary file is flushed to disk before the rename (a power cut leaves
    the old file or the new one, never an empty one) and removed if anything
    fails, and the error names ``path``.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"Cannot save to {path}: it is a directory.")
    directory = path.parent if str(path.parent) else Path(".")
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)  # an existing file keeps its mode
    except OSError:
        mode = 0o666 & ~_umask()  # a new one gets what open() would give it
    try:
        # A short temporary name: any valid target name (up to 255 bytes) works.
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name[:64]}.",
                                   suffix=".part")
    except OSError as exc:
        raise OSError(exc.errno, f"Cannot save to {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.remove(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OSError(exc.errno, f"Cannot save to {path}: {exc.strerror or exc}") from exc
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass
