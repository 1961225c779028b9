"""Streaming and stoppable queries (issue 17): rows are written as they come in every result format with bounded
memory, a table says what it holds back, Ctrl-C stops any query within a second, and --timeout stops it too."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import KG, ROOT, run_kg
from processes import children

pytestmark = pytest.mark.heavy  # scheduled first (tests/conftest.py)

# About 17 million rows (every pair of triples of the project's store): far more than anyone waits for.
HUGE = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
# An aggregate over about 7 * 10^10 combinations: it would run for hours, and gives no row before the end.
LONG = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def start(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([str(KG), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            todo += children(p)
        except (OSError, StopIteration):
            continue
    return total / 1024


def interrupt_within_a_second(process: subprocess.Popen[bytes]) -> None:
    began = time.monotonic()
    process.send_signal(signal.SIGINT)
    code = process.wait(10)
    assert time.monotonic() - began < 1.5, "Ctrl-C took more than a second to stop the query"
    assert code == 130
    err = process.stderr.read().decode() if process.stderr else ""
    assert "interrupted (SIGINT)" in err and "Traceback" not in err


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_rows_are_written_as_they_come_with_bounded_memory(built_store: Path, fmt: str) -> None:
    process = start("sparql", HUGE, "--format", fmt, "--store", str(built_store))
    try:
        assert process.stdout is not None
        began = time.monotonic()
        first = process.stdout.read(1 << 16)  # the first 64 KB, long before the 17 million rows are done
        assert len(first) == 1 << 16 and time.monotonic() - began < 20
        for _ in range(200):  # keep reading: 13 MB more, while memory stays flat
            process.stdout.read(1 << 16)
        assert tree_rss_mb(process.pid) < 250, tree_rss_mb(process.pid)
        assert process.poll() is None  # still streaming
        interrupt_within_a_second(process)
    finally:
        if process.poll() is None:
            process.kill()


def test_ctrl_c_stops_a_long_aggregate_within_a_second(built_store: Path) -> None:
    process = start("sparql", LONG, "--store", str(built_store))
    time.sleep(1.5)  # well inside the query's one pyoxigraph call
    assert process.poll() is None
    interrupt_within_a_second(process)


def test_timeout_stops_sparql_and_canned_queries(built_store: Path, tmp_path: Path) -> None:
    for args in (["sparql", LONG], ["query", "everything", "--queries", str(tmp_path)]):
        (tmp_path / "everything.rq").write_text(f"#+ summary: every triple with every other\n{LONG}\n")
        began = time.monotonic()
        result = run_kg(*args, "--timeout", "1", "--store", str(built_store), timeout=60)
        assert time.monotonic() - began < 10
        assert result.returncode == 11, result.stderr
        assert result.stderr.startswith("kg: error: the query ran longer than --timeout 1 s") and \
            len(result.stderr.strip().splitlines()) == 1


def test_a_query_within_its_timeout_answers(built_store: Path) -> None:
    result = run_kg("sparql", "ASK { pa:anthropic a so:Company }", "--timeout", "60", "--store", str(built_store))
    assert result.returncode == 0 and result.stdout == "true\n", result.stderr


def test_table_says_how_many_rows_it_holds_back_and_how_to_get_them(built_store: Path) -> None:
    result = run_kg("sparql", "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "--store", str(built_store))
    assert result.returncode == 0, result.stderr
    total = int(run_kg("sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv",
                       "--store", str(built_store)).stdout.split()[1])
    assert total > 1000
    assert result.stdout.endswith(f"1,000 rows shown; {total - 1000:,} more held back (a table shows at most "
                                  f"1,000): use --format csv, tsv, json or xml to get all {total:,}\n")
    csv = run_kg("sparql", "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "--format", "csv", "--store", str(built_store))
    assert len(csv.stdout.splitlines()) == total + 1


def peak_rss_mb(*args: str, out: Path) -> float:
    """Run `kg` with its output to ``out``, from a process of its own; the largest resident memory any process of
    the run reached (the query runs in a child of `kg`), in MB."""
    script = ("import os, resource, subprocess, sys\n"
              "with open(sys.argv[1], 'wb') as out:\n"
              "    code = subprocess.run(sys.argv[2:], stdout=out).returncode\n"
              "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    done = subprocess.run([sys.executable, "-c", script, str(out), str(KG), *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=900)
    code, peak = done.stdout.split()
    assert code == "0", done.stderr
    return int(peak) / 1024


def test_construct_streams_in_bounded_memory_and_its_turtle_parses(built_store: Path, tmp_path: Path) -> None:
    # Pairs of triples of the store: a triple per solution, far more than any engine-side set should hold.
    query = "CONSTRUCT {{ ?a ?x ?b }} WHERE {{ ?a ?x ?y . ?b ?z ?w }} LIMIT {}"
    small = peak_rss_mb("sparql", query.format(2 * 10**4), "--format", "turtle", "--store", str(built_store),
                        out=tmp_path / "small.ttl")
    large = peak_rss_mb("sparql", query.format(3 * 10**5), "--format", "turtle", "--store", str(built_store),
                        out=tmp_path / "large.ttl")
    # Fifteen times the solutions in (nearly) the same memory. Held in memory, the 280,000 more triples would take
    # about 44 MB more: a script that lists the engine's triples and then writes them peaked at 39 MB for the
    # small query and 67 MB for 2*10^5 solutions (measured here), where kg peaked at 48 and 45 MB.
    assert large < small + 8, (small, large)
    text = (tmp_path / "large.ttl").read_bytes()
    assert text.startswith(b"@prefix ")  # prefixes declared before the first triple
    triples = list(ox.parse(text, format=ox.RdfFormat.TURTLE))
    assert 10_000 < len(triples) <= 3 * 10**5  # beyond what is written sorted: the streamed form; a triple a solution


def test_construct_gives_what_the_engine_gives(built_store: Path, store: ox.Store) -> None:
    # Variables in every place, a blank node per solution, an unbound variable (its triple is left out) and a
    # literal where a subject goes (left out too), as SPARQL 1.1 section 16.2 says.
    query = ("CONSTRUCT { ?event so:hasAgent ?agent ; ?p [ rdfs:label ?label ] . ?label so:x ?event . "
             "?event so:missing ?nothing } WHERE { ?event so:hasAgent ?agent . ?agent ?p ?label "
             "FILTER(isLITERAL(?label)) OPTIONAL { ?event so:none ?nothing } } ORDER BY ?event LIMIT 500")
    result = run_kg("sparql", query, "--format", "ntriples", "--store", str(built_store))
    assert result.returncode == 0, result.stderr
    ours = list(ox.parse(result.stdout.encode(), format=ox.RdfFormat.N_TRIPLES))
    engine = list(store.query(query, prefixes={"so": "https://w3id.org/standoff/ontology#",
                                               "rdfs": "http://www.w3.org/2000/01/rdf-schema#"},
                              use_default_graph_as_union=True))
    assert len(ours) == len(engine) > 500

    def without_blank_nodes(triples: list) -> set[tuple[str, ...]]:
        return {tuple("_:" if isinstance(term, ox.BlankNode) else str(term) for term in (t.subject, t.predicate,
                                                                                          t.object)) for t in triples}

    assert without_blank_nodes(ours) == without_blank_nodes(engine)
    assert len({t.object for t in ours if isinstance(t.object, ox.BlankNode)}) == \
        len({t.object for t in engine if isinstance(t.object, ox.BlankNode)})
