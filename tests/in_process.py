"""Running `kg` inside the test process: most CLI tests need the command's behaviour, not a fresh interpreter, and
starting one costs about a second here (imports of rdflib, owlready2, typer) against milliseconds in process.

What a run could leave behind for the next is put back: the working directory, the environment, the signal
handlers `kg` installs (Ctrl-C must still stop pytest), sys.argv and the standard streams, and the reader pins
(kg.lock) it took on store builds, which a process otherwise keeps for its life. Output goes through real files,
not memory: `kg query` forks a child that writes the rows itself (kg.worker), and a child's writes reach a file
the parent can read, never the parent's memory."""

from __future__ import annotations

import contextlib
import gc
import io
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_COMMANDS: dict[object, object] = {}  # the click command typer makes of an app, made once (see _built_once)


@contextlib.contextmanager
def _built_once(app: object):
    """Meanwhile, typer turns ``app`` into its click command once for all runs, as the launcher does once for its
    one run, instead of again on each call (15 ms a run: it reads every command's signature). A click command
    keeps no state between invocations; each one parses into a context of its own."""
    import typer.main

    build = typer.main.get_command

    def get_command(typer_instance: object):
        if typer_instance is not app:
            return build(typer_instance)  # type: ignore[arg-type]
        if app not in _COMMANDS:
            _COMMANDS[app] = build(app)  # type: ignore[arg-type]
        return _COMMANDS[app]

    typer.main.get_command = get_command  # type: ignore[assignment]
    try:
        yield
    finally:
        typer.main.get_command = build


def run_in_process(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    from kg import lock
    from kg.cli import app

    handlers = {signum: signal.getsignal(signum) for signum in _SIGNALS}
    saved_env, saved_cwd, saved_argv = dict(os.environ), os.getcwd(), sys.argv
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    pins = set(lock._PINS)
    # What exists now is not the command's: frozen, the collection after the run looks at the command's objects
    # only (a full one looked at all of pytest's and the imported libraries', 25 ms a run).
    gc.freeze()
    with tempfile.TemporaryDirectory(prefix="kg-run-") as folder:
        out_path, err_path = Path(folder) / "stdout", Path(folder) / "stderr"
        # Appending: a forked child writes at the end of what the parent wrote, and the parent after it.
        stdout = io.TextIOWrapper(open(out_path, "ab"), encoding="utf-8", write_through=True)  # noqa: SIM115
        stderr = io.TextIOWrapper(open(err_path, "ab"), encoding="utf-8", errors="backslashreplace",  # noqa: SIM115
                                  write_through=True)  # as Python's own stderr: any text can be shown
        code: int
        try:
            os.environ.clear()
            os.environ.update(env)
            os.chdir(cwd)
            sys.argv = ["kg", *args]
            sys.stdin, sys.stdout, sys.stderr = io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8"), stdout, stderr
            try:
                with _built_once(app):
                    app(args=args, prog_name="kg")
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
                if isinstance(exit_.code, str):
                    print(exit_.code, file=sys.stderr)
        finally:
            for stream in (stdout, stderr):
                with contextlib.suppress(ValueError, OSError):
                    stream.flush()
                stream.close()
            sys.stdin, sys.stdout, sys.stderr = saved_streams
            sys.argv = saved_argv
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_env)
            for signum, handler in handlers.items():
                signal.signal(signum, handler)
            for key in set(lock._PINS) - pins:
                lock.unpin(Path(key))
            gc.collect()  # a store the command opened is closed now, not whenever the collector passes
            gc.unfreeze()  # the rest is collected as usual again
        text = out_path.read_text(encoding="utf-8"), err_path.read_text(encoding="utf-8")
    return subprocess.CompletedProcess(["kg", *args], code, *text)
