"""The store's own description: a VoID dataset with its graphs, classes, properties, inputs and build, and one
VoID dataset per story (its graphs and its figures: triples, events, mentions, spans, documents)."""

from __future__ import annotations

import datetime as dt

import pyoxigraph as ox

from kg import __version__
from kg.inputs import Inputs
from kg.rows import rows
from kg.stories import StoryFigures
from kg.vocab import DATA, DATASET, META_GRAPH, PREFIXES, SO

VOID, DCT, PROV, XSD = PREFIXES["void"], PREFIXES["dcterms"], PREFIXES["prov"], PREFIXES["xsd"]
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
TOOL = ox.NamedNode(f"https://w3id.org/standoff/software/kg/{__version__}")


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))


# The classes a story's figures count, as void:classPartition entries of its dataset.
STORY_CLASSES = {"events": SO + "Eventuality", "mentions": SO + "Mention", "spans": PREFIXES["oa"] + "SpecificResource",
                 "documents": SO + "SourceDocument"}


def describe(store: ox.Store, inputs: Inputs, seconds: dict[str, float],
             stories: list[StoryFigures] | tuple[StoryFigures, ...] = (),
             counts: dict[str, int] | None = None) -> list[ox.Quad]:
    """VoID quads (in the meta graph) describing everything already in ``store``, and each story of ``stories``.

    Figures are computed with SPARQL over the store itself, so they are what a user's query would count;
    ``counts`` (graph IRI -> triples) saves counting the graphs again when the caller just did.
    """
    g = ox.NamedNode(META_GRAPH)
    ds = ox.NamedNode(DATASET)
    out: list[ox.Quad] = []

    def add(s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal) -> None:
        out.append(ox.Quad(s, ox.NamedNode(p), o, g))

    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    add(ds, RDF_TYPE.value, ox.NamedNode(VOID + "Dataset"))
    add(ds, DCT + "title", ox.Literal("standoff knowledge graph", language="en"))
    add(ds, DCT + "modified", ox.Literal(now, datatype=ox.NamedNode(XSD + "dateTime")))
    add(ds, VOID + "uriSpace", ox.Literal(DATA))
    add(ds, VOID + "vocabulary", ox.NamedNode(SO.rstrip("#")))

    total = 0
    files = {f.graph: f for f in inputs.rdf}
    if counts is None:
        found = rows(store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"))
        counts = {row["g"].value: int(row["n"].value) for row in found}
    for iri, n in sorted(counts.items()):
        graph = ox.NamedNode(iri)
        total += n
        add(ds, VOID + "subset", graph)
        add(graph, RDF_TYPE.value, ox.NamedNode(VOID + "Dataset"))
        add(graph, VOID + "triples", _int(n))
        source = files.get(graph.value)
        if source is not None:
            add(graph, DCT + "source", ox.Literal(source.relative))
            add(graph, SO + "sha256", ox.Literal(source.sha256))
    add(ds, VOID + "triples", _int(total))

    for name, query in (
        ("classes", "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }"),
        ("properties", "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"),
        ("distinctSubjects", "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"),
        ("distinctObjects", "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"),
    ):
        add(ds, VOID + name, _int(int(next(rows(store.query(query, use_default_graph_as_union=True)))["n"].value)))
    for partition, key, count, query in (
        ("classPartition", "class", "entities",
         "SELECT ?x (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?x } GROUP BY ?x ORDER BY ?x"),
        ("propertyPartition", "property", "triples",
         "SELECT ?x (COUNT(*) AS ?n) WHERE { ?s ?x ?o } GROUP BY ?x ORDER BY ?x"),
    ):
        for row in rows(store.query(query, use_default_graph_as_union=True)):
            part = ox.BlankNode()
            add(ds, VOID + partition, part)
            add(part, VOID + key, row["x"])
            add(part, VOID + count, _int(int(row["n"].value)))

    for figures in stories:
        out += story_void(figures)

    activity = ox.BlankNode()
    add(ds, PROV + "wasGeneratedBy", activity)
    add(activity, RDF_TYPE.value, ox.NamedNode(PROV + "Activity"))
    add(activity, PROV + "endedAtTime", ox.Literal(now, datatype=ox.NamedNode(XSD + "dateTime")))
    add(activity, PROV + "wasAssociatedWith", TOOL)
    add(TOOL, RDF_TYPE.value, ox.NamedNode(PROV + "SoftwareAgent"))
    add(TOOL, PREFIXES["rdfs"] + "label", ox.Literal(f"kg {__version__} (standoff)"))
    add(TOOL, PREFIXES["schema"] + "softwareVersion", ox.Literal(__version__))
    for f in inputs.rdf:
        add(activity, PROV + "used", ox.NamedNode(f.graph))
    # Step durations are for people reading `kg info`, hence a comment rather than a term of our own.
    for step, took in seconds.items():
        add(activity, PREFIXES["rdfs"] + "comment", ox.Literal(f"{step}: {took:.3f} s"))
    return out


def story_void(figures: StoryFigures) -> list[ox.Quad]:
    """One story's void:Dataset: a subset of the store's, about the story (``dcterms:subject``), holding the
    graphs of its files (``void:subset``), with its prefix, triples, and entities per counted class.

    Queries find a node's story through it: ``GRAPH ?g { ?x a ?type } ?d void:subset ?g ; dcterms:subject ?story``.
    """
    g = ox.NamedNode(META_GRAPH)
    story = figures.story
    ds = ox.NamedNode(story.dataset)
    out: list[ox.Quad] = []

    def add(s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal) -> None:
        out.append(ox.Quad(s, ox.NamedNode(p), o, g))

    add(ox.NamedNode(DATASET), VOID + "subset", ds)
    add(ds, RDF_TYPE.value, ox.NamedNode(VOID + "Dataset"))
    add(ds, DCT + "subject", ox.NamedNode(story.iri))
    if story.title:
        add(ds, DCT + "title", ox.Literal(story.title))
    add(ds, DCT + "source", ox.Literal(story.folder + "/"))
    if story.prefix is not None:
        add(ds, PREFIXES["vann"] + "preferredNamespacePrefix", ox.Literal(story.prefix))
    if story.namespace is not None:
        add(ds, VOID + "uriSpace", ox.Literal(story.namespace))
    add(ds, VOID + "triples", _int(figures.triples))
    for graph in story.graphs:
        add(ds, VOID + "subset", ox.NamedNode(graph))
    for name, cls in STORY_CLASSES.items():
        part = ox.BlankNode()
        add(ds, VOID + "classPartition", part)
        add(part, VOID + "class", ox.NamedNode(cls))
        add(part, VOID + "entities", _int(getattr(figures, name)))
    return out
