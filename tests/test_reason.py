"""HermiT through kg.reason: the ontology and valid examples are consistent, the defined classes are inferred,
and each inconsistent example is reported with the individual and classes that clash."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from examples import cases, compose
from processes import children

from kg import reason
from kg.errors import InconsistentError, KgError
from kg.vocab import PREFIXES

pytestmark = pytest.mark.heavy  # scheduled first (tests/conftest.py)

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
EXAMPLES = ONTOLOGY / "examples"
SO, EX = PREFIXES["so"], "https://w3id.org/standoff/id/example/"
RDF_TYPE = PREFIXES["rdf"] + "type"


def _composed(case: Path) -> list[ox.Triple]:
    """An example that is a delta over the valid story (tests/examples.py), as triples."""
    text = compose(case).serialize(format="nt", encoding="utf-8")
    return list(ox.parse(text, format=ox.RdfFormat.N_TRIPLES))


def _parse(path: Path) -> list[ox.Triple]:
    return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]


@pytest.fixture(scope="module")
def ontology() -> list[ox.Triple]:
    return [t for name in ("standoff.ttl", "alignments.ttl", "cameo.ttl") for t in _parse(ONTOLOGY / name)]


@pytest.fixture(scope="module")
def story(ontology: list[ox.Triple]) -> list[ox.Triple]:
    return reason.infer(ontology + _parse(EXAMPLES / "valid" / "story.ttl"))


def test_ontology_has_no_unsatisfiable_class(ontology: list[ox.Triple]) -> None:
    import owlready2

    world = reason._load(reason._readable(ontology))
    owlready2.sync_reasoner_hermit(world, debug=0)
    assert list(world.inconsistent_classes()) == []


@pytest.mark.parametrize("path", sorted((EXAMPLES / "valid").glob("*.ttl")), ids=lambda p: p.name)
def test_valid_example_is_consistent(ontology: list[ox.Triple], path: Path) -> None:
    assert reason.is_consistent(ontology + _parse(path))


def test_defined_classes_are_inferred_on_the_story(story: list[ox.Triple]) -> None:
    types = {(t.subject.value.removeprefix(EX), t.object.value.removeprefix(SO))
             for t in story if t.predicate.value == RDF_TYPE and t.subject.value.startswith(EX)}
    assert types == {
        ("demand", "Ultimatum"), ("demand", "RefusedDemand"),
        ("acme", "RefusingParty"),
        ("exclusion", "UnrealisedConsequence"), ("exclusion", "HedgedClaim"),
        ("ban", "UnrealisedConsequence"), ("ban", "HedgedClaim"),
        ("acceptance", "HedgedClaim"),
    }


@pytest.mark.parametrize(("subject", "predicate", "obj"), [
    ("threat", "after", "demand"),            # transitive: threat escalates refusal, refusal responds to demand
    ("demand", "before", "threat"),           # inverse of a transitive property
    ("acme", "performs", "refusal"),          # inverse of hasAgent
    ("demand", "refusedBy", "refusal"),
    ("exclusion", "threatenedBy", "threat"),
    ("ban", "hasAgent", "officials"),         # imposedBy is a subproperty of hasAgent
    ("refusal", "hasJustification", "justification"),
])
def test_property_values_are_inferred_on_the_story(story: list[ox.Triple], subject: str, predicate: str,
                                                   obj: str) -> None:
    assert ox.Triple(ox.NamedNode(EX + subject), ox.NamedNode(SO + predicate), ox.NamedNode(EX + obj)) in story


def test_inferences_are_new_sorted_and_deterministic(ontology: list[ox.Triple], story: list[ox.Triple]) -> None:
    asserted = set(_parse(EXAMPLES / "valid" / "story.ttl")) | set(ontology)
    assert not asserted & set(story)
    assert story == sorted(story, key=lambda t: (t.subject.value, t.predicate.value, t.object.value))
    assert all(t.object.value not in {PREFIXES["owl"] + "Thing", PREFIXES["owl"] + "NamedIndividual"} for t in story)
    assert reason.infer(ontology + _parse(EXAMPLES / "valid" / "story.ttl")) == story


def test_xsd_date_is_kept_away_from_hermit(ontology: list[ox.Triple]) -> None:
    dated = ox.Triple(ox.NamedNode(EX + "deadline"), ox.NamedNode(SO + "deadlineTime"),
                      ox.Literal("2026-03-01", datatype=ox.NamedNode(PREFIXES["xsd"] + "date")))
    facts = reason.infer([*ontology, *_parse(EXAMPLES / "valid" / "hedged-ban.ttl"), dated])
    assert ox.Triple(ox.NamedNode(EX + "ban"), ox.NamedNode(RDF_TYPE), ox.NamedNode(SO + "HedgedClaim")) in facts


@pytest.mark.parametrize(("name", "expected"), [
    ("company-and-government-body", [f"<{EX}acme> is both a so:Company and a so:GovernmentBody"]),
    ("person-and-company", [f"<{EX}jane-doe> is both a so:Organization and a so:Person"]),
    ("justification-and-statement", [f"<{EX}justification> is both a so:Communication and a so:Justification"]),
    ("enacted-unrealised-ban", [f"<{EX}ban> is typed so:UnrealisedConsequence", "its so:status is so:enacted"]),
    ("threatened-and-pending", [f"<{EX}ban> has two values for the functional property so:status: "
                                "so:pending and so:threatened"]),
])
def test_inconsistent_example_names_the_clash(ontology: list[ox.Triple], name: str, expected: list[str]) -> None:
    with pytest.raises(InconsistentError) as caught:
        reason.infer(ontology + _composed(EXAMPLES / "inconsistent" / f"{name}.trig"))
    for fragment in expected:
        assert fragment in str(caught.value)
    assert caught.value.exit_code == 4


def test_every_inconsistent_example_is_tested() -> None:
    tested = {"company-and-government-body", "person-and-company", "justification-and-statement",
              "enacted-unrealised-ban", "threatened-and-pending"}
    assert {p.stem for p in cases("inconsistent")} == tested


def test_clash_that_no_query_explains_is_isolated_by_individual(ontology: list[ox.Triple]) -> None:
    # A refusal of an actor: the range of so:refuses (demand or proposal) makes Acme an eventuality too. No
    # named class says so, so the SPARQL explanations find nothing and the isolation step names Acme's refusal.
    # A bystander shows the isolation picks the culprits; few individuals, since each costs one HermiT run.
    rdf_type = ox.NamedNode(RDF_TYPE)
    broken = [ox.Triple(ox.NamedNode(EX + "acme"), rdf_type, ox.NamedNode(SO + "Company")),
              ox.Triple(ox.NamedNode(EX + "refusal"), rdf_type, ox.NamedNode(SO + "Refusal")),
              ox.Triple(ox.NamedNode(EX + "refusal"), ox.NamedNode(SO + "refuses"), ox.NamedNode(EX + "acme")),
              ox.Triple(ox.NamedNode(EX + "bystander"), rdf_type, ox.NamedNode(SO + "Demand"))]
    assert reason.is_consistent(ontology + [t for t in broken if t.predicate != ox.NamedNode(SO + "refuses")])
    with pytest.raises(InconsistentError) as caught:
        reason.infer(ontology + broken)
    said = str(caught.value)
    assert "contradicts the ontology with its own statements" in said, said  # named by isolation, not a query
    assert f"<{EX}refusal>" in said or f"<{EX}acme>" in said
    assert f"<{EX}bystander>" not in said


def _java_environment(run: Callable[[], object]) -> dict[str, str]:
    """The environment of the JVM that ``run`` starts, read from /proc while it runs (the JVM lives for a second or
    more, and /proc is read every millisecond)."""
    done = threading.Event()
    worker = threading.Thread(target=lambda: (run(), done.set()))
    worker.start()
    seen: dict[str, str] = {}
    while not done.is_set() and not seen:
        for pid in children(os.getpid()):
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                if Path(f"/proc/{pid}/exe").resolve().name == "java":
                    pairs = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
                    seen = dict(p.decode().split("=", 1) for p in pairs if b"=" in p)
        time.sleep(0.001)
    worker.join()
    return seen


def test_a_short_hermit_run_gets_the_short_run_jvm_options_and_the_users_come_last(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JDK_JAVA_OPTIONS", "-Dstandoff.user=1")
    env = _java_environment(lambda: reason.is_consistent(_parse(EXAMPLES / "valid" / "hedged-ban.ttl")))
    # C1 only and the serial collector (kg/reason.py says why), then the user's own options, which win.
    assert env.get("JDK_JAVA_OPTIONS") == "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dstandoff.user=1"
    assert os.environ["JDK_JAVA_OPTIONS"] == "-Dstandoff.user=1"  # kg's own environment is untouched


def test_a_jvm_that_fails_is_one_message_without_the_launchers_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JDK_JAVA_OPTIONS", "-XX:+NoSuchOptionOfStandoff")  # the JVM refuses to start
    with pytest.raises(KgError) as failed:
        reason.infer(_parse(EXAMPLES / "valid" / "hedged-ban.ttl"))
    said = str(failed.value)
    assert said.startswith("HermiT failed: Unrecognized VM option 'NoSuchOptionOfStandoff'; "), said
    assert "Picked up JDK_JAVA_OPTIONS" not in said and "\n" not in said
