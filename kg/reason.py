"""Reasoning with HermiT (through owlready2): what the ontology lets us conclude from the data, or why it cannot.

owlready2 reads N-Triples but not Turtle, so triples are handed over as N-Triples built here. Literals whose
datatype is outside the OWL 2 datatype map (``xsd:date`` and friends) are kept away from HermiT, which rejects
them. When HermiT finds a contradiction, SPARQL over the input names the individuals and classes that clash.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox

from kg.errors import InconsistentError, KgError
from kg.files import scratch_folder
from kg.rows import rows
from kg.vocab import PREFIXES, show

RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_OWL, _RDF, _RDFS, _XSD = PREFIXES["owl"], PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["xsd"]
# Datatypes HermiT rejects ("not in OWL 2 datatype map").
_UNSUPPORTED = {_XSD + name for name in ("date", "time", "gYear", "gYearMonth", "gMonth", "gDay", "gMonthDay",
                                         "duration", "yearMonthDuration", "dayTimeDuration")}
_INPUT_ONTOLOGY = "urn:standoff:reasoner-input"
_MAX_ISOLATION_RUNS = 40
# The JVM's options for a short HermiT run. Its optimising compiler (C2) works on another core compiling code that a
# run of a few seconds ends before using: on the example story, C1 alone (and the serial collector) took 3.2 s of
# the JVM's CPU instead of 7.3 and 3.0 s of wall time instead of 4.1; at 10^4 triples, 13.1 s of CPU instead of
# 21.1 in the same wall time (BENCHMARKS.md, "HermiT's JVM"). Above _SHORT_RUN_TRIPLES the JVM keeps its
# defaults, where C2's faster code can pay.
_SHORT_RUN_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
_SHORT_RUN_TRIPLES = 20_000


def infer(triples: Iterable[ox.Triple | ox.Quad]) -> list[ox.Triple]:
    """Run HermiT over ontology and data triples; return only the new facts, sorted.

    New facts are inferred ``rdf:type`` links of named individuals to named classes and inferred object
    property values (including inverses); owl:Thing, owl:NamedIndividual and anything asserted are left out.
    Raises :class:`kg.errors.InconsistentError` naming the clash when the input is inconsistent.

    >>> ttl = '''
    ... @prefix so: <https://w3id.org/standoff/ontology#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
    ... so:Demand a owl:Class . so:Deadline a owl:Class . so:hasDeadline a owl:ObjectProperty .
    ... so:Ultimatum a owl:Class ; owl:equivalentClass [ owl:intersectionOf ( so:Demand
    ...     [ a owl:Restriction ; owl:onProperty so:hasDeadline ; owl:someValuesFrom so:Deadline ] ) ] .
    ... <urn:ex:demand> a so:Demand ; so:hasDeadline <urn:ex:friday> . <urn:ex:friday> a so:Deadline .
    ... '''
    >>> for fact in infer(ox.parse(ttl, format=ox.RdfFormat.TURTLE)):
    ...     print(fact)
    <urn:ex:demand> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/standoff/ontology#Ultimatum>
    """
    asserted = _readable(triples)
    import owlready2  # heavy: only when reasoning

    try:
        world = _hermit(asserted, property_values=True)
    except owlready2.OwlReadyInconsistentOntologyError:
        raise InconsistentError(explain_inconsistency(asserted)) from None
    except owlready2.OwlReadyJavaError as error:
        # One line: what Java said, without owlready2's heading and the launcher's note of our options.
        said = [line.strip() for line in str(error).splitlines() if line.strip() and line.strip() not in (
            "Java error message is:",) and not line.startswith("NOTE: Picked up JDK_JAVA_OPTIONS")]
        raise KgError("HermiT failed: " + "; ".join(said)) from None
    return _new_facts(world, asserted)


def is_consistent(triples: Iterable[ox.Triple | ox.Quad]) -> bool:
    """Whether HermiT finds the triples consistent (no explanation; used to isolate a clash).

    >>> is_consistent([])
    True
    """
    import owlready2

    try:
        _hermit(_readable(triples), property_values=False)
    except owlready2.OwlReadyInconsistentOntologyError:
        return False
    return True


def _hermit(triples: list[ox.Triple], property_values: bool):  # -> owlready2.World
    """HermiT run over ``triples`` (contained, see :func:`contained`): the world holding what it concluded; raises
    owlready2's errors (an inconsistency, a failed JVM) for the caller to explain."""
    import owlready2

    world = _load(triples)
    with contained(len(triples)):
        owlready2.sync_reasoner_hermit(world, infer_property_values=property_values, debug=0)
    return world


