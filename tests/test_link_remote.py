"""`kg link ... --endpoint`: the whole linking cycle against a real `oxigraph serve` on a free loopback port gives
what the embedded store gives (tests/test_link.py): the same links and review candidates from discover, the same
accepted links, the same exported linksets, the same list; and rebuilds of the server reload them.

Only the times the tool writes (dcterms:created, dcterms:modified, the review's date) may differ between the two.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ROOT, run_kg, story_prefixes
from endpoints import free_port, oxigraph_server
from review import KBNS, decide

from kg.link import remote_sidecar
from kg.match import CLOSE, EXACT, SAME_AS
from kg.vocab import LINK_GRAPH, LINKSET, LINKSET_GRAPH, META_GRAPH, PREFIXES

KB = ROOT / "tests" / "link" / "kb.ttl"
KB_TRIPLES = sum(1 for _ in ox.parse(path=KB, format=ox.RdfFormat.TURTLE))
PA = story_prefixes()["pa"]
DCT = PREFIXES["dcterms"]


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """A fresh writable `oxigraph serve` on a free loopback port, for this module alone."""
    with oxigraph_server() as url:
        yield url


def kg_ok(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = run_kg(*args, env=env)
    assert result.returncode == 0, result.stderr
    return result


def comparable(ntriples: str) -> list[str]:
    """Exported linksets without what depends on the clock: creation and modification times, the review's date."""
    return sorted(re.sub(r"\d{4}-\d{2}-\d{2}\)", "DATE)", line) for line in ntriples.splitlines()
                  if f"<{DCT}created>" not in line and f"<{DCT}modified>" not in line)


def listing(text: str) -> list[str]:
    return [re.sub(r"added \S+", "added TIME", line) for line in text.splitlines()]


def ask(query: str, env: dict[str, str]) -> bool:
    answer = kg_ok("sparql", query, env=env).stdout.strip()
    assert answer in ("true", "false"), answer
    return answer == "true"


def count(graph: str, env: dict[str, str]) -> int:
    out = kg_ok("sparql", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", "--format", "csv",
                env=env).stdout
    return int(out.split()[1])


def links(graph_export: str) -> dict[tuple[str, str], str]:
    return {(t.subject.value, t.object.value): t.predicate.value
            for t in ox.parse(graph_export.encode(), format=ox.RdfFormat.N_TRIPLES)
            if t.predicate.value in (SAME_AS, EXACT, CLOSE)}


