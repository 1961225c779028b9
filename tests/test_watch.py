"""`kg build --watch`: a build each time the files a build reads change, once they have settled; a failed build
says why in one line and leaves the store; Ctrl-C ends it with the documented line and code."""

from __future__ import annotations

import contextlib
import queue
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import KG, ROOT, kg_env

from kg.watch import changes

LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def _project(folder: Path) -> Path:
    for name in ("ontology", "triples"):
        shutil.copytree(ROOT / name, folder / name)
    return folder


def _looks(project: Path, links: Path, steps: list[Callable[[], None]]) -> list[int]:
    """The looks after which :func:`kg.watch.changes` yielded, when each step is done before one look (the
    first look is the one before the first yield)."""
    pending = list(steps)

    class Done(Exception):
        pass

    def sleep(_: float) -> None:
        if not pending:
            raise Done  # every step is done
        pending.pop(0)()

    yielded = []
    with contextlib.suppress(Done):
        for _ in changes(project, links, 0.01, sleep=sleep):
            yielded.append(len(steps) - len(pending))
    return yielded


def test_a_change_is_built_once_it_has_settled(tmp_path: Path) -> None:
    project = _project(tmp_path / "project")
    acts = project / "triples" / "pentagon-anthropic" / "acts.ttl"

    def nothing() -> None:
        pass

    def append() -> None:
        with acts.open("a", encoding="utf-8") as out:
            out.write("\n# a comment\n")

    # At once; then nothing for two looks; a change seen at look 3 and again at 4 (an editor's second write),
    # built after look 5 found it as at 4; nothing more.
    assert _looks(project, tmp_path / "links", [nothing, nothing, append, append, nothing, nothing, nothing]) == [0, 5]


@pytest.mark.parametrize("change", ["added story file", "removed story file", "source text", "ontology check",
                                    "linked dataset", "shapes"])
def test_every_file_a_build_reads_is_watched(tmp_path: Path, change: str) -> None:
    project = _project(tmp_path / "project")
    links = tmp_path / "store.links"
    links.mkdir()
    story = project / "triples" / "pentagon-anthropic"

    def act() -> None:
        if change == "added story file":
            (story / "more.ttl").write_text("", encoding="utf-8")
        elif change == "removed story file":
            (story / "links.ttl").unlink()
        elif change == "source text":
            next(story.glob("*.txt")).write_text("changed", encoding="utf-8")
        elif change == "ontology check":
            (project / "ontology" / "checks").mkdir(exist_ok=True)
            (project / "ontology" / "checks" / "new.ttl").write_text("", encoding="utf-8")
        elif change == "linked dataset":
            (links / "wikidata.nt").write_text("", encoding="utf-8")
        else:
            with (project / "ontology" / "shapes.ttl").open("a", encoding="utf-8") as out:
                out.write("\n")

    assert _looks(project, links, [act, lambda: None, lambda: None]) == [0, 2]


@pytest.mark.parametrize("where", ["triples/pentagon-anthropic/draft.ttl", "triples/examples/x.ttl",
                                   "queries/new.rq"])
def test_files_no_build_reads_are_not_watched(tmp_path: Path, where: str) -> None:
    project = _project(tmp_path / "project")

    def act() -> None:
        (project / where).parent.mkdir(parents=True, exist_ok=True)
        (project / where).write_text("# not read by a build\n", encoding="utf-8")

    assert _looks(project, tmp_path / "links", [act, lambda: None, lambda: None]) == [0]


def _labels(store: Path) -> set[str]:
    db = ox.Store.read_only(str(store))
    try:
        return {q.object.value for q in db.quads_for_pattern(None, LABEL, None)}
    finally:
        del db


def test_the_command_builds_on_each_change_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    """A real `kg build --watch` process: an edit is built story by story; a file that does not parse is named
    with its line and column, and the store keeps what it had; mended, it is built; Ctrl-C ends it with 130."""
    project = _project(tmp_path / "project")
    store = tmp_path / "store"
    acts = project / "triples" / "pentagon-anthropic" / "acts.ttl"
    original = acts.read_text(encoding="utf-8")
    process = subprocess.Popen([str(KG), "build", "--watch", "--interval", "0.05", "--store", str(store)],
                               cwd=project, env=kg_env(), stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    assert process.stderr is not None
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stderr],  # type: ignore[union-attr]
                              daemon=True)
    reader.start()

    def until(wanted: Callable[[str], bool]) -> list[str]:
        said = []
        while True:
            try:
                line = lines.get(timeout=120)
            except queue.Empty:
                pytest.fail(f"kg build --watch never said it; it said:\n{''.join(said)}")
            said.append(line)
            if wanted(line):
                return said

    try:
        until(lambda line: line.startswith("watching "))
        acts.write_text(original.replace('rdfs:label "', 'rdfs:label "Watched: ', 1), encoding="utf-8")
        said = until(lambda line: line.startswith("built "))
        assert any(line.startswith("  incremental: 1 file to reload") for line in said), said
        labels = _labels(store)
        assert any(label.startswith("Watched: ") for label in labels)

        acts.write_text(original + "\nbroken <<\n", encoding="utf-8")
        said = until(lambda line: line.startswith("kg: "))
        assert said[-1].startswith("kg: error: triples/pentagon-anthropic/acts.ttl:"), said
        assert _labels(store) == labels

        acts.write_text(original, encoding="utf-8")
        until(lambda line: line.startswith("built "))
        assert not any(label.startswith("Watched: ") for label in _labels(store))
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=60)
        reader.join(timeout=30)
    rest = []
    while not lines.empty():
        rest.append(lines.get())
    assert code == 130
    assert "kg: interrupted (SIGINT)" in "".join(rest) and "Traceback" not in "".join(rest)


def test_an_option_no_edit_can_mend_ends_the_watch(tmp_path: Path) -> None:
    result = subprocess.run([str(KG), "build", "--watch", "--project", str(tmp_path / "nowhere"), "--store",
                             str(tmp_path / "store")], env=kg_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("kg: error: --project ") and "watching" not in result.stderr
