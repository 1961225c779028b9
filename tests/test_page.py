"""The canned-query page and YASGUI of `kg serve`, in a real browser (Debian's headless chromium, via Playwright).

Rows shown are checked against the hand-written expected files in tests/expected (IRIs shortened with our
prefixes, as the page shows them), and the page server's /run, which binds the page's parameters, is checked to
send the very text the CLI's remote binding sends, for every canned query.
"""

from __future__ import annotations

import csv
import json
import urllib.error
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ROOT, Case, story_cases, story_prefixes
from endpoints import Served, local_only

from kg.binding import bind_text, with_prefixes
from kg.errors import QueryError
from kg.queries import bind, list_queries
from kg.serve import queries_document
from kg.vocab import PREFIXES, shorten

# The page shortens and expands with our prefixes and the stories' (kg serve asks the store for them).
KNOWN = {**PREFIXES, **story_prefixes()}
PA = story_prefixes()["pa"]
CASES = {c.name: c for c in story_cases() if c.story == "pentagon-anthropic"}


def expected_cells(case: Case, keep: dict[str, str] | None = None) -> list[list[str]]:
    """The expected rows of a canned query as the page shows them (IRIs shortened, literals bare)."""
    with case.expected.open(encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    head, rows = table[0], table[1:]
    out = []
    for row in rows:
        if keep and any(row[head.index(k)] != v for k, v in keep.items()):
            continue
        out.append([shorten(v, KNOWN) if v.startswith(("http://", "https://")) else v for v in row])
    return out


def shown_rows(page: object) -> list[list[str]]:
    return page.eval_on_selector_all(  # type: ignore[attr-defined]
        "#result-table tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))")


@pytest.fixture
def page(browser: object) -> object:
    context = browser.new_context(viewport={"width": 1300, "height": 850})  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.refused = local_only(tab)
    yield tab
    context.close()


def run_canned(page: object, served: Served, name: str, values: dict[str, str]) -> list[list[str]]:
    page.goto(served.page)  # type: ignore[attr-defined]
    page.click(f"#query-list button[data-name='{name}']")  # type: ignore[attr-defined]
    for param, value in values.items():
        page.fill(f"#param-{param}", value)  # type: ignore[attr-defined]
    page.click("#run")  # type: ignore[attr-defined]
    page.wait_for_selector("#row-count")  # type: ignore[attr-defined]
    return shown_rows(page)


def test_page_lists_every_canned_query_with_its_summary(page: object, served: Served) -> None:
    page.goto(served.page)  # type: ignore[attr-defined]
    page.wait_for_selector("#query-list button")  # type: ignore[attr-defined]
    names = page.eval_on_selector_all("#query-list .name", "xs => xs.map(x => x.textContent)")  # type: ignore
    summaries = page.eval_on_selector_all("#query-list .summary", "xs => xs.map(x => x.textContent)")  # type: ignore
    queries = list_queries(ROOT / "queries")
    assert names == [q.name for q in queries]
    assert summaries == [q.summary for q in queries]


def test_runs_a_canned_query_with_an_iri_parameter(page: object, served: Served, tmp_path: Path) -> None:
    rows = run_canned(page, served, "consequences", {"target": "pa:anthropic", "story": "pa:story"})
    want = expected_cells(CASES["consequences"], {"target": PA + "anthropic"})
    assert sorted(rows) == sorted(want) and len(rows) == 4
    assert page.inner_text("#row-count") == "4 rows"  # type: ignore[attr-defined]
    page.screenshot(path=str(tmp_path / "page-consequences.png"))  # type: ignore[attr-defined]
    assert page.refused == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["search", "evidence", "evidence-mentions", "timeline"])
def test_runs_the_queries_of_the_expected_files(page: object, served: Served, name: str) -> None:
    rows = run_canned(page, served, CASES[name].query, CASES[name].params)
    assert rows == expected_cells(CASES[name])  # both are ordered with ORDER BY


def test_a_hostile_literal_is_searched_for_not_run(page: object, served: Served) -> None:
    rows = run_canned(page, served, "search", {"text": 'x" ) } ; DROP ALL ; SELECT * { #'})
    assert rows == []
    assert page.is_hidden("#error")  # type: ignore[attr-defined]


