"""The story reader of `kg serve` (/reader), used as a person would, in Debian's headless chromium.

Expected values are read from the story's own Turtle files (triples/telegram-russia/), not from the program: the
claim behind a quote, its agent and addressee, its factuality and CAMEO code, and its mentions in the other text.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ROOT
from endpoints import Served, local_only

from kg.reader import partial_date, source_texts, store_rows, story_data

STORY = ROOT / "triples" / "telegram-russia"
SO = "https://w3id.org/standoff/ontology#"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
AXE = ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def story_graph() -> ox.Store:
    """The story's files alone (and the CAMEO codebook for code labels), parsed here, not built by kg."""
    graph = ox.Store()
    for file in sorted(STORY.glob("*.ttl")):
        graph.load(path=str(file), format=ox.RdfFormat.TURTLE)
    for file in sorted((ROOT / "ontology").glob("cameo*.ttl")):
        graph.load(path=str(file), format=ox.RdfFormat.TURTLE)
    return graph


def one(graph: ox.Store, subject: str, prop: str) -> ox.NamedNode | ox.Literal:
    values = [q.object for q in graph.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(prop), None)]
    assert len(values) == 1, (subject, prop, values)
    return values[0]


def label(graph: ox.Store, subject: ox.NamedNode | ox.Literal) -> str:
    found = [q.object.value for q in graph.quads_for_pattern(subject, RDFS_LABEL, None)]  # type: ignore[arg-type]
    if not found:
        found = [q.object.value for q in graph.quads_for_pattern(
            subject, ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"), None)]  # type: ignore[arg-type]
    return found[0]


def quotes_of(graph: ox.Store, node: str) -> list[str]:
    """The exact quotes of a node's evidence spans."""
    out = []
    for q in graph.quads_for_pattern(ox.NamedNode(node), ox.NamedNode(SO + "hasEvidence"), None):
        for sel in graph.quads_for_pattern(q.object, ox.NamedNode("http://www.w3.org/ns/oa#hasSelector"), None):
            out += [e.object.value for e in graph.quads_for_pattern(
                sel.object, ox.NamedNode("http://www.w3.org/ns/oa#exact"), None)]
    return out


@pytest.fixture(scope="module")
def graph() -> ox.Store:
    return story_graph()


@pytest.fixture
def page(browser: object) -> object:
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.refused = local_only(tab)
    tab.errors = []
    tab.on("pageerror", lambda err: tab.errors.append(str(err)))
    yield tab
    context.close()


def open_reader(page: object, served: Served, story: str = "telegram-russia") -> None:
    page.goto(served.page + "reader?story=" + story)  # type: ignore[attr-defined]
    page.wait_for_selector("body[data-ready]")  # type: ignore[attr-defined]


def field(page: object, name: str) -> str:
    return page.inner_text(f"#panel-fields dd[data-field='{name}']")  # type: ignore[attr-defined]


def test_clicking_a_span_shows_its_claim_as_the_story_files_give_it(page: object, served: Served,
                                                                   graph: ox.Store, tmp_path: Path) -> None:
    event = "https://w3id.org/standoff/id/telegram-russia/demand-keys"
    quote = quotes_of(graph, event)[0]
    open_reader(page, served)
    # The demand's span starts where the shorter span of the change it asks for starts: the highlight opens the
    # innermost one and lists the other, so both stay reachable.
    page.locator("mark.hl[data-span]", has_text="provide").first.click()  # type: ignore[attr-defined]
    page.locator("#panel-overlap button", has_text=quote).click()  # type: ignore[attr-defined]
    page.wait_for_selector("#panel-quote")  # type: ignore[attr-defined]
    assert page.inner_text("#panel-quote") == quote  # type: ignore[attr-defined]
    assert page.inner_text("#panel-label") == label(graph, ox.NamedNode(event))  # type: ignore[attr-defined]
    assert field(page, "kind").lower() == "demand"
    assert field(page, "hasAgent") == label(graph, one(graph, event, SO + "hasAgent"))
    assert field(page, "directedAt") == label(graph, one(graph, event, SO + "directedAt"))
    assert field(page, "demands") == label(graph, one(graph, event, SO + "demands"))
    for prop in ("certainty", "polarity", "status"):
        assert field(page, prop) == one(graph, event, SO + prop).value.removeprefix(SO)  # type: ignore[union-attr]
    code = one(graph, event, SO + "cameoCode")
    assert field(page, "cameo") == f"{code.value.rsplit('/', 1)[1]} {label(graph, code)}"
    # every mention of the same event, in both texts, is listed with its quote
    mentions = [q.subject.value for q in graph.quads_for_pattern(None, ox.NamedNode(SO + "mentionOf"),
                                                                  ox.NamedNode(event))]
    assert len(mentions) == 2
    listed = page.inner_text("#panel-mentions")  # type: ignore[attr-defined]
    for mention in mentions:
        assert any(quote in listed for quote in quotes_of(graph, mention))
    assert "tr:court-ban" in listed and "tr:digital-resistance" in listed
    # the refusal responds to it: a link that opens the refusal
    refusal = [q.subject.value for q in graph.quads_for_pattern(None, ox.NamedNode(SO + "respondsTo"),
                                                                 ox.NamedNode(event))
               if ox.Quad(q.subject, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                          ox.NamedNode(SO + "Refusal"), ox.DefaultGraph()) in graph]
    assert refusal
    page.locator("#panel-related button", has_text=label(graph, ox.NamedNode(refusal[0]))).click()  # type: ignore
    assert page.inner_text("#panel-title").lower() == "refusal"  # type: ignore[attr-defined]
    page.screenshot(path=str(tmp_path / "reader-panel.png"))  # type: ignore[attr-defined]
    assert page.refused == [] and page.errors == []  # type: ignore[attr-defined]


def test_filtering_by_source_leaves_only_that_sources_spans(page: object, served: Served, graph: ox.Store,
                                                            tmp_path: Path) -> None:
    durov = ox.NamedNode("https://w3id.org/standoff/id/telegram-russia/pavel-durov")
    said = [q.subject.value for q in graph.quads_for_pattern(None, ox.NamedNode(SO + "attributedTo"), durov)]
    want = sorted(x for node in said for x in quotes_of(graph, node))
    assert want
    open_reader(page, served)
    for box in page.query_selector_all("#filter-source input"):  # type: ignore[attr-defined]
        if box.get_attribute("data-value") != label(graph, durov):
            box.uncheck()
    shown = page.evaluate("""() => {  // the whole quote of each span still highlighted
        const ids = new Set([...document.querySelectorAll('mark.hl[data-spans]')]
            .flatMap(m => m.dataset.spans.split(' ')));
        return [...ids].map(id => [...document.querySelectorAll('mark.hl[data-spans]')]
            .filter(m => m.dataset.spans.split(' ').includes(id)).map(m => m.textContent).join(''));
    }""")  # type: ignore[attr-defined]
    assert sorted(shown) == want
    page.screenshot(path=str(tmp_path / "reader-filtered.png"), full_page=True)  # type: ignore[attr-defined]


def test_the_keyboard_alone_reaches_a_claim(page: object, served: Served) -> None:
    open_reader(page, served)
    for _ in range(60):  # Tab through the filters to the first highlight
        page.keyboard.press("Tab")  # type: ignore[attr-defined]
        if page.evaluate("document.activeElement.matches('mark.hl')"):  # type: ignore[attr-defined]
            break
    else:
        pytest.fail("Tab never reached a highlight")
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    quote = page.inner_text("#panel-quote")  # type: ignore[attr-defined]
    assert quote and quote in page.evaluate("document.activeElement.getAttribute('aria-label')")  # type: ignore
    page.keyboard.press("Tab")  # type: ignore[attr-defined]
    assert page.evaluate("document.activeElement.matches('mark.hl')")  # type: ignore[attr-defined]


def test_kind_reads_without_colour_and_hedges_look_different(page: object, served: Served, graph: ox.Store) -> None:
    open_reader(page, served, "pentagon-anthropic")
    marks = page.evaluate("""() => [...document.querySelectorAll('mark.hl[data-span]')].map(m => [
        m.dataset.kind, getComputedStyle(m, '::before').content, m.classList.contains('hedged'),
        getComputedStyle(m).borderBottomStyle])""")  # type: ignore[attr-defined]
    badges: dict[str, set[str]] = {}
    for kind, badge, _, _ in marks:
        badges.setdefault(badge, set()).add(kind)
    assert all(len(kinds) == 1 for kinds in badges.values()), badges  # one badge, one kind
    hedged = {style for _, _, h, style in marks if h}
    assert hedged == {"dashed"} or hedged == {"double"} or "dashed" in hedged
    assert {style for _, _, h, style in marks if not h} <= {"solid", "double"}


def test_the_timeline_gives_dates_as_the_text_does(page: object, served: Served, graph: ox.Store) -> None:
    open_reader(page, served)
    # every order the story files state (so:after, so:respondsTo, so:escalates) goes from an earlier phase to a later
    phase_of = dict(page.evaluate("""() => [...document.querySelectorAll('#phases > li')].flatMap((li, k) =>
        [...li.querySelectorAll('li[data-node] button')].map(b => [b.textContent, k]))"""))  # type: ignore
    checked = 0
    for prop in ("after", "respondsTo", "escalates"):
        for q in graph.quads_for_pattern(None, ox.NamedNode(SO + prop), None):
            later, earlier = label(graph, q.subject), label(graph, q.object)
            if later in phase_of and earlier in phase_of:
                assert phase_of[later] > phase_of[earlier], (later, prop, earlier)
                checked += 1
    assert checked > 10
    dates = page.eval_on_selector_all("#axis time", "xs => xs.map(x => x.textContent)")  # type: ignore
    text = (STORY / "court-ban.txt").read_text() + (STORY / "digital-resistance.txt").read_text()
    assert dates and all(d in text for d in dates)  # "13 April", "4 April": no year the texts do not give
    phases = page.eval_on_selector_all("#phases > li > strong", "xs => xs.map(x => x.textContent)")  # type: ignore
    assert phases[0] == "Phase 1"


def test_the_diagram_is_drawn_by_graphviz_and_links_to_the_panel(page: object, served: Served,
                                                                 graph: ox.Store) -> None:
    open_reader(page, served)
    page.wait_for_selector("body[data-diagram=drawn]")  # type: ignore[attr-defined]
    assert page.locator("#diagram svg g.node").count() > 5  # type: ignore[attr-defined]
    demand = label(graph, ox.NamedNode("https://w3id.org/standoff/id/telegram-russia/demand-keys"))
    box = page.locator("#diagram svg g.node", has_text="DEMAND").first  # type: ignore[attr-defined]
    box.locator("a").first.click()
    assert page.inner_text("#panel-label") == demand  # type: ignore[attr-defined]
    assert page.locator("#diagram svg g.edge path[stroke-dasharray]").count() > 0  # type: ignore[attr-defined]


def test_axe_finds_no_serious_violation(browser: object, served: Served, tmp_path: Path) -> None:
    assert AXE.exists(), "axe-core is not installed: run `make axe` (npm, once; `make test` and .ci/run do)"
    context = browser.new_context(bypass_csp=True)  # type: ignore[attr-defined]
    tab = context.new_page()
    local_only(tab)
    tab.goto(served.page + "reader?story=pentagon-anthropic")
    tab.wait_for_selector("body[data-ready]")
    tab.locator("mark.hl[data-span]").first.click()
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
    tab.screenshot(path=str(tmp_path / "axe.png"))
    context.close()
    assert serious == []


def test_library_gives_the_same_spans_as_the_build_anchored(store: ox.Store) -> None:
    data = story_data(store_rows(store), "tr:story", source_texts(ROOT))
    assert data["problems"] == []
    texts = {d["id"]: d["text"] for d in data["documents"]}
    assert all(texts[s["doc"]][s["start"]:s["end"]] == s["exact"] for s in data["spans"])
    assert [d["name"] for d in data["documents"]] == ["tr:court-ban", "tr:digital-resistance"]


def test_partial_dates_never_invent_a_year() -> None:
    assert partial_date("---13", "--04", None) == "13 April"
    assert partial_date("---04", "--04", None) == "4 April"
