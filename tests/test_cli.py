"""The `kg` command end to end: build, query, sparql, export, validate, reason, stats, info, errors."""

from __future__ import annotations

import csv
import io
import signal
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import KG, run_kg
from processes import freeze

from kg.results import RESULT_FORMATS
from kg.vocab import EVIDENCE_GRAPH, INFERRED_GRAPH, META_GRAPH, graph_iri

PA = "https://w3id.org/standoff/id/pentagon-anthropic/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def count(store: Path) -> int:
    """The store's triples in its default graph (the union of the build's graphs), read from the CSV answer."""
    result = run_kg("sparql", COUNT, "--format", "csv", "--store", str(store))
    assert result.returncode == 0, result.stderr
    header, *rows = list(csv.reader(io.StringIO(result.stdout)))
    assert header == ["n"] and len(rows) == 1
    return int(rows[0][0])


def test_build_loads_one_graph_per_input_file_plus_evidence_inferred_and_meta(store: ox.Store, root: Path) -> None:
    graphs = {g.value for g in store.named_graphs()}
    files = [*(root / "triples").rglob("*.ttl"), *(root / "ontology").glob("*.ttl")]
    # A file of comments only (a story's links.ttl that links nothing, on purpose) holds no triple, so no graph.
    inputs = {graph_iri(p.relative_to(root).as_posix()) for p in files
              if next(iter(ox.parse(path=str(p), format=ox.RdfFormat.TURTLE)), None) is not None}
    assert graphs == inputs | {EVIDENCE_GRAPH, INFERRED_GRAPH, META_GRAPH}
    for graph in graphs:
        assert next(iter(store.quads_for_pattern(None, None, None, ox.NamedNode(graph))), None) is not None, graph


def test_meta_graph_counts_match_the_store(store: ox.Store) -> None:
    rows = store.query(
        """PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?g ?n WHERE { GRAPH <https://w3id.org/standoff/graph/meta> { ?g void:triples ?n } }""")
    declared = {row["g"].value: int(row["n"].value) for row in rows}
    for graph, n in declared.items():
        if graph.startswith("https://w3id.org/standoff/graph/"):
            assert len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))) == n, graph


def test_build_prints_progress_per_step(tmp_path: Path) -> None:
    result = run_kg("build", "--store", str(tmp_path / "s"))
    assert result.returncode == 0, result.stderr
    for step in ("load", "validate", "reason", "describe", "compact"):
        assert f"  {step}" in result.stderr
    assert "built " in result.stderr


def test_kg_store_env_chooses_the_store(tmp_path: Path, built_store: Path) -> None:
    result = run_kg("info", env={"KG_STORE": str(built_store)})
    assert result.returncode == 0, result.stderr
    assert str(built_store) in result.stdout
    assert "triples/pentagon-anthropic/article.txt" not in result.stdout  # text files are not RDF inputs
    assert "sha256" in result.stdout


def test_missing_store_is_exit_6_with_a_hint(tmp_path: Path) -> None:
    result = run_kg("query", "demands", "--store", str(tmp_path / "none"))
    assert result.returncode == 6
    assert "run `kg build` first" in result.stderr
    assert "Traceback" not in result.stderr


def test_syntax_error_names_file_line_and_column_and_keeps_the_old_store(project_store: Path) -> None:
    store, project_copy = project_store, project_store.parent.parent
    before = count(store)
    broken = project_copy / "triples" / "pentagon-anthropic" / "broken.ttl"
    broken.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n')
    result = run_kg("build", "--store", str(store), cwd=project_copy)
    assert result.returncode == 2
    assert "triples/pentagon-anthropic/broken.ttl:3:11:" in result.stderr
    assert count(store) == before
    assert not list((store.parent / "store.builds").glob("*.partial"))


