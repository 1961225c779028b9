"""Reading the files people give us and writing beside them, so that a failure is one line and leaves nothing half
written: UTF-8 text (a leading byte-order mark dropped), and outputs written to a temporary name, then renamed."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from kg.errors import InputError, os_error

BOM = "\ufeff"


def decode(data: bytes, path: str | os.PathLike[str]) -> str:
    """UTF-8 bytes as text without a leading byte-order mark; other bytes are an :class:`InputError` saying where.

    >>> decode(b"\\xef\\xbb\\xbfSELECT", "q.rq")
    'SELECT'
    >>> decode(b"ab\\xff", "q.rq")
    Traceback (most recent call last):
    ...
    kg.errors.InputError: q.rq:1:3: not UTF-8 text (byte 0xff at offset 2); save the file as UTF-8
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        before = data[:err.start]
        line = before.count(b"\n") + 1
        column = err.start - (before.rfind(b"\n") + 1) + 1
        raise InputError(f"not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start}); save the file as "
                         "UTF-8", str(path), line, column) from None
    return text.removeprefix(BOM)


def read_text(path: str | os.PathLike[str]) -> str:
    """A text file given by a person (a query, a review CSV): UTF-8, one-line errors for missing or unreadable."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", str(path)) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", str(path)) from None
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", str(path)) from None
    return decode(data, path)


def temporary_name(path: Path) -> Path:
    """The name a file is written under before it is renamed to ``path`` (hidden, beside it, per process)."""
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Write a file under a temporary name beside ``path`` and rename it into place only when all went well.

    A failure (disk full, a read-only folder, an error while writing, Ctrl-C) removes the temporary file and
    leaves whatever was at ``path`` as it was; OS errors become one-line :class:`kg.errors.WriteError`.

    >>> import tempfile; target = Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_output(target) as out:
    ...     _ = out.write(b"done")
    >>> target.read_bytes(), [p.name for p in target.parent.iterdir()]
    (b'done', ['out.txt'])
    """
    target = Path(path)
    tmp = temporary_name(target)
    try:
        handle = tmp.open("wb")
    except OSError as err:
        raise os_error(err, target) from None
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise os_error(err, target) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def copy_atomic(source: Path, target: Path) -> None:
    """Copy a file under a temporary name and rename it into place (a full disk leaves no partial copy)."""
    import shutil

    with atomic_output(target) as out, source.open("rb") as src:
        shutil.copyfileobj(src, out, 1 << 20)


def alive(pid: int) -> bool:
    """True while process ``pid`` runs (one we may not signal runs too)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """A temporary folder named after this process, deleted when the block ends however it ends; folders of the
    same kind left by processes that were killed (kill -9 gives no chance to clean up) are deleted first.

    >>> with scratch_folder("kg-doctest-") as folder:
    ...     folder.is_dir()
    True
    >>> folder.exists()
    False
    """
    import shutil
    import tempfile

    base = Path(tempfile.gettempdir())
    for stale in base.glob(prefix + "*"):
        pid = stale.name.removeprefix(prefix).split("-")[0]
        if pid.isdigit() and not alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    try:
        folder = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-"))
    except OSError as err:
        raise os_error(err, base, "create a temporary folder") from None
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
