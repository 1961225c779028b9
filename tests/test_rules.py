"""The scalable reasoner (kg.rules: OWL RL axioms as SPARQL over the store) against HermiT: same inferred triples
on the article, the same clashes on the inconsistent examples; and the build picks it for large data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from examples import composed

from kg import build as kgbuild
from kg import rules
from kg.errors import InconsistentError
from kg.inputs import find_inputs
from kg.vocab import INFERRED_GRAPH, PREFIXES

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "ontology" / "examples"
SO, PA = PREFIXES["so"], "https://w3id.org/standoff/id/pentagon-anthropic/"
RDF_TYPE = PREFIXES["rdf"] + "type"


def _inferred(project: Path, reasoner: str, tmp: Path) -> set[ox.Triple]:
    db = ox.Store(str(tmp / reasoner))
    kgbuild.load_inputs(db, find_inputs(project))
    quads = kgbuild.infer(db, reasoner)
    in_store = set(db.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH)))
    assert set(quads) == in_store  # what infer returns is what the store holds
    return {ox.Triple(q.subject, q.predicate, q.object) for q in quads}


@pytest.fixture(scope="module")
def article(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[ox.Triple]]:
    tmp = tmp_path_factory.mktemp("reasoners")
    return {r: _inferred(ROOT, r, tmp) for r in ("hermit", "rules")}


def test_rules_infer_the_same_triples_as_hermit_on_the_article(article: dict[str, set[ox.Triple]]) -> None:
    assert article["rules"] == article["hermit"]


def test_both_reasoners_find_the_defined_classes_the_article_implies(article: dict[str, set[ox.Triple]]) -> None:
    # Read from the article: the Pentagon's demand has "a strict deadline" (S4), so it is an ultimatum, and
    # Anthropic "declined" it (S6): a refused demand, and Anthropic a refusing party.
    for found in article.values():
        types = {(t.subject.value.removeprefix(PA), t.object.value.removeprefix(SO))
                 for t in found if t.predicate.value == RDF_TYPE}
        assert {("demand-deadline", "Ultimatum"), ("demand-deadline", "RefusedDemand"),
                ("anthropic", "RefusingParty"), ("ban", "UnrealisedConsequence"), ("ban", "HedgedClaim")} <= types


def test_both_reasoners_close_the_order_of_events(article: dict[str, set[ox.Triple]]) -> None:
    # S6 "Anthropic declined" responds to the deadline (S4); so:respondsTo is a sub-property of so:after.
    fact = ox.Triple(ox.NamedNode(PA + "refusal-deadline"), ox.NamedNode(SO + "after"),
                     ox.NamedNode(PA + "demand-deadline"))
    inverse = ox.Triple(fact.object, ox.NamedNode(SO + "before"), fact.subject)  # type: ignore[arg-type]
    for found in article.values():
        assert fact in found and inverse in found


@pytest.mark.parametrize(("name", "fragment"), [
    ("company-and-government-body", "which are disjoint classes"),
    ("person-and-company", "which are disjoint classes"),
    ("justification-and-statement", "which are disjoint classes"),
    ("enacted-unrealised-ban", "is typed so:UnrealisedConsequence, which requires so:status"),
])
# threatened-and-pending clashes through owl:sameAs, which the build keeps away from either reasoner (links out).
def test_rules_name_the_clash_of_each_inconsistent_example(tmp_path: Path, name: str, fragment: str) -> None:
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology", ignore=shutil.ignore_patterns("examples", "checks"))
    (tmp_path / "triples").mkdir()
    composed(EXAMPLES / "inconsistent" / f"{name}.trig", tmp_path / "triples")
    db = ox.Store()
    kgbuild.load_inputs(db, find_inputs(tmp_path))
    with pytest.raises(InconsistentError) as caught:
        kgbuild.infer(db, "rules")
    assert fragment in str(caught.value)
    assert caught.value.exit_code == 4


def test_every_defined_class_of_the_ontology_compiles() -> None:
    triples = [ox.Triple(q.subject, q.predicate, q.object)
               for name in ("standoff.ttl", "alignments.ttl", "cameo.ttl")
               for q in ox.parse(path=str(ROOT / "ontology" / name), format=ox.RdfFormat.TURTLE)]
    tbox = rules.read_tbox(triples)
    queries = rules.type_rules(tbox)
    assert {q.split("a <", 1)[1].split(">", 1)[0] for q in queries if q.startswith("CONSTRUCT")} == {
        SO + name for name in ("Ultimatum", "RefusedDemand", "RefusingParty", "UnrealisedConsequence", "HedgedClaim")}


def test_rules_name_two_values_of_a_functional_property(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology", ignore=shutil.ignore_patterns("examples", "checks"))
    (tmp_path / "triples").mkdir()
    story = (EXAMPLES / "valid" / "story.ttl").read_text(encoding="utf-8")
    # The example's ban is pending; a second status makes it two statuses of one consequence.
    extra = "\n<https://w3id.org/standoff/id/example/ban> so:status so:enacted .\n"
    (tmp_path / "triples" / "story.ttl").write_text(story + extra, encoding="utf-8")
    db = ox.Store()
    kgbuild.load_inputs(db, find_inputs(tmp_path))
    with pytest.raises(InconsistentError) as caught:
        kgbuild.infer(db, "rules")
    assert "has two values for the functional property so:status: so:enacted and so:pending" in str(caught.value)
