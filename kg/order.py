"""What the build derives from the anchored evidence, so that a curator never writes it by hand.

- **Reading order.** A story's documents are read in the order of their text files' names (``a-report.txt``
  before ``b-follow-up.txt``; ``kg new`` names copies ``1-…``, ``2-…`` when the order given needs it).
  ``so:hasDocument`` is an unordered set of values, so the order has to come from somewhere a curator controls
  and a reader sees: the file names.
- **so:narrativeOrder.** Each eventuality's first mention is the earliest of its own spans and its mentions'
  spans, in reading order (document, then offset); the story's eventualities are numbered 1, 2, ... in that
  order (ties broken by the end of the span, then by IRI). A value a curated file still states is checked:
  equal is fine (nothing is added), different is an error that says the computed value. Never write it.
- **prov:wasDerivedFrom.** An eventuality or mention without one is derived from the documents its own spans quote.
- **Span types.** A node that ``so:hasEvidence`` points to and that has an ``oa:hasSource`` is an
  ``oa:SpecificResource`` (the Web Annotation domain of ``oa:hasSource``), and a selector with an ``oa:exact`` a
  ``oa:TextQuoteSelector``: blank-node spans ``[ oa:hasSource …; oa:hasSelector [ oa:exact "…" ] ]`` need neither
  a name nor a type.

All of it goes into the evidence graph, beside the offsets it is computed from.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.errors import Violation
from kg.vocab import PREFIXES, show

SO, OA, PROV = PREFIXES["so"], PREFIXES["oa"], PREFIXES["prov"]
_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_XSD_INTEGER = ox.NamedNode(PREFIXES["xsd"] + "integer")
_UNION = {"use_default_graph_as_union": True}

_UNTYPED = """PREFIX so: <https://w3id.org/standoff/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT DISTINCT ?node ?kind WHERE {
  { [] so:hasEvidence ?node . ?node oa:hasSource [] . BIND(oa:SpecificResource AS ?kind) }
  UNION { [] oa:hasSelector ?node . ?node oa:exact [] . BIND(oa:TextQuoteSelector AS ?kind) }
  FILTER NOT EXISTS { ?node a ?kind }
}"""
# Every eventuality and mention with the start, end and document of each span it or its mentions quote.
_FIRST = """PREFIX so: <https://w3id.org/standoff/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?e ?doc ?start ?end WHERE {
  ?e a ?class . ?class rdfs:subClassOf* so:Eventuality .
  { ?e so:hasEvidence ?span } UNION { ?m so:mentionOf ?e ; so:hasEvidence ?span }
  ?span oa:hasSource ?doc ; oa:hasSelector ?sel . ?sel a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
}"""
# Claims (eventualities and mentions) without a derivation, and the documents their own spans quote.
_SOURCES = """PREFIX so: <https://w3id.org/standoff/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?m ?doc WHERE { ?m so:hasEvidence/oa:hasSource ?doc .
  FILTER NOT EXISTS { ?m prov:wasDerivedFrom [] }
  FILTER EXISTS { ?m a ?class . ?class rdfs:subClassOf* ?top . VALUES ?top { so:Eventuality so:Mention } } }"""
_STATED = "SELECT ?e ?n WHERE { ?e <https://w3id.org/standoff/ontology#narrativeOrder> ?n }"
_STORIES = """SELECT ?story ?doc ?sha WHERE { ?story <https://w3id.org/standoff/ontology#hasDocument> ?doc .
  OPTIONAL { ?doc <https://w3id.org/standoff/ontology#sha256> ?sha } }"""


def span_types(store: ox.Store, graph: ox.NamedNode) -> list[ox.Quad]:
    """The ``rdf:type`` of every span and quote selector a file left untyped, as quads in ``graph``."""
    return [ox.Quad(row["node"], _TYPE, row["kind"], graph) for row in store.query(_UNTYPED, **_UNION)]  # type: ignore[union-attr]


def reading_order(store: ox.Store, texts: dict[str, Path]) -> dict[ox.Term, tuple[str, int, str]]:
    """Each document's place: (its story, its rank in the story's reading order, its text's file name)."""
    stories: dict[ox.Term, list[tuple[str, ox.Term]]] = {}
    for row in store.query(_STORIES, **_UNION):  # type: ignore[union-attr]
        text = texts.get(row["sha"].value) if row["sha"] is not None else None
        stories.setdefault(row["story"], []).append((text.name if text else row["doc"].value, row["doc"]))
    place: dict[ox.Term, tuple[str, int, str]] = {}
    for story, docs in stories.items():
        for rank, (name, doc) in enumerate(sorted(docs, key=lambda d: (d[0], str(d[1]))), 1):
            place[doc] = (story.value if isinstance(story, ox.NamedNode) else str(story), rank, name)
    return place


def derive(store: ox.Store, texts: dict[str, Path], graph: ox.NamedNode,
           file_of: dict[str, str]) -> tuple[list[ox.Quad], list[Violation]]:
    """``so:narrativeOrder`` and missing ``prov:wasDerivedFrom`` for every eventuality, computed from the offsets.

    Needs the offsets in the store (run after :func:`kg.evidence.anchor`). Returns the quads to add in ``graph``
    and a violation for each stated ``so:narrativeOrder`` that differs from the computed one.
    """
    place = reading_order(store, texts)
    first: dict[ox.Term, tuple[int, int, int]] = {}
    story_of: dict[ox.Term, str] = {}
    sources: dict[ox.Term, set[ox.Term]] = {}
    for row in store.query(_FIRST, **_UNION):  # type: ignore[union-attr]
        doc = row["doc"]
        story, rank, _ = place.get(doc, (str(doc), 1, ""))
        key = (rank, int(row["start"].value), int(row["end"].value))
        event = row["e"]
        if event not in first or key < first[event]:
            first[event], story_of[event] = key, story
    for row in store.query(_SOURCES, **_UNION):  # type: ignore[union-attr]
        sources.setdefault(row["m"], set()).add(row["doc"])
    stated: dict[ox.Term, list[ox.Literal]] = {}
    for row in store.query(_STATED, **_UNION):  # type: ignore[union-attr]
        stated.setdefault(row["e"], []).append(row["n"])

    quads: list[ox.Quad] = []
    problems: list[Violation] = []
    by_story: dict[str, list[ox.Term]] = {}
    for event in first:
        by_story.setdefault(story_of[event], []).append(event)
    for events in by_story.values():
        events.sort(key=lambda e: (first[e], str(e)))
        for number, event in enumerate(events, 1):
            given = stated.get(event)
            if not given:
                quads.append(ox.Quad(event, ox.NamedNode(SO + "narrativeOrder"),  # type: ignore[arg-type]
                                     ox.Literal(str(number), datatype=_XSD_INTEGER), graph))
            elif any(g.value != str(number) for g in given):
                problems.append(Violation(_file_stating(store, event, file_of), show(event), "narrative-order",
                                          f"states so:narrativeOrder {', '.join(g.value for g in given)}, but its "
                                          f"first mention makes it number {number} of its story: remove the "
                                          "stated value, the build computes it"))
    for node, docs in sources.items():
        quads.extend(ox.Quad(node, ox.NamedNode(PROV + "wasDerivedFrom"), doc, graph)  # type: ignore[arg-type]
                     for doc in sorted(docs, key=str))
    return quads, problems


def _file_stating(store: ox.Store, event: ox.Term, file_of: dict[str, str]) -> str:
    for quad in store.quads_for_pattern(event, ox.NamedNode(SO + "narrativeOrder"), None):  # type: ignore[arg-type]
        if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value in file_of:
            return file_of[quad.graph_name.value]
    return "?"
