"""`--endpoint`: the same build and the same canned queries against two independent SPARQL servers started here
on loopback (Oxigraph's `oxigraph serve`, OpenLink Virtuoso 7 from Debian) give the embedded store's answers.

Results are compared as multisets of rows (as lists when the query orders them), after the CLI has written
them as SPARQL CSV, so every engine's answer passes through the same parsing and writing.
"""

from __future__ import annotations

import csv
import io
import os
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ROOT, canonical_quads, run_kg, story_cases
from endpoints import Virtuoso, free_port, oxigraph_server, start_virtuoso, stop

from kg.queries import list_queries

EXTRA = {"demands": {"act": "pa:demand-deadline"}, "consequences": {"target": "pa:anthropic"},
         "shared-actors": {"actor": "pa:anthropic"}}
QUERIES = {q.name: q for q in list_queries(ROOT / "queries")}
# Each story's cases (its parameters, story bound), each again over every story (story left out), and a few more.
STORY_CASES = story_cases(list(QUERIES.values()))
CASES = ([(QUERIES[c.query], c.params) for c in STORY_CASES]
         + [(QUERIES[c.query], {k: v for k, v in c.params.items() if k != "story"}) for c in STORY_CASES]
         + [(QUERIES[name], params) for name, params in EXTRA.items()])
CASES = [case for n, case in enumerate(CASES) if case not in CASES[:n]]
# Virtuoso 7.2.5 refuses linked-facts-remote ("SP031 Unsupported combination of subqueries and service
# invocations"): a SERVICE whose endpoint is a variable bound by the parameter's VALUES block. The other canned
# queries avoid the constructs it answers wrongly (a class path `rdf:type/rdfs:subClassOf*` next to OPTIONAL
# groups or other patterns; rows an OPTIONAL transitive path misses); the README lists them.
# Strict: a Virtuoso that answers it fails here, so the list cannot go stale.
VIRTUOSO_BUGS = {"linked-facts-remote"}


@pytest.fixture(scope="module")
def oxigraph_endpoint() -> Iterator[str]:
    """A fresh writable `oxigraph serve` on a free loopback port, for this module alone."""
    with oxigraph_server() as url:
        yield url


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    stop(server.process)


def env_for(endpoint: str, virtuoso: Virtuoso | None = None) -> dict[str, str]:
    env = {"KG_ENDPOINT": endpoint}
    if virtuoso:
        env |= {"KG_ENDPOINT_USER": virtuoso.user, "KG_ENDPOINT_PASSWORD": virtuoso.password}
    return env


@pytest.fixture(scope="module")
def engines(oxigraph_endpoint: str, virtuoso: Virtuoso) -> dict[str, dict[str, str]]:
    """Both servers, each loaded by `kg build --endpoint` (the same project as the embedded store)."""
    found = {"oxigraph": env_for(oxigraph_endpoint), "virtuoso": env_for(virtuoso.endpoint, virtuoso)}
    for name, env in found.items():
        result = run_kg("build", env=env)
        assert result.returncode == 0, f"{name}: {result.stderr}"
        assert "upload" in result.stderr and f"built {env['KG_ENDPOINT']}" in result.stderr
    return found


def csv_rows(text: str) -> tuple[list[str], list[tuple[str, ...]]]:
    table = list(csv.reader(io.StringIO(text)))
    return table[0], [tuple(r) for r in table[1:]]


