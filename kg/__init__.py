"""standoff: build a knowledge graph of a dispute story, every claim tied to the words that support it.

The library API lives in the modules of this package; :mod:`kg.cli` is a thin command line over it.
"""

from typing import Any

DISTRIBUTION = "standoff"


def __getattr__(name: str) -> Any:
    # ``kg.__version__`` is the installed package's version (pyproject.toml is its one source). Read on first use:
    # importing importlib.metadata costs a few milliseconds that most commands never need.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version(DISTRIBUTION)
        except PackageNotFoundError:  # a source tree that was never installed
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
