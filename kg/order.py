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
from kg.rows import rows
from kg.vocab import PREFIXES, show

SO, OA, PROV = PREFIXES["so"], PREFIXES["oa"], PREFIXES["prov"]
# Any term a quad holds (the quoted triples of RDF-star included, though our data has none).
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_XSD_INTEGER = ox.NamedNode(PREFIXES["xsd"] + "integer")

_UNTYPED = """PREFIX so: <https://w3id.org/standoff/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT DISTINCT ?node ?kind WHERE {
  { [] so:hasEvidence ?node . ?node oa:hasSource [] . BIND(oa:SpecificResource AS ?kind) }
  UNION { [] oa:hasSelector ?node . ?node oa:exact [] . BIND(oa:TextQuoteSelector AS ?kind) }
  FILTER NOT EXISTS { ?node a ?kind }
}"""
_STORIES = """SELECT ?story ?doc ?sha WHERE { ?story <https://w3id.org/standoff/ontology#hasDocument> ?doc .
  OPTIONAL { ?doc <https://w3id.org/standoff/ontology#sha256> ?sha } }"""


def span_types(store: ox.Store, graph: ox.NamedNode) -> list[ox.Quad]:
    """The ``rdf:type`` of every span and quote selector a file left untyped, as quads in ``graph``."""
    found = rows(store.query(_UNTYPED, use_default_graph_as_union=True))
    return [ox.Quad(row["node"], _TYPE, row["kind"], graph) for row in found]


def reading_order(store: ox.Store, texts: dict[str, Path]) -> dict[Term, tuple[str, int, str]]:
    """Each document's place: (its story, its rank in the story's reading order, its text's file name)."""
    stories: dict[Term, list[tuple[str, Term]]] = {}
    for row in rows(store.query(_STORIES, use_default_graph_as_union=True)):
        text = texts.get(row["sha"].value) if row["sha"] is not None else None
        stories.setdefault(row["story"], []).append((text.name if text else row["doc"].value, row["doc"]))
    place: dict[Term, tuple[str, int, str]] = {}
    for story, docs in stories.items():
        for rank, (name, doc) in enumerate(sorted(docs, key=lambda d: (d[0], str(d[1]))), 1):
            place[doc] = (story.value if isinstance(story, ox.NamedNode) else str(story), rank, name)
    return place


def _members(store: ox.Store, top: str) -> set[Term]:
    """Every node typed with ``top`` or a subclass of it (read with pattern lookups: linear in what they find;
    one SPARQL query joining types, class paths and positions took minutes at 10^5 triples)."""
    sub_class = ox.NamedNode(PREFIXES["rdfs"] + "subClassOf")
    classes, todo = {ox.NamedNode(top)}, [ox.NamedNode(top)]
    while todo:
        for quad in store.quads_for_pattern(None, sub_class, todo.pop()):
            if isinstance(quad.subject, ox.NamedNode) and quad.subject not in classes:
                classes.add(quad.subject)
                todo.append(quad.subject)
    return {q.subject for c in classes for q in store.quads_for_pattern(None, _TYPE, c)}


def _objects(store: ox.Store, node: Term, prop: str) -> list[ox.NamedNode | ox.BlankNode | ox.Literal]:
    return [q.object for q in store.quads_for_pattern(node, ox.NamedNode(prop), None)  # type: ignore[arg-type]
            if not isinstance(q.object, ox.Triple)]


def derive(store: ox.Store, texts: dict[str, Path], graph: ox.NamedNode,
           file_of: dict[str, str]) -> tuple[list[ox.Quad], list[Violation]]:
    """``so:narrativeOrder`` and missing ``prov:wasDerivedFrom`` for every eventuality, computed from the offsets.

    Needs the offsets in the store (run after :func:`kg.evidence.anchor`). Returns the quads to add in ``graph``
    and a violation for each stated ``so:narrativeOrder`` that differs from the computed one.
    """
    place = reading_order(store, texts)
    events, mentions = _members(store, SO + "Eventuality"), _members(store, SO + "Mention")
    position = ox.NamedNode(OA + "TextPositionSelector")
    spans: dict[Term, tuple[Term | None, tuple[int, int] | None]] = {}

    def span(node: Term) -> tuple[Term | None, tuple[int, int] | None]:
        """The document a span quotes and where (None when it did not anchor)."""
        if node not in spans:
            docs = _objects(store, node, OA + "hasSource")
            where = None
            for selector in _objects(store, node, OA + "hasSelector"):
                if next(store.quads_for_pattern(selector, _TYPE, position), None) is not None:  # type: ignore[arg-type]
                    start, end = _objects(store, selector, OA + "start"), _objects(store, selector, OA + "end")
                    if start and end:
                        where = (int(start[0].value), int(end[0].value))
            spans[node] = (docs[0] if docs else None, where)
        return spans[node]

    of_event: dict[Term, list[Term]] = {e: [e] for e in events}  # the claims whose spans count for an event
    for quad in store.quads_for_pattern(None, ox.NamedNode(SO + "mentionOf"), None):
        if quad.subject in mentions and quad.object in of_event:
            of_event[quad.object].append(quad.subject)
    first: dict[Term, tuple[int, int, int]] = {}
    story_of: dict[Term, str] = {}
    for event, claims in of_event.items():
        for claim in claims:
            for node in _objects(store, claim, SO + "hasEvidence"):
                doc, where = span(node)
                if doc is None or where is None:
                    continue
                story, rank, _ = place.get(doc, (str(doc), 1, ""))
                key = (rank, *where)
                if event not in first or key < first[event]:
                    first[event], story_of[event] = key, story
    stated: dict[Term, list[ox.NamedNode | ox.BlankNode | ox.Literal]] = {}
    for quad in store.quads_for_pattern(None, ox.NamedNode(SO + "narrativeOrder"), None):
        if not isinstance(quad.object, ox.Triple):
            stated.setdefault(quad.subject, []).append(quad.object)

    quads: list[ox.Quad] = []
    problems: list[Violation] = []
    by_story: dict[str, list[Term]] = {}
    for event in first:
        by_story.setdefault(story_of[event], []).append(event)
    for ranked in by_story.values():
        ranked.sort(key=lambda e: (first[e], str(e)))
        for number, event in enumerate(ranked, 1):
            given = stated.get(event)
            if not given:
                quads.append(ox.Quad(event, ox.NamedNode(SO + "narrativeOrder"),  # type: ignore[arg-type]
                                     ox.Literal(str(number), datatype=_XSD_INTEGER), graph))
            elif any(g.value != str(number) for g in given):
                problems.append(Violation(_file_stating(store, event, file_of), show(event), "narrative-order",
                                          f"states so:narrativeOrder {', '.join(g.value for g in given)}, but its "
                                          f"first mention makes it number {number} of its story: remove the "
                                          "stated value, the build computes it"))
    derived_from = ox.NamedNode(PROV + "wasDerivedFrom")
    for claim in sorted(events | mentions, key=str):
        if next(store.quads_for_pattern(claim, derived_from, None), None) is None:  # type: ignore[arg-type]
            docs = {span(node)[0] for node in _objects(store, claim, SO + "hasEvidence")} - {None}
            quads.extend(ox.Quad(claim, derived_from, doc, graph)  # type: ignore[arg-type]
                         for doc in sorted(docs, key=str))
    return quads, problems


def _file_stating(store: ox.Store, event: Term, file_of: dict[str, str]) -> str:
    for quad in store.quads_for_pattern(event, ox.NamedNode(SO + "narrativeOrder"), None):  # type: ignore[arg-type]
        if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value in file_of:
            return file_of[quad.graph_name.value]
    return "?"