def canned(query_name: str, params: dict[str, str], *where: str, env: dict[str, str] | None = None) -> str:
    flags = [x for k, v in params.items() for x in ("--param", f"{k}={v}")]
    result = run_kg("query", query_name, *flags, "--format", "csv", *where, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("engine", ["oxigraph", "virtuoso"])
@pytest.mark.parametrize(("query", "params"), CASES,
                         ids=[f"{q.name}-{'-'.join(f'{k}={v}' for k, v in p.items()) or 'all'}" for q, p in CASES])
def test_canned_queries_give_the_embedded_answers(engines: dict[str, dict[str, str]], built_store: Path,
                                                  engine: str, query, params: dict[str, str],
                                                  request: pytest.FixtureRequest) -> None:
    if engine == "virtuoso" and query.name in VIRTUOSO_BUGS:
        request.node.add_marker(pytest.mark.xfail(reason="a Virtuoso 7.2.5 bug, see VIRTUOSO_BUGS", strict=True))
    local_head, local = csv_rows(canned(query.name, params, "--store", str(built_store)))
    remote_head, remote = csv_rows(canned(query.name, params, env=engines[engine]))
    assert remote_head == local_head
    if query.ordered:
        assert remote == local
    else:
        assert Counter(remote) == Counter(local)


@pytest.mark.parametrize("engine", ["oxigraph", "virtuoso"])
def test_ad_hoc_queries_and_export_give_the_embedded_answers(engines: dict[str, dict[str, str]], built_store: Path,
                                                             store: ox.Store, engine: str) -> None:
    env = engines[engine]
    # On Virtuoso a query sees the server's own graphs too (see kg/endpoint.py), hence the filter on our names.
    count = ('SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), '
             '"https://w3id.org/standoff/")) }')
    result = run_kg("sparql", count, "--format", "csv", env=env)
    assert result.returncode == 0, result.stderr
    assert csv_rows(result.stdout)[1] == [(str(len(store)),)]
    ask = run_kg("sparql", "ASK { pa:anthropic rdfs:label \"Anthropic\"@en }", env=env)
    assert ask.stdout == "true\n"
    construct = run_kg("sparql", "CONSTRUCT { pa:anthropic ?p ?o } WHERE { pa:anthropic ?p ?o }", "--format",
                       "ntriples", env=env)
    local = run_kg("sparql", "CONSTRUCT { pa:anthropic ?p ?o } WHERE { pa:anthropic ?p ?o }", "--format",
                   "ntriples", "--store", str(built_store))
    assert set(construct.stdout.splitlines()) == set(local.stdout.splitlines()) != set()
    remote_export = run_kg("export", "--format", "nquads", "--inferred", env=env)
    local_export = run_kg("export", "--format", "nquads", "--inferred", "--store", str(built_store))
    assert remote_export.returncode == 0, remote_export.stderr
    assert canonical_quads(ox.parse(remote_export.stdout.encode(), ox.RdfFormat.N_QUADS)) == canonical_quads(
        ox.parse(local_export.stdout.encode(), ox.RdfFormat.N_QUADS))


def test_a_second_build_replaces_each_graph(engines: dict[str, dict[str, str]], store: ox.Store,
                                            tmp_path: Path) -> None:
    env = dict(engines["virtuoso"])
    netrc = tmp_path / "netrc"  # this time the credentials come from a netrc file
    host = env["KG_ENDPOINT"].split("/")[2].split(":")[0]
    netrc.write_text(f"machine {host} login {env.pop('KG_ENDPOINT_USER')} password {env.pop('KG_ENDPOINT_PASSWORD')}\n")
    netrc.chmod(0o600)
    result = run_kg("build", "--no-reason", env={**env, "NETRC": str(netrc), "KG_ENDPOINT_USER": ""})
    assert result.returncode == 0, result.stderr
    per_graph = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    remote = dict(csv_rows(run_kg("sparql", per_graph, "--format", "csv", env=env).stdout)[1])
    local = {row["g"].value: row["n"].value for row in store.query(per_graph)}
    # Without reasoning the inferred graph is gone (deleted, not left behind); every input graph and the
    # evidence graph was replaced whole (same counts, nothing doubled); the VoID graph is new.
    skipped = {"https://w3id.org/standoff/graph/inferred", "https://w3id.org/standoff/graph/meta"}
    assert "https://w3id.org/standoff/graph/inferred" not in remote
    assert {g: n for g, n in remote.items() if g not in skipped and g.startswith("https://w3id.org/standoff/")} == {
        g: n for g, n in local.items() if g not in skipped}
    assert run_kg("build", "-q", env=engines["virtuoso"]).returncode == 0  # back as the other tests expect


def test_writes_need_the_right_password_and_it_is_never_printed(virtuoso: Virtuoso) -> None:
    env = {"KG_ENDPOINT": virtuoso.endpoint, "KG_ENDPOINT_USER": "dba", "KG_ENDPOINT_PASSWORD": "not-the-Secret"}
    result = run_kg("build", "--no-reason", "-q", env=env)
    assert result.returncode == 8
    assert "401" in result.stderr and "sparql-graph-crud-auth" in result.stderr
    assert "not-the-Secret" not in result.stderr + result.stdout


def test_credentials_in_the_url_are_refused(virtuoso: Virtuoso) -> None:
    url = virtuoso.endpoint.replace("http://", "http://dba:dba@")
    result = run_kg("query", "positions", "--endpoint", url)
    assert result.returncode == 8 and "KG_ENDPOINT_USER" in result.stderr and "dba:dba" not in result.stderr


def test_server_errors_are_shown_with_status_and_text(engines: dict[str, dict[str, str]]) -> None:
    for env in engines.values():
        result = run_kg("sparql", "SELECT * WHERE { ?s ?p }", env=env)
        assert result.returncode == 5
        assert "400" in result.stderr and result.stderr.startswith("kg: error: POST http://127.0.0.1:")


def test_an_unreachable_server_is_a_clear_error() -> None:
    result = run_kg("query", "positions", "--endpoint", f"http://127.0.0.1:{free_port()}/query")
    assert result.returncode == 8 and "cannot reach the server" in result.stderr


def test_a_silent_server_times_out() -> None:
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        held: list[socket.socket] = []
        stop_accepting = threading.Event()

        def accept() -> None:
            silent.settimeout(0.2)
            while not stop_accepting.is_set():
                try:
                    held.append(silent.accept()[0])
                except OSError:
                    continue

        thread = threading.Thread(target=accept, daemon=True)
        thread.start()
        try:
            result = run_kg("query", "positions", "--endpoint", f"http://127.0.0.1:{silent.getsockname()[1]}/query",
                            env={"KG_ENDPOINT_TIMEOUT": "1"}, timeout=60)
        finally:
            stop_accepting.set()
            thread.join()
            for conn in held:
                conn.close()
    assert result.returncode == 8 and "no answer within 1 s" in result.stderr


def test_updates_go_through_the_protocol_only_when_asked(oxigraph_endpoint: str,
                                                         engines: dict[str, dict[str, str]]) -> None:
    env = engines["oxigraph"]
    insert = "INSERT DATA { GRAPH <http://example.org/scratch> { <http://example.org/s> rdfs:label \"s\" } }"
    refused = run_kg("sparql", insert, env=env)
    assert refused.returncode == 5 and "--update" in refused.stderr
    assert run_kg("sparql", insert, "--update", env=env).returncode == 0
    # Queries see our build's graphs unless --graph names others: the scratch graph is not one of them.
    found = run_kg("sparql", "SELECT ?l WHERE { ?s rdfs:label ?l }", "--graph", "http://example.org/scratch",
                   "--format", "csv", env=env)
    assert found.stdout.split() == ["l", "s"]
    assert run_kg("sparql", "DROP GRAPH <http://example.org/scratch>", "--update", env=env).returncode == 0
    assert os.environ.get("KG_ENDPOINT") is None  # the tests never leak an endpoint into other tests


@pytest.mark.parametrize("engine", ["oxigraph", "virtuoso"])
def test_two_stories_sharing_an_actor_give_the_embedded_answers(engines: dict[str, dict[str, str]], engine: str,
                                                                tmp_path: Path) -> None:
    """The first story and a generated one (tests/test_stories.py) whose Anthropic is linked to the same Wikidata
    item: shared-actors has rows to compare, and the per-story queries see two stories."""
    from test_stories import copy_project, write_story

    project = copy_project(tmp_path)
    write_story(project)
    store = tmp_path / "store"
    assert run_kg("build", "-q", "--store", str(store), cwd=project).returncode == 0
    env = engines[engine]
    try:
        result = run_kg("build", "-q", env=env, cwd=project)
        assert result.returncode == 0, result.stderr
        for name, params in (("shared-actors", {}), ("shared-actors", {"story": "zg:story"}), ("events", {}),
                             ("timeline", {"story": "zg:story"}), ("claims-by-source", {"source": "zg:article"}),
                             ("evidence", {"subject": "zg:refusal"}), ("refusals", {}), ("external-links", {})):
            local_head, local = csv_rows(canned(name, params, "--store", str(store)))
            remote_head, remote = csv_rows(canned(name, params, env=env))
            assert remote_head == local_head
            assert (remote if QUERIES[name].ordered else Counter(remote)) == (
                local if QUERIES[name].ordered else Counter(local)), (name, params)
            if name == "shared-actors":
                assert local, "the two stories share Anthropic"
    finally:
        assert run_kg("build", "-q", env=env).returncode == 0  # back as the other tests expect