def test_failing_shape_lists_every_violation_and_keeps_the_old_store(project_store: Path) -> None:
    store, project_copy = project_store, project_store.parent.parent
    before = count(store)
    extra = project_copy / "triples" / "pentagon-anthropic" / "zz-bad.ttl"
    extra.write_text(
        "@prefix so: <https://w3id.org/standoff/ontology#> .\n"
        "@prefix pa: <https://w3id.org/standoff/id/pentagon-anthropic/> .\n"
        "@prefix oa: <http://www.w3.org/ns/oa#> .\n"
        "pa:bad-demand a so:Demand .\n"
        "pa:bad-span a oa:SpecificResource ; oa:hasSource pa:article ;\n"
        "  oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact \"words the article never says\" ] .\n")
    result = run_kg("build", "--store", str(store), cwd=project_copy)
    assert result.returncode == 3, result.stderr
    assert "triples/pentagon-anthropic/zz-bad.ttl: pa:bad-demand:" in result.stderr
    assert "pa:bad-span: [evidence-quote] quote not found" in result.stderr
    # Several checks fail on the one demand (agent, evidence, attribution, factuality...): all are listed.
    assert result.stderr.count("pa:bad-demand:") >= 3
    assert count(store) == before
    assert run_kg("validate", cwd=project_copy).returncode == 3


def test_undeclared_term_fails_the_build_naming_the_file(project_copy: Path) -> None:
    (project_copy / "triples" / "pentagon-anthropic" / "zz-term.ttl").write_text(
        "@prefix so: <https://w3id.org/standoff/ontology#> .\n"
        "@prefix pa: <https://w3id.org/standoff/id/pentagon-anthropic/> .\n"
        'pa:anthropic so:nickName "Ant" .\n')
    result = run_kg("validate", cwd=project_copy)
    assert result.returncode == 3
    assert "triples/pentagon-anthropic/zz-term.ttl: so:nickName: [undeclared_term]" in result.stdout


def test_interrupted_build_leaves_the_old_store(project_store: Path) -> None:
    store, project_copy = project_store, project_store.parent.parent
    before = count(store)
    (project_copy / "triples" / "pentagon-anthropic" / "extra.ttl").write_text(
        "<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n")
    # Interrupt in the middle of the build: once it says its load step is done, it is frozen (SIGSTOP) so that it
    # cannot finish before Ctrl-C lands; should it have finished first, the attempt is made again.
    for _attempt in range(5):
        process = subprocess.Popen([str(KG), "build", "--full", "--store", str(store)], cwd=project_copy,
                                   stderr=subprocess.PIPE, text=True)
        assert process.stderr is not None
        loaded = next((line for line in iter(process.stderr.readline, "") if line.startswith("  load ")), None)
        assert loaded is not None, "the build never said its load step was done"
        if freeze(process.pid):
            break
        process.wait(timeout=120)
    else:
        pytest.fail("the build ended five times before it could be interrupted")
    process.send_signal(signal.SIGINT)
    process.send_signal(signal.SIGCONT)
    assert process.wait(timeout=120) == 130
    assert count(store) == before
    assert not list((store.parent / "store.builds").glob("*.partial"))


def test_parameters_are_bound_as_terms_not_pasted(built_store: Path) -> None:
    hostile = 'x" } ; DROP ALL ; #'
    before = count(built_store)
    assert before > 0
    result = run_kg("query", "search", "--param", f"text={hostile}", "--format", "csv", "--store", str(built_store))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == []  # no quote contains it, and nothing was dropped
    assert count(built_store) == before
    result = run_kg("query", "evidence", "--param", f"subject={hostile}", "--store", str(built_store))
    assert result.returncode == 5
    assert "is not a valid iri" in result.stderr


def test_missing_and_unknown_parameters_list_the_expected_ones(built_store: Path) -> None:
    result = run_kg("query", "evidence", "--store", str(built_store))
    assert result.returncode == 5
    assert "missing parameter(s) subject" in result.stderr and "it takes: subject (iri)" in result.stderr
    result = run_kg("query", "evidence", "-p", "subject=pa:anthropic", "-p", "colour=red", "--store", str(built_store))
    assert result.returncode == 5
    assert "unknown parameter(s) colour" in result.stderr


