"""Each canned query returns exactly its expected-results file, written by hand from the article.

Results are compared as a multiset of rows, or as a list when the query has ORDER BY (as in the W3C
SPARQL test suites). Parameters for a query come from ``tests/expected/params.yaml``.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from conftest import ROOT, run_kg

from kg.queries import list_queries, run_canned
from kg.results import render

EXPECTED = ROOT / "tests" / "expected"
PARAMS = yaml.safe_load((EXPECTED / "params.yaml").read_text()) if (EXPECTED / "params.yaml").exists() else {}
QUERIES = list_queries(ROOT / "queries")


def rows(data: str) -> tuple[list[str], list[tuple[str, ...]]]:
    table = list(csv.reader(io.StringIO(data)))
    return table[0], [tuple(r) for r in table[1:]]


def test_every_query_has_an_expected_file() -> None:
    assert QUERIES, "no canned queries"
    missing = [q.name for q in QUERIES if not (EXPECTED / f"{q.name}.csv").exists()]
    assert missing == []


def test_every_query_has_a_header() -> None:
    for q in QUERIES:
        assert q.summary, q.name
        assert q.tags, q.name
        text = q.text
        for p in q.params:
            assert p.description, f"{q.name}: parameter {p.name} is not described in #+ params"
            assert f"?{p.variable}" in text.split("WHERE")[0], f"{q.name}: ?{p.variable} must be projected"


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_query_returns_its_expected_rows(store: ox.Store, query) -> None:
    result = run_canned(store, query.name, PARAMS.get(query.name, {}), ROOT / "queries")
    got_head, got = rows(render(result, "csv").decode())
    want_head, want = rows((EXPECTED / f"{query.name}.csv").read_text(encoding="utf-8"))
    assert got_head == want_head
    if query.ordered:
        assert got == want
    else:
        assert Counter(got) == Counter(want), (
            f"missing: {sorted(Counter(want) - Counter(got))}\nunexpected: {sorted(Counter(got) - Counter(want))}")


def test_cli_gives_the_same_rows_as_the_library(built_store: Path, store: ox.Store) -> None:
    for query in QUERIES:
        args = [f"{k}={v}" for k, v in PARAMS.get(query.name, {}).items()]
        flags = [x for a in args for x in ("--param", a)]
        result = run_kg("query", query.name, *flags, "--format", "csv", "--store", str(built_store))
        assert result.returncode == 0, result.stderr
        library = render(run_canned(store, query.name, PARAMS.get(query.name, {}), ROOT / "queries"), "csv")
        assert Counter(rows(result.stdout)[1]) == Counter(rows(library.decode())[1]), query.name
