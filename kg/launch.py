"""The ``kg`` command's entry point: quiet about Ctrl-C from its first moment.

Importing the command line (typer, the CLI's modules) takes tens of milliseconds; a Ctrl-C or SIGTERM in that
window used to print a Python traceback. This module, which imports nothing heavy, first makes those signals end
the process at once with the documented line and exit code (nothing has started that could be left half done);
the command line then installs its own handlers (kg.guard), which clean up whatever a command started.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any, NoReturn


def _quit(signum: int, frame: Any) -> NoReturn:
    os.write(2, f"kg: interrupted ({signal.Signals(signum).name}); nothing was left half done\n".encode())
    os._exit(130)  # kg.errors.INTERRUPTED, not imported: it would lengthen the window this closes


def main() -> Any:
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _quit)
    from kg.cli import app

    return app()


if __name__ == "__main__":
    sys.exit(main())
