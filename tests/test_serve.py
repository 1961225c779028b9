"""`kg serve`: the real Oxigraph server over the built store, speaking the SPARQL 1.1 Protocol and Graph Store
Protocol, read-only unless --writable, refusing clearly when it cannot start, stopping cleanly on signals."""

from __future__ import annotations

import csv
import io
import json
import shutil
import signal
import socket
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import run_kg_process, story_prefixes
from endpoints import Served, start_kg_serve, stop

from kg.vocab import GRAPH, PREFIXES

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ANTHROPIC = story_prefixes()["pa"] + "anthropic"
LABEL = f"SELECT ?label WHERE {{ <{ANTHROPIC}> <{PREFIXES['rdfs']}label> ?label }}"


def fetch(url: str, data: bytes | None = None, headers: dict[str, str] | None = None,
          method: str | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers.get("Content-Type", ""), answer.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read()


def get(endpoint: str, query: str, accept: str) -> tuple[int, str, bytes]:
    return fetch(f"{endpoint}?{urllib.parse.urlencode({'query': query})}", headers={"Accept": accept})


def test_prints_where_it_serves_on_loopback(served: Served) -> None:
    assert served.endpoint.startswith("http://127.0.0.1:") and served.endpoint.endswith("/query")
    assert served.page.startswith("http://127.0.0.1:")
    assert any("read-only" in line for line in served.lines)


def test_answers_every_result_format_with_the_union_of_graphs(served: Served, store: ox.Store) -> None:
    total = len(store)  # every quad of the embedded store: the union default graph counts them all
    status, kind, body = get(served.endpoint, COUNT, "application/sparql-results+json")
    assert (status, kind.split(";")[0]) == (200, "application/sparql-results+json")
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == total
    status, kind, body = get(served.endpoint, LABEL, "application/sparql-results+xml")
    assert status == 200 and kind.startswith("application/sparql-results+xml") and b">Anthropic</literal>" in body
    status, kind, body = get(served.endpoint, LABEL, "text/csv")
    assert status == 200 and list(csv.reader(io.StringIO(body.decode()))) == [["label"], ["Anthropic"]]
    status, kind, body = get(served.endpoint, LABEL, "text/tab-separated-values")
    assert status == 200 and body.decode().splitlines() == ["?label", '"Anthropic"@en']


def test_post_forms_and_direct_posts(served: Served) -> None:
    form = urllib.parse.urlencode({"query": LABEL}).encode()
    status, _, body = fetch(served.endpoint, form, {"Content-Type": "application/x-www-form-urlencoded",
                                                    "Accept": "text/csv"})
    assert status == 200 and body.decode().split() == ["label", "Anthropic"]
    status, _, body = fetch(served.endpoint, LABEL.encode(), {"Content-Type": "application/sparql-query",
                                                              "Accept": "text/csv"})
    assert status == 200 and body.decode().split() == ["label", "Anthropic"]


def test_construct_in_rdf_formats(served: Served) -> None:
    query = f"CONSTRUCT {{ <{ANTHROPIC}> ?p ?o }} WHERE {{ <{ANTHROPIC}> ?p ?o }}"
    for accept, fmt in (("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                        ("application/rdf+xml", ox.RdfFormat.RDF_XML)):
        status, kind, body = get(served.endpoint, query, accept)
        assert status == 200 and kind.startswith(accept)
        triples = [q.triple for q in ox.parse(body, fmt)]
        assert ox.Triple(ox.NamedNode(ANTHROPIC), ox.NamedNode(PREFIXES["rdfs"] + "label"),
                         ox.Literal("Anthropic", language="en")) in triples


def test_graph_store_protocol_reads_a_graph(served: Served, store: ox.Store) -> None:
    graph = GRAPH + "triples/pentagon-anthropic/actors.ttl"
    status, _, body = fetch(f"{served.root}store?{urllib.parse.urlencode({'graph': graph})}",
                            headers={"Accept": "application/n-triples"})
    assert status == 200
    got = {q.triple for q in ox.parse(body, ox.RdfFormat.N_TRIPLES)}
    want = {ox.Triple(q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))}
    assert len(got) == len(want) and {t for t in got if not isinstance(t.subject, ox.BlankNode)} == {
        t for t in want if not isinstance(t.subject, ox.BlankNode)}


def test_yasgui_is_the_root_page(served: Served) -> None:
    status, kind, body = fetch(served.root)
    assert status == 200 and kind.startswith("text/html") and b"Yasgui" in body


def test_read_only_refuses_writes(served: Served) -> None:
    update = urllib.parse.urlencode({"update": "INSERT DATA { <http://e/s> <http://e/p> 1 }"}).encode()
    status, _, _ = fetch(served.root + "update", update, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status >= 400
    status, _, _ = fetch(f"{served.root}store?graph=http%3A%2F%2Fe%2Fg", b'<http://e/s> <http://e/p> "1" .',
                         {"Content-Type": "application/n-triples"}, method="PUT")
    assert status >= 400
    # The page server forwards /query only, so it cannot write either.
    status, _, _ = fetch(served.page + "update", update, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 405


def test_no_cors_unless_asked(served: Served, built_store: Path) -> None:
    request = urllib.request.Request(f"{served.endpoint}?query=ASK%7B%7D", headers={"Origin": "http://example.org"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.headers.get("Access-Control-Allow-Origin") is None
    running = start_kg_serve(built_store, "--cors")
    try:
        request = urllib.request.Request(f"{running.endpoint}?query=ASK%7B%7D",
                                         headers={"Origin": "http://example.org"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.headers.get("Access-Control-Allow-Origin") in ("*", "http://example.org")
    finally:
        assert stop(running.process, signal.SIGINT) == 0  # Ctrl-C stops it cleanly too


def test_writable_accepts_updates_and_graph_store_writes(built_store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "store"
    shutil.copytree(built_store.resolve(), copy)
    running = start_kg_serve(copy, "--writable")
    try:
        insert = "INSERT DATA { GRAPH <http://e/g> { <http://e/s> <http://e/p> 1 } }"
        update = urllib.parse.urlencode({"update": insert})
        status, _, _ = fetch(running.root + "update", update.encode(),
                             {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 204
        status, _, _ = fetch(f"{running.root}store?graph=http%3A%2F%2Fe%2Fh", b'<http://e/s> <http://e/q> "2" .',
                             {"Content-Type": "application/n-triples"}, method="PUT")
        assert status in (201, 204)
        _, _, body = get(running.endpoint, "SELECT ?p WHERE { <http://e/s> ?p ?o } ORDER BY ?p", "text/csv")
        assert body.decode().split() == ["p", "http://e/p", "http://e/q"]
    finally:
        assert stop(running.process) == 0


def test_refuses_a_port_in_use(built_store: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_kg_process("serve", "--store", str(built_store), "--bind", f"127.0.0.1:{port}", timeout=60)
    assert result.returncode == 1
    assert f"127.0.0.1:{port}: the port is already in use" in result.stderr


def test_refuses_a_missing_store(tmp_path: Path) -> None:
    result = run_kg_process("serve", "--store", str(tmp_path / "nothing"), "--bind", "127.0.0.1:0", timeout=60)
    assert result.returncode == 6 and "no store at" in result.stderr and "kg build" in result.stderr


def test_refuses_a_store_locked_by_a_writer(built_store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "store"
    shutil.copytree(built_store.resolve(), copy)
    writer = ox.Store(str(copy))  # this process holds it for writing, as a notebook would
    try:
        for args in ((), ("--writable",)):
            # Another process: this one's own second open of a RocksDB store fails differently.
            result = run_kg_process("serve", "--store", str(copy), "--bind", "127.0.0.1:0", *args, timeout=60)
            assert result.returncode == 7, result.stderr
            assert "in use by another process" in result.stderr
    finally:
        del writer


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stops_cleanly_and_frees_its_ports(built_store: Path, sig: int) -> None:
    running = start_kg_serve(built_store)
    ports = [int(url.split(":")[2].split("/")[0]) for url in (running.endpoint, running.page)]
    assert stop(running.process, sig) == 0
    for free in ports:  # both the endpoint's and the page's port can be bound again at once
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: TIME_WAIT is no obstacle
            probe.bind(("127.0.0.1", free))
            probe.listen()


def test_the_page_gets_the_stories_prefixes_from_the_store(served: Served) -> None:
    status, kind, body = fetch(served.page + "queries.json")
    assert status == 200 and kind.startswith("application/json")
    prefixes = json.loads(body)["prefixes"]
    assert story_prefixes().items() <= prefixes.items()  # each story's, as its story.ttl declares it
    assert PREFIXES.items() <= prefixes.items()
