"""`kg export`: readable, deterministic Turtle that re-imports to the same graph and that rapper accepts."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import KG, ROOT, canonical, run_kg
from processes import children, freeze, state
from rdflib import Dataset, Graph

from kg.export import default_graphs


def export(store: Path, *args: str) -> bytes:
    result = run_kg("export", "--store", str(store), *args)
    assert result.returncode == 0, result.stderr
    return result.stdout.encode()


def union_graph(store: ox.Store) -> Graph:
    lines = {f"{q.subject} {q.predicate} {q.object} ." for g in default_graphs(store)
             for q in store.quads_for_pattern(None, None, None, g)}
    return Graph().parse(data="\n".join(sorted(lines)), format="nt")


@pytest.fixture(scope="module")
def union(store: ox.Store) -> Graph:
    """The union of the built store's default graphs, parsed once for the module (the store is read-only)."""
    return union_graph(store)


@pytest.fixture(scope="module")
def canonical_union(union: Graph) -> set[ox.Quad]:
    return canonical(union)


@pytest.fixture(scope="module")
def turtle(built_store: Path) -> bytes:
    """One Turtle export of the built store, for the tests that only read it."""
    return export(built_store)


def test_turtle_is_byte_identical_across_runs(built_store: Path, turtle: bytes) -> None:
    assert export(built_store) == turtle  # two runs: the module's and this one


def test_turtle_reimports_to_an_isomorphic_graph(turtle: bytes, canonical_union: set[ox.Quad]) -> None:
    assert canonical(Graph().parse(data=turtle.decode(), format="turtle")) == canonical_union


def test_turtle_is_readable(turtle: bytes) -> None:
    text = turtle.decode()
    assert "ns1:" not in text
    assert "@prefix so: <https://w3id.org/standoff/ontology#> ." in text
    assert "\npa:anthropic\n    a so:Company ;" in text
    # One block per subject: no subject opens two blocks.
    heads = [line for line in text.split("\n") if line and not line.startswith((" ", "@", "#", "]", ")"))]
    subjects = [h.split(" ")[0] for h in heads]
    assert len(subjects) == len(set(subjects))


def test_rapper_accepts_the_turtle(turtle: bytes, tmp_path: Path, union: Graph) -> None:
    out = tmp_path / "graph.ttl"
    out.write_bytes(turtle)
    result = subprocess.run(["rapper", "-i", "turtle", "-c", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"returned {len(union)} triples" in result.stderr


@pytest.mark.parametrize("fmt", ["trig", "nquads", "jsonld"])
def test_quad_formats_keep_the_graphs(built_store: Path, store: ox.Store, fmt: str) -> None:
    data = Dataset()
    data.parse(data=export(built_store, "--format", fmt).decode(), format={"jsonld": "json-ld"}.get(fmt, fmt))
    exported = {str(c.identifier) for c in data.graphs() if len(c)}
    assert exported == {g.value for g in default_graphs(store)}


@pytest.mark.parametrize("fmt,rdflib_format", [("ntriples", "nt"), ("rdfxml", "xml")])
def test_triple_formats_hold_the_union(built_store: Path, canonical_union: set[ox.Quad], fmt: str,
                                      rdflib_format: str) -> None:
    graph = Graph().parse(data=export(built_store, "--format", fmt).decode(), format=rdflib_format)
    assert canonical(graph) == canonical_union


def test_graph_option_and_output_file(built_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "meta.ttl"
    result = run_kg("export", "--graph", "https://w3id.org/standoff/graph/meta", "-o", str(out),
                    "--store", str(built_store))
    assert result.returncode == 0, result.stderr
    assert "void:Dataset" in out.read_text()
    assert "pa:anthropic" not in out.read_text()


@pytest.fixture(scope="module")
def large_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated store big enough that exporting it takes seconds: 300,000 triples in four graphs."""
    path = tmp_path_factory.mktemp("large") / "store"
    store = ox.Store(str(path))
    base = "https://w3id.org/standoff/id/generated/"
    # Written as N-Quads and loaded by the engine: a third faster than making 300,000 Quad objects in Python.
    store.bulk_load("".join(f'<{base}s{i // 10}> <{base}p{i % 10}> "value {i}" '
                            f"<https://w3id.org/standoff/graph/g{i % 4}.ttl> .\n" for i in range(300_000)).encode(),
                    format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store
    return path


@pytest.mark.parametrize("fmt", ["turtle", "nquads"])
def test_ctrl_c_stops_an_export_at_once_and_leaves_the_previous_file(large_store: Path, tmp_path: Path,
                                                                       fmt: str) -> None:
    target, scratch = tmp_path / "out.rdf", tmp_path / "tmp"
    # The worker child that does the export is frozen (SIGSTOP) in the middle of its work before Ctrl-C goes to
    # kg: an engine busy in one call, which cannot cooperate, is what Ctrl-C must stop. Freezing it removes the
    # race a fixed wait had (a fast N-Quads dump could end just before the signal landed: exit 0 on a loaded
    # CI machine). Should the export still end before it can be frozen, the attempt is made again.
    for _attempt in range(5):
        target.write_bytes(b"the previous export\n")
        scratch.mkdir(exist_ok=True)
        process = subprocess.Popen([str(KG), "export", "--format", fmt, "-o", str(target), "--store",
                                    str(large_store)], stderr=subprocess.PIPE,
                                   env={**os.environ, "TMPDIR": str(scratch), "PYTHONPATH": str(ROOT)})
        try:
            # Freeze it once its work is under way: the file's temporary copy beside the target has bytes, or the
            # sort has files in the temporary folder (so that their clean-up is checked too).
            def under_way() -> bool:
                try:
                    beside = [p.stat().st_size for p in tmp_path.iterdir() if p.name not in ("out.rdf", "tmp")]
                    return any(beside) or any(scratch.rglob("*"))
                except FileNotFoundError:  # a file went between listing and looking: look again
                    return False

            deadline, frozen = time.monotonic() + 30, None
            while frozen is None and process.poll() is None and time.monotonic() < deadline:
                if under_way():
                    frozen = next((child for child in children(process.pid) if freeze(child)), None)
                time.sleep(0.005)
            if frozen is None:  # it ended first: try again
                process.wait(30)
                continue
            began = time.monotonic()
            process.send_signal(signal.SIGINT)
            code = process.wait(30)
            # About 0.03 s on a quiet machine; the bound is loose for a loaded CI machine, yet far below the 17.8 s
            # a Turtle export took to stop before it ran in a child.
            assert time.monotonic() - began < 5, "Ctrl-C did not stop the export at once"
            assert state(frozen) == "gone", "the worker outlived kg"
            break
        finally:
            if process.poll() is None:
                process.kill()
    else:
        pytest.fail("the export ended five times before it could be interrupted")
    assert code == 130
    assert process.stderr is not None
    assert process.stderr.read().decode() == "kg: interrupted (SIGINT); nothing was left half done\n"
    assert target.read_bytes() == b"the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.rdf", "tmp"]  # no half-written file beside it
    assert list(scratch.iterdir()) == []  # and nothing of the sort's left in the temporary folder