def test_the_link_cycle_on_a_server_gives_the_embedded_results(endpoint: str, tmp_path: Path) -> None:
    local, remote = tmp_path / "local", tmp_path / "remote"
    env = {"KG_ENDPOINT": endpoint}  # the envvar, as `--endpoint` would
    at = ("--store", str(local / "store"))
    there = ("--store", str(remote / "store"))  # with --endpoint, --store only places the state folder
    state = remote / f"links-127.0.0.1_{endpoint.split(':')[2].split('/')[0]}-query"
    assert remote_sidecar(endpoint, remote / "store") == state

    # Added before the server holds a build: kept locally, and the first `kg build --endpoint` loads it.
    kg_ok("build", "--no-reason", "-q", *at)
    kg_ok("link", "add", str(KB), "--name", "kb", *at)
    added = kg_ok("link", "add", str(KB), "--name", "kb", *there, env=env)
    assert "kept; `kg build --endpoint URL` loads it" in added.stderr
    assert sorted(p.name for p in state.iterdir()) == ["kb.ttl", "manifest.json"]
    assert "(not in the server yet" in kg_ok("link", "list", *there, env=env).stdout
    kg_ok("build", "--no-reason", "-q", *there, env=env)
    assert count(LINK_GRAPH + "kb", env) == KB_TRIPLES
    assert listing(kg_ok("link", "list", *there, env=env).stdout) == listing(kg_ok("link", "list", *at).stdout)

    # Removed and added again while a build is there: loaded at once (Graph Store Protocol PUT).
    kg_ok("link", "remove", "kb", *there, env=env)
    assert count(LINK_GRAPH + "kb", env) == 0
    added = kg_ok("link", "add", str(KB), "--name", "kb", *there, env=env)
    assert "loaded into the server" in added.stderr
    assert count(LINK_GRAPH + "kb", env) == KB_TRIPLES
    assert ask(f"ASK {{ GRAPH <{META_GRAPH}> {{ <{LINK_GRAPH}kb> void:triples {KB_TRIPLES} ; "
               f"<{PREFIXES['so']}sha256> ?sha }} }}", env)

    # Discover: the same links (printed) and the same candidates for review, read through SPARQL.
    found_here = kg_ok("link", "discover", "--with", "kb", *at, "--review", str(local / "review.csv"))
    found_there = kg_ok("link", "discover", "--with", "kb", *there, env=env)
    assert "6 links written" in found_there.stderr
    assert found_there.stdout == found_here.stdout != ""
    review = state / "kb.review.csv"  # the default place, in the state folder
    assert review.read_text(encoding="utf-8") == (local / "review.csv").read_text(encoding="utf-8")
    exported = kg_ok("link", "export", "--name", "kb", "--format", "ntriples", *there, env=env).stdout
    assert len(links(exported)) == 6

    # Accept the same decisions on both sides.
    shutil.copyfile(local / "review.csv", tmp_path / "review.csv")
    decide(tmp_path / "review.csv")
    assert "1 accepted, 1 rejected" in kg_ok("link", "accept", str(tmp_path / "review.csv"), *at).stderr
    assert "1 accepted, 1 rejected" in kg_ok("link", "accept", str(tmp_path / "review.csv"), *there,
                                             env=env).stderr
    here = kg_ok("link", "export", "--format", "ntriples", *at).stdout
    there_out = kg_ok("link", "export", "--format", "ntriples", *there, env=env).stdout
    assert links(there_out)[(PA + "department-of-defense", KBNS + "us-war-department")] == CLOSE
    assert len(links(there_out)) == 7 + 6  # the kb links and the curated ones of links.ttl
    assert comparable(there_out) == comparable(here)
    turtle_here = kg_ok("link", "export", "--name", "kb", *at).stdout
    turtle_there = kg_ok("link", "export", "--name", "kb", *there, env=env).stdout
    assert comparable(ox.serialize(ox.parse(turtle_there.encode(), format=ox.RdfFormat.TURTLE),
                                   format=ox.RdfFormat.N_TRIPLES).decode()) == comparable(
        ox.serialize(ox.parse(turtle_here.encode(), format=ox.RdfFormat.TURTLE),
                     format=ox.RdfFormat.N_TRIPLES).decode())

    # The queries see the links as in the embedded store (the linkset graphs are part of the build's union).
    shared = kg_ok("query", "shared-actors", "--format", "csv", env=env).stdout
    assert shared == kg_ok("query", "shared-actors", "--format", "csv", *at).stdout

    # Discover again: the accepted link stays and the rejected candidate is not proposed again.
    again = kg_ok("link", "discover", "--with", "kb", *there, env=env)
    assert "1 accepted earlier kept" in again.stderr
    assert KBNS + "dario-amodei-footballer" not in review.read_text(encoding="utf-8")
    assert again.stdout == kg_ok("link", "discover", "--with", "kb", *at, "--review", str(local / "review.csv")).stdout
    assert review.read_text(encoding="utf-8") == (local / "review.csv").read_text(encoding="utf-8")
    before = kg_ok("link", "export", "--format", "ntriples", *there, env=env).stdout

    # A rebuild of the server reloads the dataset and every link from the state folder.
    kg_ok("build", "--no-reason", "-q", *there, env=env)
    kg_ok("build", "--no-reason", "-q", *at)
    assert count(LINK_GRAPH + "kb", env) == KB_TRIPLES
    after = kg_ok("link", "export", "--format", "ntriples", *there, env=env).stdout
    assert links(after) == links(before)
    assert comparable(after) == comparable(kg_ok("link", "export", "--format", "ntriples", *at).stdout)
    assert listing(kg_ok("link", "list", *there, env=env).stdout) == listing(kg_ok("link", "list", *at).stdout)
    assert kg_ok("link", "list", *there, env=env).stdout.startswith(f"kb  {KB_TRIPLES} triples  7 links")

    # Remove: the graphs and their description go from the server and from what its rebuilds load.
    kg_ok("link", "remove", "kb", *there, env=env)
    for graph in (LINK_GRAPH + "kb", LINKSET_GRAPH + "kb"):
        assert count(graph, env) == 0
    assert not ask(f"ASK {{ GRAPH <{META_GRAPH}> {{ {{ <{LINKSET}kb> ?p ?o }} UNION {{ ?s ?p <{LINKSET}kb> }} "
                   f"UNION {{ <{LINK_GRAPH}kb> ?p ?o }} }} }}", env)
    assert json.loads((state / "manifest.json").read_text()) == {"datasets": {}, "linksets": {}}
    kg_ok("link", "remove", "kb", *at)
    assert comparable(kg_ok("link", "export", "--format", "ntriples", *there, env=env).stdout) == comparable(
        kg_ok("link", "export", "--format", "ntriples", *at).stdout)
    kg_ok("build", "--no-reason", "-q", *there, env=env)
    assert count(LINK_GRAPH + "kb", env) == 0
    assert not (ROOT / ".kg" / state.name).exists()  # nothing was written under the working directory


def test_link_errors_against_a_server_are_one_line_with_an_exit_code(endpoint: str, tmp_path: Path) -> None:
    there = ("--store", str(tmp_path / "store"), "--endpoint", endpoint)
    result = run_kg("link", "discover", "--with", "nothing", *there)
    assert result.returncode == 1 and "no linked dataset named 'nothing'" in result.stderr
    result = run_kg("link", "export", "--name", "nothing", *there)
    assert result.returncode == 1 and "no linkset named 'nothing'" in result.stderr
    gone = ("--store", str(tmp_path / "store"), "--endpoint", f"http://127.0.0.1:{free_port()}/query")
    for args in (("add", str(KB), "--name", "kb"), ("list",), ("export",)):
        result = run_kg("link", *args, *gone)
        assert result.returncode == 8 and "cannot reach the server" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