def test_unknown_query_lists_the_known_ones(built_store: Path) -> None:
    result = run_kg("query", "nope", "--store", str(built_store))
    assert result.returncode == 5
    assert "known: " in result.stderr and "demands" in result.stderr


def test_query_list_shows_every_canned_query(root: Path) -> None:
    result = run_kg("query", "--list")
    assert result.returncode == 0
    for path in (root / "queries").glob("*.rq"):
        assert path.stem in result.stdout


def test_update_is_refused_without_flag_and_applied_with_it(project_store: Path) -> None:
    store = project_store
    before = count(store)
    update = "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/b> 1 } }"
    result = run_kg("sparql", update, "--store", str(store))
    assert result.returncode == 5
    assert "only with --update" in result.stderr
    assert count(store) == before
    result = run_kg("sparql", update, "--update", "--store", str(store))
    assert result.returncode == 0, result.stderr
    assert count(store) != before


def test_sparql_syntax_error_shows_where(built_store: Path) -> None:
    result = run_kg("sparql", "SELECT ?s WHERE {\n  ?s ?p \n}", "--store", str(built_store))
    assert result.returncode == 5
    assert "query:3:" in result.stderr  # the line; the column is where the parser gave up
    assert "^" in result.stderr


def test_sparql_kinds_and_graph_option(built_store: Path) -> None:
    ask = run_kg("sparql", "ASK { pa:anthropic a so:Company }", "--store", str(built_store))
    assert ask.stdout == "true\n"
    construct = run_kg("sparql", "CONSTRUCT { pa:anthropic ?p ?o } WHERE { pa:anthropic ?p ?o }",
                       "--format", "ntriples", "--store", str(built_store))
    assert "<https://w3id.org/standoff/id/pentagon-anthropic/anthropic>" in construct.stdout
    only_meta = run_kg("sparql", "ASK { pa:anthropic ?p ?o }", "--graph", META_GRAPH, "--store", str(built_store))
    assert only_meta.stdout == "false\n"


@pytest.mark.parametrize("fmt,rdf", [("table", "turtle"), ("turtle", "turtle"), ("ntriples", "ntriples"),
                                     ("rdfxml", "rdfxml"), ("jsonld", "jsonld")])
def test_construct_results_in_every_rdf_format(built_store: Path, fmt: str, rdf: str) -> None:
    result = run_kg("sparql", f'CONSTRUCT {{ ?s a so:Ban }} WHERE {{ ?s a so:Ban FILTER(STRSTARTS(STR(?s), "{PA}")) }}',
                    "--format", fmt, "--store", str(built_store))
    assert result.returncode == 0, result.stderr
    fmt_of = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "rdfxml": ox.RdfFormat.RDF_XML,
              "jsonld": ox.RdfFormat.JSON_LD}
    subjects = {q.subject.value for q in ox.parse(result.stdout.encode(), format=fmt_of[rdf])}
    # The first story's one ban, being prepared (CNN's "on the brink" of being barred is a mention of it).
    assert subjects == {PA + "ban"}


