"""Watching what a build reads, for ``kg build --watch``: a build each time the project's files change.

A curator who edits a claim and looks at the result dozens of times an hour pays a new process for every
``kg build``: starting Python, importing kg and compiling the shapes come before the build reads a file (about
0.2 s, a third of a one-story rebuild at 10^5 triples). A watching process pays them once.

Changes are found by looking at the files' stats every ``interval`` seconds: it needs nothing outside the standard
library and sees edits on any file system, network mounts included, where change notifications may never come.
A change is built once the files have stayed as they are for one more look, so an editor's save in several writes,
or a folder of stories copied in, is one build rather than a failed one and another.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from kg.build import links_fingerprint
from kg.config import CHECKS_DIR, INPUT_DIRS
from kg.inputs import project_files

State = tuple[frozenset[tuple[str, int, int, int]], list[list[object]]]
"""The files a build reads, as (path, size, modification time in ns, inode), and the linked datasets' folder as
the build fingerprints it."""


def state(project: Path, links: Path | None = None) -> State:
    """What a build of ``project`` reads, by stat: the files under the input folders (kg.inputs.find_inputs reads
    them, RDF and texts), the ontology's check files and, when given, the linked datasets' folder (as
    :func:`kg.build.links_fingerprint`, whose change means a full build). Paths stay strings: this runs at every
    look, over thousands of files in a large project."""
    root = str(project)
    paths = [os.path.join(root, relative) for folder in INPUT_DIRS for relative in project_files(project, folder)]
    checks = project / CHECKS_DIR
    paths += sorted(str(p) for p in checks.iterdir()) if checks.is_dir() else []
    seen = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:  # gone since the folder was listed: the next look sees the folder without it
            continue
        seen.append((path, st.st_size, st.st_mtime_ns, st.st_ino))
    try:
        linked = links_fingerprint(links) if links is not None else []
    except OSError:  # a file went while the folder was read (`kg link` at work): the next look reads it again
        linked = [["unreadable"]]
    return frozenset(seen), linked


def changes(project: Path, links: Path | None = None, interval: float = 0.5,
            sleep: Callable[[float], None] = time.sleep) -> Iterator[None]:
    """Yields at once, then after each change to what a build reads (:func:`state`), once it has settled: the
    files were the same at two looks ``interval`` seconds apart. A change made while the caller builds is seen
    at the next look, since the state compared is the one before the build."""
    last = state(project, links)
    yield
    while True:
        sleep(interval)
        now = state(project, links)
        if now == last:
            continue
        while True:
            sleep(interval)
            settled, now = now, state(project, links)
            if settled == now:
                break
        last = now
        yield