_SCRATCH_PREFIX = "kg-hermit-"


@contextlib.contextmanager
def contained(triples: int = 0) -> Iterator[Path]:
    """Run owlready2's HermiT call so that nothing outlives it: the JVM dies with ``kg`` (even on kill -9), and the
    file owlready2 writes for it goes to a folder of ours that is deleted afterwards, whatever ends the call. A run
    over fewer than ``_SHORT_RUN_TRIPLES`` triples gets the JVM options of a short run (the user's own
    ``JDK_JAVA_OPTIONS`` come after them, so they win).

    Folders left by a process that was killed (kill -9 gives no chance to clean up) are removed on the next run.

    >>> with contained() as folder:
    ...     folder.is_dir()
    True
    >>> folder.exists()
    False
    """
    import owlready2.reasoning as hermit

    previous_dir, previous_args = tempfile.tempdir, dict(hermit._subprocess_kargs)
    with scratch_folder(_SCRATCH_PREFIX) as folder:
        tempfile.tempdir = str(folder)
        hermit._subprocess_kargs["preexec_fn"] = _die_with_parent
        if triples < _SHORT_RUN_TRIPLES:
            own = os.environ.get("JDK_JAVA_OPTIONS", "")
            hermit._subprocess_kargs["env"] = {**os.environ, "JDK_JAVA_OPTIONS": f"{_SHORT_RUN_OPTIONS} {own}".strip()}
        try:
            yield folder
        finally:
            tempfile.tempdir = previous_dir
            hermit._subprocess_kargs.clear()
            hermit._subprocess_kargs.update(previous_args)


def _die_with_parent() -> None:
    """In the JVM's process, before exec: Linux sends it SIGKILL when ``kg`` dies, however ``kg`` dies."""
    # Best effort: without prctl (not Linux) the JVM still ends when its work is done.
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:
            os.kill(os.getpid(), signal.SIGKILL)


def _readable(triples: Iterable[ox.Triple | ox.Quad]) -> list[ox.Triple]:
    """Triples (graph names dropped) without the literals HermiT rejects, and without duplicates."""
    kept = {ox.Triple(t.subject, t.predicate, t.object) for t in triples
            if not (isinstance(t.object, ox.Literal) and t.object.datatype.value in _UNSUPPORTED)}
    return sorted(kept, key=str)


def _load(triples: list[ox.Triple]):  # -> owlready2.World
    import owlready2

    java = shutil.which("java")
    if java is None:
        raise KgError("HermiT needs Java: install a Java runtime (17 or later) so that `java` is on the PATH")
    owlready2.JAVA_EXE = java
    world = owlready2.World()
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    world.get_ontology(_INPUT_ONTOLOGY).load(fileobj=io.BytesIO(data), format="ntriples")
    return world


def _new_facts(world, asserted: list[ox.Triple]) -> list[ox.Triple]:
    """The triples HermiT added that a person wants to see: types and property values of named individuals."""
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in asserted)
    object_properties = {row["p"] for row in _select(store, "SELECT ?p WHERE { ?p a owl:ObjectProperty }")}
    inverses = [(row["p"], row["q"]) for row in _select(
        store, "SELECT ?p ?q WHERE { { ?p owl:inverseOf ?q } UNION { ?q owl:inverseOf ?p } }")]
    known = set(asserted)
    found: set[ox.Triple] = set()
    for s, p, o in world.as_rdflib_graph():
        if not (_is_iri(s) and _is_iri(o)):
            continue
        triple = ox.Triple(ox.NamedNode(str(s)), ox.NamedNode(str(p)), ox.NamedNode(str(o)))
        if triple in known:
            continue
        is_type = triple.predicate == RDF_TYPE and not str(o).startswith((_OWL, _RDF, _RDFS))
        if is_type or triple.predicate in object_properties:
            found.add(triple)
    # owlready2 leaves out a value whose inverse is asserted; OWL entails it, and queries want it.
    values = known | found
    for p, q in inverses:
        for t in [t for t in values if t.predicate == p and isinstance(t.subject, ox.NamedNode)]:
            inverse = ox.Triple(t.object, q, t.subject)  # type: ignore[arg-type]
            if isinstance(t.object, ox.NamedNode) and inverse not in known:
                found.add(inverse)
    # HermiT lists only the property values it knows without a test, which leaves out entailed values of
    # super-properties (x so:respondsTo y gives x so:after y; so:hasAgent gives sem:hasActor): complete them
    # with the same property rules as the scalable path (kg.rules), so both report the whole closure.
    from kg.rules import complete_properties

    found |= complete_properties(asserted, known | found)
    return sorted(found, key=_sort_key)