def test_store_in_use_is_reported_in_words(project_store: Path) -> None:
    store = project_store
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time, pyoxigraph as ox\n"
                               f"s = ox.Store({str(store)!r}); print('open', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        result = run_kg("sparql", "INSERT DATA { <http://e/a> <http://e/b> 1 }", "--update", "--store", str(store))
        assert result.returncode == 7
        assert "in use by another process" in result.stderr
        assert "RocksDB" not in result.stderr and "LOCK" not in result.stderr
        # Reading still works while another process holds the store.
        assert run_kg("query", "demands", "--store", str(store)).returncode == 0
    finally:
        holder.kill()
        holder.wait()


def test_stats_and_info(built_store: Path) -> None:
    stats = run_kg("stats", "--store", str(built_store))
    assert stats.returncode == 0
    assert "triples per graph:" in stats.stdout and "so:Demand" in stats.stdout
    # Per story: its figures, the story named with the prefix its story.ttl declares.
    # 81 spans: 80 on claims and actors, and the span for Anthropic's country ("the first American AI firm").
    assert "pa:story  (triples/pentagon-anthropic/)  42 events, 4 mentions, 81 spans, 1 document, " in stats.stdout
    info = run_kg("info", "--store", str(built_store))
    assert "triples/pentagon-anthropic/" in info.stdout and "kg 0.1.0" in info.stdout


def test_reason_reports_consistency_and_inferences(root: Path) -> None:
    result = run_kg("reason", "--show")
    assert result.returncode == 0, result.stderr
    assert "consistent;" in result.stderr
    assert "so:Ultimatum" in result.stdout


@pytest.mark.parametrize("argv", [["--help"], ["query", "--help"], ["link", "--help"], ["--version"]])
def test_help_works_without_loading_heavy_libraries(argv: list[str]) -> None:
    # Heavy libraries are imported lazily, and help is plain text: typer would render it with rich (about 0.1 s of
    # imports) if the app did not turn that off. The probe runs the command, then lists what it had loaded.
    code = ("import sys\nfrom kg.cli import app\n"
            f"sys.argv = ['kg', *{argv!r}]\n"
            "try:\n    app()\nexcept SystemExit as done:\n    assert not done.code, done.code\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'owlready2', 'rdflib', 'pyshacl', 'yaml', "
            "'rich', 'pyoxigraph', 'pydantic'}), file=sys.stderr)\n")
    probe = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert probe.returncode == 0, probe.stderr
    assert "Usage: kg" in probe.stdout or argv == ["--version"]
    assert probe.stderr.strip().splitlines()[-1] == "[]"


def test_query_loads_only_what_it_uses(built_store: Path, root: Path) -> None:
    # `kg query NAME` starts in a fraction of the time the heavy modules would take: no pydantic (typer 0.29 checks
    # every option through it; pyproject pins typer below 0.29), no PyYAML (running a query does not need its #+
    # header), no HTTP client (only --endpoint talks to a server).
    code = ("import sys\nfrom kg.cli import app\n"
            f"sys.argv = ['kg', 'query', 'evidence', '--param', 'subject=pa:ban', '--store', {str(built_store)!r}]\n"
            "try:\n    app()\nexcept SystemExit as done:\n    assert not done.code, done.code\n"
            "loaded = {m for m in sys.modules if m.split('.')[0] in ('pydantic', 'yaml', 'rdflib', 'owlready2', "
            "'pyshacl') or m in ('urllib.request', 'http.client')}\n"
            "print(sorted(loaded), file=sys.stderr)\n")
    probe = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    assert probe.returncode == 0, probe.stderr
    assert "preparing to impose a historic ban on Anthropic" in probe.stdout  # the article's words for pa:ban
    assert probe.stderr.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml", "table"])
def test_every_result_format(built_store: Path, fmt: str) -> None:
    """Each format, read by its own parser, holds the answer's rows (the people of the positions query)."""
    result = run_kg("query", "positions", "--format", fmt, "--store", str(built_store))
    assert result.returncode == 0, result.stderr
    assert member_labels(result.stdout, fmt) == member_labels(
        run_kg("query", "positions", "--format", "csv", "--store", str(built_store)).stdout, "csv")
    assert "Dario Amodei" in member_labels(result.stdout, fmt)


def member_labels(text: str, fmt: str) -> list[str]:
    """The memberLabel column of a positions answer in ``fmt``, parsed (the W3C result formats by pyoxigraph's
    parsers or the standard library's, the table by its layout), sorted."""
    if fmt == "csv":
        return sorted(row["memberLabel"] for row in csv.DictReader(io.StringIO(text)))
    if fmt == "table":
        return sorted(line.split("|", 1)[1].strip() for line in text.splitlines() if line.startswith("memberLabel "))
    parsed = ox.parse_query_results(text.encode(), format=RESULT_FORMATS[fmt])
    return sorted(row["memberLabel"].value for row in parsed)  # type: ignore[union-attr]
