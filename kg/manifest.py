"""What a build read, kept inside the build (``kg-build.json``), so the next ``kg build`` knows what changed.

The record holds every input file's sha256 and the named graph it went into, the source texts and the ontology's
check files with their sha256, the story folder each belongs to, the tool version and the build's options, and
the warnings the build reported. Comparing it with the project now gives a :class:`Plan`: nothing to do, a full
build (and why, in a few words), or the story files to reload.

It also keeps what saves the next build work: each hashed file's stat (:func:`kg.inputs.find_inputs`), each
story's index with its figures and its so:Story (kg/batches.py, :func:`kg.stories.find_stories`), and what it
wrote into the meta graph (:func:`kg.meta.write`) with the store's figures, and the graphs outside the stories
(:func:`kg.batches.shared_text`). Any other writer of the store deletes
the record (kg/lock.py), so a record always describes the store beside it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg import __version__
from kg.config import CHECKS_DIR, MANIFEST_FILE
from kg.errors import Violation
from kg.evidence import sha256_file
from kg.files import atomic_output
from kg.inputs import Hashes, Inputs
from kg.stories import story_folder

MANIFEST = MANIFEST_FILE
_FORMAT = 2  # 2: the stories' indexes without their subjects, and what kg.batches.unsound said of them


def record(inputs: Inputs, options: dict[str, Any]) -> dict[str, Any]:
    """What a build of ``inputs`` with ``options`` (reasoner, linked datasets) reads, as its record keeps it: what
    :func:`plan` compares with the previous build's. :func:`outcome` adds what the build found and wrote."""
    project = inputs.project
    texts = {path.relative_to(project).as_posix(): sha for sha, path in inputs.texts.items()}
    checks = {p.relative_to(project).as_posix(): sha256_file(p)
              for p in sorted((project / CHECKS_DIR).glob("*")) if p.is_file()}
    return {
        "format": _FORMAT,
        "tool": __version__,
        "options": options,
        "files": {f.relative: {"sha256": f.sha256, "graph": f.graph, "story": story_folder(f.relative)}
                  for f in inputs.rdf},
        "texts": texts,
        "checks": checks,
        "stats": inputs.stats,
        "hashed": inputs.hashed,
    }


def outcome(read: dict[str, Any], warnings: list[Violation], index: dict[str, Any] | None = None,
            described: dict[str, Any] | None = None, figures: dict[str, Any] | None = None,
            unsound: str | None = "not checked", shared: str | None = None) -> dict[str, Any]:
    """The record of a build that read ``read`` (:func:`record`) and reported ``warnings``; ``index`` is each
    story's batch index (:func:`kg.batches.index`) and ``unsound`` what :func:`kg.batches.unsound` said of them
    (None: nothing wrong), for the next build to check its batches; ``described`` what the build wrote into the
    meta graph, by part (:func:`kg.meta.write`), and ``figures`` the store's figures it wrote there
    (:meth:`kg.meta.Recorded.to_record`); ``shared`` the graphs outside the stories as N-Quads
    (:func:`kg.batches.shared_text`), which the next build reads faster than the store."""
    return {
        **read,
        "warnings": [[w.path, w.focus, w.check, w.message, w.severity] for w in warnings],
        # Each story's index less the IRIs it describes (kg.batches.unsound_after asks the store for those).
        **({"index": {folder: {k: v for k, v in ix.items() if k != "subjects"} for folder, ix in index.items()},
            "unsound": unsound} if index is not None else {}),
        **({"void": described} if described is not None else {}),
        **({"figures": figures} if figures is not None else {}),
        **({"shared": shared} if shared is not None else {}),
    }