def _sort_key(triple: ox.Triple) -> tuple[str, str, str]:
    return (cast(ox.NamedNode, triple.subject).value, triple.predicate.value, cast(ox.NamedNode, triple.object).value)


def _is_iri(term) -> bool:
    from rdflib import URIRef

    return isinstance(term, URIRef) and not str(term).startswith("urn:standoff:")


# --- Explaining an inconsistency ---------------------------------------------------------------------------

_TYPES = """
    { ?x rdf:type/rdfs:subClassOf* ?%(c)s }
    UNION { ?x ?p%(c)s [] . ?p%(c)s rdfs:subPropertyOf*/rdfs:domain/rdfs:subClassOf* ?%(c)s }
    UNION { [] ?q%(c)s ?x . ?q%(c)s rdfs:subPropertyOf*/rdfs:range/rdfs:subClassOf* ?%(c)s }
"""
_DISJOINT_TYPES = """
SELECT DISTINCT ?x ?a ?b WHERE {{
  {{ ?a owl:disjointWith ?b }} UNION {{ ?b owl:disjointWith ?a }}
  UNION {{ ?all a owl:AllDisjointClasses ; owl:members/rdf:rest*/rdf:first ?a, ?b . FILTER(?a != ?b) }}
  {} {}
  FILTER(isIRI(?x) && isIRI(?a) && isIRI(?b) && STR(?a) < STR(?b))
}} ORDER BY ?x ?a ?b
""".format(_TYPES % {"c": "a"}, _TYPES % {"c": "b"})
_DIFFERENT = """
  (isLiteral(?v1) || EXISTS { ?d a owl:AllDifferent ; owl:distinctMembers/rdf:rest*/rdf:first ?v1, ?v2 }
   || EXISTS { ?v1 owl:differentFrom ?v2 } || EXISTS { ?v2 owl:differentFrom ?v1 })
"""
_FUNCTIONAL_CLASH = f"""
SELECT DISTINCT ?x ?p ?v1 ?v2 WHERE {{
  ?p a owl:FunctionalProperty .
  ?x ?p ?v1 . ?x (owl:sameAs|^owl:sameAs)* ?y . ?y ?p ?v2 .
  FILTER(isIRI(?x) && STR(?v1) < STR(?v2) && {_DIFFERENT})
}} ORDER BY ?x ?p ?v1 ?v2
"""
_OUTSIDE_RANGE = """
SELECT DISTINCT ?x ?p ?v (GROUP_CONCAT(DISTINCT STR(?allowed); separator=" ") AS ?choices) WHERE {
  ?p rdfs:range/owl:oneOf ?list . ?x ?p ?v . ?list rdf:rest*/rdf:first ?allowed .
  FILTER NOT EXISTS { ?list rdf:rest*/rdf:first ?v }
  FILTER EXISTS { ?d a owl:AllDifferent ; owl:distinctMembers/rdf:rest*/rdf:first ?v }
} GROUP BY ?x ?p ?v ORDER BY ?x ?p ?v
"""
_OUTSIDE_DEFINITION = """
SELECT DISTINCT ?x ?c ?p ?v (GROUP_CONCAT(DISTINCT STR(?allowed); separator=" ") AS ?choices) WHERE {
  ?x rdf:type ?c . ?c owl:equivalentClass/owl:intersectionOf/rdf:rest*/rdf:first ?r .
  ?r owl:onProperty ?p ; owl:someValuesFrom/owl:oneOf ?list . ?list rdf:rest*/rdf:first ?allowed .
  ?p a owl:FunctionalProperty . ?x ?p ?v .
  FILTER NOT EXISTS { ?list rdf:rest*/rdf:first ?v }
} GROUP BY ?x ?c ?p ?v ORDER BY ?x ?c ?p ?v
"""


