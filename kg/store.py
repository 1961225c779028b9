"""Opening the on-disk Oxigraph store, and swapping a freshly built one in atomically.

A store path is a symbolic link to one build directory beside it (``<store>.builds/<id>``). A build writes a
new directory and only then repoints the link with one atomic rename, so a reader never sees half a build
and a failed or interrupted build leaves the previous store as it was.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pyoxigraph as ox

from kg import lock
from kg.errors import StoreDamagedError, StoreLockedError, StoreMissingError
from kg.files import alive


def damaged(err: Exception, path: Path) -> StoreDamagedError | None:
    """The engine's complaint about broken files (a bad table, an empty CURRENT, a missing MANIFEST) as one
    line that says what to do, or None when ``err`` is about something else."""
    text = " ".join(str(err).split())
    if "Corruption" in text or "MANIFEST" in text or ("CURRENT" in text and "No such file" not in text):
        cause = text if len(text) <= 160 else text[:157] + "..."
        return StoreDamagedError(f"the store at {path} is damaged ({cause}); rebuild it with `kg build` (the "
                                 "project's files hold everything it had)")
    return None


def _explain(err: OSError, path: Path) -> Exception:
    if (broken := damaged(err, path)) is not None:
        return broken
    text = str(err)
    if lock.engine_locked(path):
        return StoreLockedError(
            f"the store at {path} is in use by another process (a running `kg serve`, `kg sparql --update` or "
            "notebook holds it for writing); stop that process, or query it through its SPARQL endpoint"
        )
    if "No such file" in text or "CURRENT" in text:
        return StoreMissingError(f"no store at {path}: run `kg build` first (or pass --store / set KG_STORE)")
    return err


def exists(path: Path) -> bool:
    """True when ``path`` holds a built store."""
    return (path / "CURRENT").exists()


def open_store(path: str | os.PathLike[str], *, writable: bool = False) -> ox.Store:
    """Open a built store: read-only unless ``writable`` (read-only opens never fight over the lock).

    >>> open_store("/nonexistent/store")
    Traceback (most recent call last):
    ...
    kg.errors.StoreMissingError: no store at /nonexistent/store: run `kg build` first (or pass --store / set KG_STORE)
    """
    path = Path(path)
    if not exists(path):
        raise StoreMissingError(f"no store at {path}: run `kg build` first (or pass --store / set KG_STORE)")
    lock.pin(path)  # a build swapped in meanwhile leaves this one in place while we read it
    try:
        return ox.Store(str(path)) if writable else ox.Store.read_only(str(path))
    except OSError as err:
        raise _explain(err, path) from None
    except RuntimeError as err:  # RocksDB reports corruption this way
        raise damaged(err, path) or err from None


def builds_dir(path: Path) -> Path:
    """The folder that holds the build directories a store link points to."""
    return path.with_name(path.name + ".builds")


_PARTIAL = ".partial"


def new_build_dir(path: Path) -> Path:
    """A fresh, empty directory for the next build of the store at ``path``, marked partial until complete.

    Partial builds left by processes that died (killed, power cut) are removed here.
    """
    root = builds_dir(path)
    root.mkdir(parents=True, exist_ok=True)
    for stale in root.glob(f"*{_PARTIAL}"):
        pid = stale.name.split("-")[1]
        if pid.isdigit() and not alive(int(pid)):
            discard(stale)
    build = root / f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}{_PARTIAL}"
    build.mkdir()
    return build



def swap_in(path: Path, partial: Path) -> None:
    """Point ``path`` at the finished build in one atomic step, then delete builds nothing points to any more.

    Builds still in progress in other processes (``*.partial``) are left alone.
    """
    build = partial.with_name(partial.name.removesuffix(_PARTIAL))
    partial.rename(build)
    link_tmp = path.with_name(path.name + f".link-{os.getpid()}")
    if link_tmp.is_symlink() or link_tmp.exists():
        link_tmp.unlink()
    os.symlink(os.path.relpath(build, path.parent), link_tmp)
    if path.exists() and not path.is_symlink():
        # A plain directory (a store made by another tool): keep it aside rather than delete someone's data.
        path.rename(path.with_name(path.name + f".replaced-{int(time.time())}"))
    os.replace(link_tmp, path)
    discard_unread(path)


def discard_unread(path: Path) -> None:
    """Delete the builds the store link no longer points to, except those a reader still pins (a running
    ``kg serve``, a long query): the last of them deletes it when it lets go (:func:`kg.lock.pin`)."""
    current = Path(os.path.realpath(path))
    for old in builds_dir(path).iterdir():
        if old.resolve() != current and not old.name.endswith(_PARTIAL):
            with lock.exclusive(old) as free:
                if free:
                    discard(old)


def discard(build: Path) -> None:
    """Delete a build directory (a failed build, or one a newer build replaced)."""
    for _ in range(5):  # a store closing in the background may still add a file while we delete
        shutil.rmtree(build, ignore_errors=True)
        if not build.exists():
            return
        time.sleep(0.05)
