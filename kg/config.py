"""Defaults that several modules share: where the store lives and which files a build reads."""

from __future__ import annotations

import os
from pathlib import Path

from kg.errors import OptionError

DEFAULT_STORE = Path(".kg") / "store"
STORE_ENV = "KG_STORE"
INPUT_DIRS = ("ontology", "triples")
# Folders under the input dirs that hold test material, not the graph.
SKIPPED_DIRS = frozenset({"examples", "checks"})
# Claims `kg draft` proposes, one file per story: never read by the build until a curator accepts them.
DRAFT_FILE = "draft.ttl"
SHAPES_FILE = Path("ontology") / "shapes.ttl"
CHECKS_DIR = Path("ontology") / "checks"
QUERIES_DIR = Path("queries")
# What a build read (kg/manifest.py), inside the build directory; any other writer deletes it (kg/lock.py).
MANIFEST_FILE = "kg-build.json"


def store_path(store: str | os.PathLike[str] | None = None) -> Path:
    """The store location: the argument, else ``$KG_STORE``, else ``.kg/store`` under the working directory.

    >>> str(store_path("/tmp/x"))
    '/tmp/x'
    """
    path = Path(store) if store is not None else Path(os.environ.get(STORE_ENV) or DEFAULT_STORE)
    if path.name in ("", ".", ".."):  # the store is a link beside its builds: it needs a name of its own
        raise OptionError(f"--store {str(store) if store is not None else str(path)!r}: not a store location; "
                          "give a path that ends in a name, e.g. .kg/store")
    return path
