"""The default reasoner (kg.rules: OWL RL axioms as SPARQL over the store) against HermiT: same inferred triples
on the article, every story and every example, the same clashes on the inconsistent examples."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from examples import cases, composed

from kg import rules, steps
from kg.errors import InconsistentError, ReasonersDisagreeError
from kg.inputs import find_inputs
from kg.vocab import INFERRED_GRAPH, PREFIXES

pytestmark = pytest.mark.heavy  # scheduled first (tests/conftest.py)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "ontology" / "examples"
SO, PA = PREFIXES["so"], "https://w3id.org/standoff/id/pentagon-anthropic/"
RDF_TYPE = PREFIXES["rdf"] + "type"


def _inferred(project: Path, reasoner: str, tmp: Path) -> set[ox.Triple]:
    db = ox.Store(str(tmp / reasoner))
    steps.load_inputs(db, find_inputs(project))
    quads = steps.infer(db, reasoner)
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
    steps.load_inputs(db, find_inputs(tmp_path))
    with pytest.raises(InconsistentError) as caught:
        steps.infer(db, "rules")
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
    steps.load_inputs(db, find_inputs(tmp_path))
    with pytest.raises(InconsistentError) as caught:
        steps.infer(db, "rules")
    assert "has two values for the functional property so:status: so:enacted and so:pending" in str(caught.value)


def _project_of(tmp_path: Path, files: list[Path]) -> Path:
    """A project of the ontology and ``files`` (each under triples/, in its own folder when it has one)."""
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology", ignore=shutil.ignore_patterns("examples", "checks"))
    for f in files:
        target = tmp_path / "triples" / f.relative_to(f.parents[1])
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(f, target)
    return tmp_path


STORIES = sorted(p for p in (ROOT / "triples").iterdir() if p.is_dir())
CASES = ([("story", s.name, sorted(s.glob("*.ttl"))) for s in STORIES]
         + [("example", e.stem, [e]) for e in cases("valid")]
         + [("inconsistent", e.stem, [e]) for e in cases("inconsistent")])


@pytest.mark.parametrize(("kind", "name", "files"), CASES, ids=[f"{k}-{n}" for k, n, _ in CASES])
def test_hermit_cross_check_agrees_with_the_rules(tmp_path: Path, kind: str, name: str, files: list[Path]) -> None:
    # `--reasoner hermit` runs both and raises ReasonersDisagreeError on any triple only one of them infers; on
    # an inconsistent example both must refuse (the rules first, so HermiT is asked only when the rules pass).
    # An example written as a delta over the valid story (tests/examples.py) is composed first.
    files = [composed(f, tmp_path / kind) if f.suffix == ".trig" else f for f in files]
    db = ox.Store()
    steps.load_inputs(db, find_inputs(_project_of(tmp_path, files)))
    try:
        inferred = steps.infer(db, "hermit")
    except InconsistentError:
        hermit_too = True
        try:
            steps.hermit(db)
            hermit_too = False
        except InconsistentError:
            pass
        assert hermit_too, f"the rules find {name} inconsistent, HermiT does not"
        return
    assert kind != "inconsistent" or name == "threatened-and-pending"  # the clash goes through owl:sameAs
    assert kind == "inconsistent" or inferred


def test_a_disagreement_is_one_line_per_triple_with_prefixes(tmp_path: Path) -> None:
    db = ox.Store()
    steps.load_inputs(db, find_inputs(_project_of(tmp_path, [EXAMPLES / "valid" / "story.ttl"])))
    rules_only = ox.Quad(ox.NamedNode(SO + "x"), ox.NamedNode(SO + "after"), ox.NamedNode(SO + "y"),
                         ox.NamedNode(INFERRED_GRAPH))
    with pytest.raises(ReasonersDisagreeError) as caught:
        steps.compare([*steps.infer(db, "rules"), rules_only], steps.hermit(db))
    assert str(caught.value).splitlines() == ["the rules and HermiT disagree on 1 triple(s):",
                                              "  only the rules infer: so:x so:after so:y"]
    assert caught.value.exit_code == 1
