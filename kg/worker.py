"""Running a query where Ctrl-C and ``--timeout`` can stop it: in a child process that writes the results itself.

A query runs inside one pyoxigraph call, and Python sees a signal only between bytecodes, so a long query in the
main process cannot be stopped (ENGINE-NOTES). Here the process forks; the child opens the store, runs the query
and writes its rows straight to the shared stdout as they come; the parent only waits. Ctrl-C, SIGTERM, SIGHUP or
the timeout make the parent kill the child at once (the child cannot outlive it either: it dies with its parent).
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import time
from collections.abc import Callable

from kg.errors import INTERRUPTED, QueryTimeoutError

_POLL = 0.02  # seconds between checks on the child where it cannot be waited for (no pidfd)


def run_stoppable(work: Callable[[], None], timeout: float | None = None) -> int:
    """Run ``work`` in a child process; returns its exit code (a failure has been printed as one line already).

    Raises :class:`kg.errors.QueryTimeoutError` when it runs longer than ``timeout`` seconds; any exception that
    reaches the parent while it waits (Ctrl-C turned into one) kills the child first.
    """
    from kg.guard import explain

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    pid = os.fork()
    if pid == 0:  # the child: do the work, say how it went in one line, and leave without Python's shutdown
        code = 0
        try:
            for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(signum, signal.SIG_DFL)
            _die_with_parent()
            work()
            sys.stdout.flush()
        except BrokenPipeError:
            code = 0
        except BaseException as err:
            line, code = explain(err)
            with contextlib.suppress(OSError, ValueError):
                print(line, file=sys.stderr, flush=True)
        finally:
            os._exit(code)
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        status = _wait(pid, deadline)
        if status is None:
            raise QueryTimeoutError(f"the query ran longer than --timeout {timeout:g} s and was stopped; "
                                    "give it more time, or narrow it (a LIMIT, fewer graphs, a more selective "
                                    "pattern)")
    except BaseException:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        raise
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else INTERRUPTED


def _wait(pid: int, deadline: float | None) -> int | None:
    """The child's wait status once it ends, or None at ``deadline`` (a monotonic time). A signal's handler
    interrupts the wait (Python runs it, and a raised exception leaves this function)."""
    try:
        handle = os.pidfd_open(pid)
    except (AttributeError, OSError):  # not Linux 5.3 or later: look every _POLL seconds
        while not (done := os.waitpid(pid, os.WNOHANG))[0]:
            if deadline is not None and time.monotonic() > deadline:
                return None
            time.sleep(_POLL)
        return done[1]
    try:
        # The descriptor becomes readable when the child ends: no polling delay on a millisecond query.
        while not select.select([handle], [], [], _left(deadline))[0]:
            if deadline is not None and time.monotonic() >= deadline:
                return None
        return os.waitpid(pid, 0)[1]
    finally:
        os.close(handle)


def _left(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def _die_with_parent() -> None:
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
