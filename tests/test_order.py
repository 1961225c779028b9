"""What the build derives so that a curator never writes it: narrative order, derivation, span names and types.

A small story is started with `kg new`, its claims written with blank-node spans only (no span names, no types, no
so:narrativeOrder, no prov:wasDerivedFrom), and built for real: offsets, order, derivation, shapes, reasoning and a
canned query all work on it.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.authoring import new_story
from kg.build import build, validate_project
from kg.queries import run_canned

SO, PROV = "https://w3id.org/standoff/ontology#", "http://www.w3.org/ns/prov#"
NS = "https://w3id.org/standoff/id/harbour-dispute/"
FIRST = "The port authority demanded that the dockers end their strike by Friday.\n"
SECOND = "The dockers’ union refused the demand on Monday. It could appeal to the ministry.\n"
CLAIMS = """
@prefix so: <https://w3id.org/standoff/ontology#> .
@prefix cameo: <https://w3id.org/standoff/cameo/> .
@prefix hd: <https://w3id.org/standoff/id/harbour-dispute/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oa: <http://www.w3.org/ns/oa#> .

# Written before the demand on purpose: the order comes from the text, not from the file.
hd:refusal a so:Refusal ;
    rdfs:label "The union refuses the demand"@en ;
    so:hasAgent hd:union ; so:refuses hd:demand ;
    so:hasEvidence [ oa:hasSource hd:{second} ; oa:hasSelector [ oa:exact "refused the demand" ] ] ;
    so:attributedTo hd:{second} ;
    so:certainty so:certain ; so:polarity so:positive ; so:timeReference so:pastOrPresent ; so:cameoCode cameo:12 .

hd:demand a so:Demand ;
    rdfs:label "The port authority demands the strike end"@en ;
    so:hasAgent hd:authority ; so:directedAt hd:union ; so:demands hd:end-strike ;
    so:hasEvidence [ oa:hasSource hd:{first} ; oa:hasSelector [ a oa:TextQuoteSelector ;
                     oa:exact "demanded that the dockers end their strike" ] ] ;
    so:attributedTo hd:{first} ;
    so:certainty so:certain ; so:polarity so:positive ; so:timeReference so:pastOrPresent ; so:status so:rejected ;
    so:cameoCode cameo:10 .

hd:appeal a so:Act ;
    rdfs:label "The union may appeal to the ministry"@en ;
    so:hasAgent hd:union ;
    so:hasEvidence [ oa:hasSource hd:{second} ; oa:hasSelector [ oa:exact "could appeal to the ministry" ] ] ;
    so:attributedTo hd:{second} ;
    so:certainty so:possible ; so:polarity so:positive ; so:timeReference so:future ; so:cameoCode cameo:02 .

hd:end-strike a so:RequestedChange ; rdfs:label "End the strike"@en .
hd:authority a so:GovernmentBody ; rdfs:label "the port authority"@en .
hd:union a so:Organization ; rdfs:label "the dockers' union"@en .
"""


def start(project: Path, tmp_path: Path, claims: str = CLAIMS) -> Path:
    (tmp_path / "first.txt").write_text(FIRST, encoding="utf-8")
    (tmp_path / "second.txt").write_text(SECOND, encoding="utf-8")
    made = new_story(project, "harbour-dispute", [tmp_path / "first.txt", tmp_path / "second.txt"], prefix="hd")
    (made.folder / "claims.ttl").write_text(claims.format(first="first", second="second"), encoding="utf-8")
    return made.folder


def values(store: ox.Store, subject: str, prop: str) -> list[str]:
    return sorted(q.object.value for q in store.quads_for_pattern(ox.NamedNode(NS + subject), ox.NamedNode(prop),
                                                                  None))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, root: Path) -> ox.Store:
    import shutil

    project = tmp_path_factory.mktemp("project")
    for folder in ("ontology", "triples", "queries"):
        shutil.copytree(root / folder, project / folder)
    start(project, tmp_path_factory.mktemp("texts"))
    target = tmp_path_factory.mktemp("store") / "store"
    build(project, target)
    return ox.Store.read_only(str(target))


def test_blank_node_spans_are_anchored_and_typed(built: ox.Store) -> None:
    rows = list(run_canned(built, "evidence", {"subject": NS + "refusal"}, Path("queries")))
    assert [(r["exact"].value, int(r["start"].value), int(r["end"].value)) for r in rows] == [
        ("refused the demand", SECOND.index("refused the demand"), SECOND.index("refused the demand") + 18)]
    assert isinstance(rows[0]["span"], ox.BlankNode)
    assert list(built.quads_for_pattern(rows[0]["span"], ox.NamedNode(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode("http://www.w3.org/ns/oa#SpecificResource")))


def test_narrative_order_follows_the_texts_not_the_file(built: ox.Store) -> None:
    order = {name: values(built, name, SO + "narrativeOrder") for name in ("demand", "refusal", "appeal")}
    assert order == {"demand": ["1"], "refusal": ["2"], "appeal": ["3"]}


def test_derivation_is_the_document_the_spans_quote(built: ox.Store) -> None:
    assert values(built, "demand", PROV + "wasDerivedFrom") == [NS + "first"]
    assert values(built, "refusal", PROV + "wasDerivedFrom") == [NS + "second"]


def test_reasoning_ran_over_the_new_story(built: ox.Store) -> None:
    inferred = ox.NamedNode("https://w3id.org/standoff/graph/inferred")
    assert list(built.quads_for_pattern(ox.NamedNode(NS + "demand"), ox.NamedNode(SO + "refusedBy"),
                                        ox.NamedNode(NS + "refusal"), inferred))


def test_a_stated_narrative_order_that_is_wrong_says_the_computed_one(project_copy: Path, tmp_path: Path) -> None:
    start(project_copy, tmp_path, CLAIMS.replace("so:cameoCode cameo:12 .", "so:cameoCode cameo:12 ; "
                                                 "so:narrativeOrder 1 ."))
    [problem] = [str(v) for v in validate_project(project_copy)]
    assert "hd:refusal" in problem or "harbour-dispute/refusal" in problem
    assert "[narrative-order] states so:narrativeOrder 1, but its first mention makes it number 2" in problem


def test_a_stated_narrative_order_that_is_right_is_accepted(project_copy: Path, tmp_path: Path) -> None:
    start(project_copy, tmp_path, CLAIMS.replace("so:cameoCode cameo:12 .", "so:cameoCode cameo:12 ; "
                                                 "so:narrativeOrder 2 ."))
    assert validate_project(project_copy) == []


def test_a_blank_node_span_that_is_wrong_is_named_by_its_claim(project_copy: Path, tmp_path: Path) -> None:
    start(project_copy, tmp_path, CLAIMS.replace('oa:exact "refused the demand"', 'oa:exact "refused the Demand"'))
    [problem] = [str(v) for v in validate_project(project_copy)]
    # The claim is named with the story's own prefix (read from its story.ttl).
    assert "hd:refusal (its span): [evidence-quote] quote not found in 2-second.txt" in problem or \
        "hd:refusal (its span): [evidence-quote] quote not found in second.txt" in problem
    assert "differs by case: `D` in the quote, `d` in the text" in problem
