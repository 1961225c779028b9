"""Which files a build reads: RDF files under ``ontology/`` and ``triples/``, and the source texts beside them."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.config import DRAFT_FILE, INPUT_DIRS, SKIPPED_DIRS
from kg.errors import OptionError
from kg.evidence import sha256_file
from kg.rdfio import format_of
from kg.vocab import graph_iri


@dataclass(frozen=True)
class InputFile:
    """One RDF file of the project and the named graph it is loaded into."""

    path: Path
    relative: str
    sha256: str

    @property
    def graph(self) -> str:
        return graph_iri(self.relative)


@dataclass(frozen=True)
class Inputs:
    """Everything a build reads, in a stable order."""

    project: Path
    rdf: list[InputFile]
    texts: dict[str, Path]  # sha256 -> text file
    # Each hashed file's (size, modification and change times in ns, inode) when hashed, and when hashing began
    # (time.time_ns()): the next build may take a file's sha256 from its record by them (find_inputs).
    stats: dict[str, list[int]] = field(default_factory=dict)
    hashed: int = 0

    def file_of(self) -> dict[str, str]:
        """Graph IRI -> the file's path in the project, for naming files in error messages."""
        return {f.graph: f.relative for f in self.rdf}


Hashes = dict[str, tuple[list[int], str]]
"""Relative path -> (the file's stat as :attr:`Inputs.stats` keeps it, its sha256), from a previous build."""

# A file changed this close before it was hashed may change again within the same tick of the file system's clock
# and keep its times: it is hashed again (as git treats a "racily clean" file).
_RACY_NS = 2_000_000_000


def find_inputs(project: Path, known: Hashes | None = None, known_at: int = 0) -> Inputs:
    """Every RDF file (by extension) and every ``.txt`` source under the project's input folders.

    Folders named ``examples`` or ``checks`` hold test material and are skipped, and so are drafts
    (``draft.ttl``, proposals of ``kg draft`` that no curator has accepted).

    ``known`` (hashed at ``known_at``, see :func:`kg.manifest.hashes`) saves reading a file whose size, times and
    inode are what they were when it was hashed, provided it had not changed for two seconds by then: hashing
    the 4,029 files of 10^6 triples took 0.13 s of every incremental build.
    """
    began = time.time_ns()
    rdf: list[InputFile] = []
    texts: dict[str, Path] = {}
    stats: dict[str, list[int]] = {}
    for folder in INPUT_DIRS:
        for relative in project_files(project, folder):
            path = project / relative
            is_text = os.path.splitext(relative)[1] == ".txt"
            if not is_text and format_of(path) is None:
                continue
            sha, stats[relative] = _sha256(path, (known or {}).get(relative), known_at)
            if is_text:
                texts[sha] = path
            else:
                rdf.append(InputFile(path, relative, sha))
    return Inputs(project, rdf, texts, stats, began)


def _sha256(path: Path, known: tuple[list[int], str] | None, known_at: int) -> tuple[str, list[int]]:
    """The file's sha256 (``known``'s when the file is as it was then) and its stat."""
    st = os.stat(path)
    stat = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    if known is not None and known[0] == stat and max(st.st_mtime_ns, st.st_ctime_ns) < known_at - _RACY_NS:
        return known[1], stat
    return sha256_file(path), stat


def project_files(project: Path, folder: str) -> Iterator[str]:
    """The files under ``project/folder`` as paths relative to the project, in the order of their parts (as sorted
    paths are), the skipped folders and drafts left out. Read with os.scandir: at 10^6 triples (4,000 files) making
    and sorting Path objects cost 0.4 s of every build, incremental ones included."""
    try:
        entries = sorted(os.scandir(project / folder), key=lambda entry: entry.name)
    except OSError:  # no such folder, or one that cannot be read: nothing in it, as a glob would say
        return
    for entry in entries:
        relative = f"{folder}/{entry.name}"
        if entry.is_dir(follow_symlinks=False):  # a link to a folder is not followed (nor was it by a glob)
            if entry.name not in SKIPPED_DIRS:
                yield from project_files(project, relative)
        elif entry.is_file() and entry.name != DRAFT_FILE:
            yield relative


# The rules (kg/rules.py) reason at every size; hermit runs HermiT as well, as a cross-check of them.
REASONERS = ("rules", "hermit")


def check_reasoner(name: str | bool) -> None:
    """Refuse a reasoner name we do not know (True and False mean rules and none).

    >>> check_reasoner("bogus")
    Traceback (most recent call last):
    ...
    kg.errors.OptionError: --reasoner 'bogus': use rules or hermit
    """
    if not isinstance(name, bool) and name not in REASONERS:
        raise OptionError(f"--reasoner {name!r}: use {', '.join(REASONERS[:-1])} or {REASONERS[-1]}")


def check_project(project: Path) -> None:
    """Refuse a folder that is not a project: it must exist and hold at least one of the input folders.

    >>> check_project(Path("/nonexistent"))
    Traceback (most recent call last):
    ...
    kg.errors.OptionError: --project /nonexistent: no such folder; give the folder that holds ontology/ and triples/
    """
    if not project.is_dir():
        raise OptionError(f"--project {project}: no such folder; give the folder that holds ontology/ and triples/")
    if not any((project / folder).is_dir() for folder in INPUT_DIRS):
        raise OptionError(f"--project {project}: not a project (no {' or '.join(d + '/' for d in INPUT_DIRS)} "
                          "folder); run kg in the project's folder or pass --project")


def require_inputs(inputs: Inputs, allow_empty: bool = False) -> None:
    """A build must read something: a project without RDF files would replace a good store with an empty one."""
    if allow_empty and inputs.project.is_dir():
        return
    check_project(inputs.project)
    if not inputs.rdf:
        raise OptionError(f"--project {inputs.project}: no RDF files under {' or '.join(d + '/' for d in INPUT_DIRS)}; "
                          "nothing to build (pass --allow-empty to build an empty store on purpose)")
