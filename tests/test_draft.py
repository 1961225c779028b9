"""`kg new` + `kg draft` + accepting the drafts + `kg build`: the documented way to add a story, end to end, on a
text the drafter was not written against; drafts kept out of the build; the drafter's floors on the first story.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from benchmarks.draft import score_story
from kg.build import build, validate_project
from kg.cli import app
from kg.draft import RuleDrafter, story_texts
from kg.evidence import locate

# A text written for this test (a made-up dispute): nothing in the drafter was tuned on it.
TEXT = """The city council of Lindenfeld ordered the bus operator to restore night services by 1 June.
The operator declined, arguing that the subsidy did not cover the drivers’ wages.
According to the Lindenfeld Courier, the council is preparing to cancel the operator's licence if services are \
not restored.
Mayor Petra Olsen said the city would not pay more.
The drivers’ union warned that its members could strike in June.
"""
NS = "https://w3id.org/standoff/id/night-buses/"
SO = "https://w3id.org/standoff/ontology#"


def kg(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def draft_ids(folder: Path) -> list[str]:
    return re.findall(r"^# draft: (\S+)$", (folder / "draft.ttl").read_text(encoding="utf-8"), re.M)


def test_a_new_story_from_text_to_built_graph(project_copy: Path, tmp_path: Path) -> None:
    article = tmp_path / "night-buses.txt"
    article.write_text(TEXT, encoding="utf-8")
    kg("new", "night-buses", "--article", str(article), "--title", "Lindenfeld's night buses",
       "--project", str(project_copy))
    folder = project_copy / "triples" / "night-buses"
    kg("draft", "night-buses", "--project", str(project_copy))
    ids = draft_ids(folder)
    assert any(i.startswith("demand-") for i in ids) and any(i.startswith("refusal-") for i in ids)

    # Drafts stay out of the build: the project validates, and nothing drafted reaches the store.
    assert validate_project(project_copy) == []
    before = tmp_path / "before"
    build(project_copy, before, reasoning=False)
    with_drafts = ox.Store.read_only(str(before))
    assert not list(with_drafts.quads_for_pattern(ox.NamedNode(NS + ids[-1]), None, None))
    del with_drafts

    # A curator edits one draft (Lindenfeld is a town, not just any organisation) and accepts them all.
    draft = folder / "draft.ttl"
    drafted = draft.read_text(encoding="utf-8")
    assert "nb:lindenfeld a so:Organization ;" in drafted
    draft.write_text(drafted.replace("nb:lindenfeld a so:Organization ;", "nb:lindenfeld a so:GovernmentBody ;"),
                     encoding="utf-8")
    kg("draft", "night-buses", *[arg for i in ids for arg in ("--accept", i)], "--project", str(project_copy))
    assert draft_ids(folder) == []
    assert set(ids) <= set(re.findall(r"^# draft: (\S+)$", (folder / "claims.ttl").read_text(), re.M))

    store_dir = tmp_path / "store"
    output = CliRunner().invoke(app, ["build", "--store", str(store_dir), "--project", str(project_copy)])
    assert output.exit_code == 0, output.output
    store = ox.Store.read_only(str(store_dir))
    demand = next(i for i in ids if i.startswith("demand-"))
    refusal = next(i for i in ids if i.startswith("refusal-"))
    order = {i: [q.object.value for q in store.quads_for_pattern(ox.NamedNode(NS + i),
                                                                  ox.NamedNode(SO + "narrativeOrder"), None)]
             for i in (demand, refusal)}
    assert order == {demand: ["1"], refusal: ["2"]}
    refused = [q.object.value for q in store.quads_for_pattern(ox.NamedNode(NS + refusal), ox.NamedNode(
        SO + "refuses"), None)]
    assert refused == [NS + demand]
    inferred = ox.NamedNode("https://w3id.org/standoff/graph/inferred")
    assert list(store.quads_for_pattern(ox.NamedNode(NS + demand), ox.NamedNode(SO + "refusedBy"), None, inferred))
    assert list(store.quads_for_pattern(ox.NamedNode(NS + "lindenfeld"), None, ox.NamedNode(SO + "GovernmentBody")))


def test_the_build_ignores_a_broken_draft(project_copy: Path) -> None:
    folder = project_copy / "triples" / "pentagon-anthropic"
    (folder / "draft.ttl").write_text("this is not Turtle .\n", encoding="utf-8")
    assert validate_project(project_copy) == []


def test_accepting_an_unknown_draft_or_drafting_over_edits_says_what_to_do(project_copy: Path, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    kg("new", "night-buses", "-a", str(tmp_path / "a.txt"), "--project", str(project_copy))
    kg("draft", "night-buses", "--project", str(project_copy))
    result = CliRunner().invoke(app, ["draft", "night-buses", "--accept", "no-such-claim", "--project",
                                      str(project_copy)])
    assert result.exit_code == 2
    assert "no draft no-such-claim" in result.output and "# draft: ID" in result.output
    again = CliRunner().invoke(app, ["draft", "night-buses", "--project", str(project_copy)])
    assert again.exit_code == 2 and "may hold your edits" in again.output and "--force" in again.output
    kg("draft", "night-buses", "--force", "--project", str(project_copy))


@pytest.mark.parametrize("slug", ["pentagon-anthropic", "telegram-russia"])
def test_every_drafted_quote_is_in_its_text_once_as_written(slug: str, project_copy: Path) -> None:
    kg("draft", slug, "--project", str(project_copy))
    story = story_texts(project_copy, slug)
    texts = {story.namespace + doc: path.read_text(encoding="utf-8") for doc, path in story.documents}
    store = ox.Store()
    store.load(path=project_copy / "triples" / slug / "draft.ttl", format=ox.RdfFormat.TURTLE)
    selectors = list(store.query("""PREFIX oa: <http://www.w3.org/ns/oa#> SELECT ?doc ?exact ?prefix ?suffix WHERE {
        ?span oa:hasSource ?doc ; oa:hasSelector ?s . ?s oa:exact ?exact
        OPTIONAL { ?s oa:prefix ?prefix } OPTIONAL { ?s oa:suffix ?suffix } }"""))
    assert len(selectors) > 30
    for row in selectors:
        context = [row[n].value if row[n] else "" for n in ("exact", "prefix", "suffix")]
        assert len(locate(texts[row["doc"].value], *context)) == 1, context


def test_the_drafters_floors_on_the_first_story(root: Path) -> None:
    scores = score_story(root, "pentagon-anthropic")
    assert scores["claim-sentence recall"] >= 0.8
    assert scores["claim-sentence precision"] >= 0.6
    assert scores["certainty accuracy"] >= 0.7
    assert scores["drafted quotes in the text"] == 1.0


def test_a_hedged_reported_plan_is_drafted_probable_future_and_attributed() -> None:
    drafted = RuleDrafter().draft(TEXT)
    cancel = next(c for c in drafted.claims if "cancel" in TEXT[c.start:c.end])
    assert (cancel.certainty, cancel.time, cancel.attribution) == ("probable", "future", "lindenfeld-courier")
    said = next(c for c in drafted.claims if TEXT[c.start:c.end].startswith("the city would not pay"))
    assert (said.polarity, said.attribution) == ("negative", "petra-olsen")


# Written after the drafter's cue lexicons were settled, and first run with this test's assertions as they are
# (they passed). Seeing its drafts then led to two general changes (a refused offer drafts the offer; institution
# names are organisations), so it is no longer strictly unseen; the assertions were not changed.
UNSEEN = """Striking nurses at St Mary's Hospital in Leeds have rejected a pay offer from the health trust.
The Royal College of Nursing said on Wednesday that its members wanted a rise of at least eight percent.
The trust warned that planned operations might be cancelled if the walkout goes ahead next week.
Health minister Daniel Price urged both sides to return to talks, according to a statement from his office.
"""


def test_on_an_unseen_text_every_drafted_quote_anchors_and_what_is_left_is_a_decision(
        project_copy: Path, tmp_path: Path) -> None:
    (tmp_path / "nurses.txt").write_text(UNSEEN, encoding="utf-8")
    kg("new", "leeds-nurses", "-a", str(tmp_path / "nurses.txt"), "--project", str(project_copy))
    kg("draft", "leeds-nurses", "--project", str(project_copy))
    ids = draft_ids(project_copy / "triples" / "leeds-nurses")
    assert len(ids) >= 8
    kg("draft", "leeds-nurses", *[arg for i in ids for arg in ("--accept", i)], "--project", str(project_copy))
    problems = validate_project(project_copy)
    print("\n".join(str(p) for p in problems) or "valid as drafted")
    # No quote fails to anchor, no term is undeclared: what remains (if anything) is for a curator to decide,
    # and each message says what to add.
    assert not [p for p in problems if not p.check.startswith("shape:")]
    assert all(p.message.startswith(("Add ", "Give ", "Type ", "The ")) for p in problems)