def explain_inconsistency(triples: list[ox.Triple]) -> str:
    """Name what clashes: individuals with disjoint types, functional properties with two values, values outside
    an enumeration; failing those, the individuals whose own triples HermiT already finds inconsistent.

    >>> explain_inconsistency([]).split(";")[0]
    'HermiT found the ontology and data inconsistent, and no single clash could be named'
    """
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    reasons: list[str] = []
    for row in _select(store, _DISJOINT_TYPES):
        reasons.append(f"{show(row['x'])} is both a {show(row['a'])} and a {show(row['b'])}, which are "
                       "disjoint classes (types asserted or implied by domains, ranges and subclasses): "
                       "fix its rdf:type or the property that implies it")
    for row in _select(store, _FUNCTIONAL_CLASH):
        reasons.append(f"{show(row['x'])} has two values for the functional property {show(row['p'])}: "
                       f"{show(row['v1'])} and {show(row['v2'])}; keep one")
    for row in _select(store, _OUTSIDE_RANGE):
        reasons.append(f"{show(row['x'])} has {show(row['p'])} {show(row['v'])}, but {show(row['p'])} "
                       f"takes only one of: {_short_list(row['choices'])}")
    for row in _select(store, _OUTSIDE_DEFINITION):
        reasons.append(f"{show(row['x'])} is typed {show(row['c'])}, which requires {show(row['p'])} to be "
                       f"one of {_short_list(row['choices'])}, but its {show(row['p'])} is {show(row['v'])}: "
                       f"remove the type (the reasoner infers it) or fix the value")
    if not reasons:
        reasons = _isolate(store, triples)
    if not reasons:
        return ("HermiT found the ontology and data inconsistent, and no single clash could be named; "
                "remove recently added triples until it is consistent again")
    return "HermiT found the ontology and data inconsistent:\n" + "\n".join(f"  - {r}" for r in reasons)


def _isolate(store: ox.Store, triples: list[ox.Triple]) -> list[str]:
    """Last resort: the individuals whose own triples (with the types of what they point to) already contradict
    the ontology. One HermiT run per individual of our classes, so only for small inputs."""
    individuals = {row["x"] for row in _select(store, """
        SELECT DISTINCT ?x WHERE { ?x a ?c . ?c a owl:Class . FILTER(isIRI(?x)) }""")}
    candidates = sorted((row["x"] for row in _select(store, """
        SELECT DISTINCT ?x WHERE { ?x a ?c . ?c a owl:Class . FILTER(isIRI(?x) && STRSTARTS(STR(?c), STR(so:))) }""")),
                        key=str)
    if len(candidates) > _MAX_ISOLATION_RUNS:
        return []
    background = [t for t in triples if t.subject not in individuals]
    reasons = []
    for x in candidates:
        own = [t for t in triples if t.subject == x]
        pointed = {t.object for t in own}
        types = [t for t in triples if t.subject in pointed and t.predicate == RDF_TYPE]
        if not is_consistent(background + own + types):
            facts = "; ".join(f"{show(t.predicate)} {show(t.object)}" for t in own if t.predicate != RDF_TYPE)
            kinds = ", ".join(show(t.object) for t in own if t.predicate == RDF_TYPE)
            reasons.append(f"{show(x)} ({kinds}) contradicts the ontology with its own statements "
                           f"and the types of what they point to: {facts}")
    return reasons


def _select(store: ox.Store, query: str) -> list[dict[str, Any]]:
    return list(rows(store.query(query, prefixes=PREFIXES)))


def _short_list(choices: ox.Literal) -> str:
    return ", ".join(sorted(show(ox.NamedNode(iri)) for iri in choices.value.split()))
