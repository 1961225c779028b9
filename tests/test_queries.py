"""Each canned query returns exactly its expected-results file, for every story that has expected files.

Expected files live in ``tests/expected/<story>/`` and were written by hand from the story's text (the first
story's were derived from the single-story files by the transformation in ``derive.py`` there). Each story's
``params.yaml`` binds ``story`` for every query, so a story's file holds its own rows only, and adding a story
changes no other story's answers. Results are compared as a multiset of rows, or as a list when the query has
ORDER BY (as in the W3C SPARQL test suites).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import EXPECTED, ROOT, Case, run_kg, story_cases

from kg.queries import list_queries, run_canned
from kg.results import render

QUERIES = list_queries(ROOT / "queries")
CASES = story_cases(QUERIES)


def rows(data: str) -> tuple[list[str], list[tuple[str, ...]]]:
    table = list(csv.reader(io.StringIO(data)))
    return table[0], [tuple(r) for r in table[1:]]


def test_every_story_with_expected_files_has_one_per_query() -> None:
    assert QUERIES, "no canned queries"
    stories = sorted(p.parent.name for p in EXPECTED.glob("*/params.yaml"))
    assert stories, "no story has expected files"
    missing = [f"{story}/{q.name}" for story in stories for q in QUERIES
               if not (EXPECTED / story / f"{q.name}.csv").exists()]
    assert missing == []
    assert all(c.expected.exists() for c in CASES), [c.id for c in CASES if not c.expected.exists()]


def test_every_query_has_a_header() -> None:
    for q in QUERIES:
        assert q.summary, q.name
        assert q.tags, q.name
        text = q.text
        for p in q.params:
            assert p.description, f"{q.name}: parameter {p.name} is not described in #+ params"
            assert f"?{p.variable}" in text.split("WHERE")[0], f"{q.name}: ?{p.variable} must be projected"


def test_every_query_takes_an_optional_story() -> None:
    for q in QUERIES:
        story = [p for p in q.params if p.name == "story"]
        assert story and story[0].variable == "__story_iri" and not story[0].required, q.name


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_query_returns_its_expected_rows(store: ox.Store, case: Case) -> None:
    query = next(q for q in QUERIES if q.name == case.query)
    result = run_canned(store, case.query, case.params, ROOT / "queries")
    got_head, got = rows(render(result, "csv").decode())
    want_head, want = rows(case.expected.read_text(encoding="utf-8"))
    assert got_head == want_head
    if query.ordered:
        assert got == want
    else:
        assert Counter(got) == Counter(want), (
            f"missing: {sorted(Counter(want) - Counter(got))}\nunexpected: {sorted(Counter(got) - Counter(want))}")


def test_cli_gives_the_same_rows_as_the_library(built_store: Path, store: ox.Store) -> None:
    for case in CASES:
        flags = [x for k, v in case.params.items() for x in ("--param", f"{k}={v}")]
        result = run_kg("query", case.query, *flags, "--format", "csv", "--store", str(built_store))
        assert result.returncode == 0, result.stderr
        library = render(run_canned(store, case.query, case.params, ROOT / "queries"), "csv")
        assert Counter(rows(result.stdout)[1]) == Counter(rows(library.decode())[1]), case.id


def test_listed_actor_classes_are_the_ontologys(store: ox.Store) -> None:
    """Queries list the actor classes where Virtuoso 7.2 mishandles rdfs:subClassOf* (linked-facts, shared-actors):
    each list is every subclass of so:Actor the ontology has, so a new actor class cannot be left out."""
    import re

    so = "https://w3id.org/standoff/ontology#"
    ontology = {row["c"].value.removeprefix(so) for row in store.query(
        f"SELECT ?c WHERE {{ ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{so}Actor> }}",
        use_default_graph_as_union=True)}
    lists = [(q.name, set(re.findall(r"so:(\w+)", block))) for q in QUERIES
             for block in re.findall(r"VALUES \?\w+ \{([^}]*)\}", q.text) if "so:Actor " in block]
    assert len(lists) >= 4
    assert [(name, classes) for name, classes in lists if classes != ontology] == []
