"""What the tests see of processes, read from /proc as ps does: a process's children and its state."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def children(pid: int) -> list[int]:
    """The child processes of ``pid``, read from /proc (a thread or the process may end while it is read)."""
    found = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return found
    for task in tasks:
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue  # that thread ended between the listing and the read
    return found


def state(pid: int) -> str:
    """A process's state letter (R running, S sleeping, T stopped, Z ended, not yet reaped), or "gone"."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return "gone"


def gone(pid: int, within: float = 10) -> bool:
    """True when the process ends (or is only a zombie left for its new parent to reap) within the time."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if state(pid) in ("gone", "Z", "X"):
            return True
        time.sleep(0.05)
    return False



def freeze(pid: int, within: float = 30) -> bool:
    """Stop the process (SIGSTOP) and wait until it is stopped: True; False when it ended first. The signal is
    delivered asynchronously, so the state is read until it says one or the other."""
    try:
        os.kill(pid, signal.SIGSTOP)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        now = state(pid)
        if now in ("T", "t"):
            return True
        if now in ("gone", "Z", "X"):
            return False
        time.sleep(0.001)
    raise AssertionError(f"process {pid} neither stopped nor ended within {within} s")


def lock_holders(path: Path) -> list[int]:
    """The processes holding an flock on ``path`` (a reader's pin on a build directory), read from /proc/locks."""
    st = path.stat()
    device = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    holders = []
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[1] == "FLOCK" and fields[5] == device:
            holders.append(int(fields[4]))
    return holders


def unlocked(path: Path, within: float = 10) -> list[int]:
    """Wait until no process holds an flock on ``path``; returns those that still do after ``within`` seconds."""
    deadline = time.monotonic() + within
    while (holders := lock_holders(path)) and time.monotonic() < deadline:
        time.sleep(0.01)
    return holders
