"""Who may change a store, and which builds are still read: one writer at a time, readers never stranded.

- The *writer lock* is an ``flock`` on ``<store>.lock`` beside the store link. ``kg build``, ``kg serve --writable``,
  ``kg sparql --update`` and the ``kg link`` commands that change the store hold it while they work; a second
  writer is refused at once with one line that says who holds it (pid, command, since when).
- A *reader pin* is a shared ``flock`` on a build directory itself, held by every process that opened it (a
  query, ``kg serve``). When a build is swapped in, old builds are deleted only when no process pins them; the
  last reader to let go (``kg serve`` moving to the new build) deletes it.

The kernel drops both kinds of lock when a process ends, however it ends (kill -9 included), so no lock outlives
its holder and nothing needs to be cleaned by hand.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from kg.config import MANIFEST_FILE
from kg.errors import StoreLockedError, StoreMissingError, os_error

_PINS: dict[str, int] = {}  # build directory -> the descriptor holding its shared lock, for the process' life


def lock_path(store: Path) -> Path:
    """The writer-lock file of the store at ``store`` (beside its link)."""
    return store.with_name(store.name + ".lock")


def _holder(path: Path) -> str:
    """Who holds the lock, as its holder wrote it (it writes just after taking the lock: wait a moment for it)."""
    for _ in range(20):
        try:
            text = path.read_text(encoding="utf-8").strip()
        except OSError:
            break
        if text:
            return text
        time.sleep(0.05)
    return "another process"


@contextlib.contextmanager
def writer(store: Path, what: str = "kg build", create: bool = False) -> Iterator[None]:
    """Hold the store's writer lock while the block runs; refuse at once when another process holds it.

    >>> import tempfile; store = Path(tempfile.mkdtemp()) / "store"
    >>> with writer(store, create=True), writer(store):
    ...     pass
    Traceback (most recent call last):
    ...
    kg.errors.StoreLockedError: ...
    """
    handle = acquire(store, what, create)
    try:
        yield
    finally:
        release(handle)


def acquire(store: Path, what: str, create: bool = False) -> int:
    """Take the writer lock and return its descriptor (see :func:`writer`); :func:`release` gives it back.

    The store's folder must exist unless ``create`` (a build makes it): a command that only changes a store does
    not create folders for one that is not there.
    """
    path = lock_path(store)
    if not create and not path.parent.is_dir():
        raise StoreMissingError(f"no store at {store}: run `kg build` first (or pass --store / set KG_STORE)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise os_error(err, path, "lock the store") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise StoreLockedError(f"the store at {store} is being changed by {_holder(path)}; wait for it to finish, "
                               "or stop it") from None
    with contextlib.suppress(OSError):
        text = f"pid {os.getpid()} ({what}, since {time.strftime('%H:%M:%S')})\n".encode()
        os.pwrite(fd, text, 0)
        os.ftruncate(fd, len(text))
    if what != "kg build":
        # Whoever else writes may change the store: the next build can no longer start from it (kg/manifest.py).
        with contextlib.suppress(OSError):
            (store / MANIFEST_FILE).unlink(missing_ok=True)
    return fd


def release(fd: int) -> None:
    """Give the writer lock back (closing the descriptor drops the lock)."""
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
    os.close(fd)


def pin(build: str | os.PathLike[str]) -> Path:
    """Mark a build directory as read by this process until it ends (or :func:`unpin`); returns the directory.

    ``build`` may be the store link: the build it points to now is pinned.
    """
    target = Path(os.path.realpath(build))
    key = str(target)
    if key in _PINS:
        return target
    try:
        fd = os.open(target, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return target  # nothing to pin (a missing store is reported by whoever opens it)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)  # someone is deleting it right now: the open that follows will say so
        return target
    _PINS[key] = fd
    return target


def unpin(build: Path) -> None:
    """Stop reading a build directory (its shared lock is dropped)."""
    fd = _PINS.pop(str(build), None)
    if fd is not None:
        os.close(fd)


@contextlib.contextmanager
def exclusive(build: Path) -> Iterator[bool]:
    """Try to hold a build directory exclusively: yields True when no reader pins it (then none can, until the
    block ends: the place to delete it), False when one does."""
    try:
        fd = os.open(build, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield not build.exists()
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def engine_locked(store: str | os.PathLike[str], locks: Path = Path("/proc/locks")) -> bool:
    """True when a process holds the storage engine's own lock, the POSIX lock on ``<store>/LOCK`` (the engine
    takes it to open a store for writing).

    Read from the kernel's lock table, never by opening the file ourselves: closing any descriptor of a file drops
    every POSIX lock this process holds on it, the engine's included. False where the table cannot be read.

    >>> engine_locked("/nonexistent/store")
    False
    """
    try:
        info = (Path(store) / "LOCK").stat()
        table = locks.read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    file_id = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    return any(len(fields) > 5 and fields[1] == "POSIX" and fields[5] == file_id
               for fields in (line.split() for line in table.splitlines()))