def test_a_bad_iri_is_refused_in_the_page(page: object, served: Served) -> None:
    page.goto(served.page + "#evidence")  # type: ignore[attr-defined]
    page.fill("#param-subject", "pa:x> } ; DROP ALL")  # type: ignore[attr-defined]
    page.click("#run")  # type: ignore[attr-defined]
    page.wait_for_selector("#error:not([hidden])")  # type: ignore[attr-defined]
    assert "is not a valid iri" in page.inner_text("#error")  # type: ignore[attr-defined]


def test_an_unknown_prefix_is_refused_in_the_page(page: object, served: Served) -> None:
    page.goto(served.page + "#evidence")  # type: ignore[attr-defined]
    page.fill("#param-subject", "zz:ban")  # type: ignore[attr-defined]
    page.click("#run")  # type: ignore[attr-defined]
    page.wait_for_selector("#error:not([hidden])")  # type: ignore[attr-defined]
    shown = page.inner_text("#error")  # type: ignore[attr-defined]
    assert "unknown prefix 'zz'" in shown and "pa, " in shown and len(shown.splitlines()) == 1


def _run(served: Served, name: str, values: dict[str, str]) -> tuple[int, dict]:
    """POST a canned query's name and values to the page server's /run, as the page does."""
    request = urllib.request.Request(served.page + "run", method="POST", headers={"Content-Type": "application/json"},
                                     data=json.dumps({"name": name, "params": values}).encode())
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


def test_page_binds_exactly_as_the_cli_does(served: Served) -> None:
    doc = queries_document(ROOT / "queries", KNOWN)
    tricky = {"iri": ["pa:anthropic", "<http://example.org/a#b>", "urn:isbn:0451450523"],
              "literal": ['dead"line \\ \n {x}', "é"]}
    checked = refused = 0
    for query in list_queries(ROOT / "queries"):
        assert any(q["name"] == query.name for q in doc["queries"])  # the page lists it
        base = CASES[query.name].params
        cases = [base] + [{**base, p.name: v} for p in query.params for v in tricky.get(p.type, [])]
        for values in cases:
            terms = bind(query, values, KNOWN)
            python = with_prefixes(bind_text(query.text, {v.value: t for v, t in terms.items()}), KNOWN)
            status, answer = _run(served, query.name, values)
            assert (status, answer["query"]) == (200, python), (query.name, values, answer.get("error"))
            assert "head" in answer["results"]  # SPARQL JSON results, passed on from the endpoint
            checked += 1
        # An unknown prefix: the same one-line error from both.
        for p in (p for p in query.params if p.type == "iri"):
            values = {**base, p.name: "zz:a"}
            with pytest.raises(QueryError) as raised:
                bind(query, values, KNOWN)
            assert _run(served, query.name, values) == (400, {"error": str(raised.value)}), (query.name, values)
            refused += 1
    assert checked > len(doc["queries"]) and refused >= len(doc["queries"])


def test_run_refuses_what_is_not_a_canned_query(served: Served) -> None:
    status, answer = _run(served, "../queries/evidence", {})  # a name, never a path
    assert status == 400 and answer["error"].startswith("no canned query named '../queries/evidence'")
    request = urllib.request.Request(served.page + "run", method="POST", data=b"name=evidence")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=60)
    assert refused.value.code == 400 and "send JSON" in json.load(refused.value)["error"]


def test_yasgui_runs_a_query(page: object, served: Served, tmp_path: Path) -> None:
    page.goto(served.root)  # type: ignore[attr-defined]
    page.wait_for_selector(".CodeMirror")  # type: ignore[attr-defined]
    query = (f"PREFIX rdfs: <{PREFIXES['rdfs']}>\n"
             f"SELECT ?label WHERE {{ <{PA}anthropic> rdfs:label ?label }}")
    page.evaluate("q => document.querySelector('.CodeMirror').CodeMirror.setValue(q)", query)  # type: ignore
    page.click(".yasqe_queryButton")  # type: ignore[attr-defined]
    page.wait_for_selector(".yasr table tbody td", timeout=30_000)  # type: ignore[attr-defined]
    cells = page.eval_on_selector_all(".yasr table tbody td", "xs => xs.map(x => x.textContent)")  # type: ignore
    assert any("Anthropic" in c for c in cells)
    page.screenshot(path=str(tmp_path / "yasgui.png"))  # type: ignore[attr-defined]


def test_the_page_is_served_without_the_internet(served: Served) -> None:
    html = (Path(__file__).parent.parent / "kg" / "static" / "index.html").read_text()
    assert "http" not in html.replace("http-equiv", "")  # no CDN, no remote asset
    assert isinstance(ox.NamedNode(served.page), ox.NamedNode)
