"""standoff: build a knowledge graph of a dispute story, every claim tied to the words that support it.

The library API lives in the modules of this package; :mod:`kg.cli` is a thin command line over it.
"""

from typing import Any

DISTRIBUTION = "standoff"


def __getattr__(name: str) -> Any:
    # ``kg.__version__`` is the installed package's version (pyproject.toml is its one source). Read on first use,
    # and cached.
    if name == "__version__":
        found = globals()["__version__"] = _installed_version()
        return found
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _installed_version() -> str:
    """The version in the installed package's metadata: read from its ``.dist-info`` folder on ``sys.path``
    directly, as importlib.metadata would find it, since importing importlib.metadata and asking it took 50 ms of
    every build (tests/test_cli_consistency.py checks the two agree); importlib.metadata when that finds none."""
    import os
    import sys

    prefix = DISTRIBUTION + "-"
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:  # not a folder (a zip, a path hook)
            continue
        for info in sorted(n for n in names if n.startswith(prefix) and n.endswith(".dist-info")):
            try:
                with open(os.path.join(entry or ".", info, "METADATA"), encoding="utf-8") as metadata:
                    for line in metadata:
                        if line.startswith("Version:"):
                            return line.split(":", 1)[1].strip()
                        if not line.strip():  # the headers end at the first empty line
                            break
            except OSError:
                continue
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"