def write(build: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest into a build directory (under a temporary name, then renamed)."""
    with atomic_output(build / MANIFEST) as out:
        # Compact, so that json's C encoder writes it (with an indent the pure-Python one does): 0.067 s against
        # 0.107 s for the 8 MB record of 1,000 stories at 10^6 triples. `python -m json.tool` shows it indented.
        out.write(json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode("utf-8"))


def read(build: Path) -> dict[str, Any] | None:
    """The manifest of the build at ``build`` (a store link or a build directory), or None when it has none
    that this version of the tool can use."""
    try:
        manifest = json.loads((build / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("format") == _FORMAT else None


def identity(build: Path) -> tuple[object, ...] | None:
    """Which record file ``build``'s manifest is now (None when there is none): a record is written once, under a
    new build directory, so an unchanged identity means an unchanged record."""
    try:
        st = os.stat(build / MANIFEST)
    except OSError:
        return None
    return os.path.realpath(build), st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size


def hashes(manifest: dict[str, Any] | None) -> tuple[Hashes, int]:
    """What the build that wrote ``manifest`` hashed, and when it began (for :func:`kg.inputs.find_inputs`)."""
    if manifest is None:
        return {}, 0
    shas = {path: info.get("sha256") for path, info in manifest.get("files", {}).items()}
    shas.update(manifest.get("texts", {}))
    stats = manifest.get("stats")
    if not isinstance(stats, dict):
        return {}, 0
    return ({path: (stat, sha) for path, stat in stats.items() if isinstance(sha := shas.get(path), str)},
            manifest.get("hashed", 0) if isinstance(manifest.get("hashed"), int) else 0)


def warnings_of(manifest: dict[str, Any]) -> list[Violation]:
    """The warnings a build reported, as it reported them."""
    return [Violation(*row) for row in manifest.get("warnings", [])]


@dataclass
class Plan:
    """What a build must do: ``full`` says why a full build is needed (None: an incremental one will do);
    ``reload`` and ``drop`` are the story files to load again (changed or added) and to remove."""

    full: str | None = None
    reload: list[str] = field(default_factory=list)
    drop: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # story texts added, changed or removed

    @property
    def unchanged(self) -> bool:
        return self.full is None and not (self.reload or self.drop or self.texts)


def _changed(old: dict[str, Any], new: dict[str, Any]) -> set[str]:
    return {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}


def plan(previous: dict[str, Any] | None, current: dict[str, Any]) -> Plan:
    """Compare the previous build's manifest with the project's now.

    Anything outside the story folders (the ontology, the shapes, the checks, files shared by every story), the
    tool's version or an option changed means a full build; so does a missing manifest.

    >>> files = {"ontology/o.ttl": {"sha256": "1", "story": None},
    ...          "triples/a/s.ttl": {"sha256": "2", "story": "triples/a"}}
    >>> old = {"tool": "1", "options": {}, "files": files, "texts": {}, "checks": {}}
    >>> plan(old, old).unchanged
    True
    >>> plan(old, {**old, "files": {**files, "ontology/o.ttl": {"sha256": "3", "story": None}}}).full
    'ontology changed (ontology/o.ttl)'
    >>> plan(old, {**old, "files": {**files, "triples/a/s.ttl": {"sha256": "4", "story": "triples/a"}}}).reload
    ['triples/a/s.ttl']
    """
    if previous is None:
        return Plan(full="no record of the previous build")
    if previous.get("tool") != current["tool"]:
        return Plan(full=f"tool version changed ({previous.get('tool')} to {current['tool']})")
    for option in sorted(_changed(previous.get("options", {}), current["options"])):
        return Plan(full=f"option {option} changed")
    if _changed(previous.get("checks", {}), current["checks"]):
        return Plan(full="ontology checks changed")
    old_files, new_files = previous.get("files", {}), current["files"]
    changed = sorted(_changed(old_files, new_files))
    shared = [f for f in changed if (old_files.get(f) or new_files[f]).get("story") is None]
    if shared:
        kind = "shapes" if any(f.endswith("shapes.ttl") for f in shared) else (
            "ontology" if any(f.startswith("ontology/") for f in shared) else "shared files")
        return Plan(full=f"{kind} changed ({', '.join(shared[:3])}{', ...' if len(shared) > 3 else ''})")
    texts = sorted(_changed(previous.get("texts", {}), current["texts"]))
    if any(story_folder(t) is None for t in texts):
        return Plan(full="source texts outside the story folders changed")
    return Plan(reload=[f for f in changed if f in new_files], drop=[f for f in changed if f not in new_files],
                texts=texts)
