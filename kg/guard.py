"""The one place where whatever a command raised becomes one line on stderr and a documented exit code.

Library errors (:class:`kg.errors.KgError`) carry their own code. What the system raises is explained too: a full
disk or a read-only folder (exit 9), a closed pipe (``kg query | head``: exit 0, nothing more), Ctrl-C (130).
Anything else is a bug of ours: one line that says so (``KG_DEBUG=1`` shows the traceback), exit 1.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
from typing import Any

import typer

from kg.errors import INTERRUPTED, KgError, os_error

_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG}
_WRITE_WORDS = ("No space left", "Read-only file system", "File too large", "Disk quota")


def explain(err: BaseException) -> tuple[str, int]:
    """The line to print and the exit code for an exception that reached the command line.

    >>> explain(UnicodeDecodeError("utf-8", b"\\xff", 0, 1, "invalid start byte"))[1]
    2
    """
    if isinstance(err, KgError):
        return f"kg: error: {err}", err.exit_code
    if isinstance(err, KeyboardInterrupt):
        return "kg: interrupted", INTERRUPTED
    if isinstance(err, UnicodeDecodeError):
        return f"kg: error: an input is not UTF-8 text ({err.reason} at byte {err.start}); save it as UTF-8", 2
    if isinstance(err, (RuntimeError, OSError)) and "Corruption" in str(err):
        text = " ".join(str(err).split())[:160]
        return (f"kg: error: the store is damaged ({text}); rebuild it with `kg build` (the project's files hold "
                "everything it had)"), 10
    if isinstance(err, MemoryError):
        return "kg: error: out of memory; give the command less to hold (a LIMIT, fewer graphs)", 1
    if isinstance(err, OSError):
        if err.errno in _WRITE_ERRNOS or any(words in str(err) for words in _WRITE_WORDS):
            return f"kg: error: {os_error(err)}", 9
        where = f"{err.filename}: " if err.filename else ""
        return f"kg: error: {where}{' '.join(str(err.strerror or err).split())[:300]}", 1
    name = type(err).__name__
    return (f"kg: internal error: {name}: {' '.join(str(err).split())[:300]} (a bug: run again with KG_DEBUG=1 for "
            "the traceback, and report it)"), 1


class GuardedTyper(typer.Typer):
    """A typer app whose every exception ends as one line and an exit code, never a traceback."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        stop_on_signals()
        try:
            return super().__call__(*args, **kwargs)
        except SystemExit:
            raise
        except Stopped as stopped:
            with contextlib.suppress(OSError):
                print(f"kg: interrupted ({signal.Signals(stopped.signum).name}); nothing was left half done",
                      file=sys.stderr, flush=True)
            sys.exit(INTERRUPTED)
        except BrokenPipeError:
            # The reader went away (`kg query ... | head`): not an error; stop writing, quietly.
            with_devnull()
            sys.exit(0)
        except BaseException as err:
            if os.environ.get("KG_DEBUG"):
                raise
            line, code = explain(err)
            with contextlib.suppress(OSError):
                print(line, file=sys.stderr, flush=True)
            sys.exit(code)


class Stopped(BaseException):
    """Ctrl-C, SIGTERM or SIGHUP arrived: raised where the program is, so that every ``finally`` runs (a half-built
    store is deleted, the reasoner's JVM is killed, temporary files are removed) before ``kg`` exits.

    A BaseException, like KeyboardInterrupt, so that no ``except Exception`` swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_stopped(signum: int, frame: object) -> None:
    raise Stopped(signum)


def stop_on_signals() -> None:
    """Turn Ctrl-C, SIGTERM and SIGHUP into :class:`Stopped` (exit 130 after cleaning up)."""
    with contextlib.suppress(ValueError):  # not the main thread (an embedding application): leave its handlers
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, _raise_stopped)


def with_devnull() -> None:
    """Point stdout at /dev/null so that Python's final flush of a closed pipe raises nothing."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
