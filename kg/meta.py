"""The store's own description: a VoID dataset with its graphs, classes, properties, inputs and build, and one
VoID dataset per story (its graphs and its figures: triples, events, mentions, spans, documents)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pyoxigraph as ox

from kg import __version__
from kg.inputs import Inputs
from kg.rdfio import add_quads, stable_blank_node
from kg.rows import rows
from kg.stories import StoryFigures
from kg.vocab import DATA, DATASET, META_GRAPH, PREFIXES, SO

VOID, DCT, PROV, XSD = PREFIXES["void"], PREFIXES["dcterms"], PREFIXES["prov"], PREFIXES["xsd"]
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
TOOL = ox.NamedNode(f"https://w3id.org/standoff/software/kg/{__version__}")


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))


def _node(*what: str) -> ox.BlankNode:
    """The blank node for ``what`` (a dataset's partition, the build's activity), named the same in every build:
    an incremental build then rewrites only the meta quads whose values changed (:func:`write`), where rewriting
    all of them cost 1.1 s at 10^6 triples."""
    return stable_blank_node("m", *what)


# The classes a story's figures count, as void:classPartition entries of its dataset.
STORY_CLASSES = {"events": SO + "Eventuality", "mentions": SO + "Mention", "spans": PREFIXES["oa"] + "SpecificResource",
                 "documents": SO + "SourceDocument"}


@dataclass(frozen=True)
class Part:
    """A piece of the description. Its quads are a function of ``fingerprint`` alone (a digest of what they say), so
    that a build whose previous one described a part with the same fingerprint need not make it again; None when
    they are a function of more (the clock, the store-wide figures): then it is made every time."""

    name: str
    fingerprint: str | None
    make: Callable[[], list[ox.Quad]]


def _fingerprint(*what: object) -> str:
    """A digest of ``what``'s text (reprs of strings, numbers and dataclasses of them, the same in every process),
    with the tool's version: another version may describe the same things otherwise."""
    return hashlib.blake2b(repr((__version__, what)).encode(), digest_size=12).hexdigest()


def describe(inputs: Inputs, seconds: dict[str, float], stories: list[StoryFigures] | tuple[StoryFigures, ...],
             figures: Recorded) -> list[Part]:
    """VoID quads (in the meta graph) describing the store whose ``figures`` are given (graphs counted by
    :func:`kg.steps.triples_per_graph` and the rest by :func:`store_figures`, so they are what a user's query would
    count; or updated from the previous build's, :func:`updated`), and each story of ``stories``.

    They come in parts, each (subject, property) in one part: the store's own figures and the build (made every
    time), the store's subsets, the inputs the build used, each graph, each story. An edit to one story changes its
    part and a few graphs' (:func:`write`).
    """
    g = ox.NamedNode(META_GRAPH)
    ds = ox.NamedNode(DATASET)
    activity = _node(DATASET, "activity")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    counts = figures.graphs
    files = {f.graph: f for f in inputs.rdf}
    used = [f.graph for f in inputs.rdf]
    subsets = sorted(counts) + [story.story.dataset for story in stories]

    def own() -> list[ox.Quad]:
        out: list[ox.Quad] = []

        def add(s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal) -> None:
            out.append(ox.Quad(s, ox.NamedNode(p), o, g))

        add(ds, RDF_TYPE.value, ox.NamedNode(VOID + "Dataset"))
        add(ds, DCT + "title", ox.Literal("standoff knowledge graph", language="en"))
        add(ds, DCT + "modified", ox.Literal(now, datatype=ox.NamedNode(XSD + "dateTime")))
        add(ds, VOID + "uriSpace", ox.Literal(DATA))
        add(ds, VOID + "vocabulary", ox.NamedNode(SO.rstrip("#")))
        add(ds, VOID + "triples", _int(figures.triples))
        store = figures.figures
        for name, n in (("classes", len(store.classes)), ("properties", len(store.properties)),
                        ("distinctSubjects", store.subjects), ("distinctObjects", store.objects)):
            add(ds, VOID + name, _int(n))
        for partition, key, count, table in (("classPartition", "class", "entities", store.classes),
                                             ("propertyPartition", "property", "triples", store.properties)):
            for term, n in sorted(table.items(), key=lambda kv: str(kv[0])):
                part = _node(DATASET, partition, str(term))
                add(ds, VOID + partition, part)
                add(part, VOID + key, term)
                add(part, VOID + count, _int(n))
        add(ds, PROV + "wasGeneratedBy", activity)
        add(activity, RDF_TYPE.value, ox.NamedNode(PROV + "Activity"))
        add(activity, PROV + "endedAtTime", ox.Literal(now, datatype=ox.NamedNode(XSD + "dateTime")))
        add(activity, PROV + "wasAssociatedWith", TOOL)
        add(TOOL, RDF_TYPE.value, ox.NamedNode(PROV + "SoftwareAgent"))
        add(TOOL, PREFIXES["rdfs"] + "label", ox.Literal(f"kg {__version__} (standoff)"))
        add(TOOL, PREFIXES["schema"] + "softwareVersion", ox.Literal(__version__))
        # Step durations are for people reading `kg info`, hence a comment rather than a term of our own.
        for step, took in seconds.items():
            add(activity, PREFIXES["rdfs"] + "comment", ox.Literal(f"{step}: {took:.3f} s"))
        return out

    def graph_void(iri: str) -> Callable[[], list[ox.Quad]]:
        def make() -> list[ox.Quad]:
            graph = ox.NamedNode(iri)
            out = [ox.Quad(graph, RDF_TYPE, ox.NamedNode(VOID + "Dataset"), g),
                   ox.Quad(graph, ox.NamedNode(VOID + "triples"), _int(counts[iri]), g)]
            source = files.get(iri)
            if source is not None:
                out += [ox.Quad(graph, ox.NamedNode(DCT + "source"), ox.Literal(source.relative), g),
                        ox.Quad(graph, ox.NamedNode(SO + "sha256"), ox.Literal(source.sha256), g)]
            return out
        return make

    def source(iri: str) -> tuple[str, str] | None:
        f = files.get(iri)
        return (f.relative, f.sha256) if f is not None else None

    return [
        Part("store", None, own),
        Part("subsets", _fingerprint(subsets),
             lambda: [ox.Quad(ds, ox.NamedNode(VOID + "subset"), ox.NamedNode(x), g) for x in subsets]),
        Part("used", _fingerprint(used),
             lambda: [ox.Quad(activity, ox.NamedNode(PROV + "used"), ox.NamedNode(x), g) for x in used]),
        *(Part("graph " + iri, _fingerprint(iri, n, source(iri)), graph_void(iri))
          for iri, n in sorted(counts.items())),
        *(Part("story " + story.story.dataset, _fingerprint(story), partial(story_void, story)) for story in stories),
    ]


Described = dict[str, list[Any]]
"""What :func:`write` wrote, for the next build: for each part's name, its fingerprint, its number of quads, and a
digest of its quads of each subject and property."""


def write(store: ox.Store, parts: list[Part], known: Described | None = None) -> Described:
    """Make ``store``'s meta graph hold exactly the quads of ``parts``: what it holds and they lack is removed, the
    reverse added, and the rest left alone (after an edit to one story, nearly all of it). Returns what it wrote.

    ``known``, what the previous build wrote (the link step's quads merged in, see :func:`with_links`), saves
    reading the graph and making the parts again: a part with the fingerprint it had is not made, and of the
    others only the quads of a subject and property whose digest changed, or that are gone, are read and compared.
    Reading is the cost here, not comparing: 48,782 quads took 0.45 s to read from disk at 10^6 triples (each
    term's text is a lookup of its own), and making and digesting them again 0.5 s; one story's edit changes a
    few dozen.
    """
    graph = ox.NamedNode(META_GRAPH)
    old = known if known is not None and _readable(known) else None
    out: Described = {}
    dirty: dict[Key, set[ox.Quad]] = {}
    made: dict[str, list[ox.Quad]] = {}
    for part in parts:
        was = old.get(part.name) if old is not None else None
        if was is not None and part.fingerprint is not None and was[0] == part.fingerprint:
            out[part.name] = was
            continue
        quads = made[part.name] = part.make()
        keyed = _by_key(quads)
        mine = {_name(k): hash(frozenset(qs)) for k, qs in keyed.items()}
        out[part.name] = [part.fingerprint, len(quads), mine]
        before = was[2] if was is not None else {}
        dirty.update((k, qs) for k, qs in keyed.items() if before.get(_name(k)) != mine[_name(k)])
    now = {name for _, _, mine in out.values() for name in mine}
    gone = [_key(name) for _, _, mine in (old or {}).values() for name in mine if name not in now]
    if old is None or None in gone:  # no record, or one this version cannot read: compare everything
        before = set(store.quads_for_pattern(None, None, None, graph))
        wanted = {q for part in parts for q in (made[part.name] if part.name in made else part.make())}
    else:
        keys = [*dirty, *(k for k in gone if k is not None)]
        before = {q for s, p in keys for q in store.quads_for_pattern(s, p, None, graph)}
        wanted = {q for qs in dirty.values() for q in qs}
    for q in before - wanted:
        store.remove(q)
    add_quads(store, [q for q in wanted if q not in before])
    return out


def _readable(known: Any) -> bool:
    """Whether ``known`` has the form :func:`write` returns."""
    return isinstance(known, dict) and all(
        isinstance(v, list) and len(v) == 3 and isinstance(v[1], int) and isinstance(v[2], dict)
        for v in known.values())


def quads_in(described: Described) -> int:
    """The quads of the description :func:`write` wrote."""
    return sum(n for _, n, _ in described.values())


def with_links(described: Described, parts: list[Part], linked: list[ox.Quad]) -> Described:
    """What :func:`write` wrote, and the quads the link step added to the meta graph after it (``linked``): for the
    next build's :func:`write`, which reads again the quads of whatever subject and property they changed.

    Those of a subject and property no part has go in a part of their own (``links``), which no build makes: the
    next one reads them and removes them, and its link step adds them again. A part that shares one with them is
    marked to be made again next time (its fingerprint no longer says what its quads in the store are).
    """
    if not linked:
        return described
    extra = _by_key(linked)
    names = {_name(k): k for k in extra}
    out = dict(described)
    for part in parts:
        _, n, mine = described[part.name]
        shared = names.keys() & mine.keys()
        if not shared:
            continue
        merged = _by_key(q for q in part.make() if _name((q.subject, q.predicate)) in shared)  # type: ignore[arg-type]
        out[part.name] = [None, n, {**mine, **{name: hash(frozenset(merged[names[name]] | extra[names[name]]))
                                               for name in shared}}]
        for name in shared:
            del names[name]
    out["links"] = [None, 0, {name: hash(frozenset(extra[k])) for name, k in names.items()}]
    return out


Key = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode]


def _by_key(quads: Iterable[ox.Quad]) -> dict[Key, set[ox.Quad]]:
    out: dict[Key, set[ox.Quad]] = {}
    for q in quads:
        out.setdefault((q.subject, q.predicate), set()).add(q)  # type: ignore[arg-type]
    return out


def _name(key: Key) -> str:
    return f"{key[0]} {key[1]}"


def _key(name: str) -> Key | None:
    """The (subject, property) whose :func:`_name` is ``name`` (neither holds a space), or None."""
    try:
        subject, predicate = name.split(" ")
        return (ox.BlankNode(subject[2:]) if subject.startswith("_:") else ox.NamedNode(subject[1:-1]),
                ox.NamedNode(predicate[1:-1]))
    except ValueError:  # not two terms, or not valid ones
        return None


def story_void(figures: StoryFigures) -> list[ox.Quad]:
    """One story's void:Dataset: about the story (``dcterms:subject``), holding the graphs of its files
    (``void:subset``), with its prefix, triples, and entities per counted class. (That it is a subset of the
    store's is said with the store's other subsets, by :func:`describe`.)

    Queries find a node's story through it: ``GRAPH ?g { ?x a ?type } ?d void:subset ?g ; dcterms:subject ?story``.
    """
    g = ox.NamedNode(META_GRAPH)
    story = figures.story
    ds = ox.NamedNode(story.dataset)
    out: list[ox.Quad] = []

    def add(s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal) -> None:
        out.append(ox.Quad(s, ox.NamedNode(p), o, g))

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
        part = _node(story.dataset, "classPartition", cls)
        add(ds, VOID + "classPartition", part)
        add(part, VOID + "class", ox.NamedNode(cls))
        add(part, VOID + "entities", _int(getattr(figures, name)))
    return out


Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass
class Figures:
    """The store's figures over the union of its graphs, as :func:`describe` writes them: distinct subjects and
    objects, the entities of each class (``void:classes`` is how many) and the triples of each property."""

    subjects: int
    objects: int
    classes: dict[Term, int]  # class -> distinct subjects typed with it in any graph
    properties: dict[ox.NamedNode, int]  # property -> quads using it: a triple in two graphs counts twice


def store_figures(store: ox.Store) -> Figures:
    """The figures, with SPARQL over every graph of ``store`` (the union default graph, which holds the default
    graph too). ``void:classes`` and ``void:properties`` count the same groups as the partitions."""
    def count(query: str) -> int:
        return int(next(rows(store.query(query, use_default_graph_as_union=True)))["n"].value)

    def partition(query: str) -> dict[Any, int]:
        return {row["x"]: int(row["n"].value) for row in rows(store.query(query, use_default_graph_as_union=True))}

    return Figures(count("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"),
                   count("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"),
                   partition("SELECT ?x (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?x } GROUP BY ?x"),
                   partition("SELECT ?x (COUNT(*) AS ?n) WHERE { ?s ?x ?o } GROUP BY ?x"))


@dataclass
class Recorded:
    """What a build's meta graph says about the store it described: its figures, its triples (all, and per graph).
    A build keeps them in its record too (:meth:`to_record`), where the next build reads them faster than from the
    meta graph (:func:`recorded`: 0.13 s at 10^6 triples)."""

    figures: Figures
    triples: int
    graphs: dict[str, int]  # graph (or, read from the meta graph, story dataset) IRI -> its void:triples

    def to_record(self) -> dict[str, Any] | None:
        """A form for the build record (JSON), or None when a class is not an IRI (:func:`updated` gives up then)."""
        f = self.figures
        if not all(isinstance(c, ox.NamedNode) for c in f.classes):
            return None
        return {"subjects": f.subjects, "objects": f.objects, "triples": self.triples, "graphs": self.graphs,
                "classes": {c.value: n for c, n in f.classes.items()},
                "properties": {p.value: n for p, n in f.properties.items()}}

    @staticmethod
    def from_record(kept: Any) -> Recorded | None:
        """What :meth:`to_record` gave, or None when ``kept`` is not that."""
        try:
            return Recorded(Figures(int(kept["subjects"]), int(kept["objects"]),
                                    {ox.NamedNode(c): int(n) for c, n in kept["classes"].items()},
                                    {ox.NamedNode(p): int(n) for p, n in kept["properties"].items()}),
                            int(kept["triples"]), {str(g): int(n) for g, n in kept["graphs"].items()})
        except (TypeError, KeyError, ValueError, AttributeError):
            return None


def recorded(store: ox.Store) -> Recorded | None:
    """The figures :func:`describe` wrote into ``store``'s meta graph, or None when they are not all there, once,
    as it writes them."""
    g, ds = ox.NamedNode(META_GRAPH), ox.NamedNode(DATASET)

    def values(s: ox.NamedNode | ox.BlankNode, p: str) -> list[Any]:
        return [q.object for q in store.quads_for_pattern(s, ox.NamedNode(VOID + p), None, g)]

    def number(s: ox.NamedNode | ox.BlankNode, p: str) -> int | None:
        return _integer(values(s, p))

    def table(partition: str, key: str, count: str) -> dict[Any, int] | None:
        out: dict[Any, int] = {}
        for part in values(ds, partition):
            if not isinstance(part, ox.BlankNode):
                return None
            term, n = values(part, key), number(part, count)
            if len(term) != 1 or n is None or term[0] in out:
                return None
            out[term[0]] = n
        return out

    subjects, objects, triples = number(ds, "distinctSubjects"), number(ds, "distinctObjects"), number(ds, "triples")
    classes, properties = table("classPartition", "class", "entities"), table("propertyPartition", "property",
                                                                              "triples")
    if subjects is None or objects is None or triples is None or classes is None or properties is None:
        return None
    if number(ds, "classes") != len(classes) or number(ds, "properties") != len(properties):
        return None
    # One query for the thousands of subsets (a lookup each took 0.15 s at 10^6 triples); a subset with other
    # than one integer count is left out, as number() would.
    counts: dict[str, list[ox.Literal]] = {}
    for row in rows(store.query(f"SELECT ?s ?n WHERE {{ GRAPH <{META_GRAPH}> {{ <{DATASET}> <{VOID}subset> ?s . "
                                f"?s <{VOID}triples> ?n }} }}")):
        if isinstance(row["s"], ox.NamedNode):
            counts.setdefault(row["s"].value, []).append(row["n"])
    graphs = {s: n for s, found in counts.items() if (n := _integer(found)) is not None}
    return Recorded(Figures(subjects, objects, classes, properties), triples, graphs)


def _integer(found: list[Any]) -> int | None:
    """The value of ``found`` when it is one xsd:integer, else None."""
    if len(found) != 1 or not isinstance(found[0], ox.Literal) or found[0].datatype.value != XSD + "integer":
        return None
    try:
        return int(found[0].value)
    except ValueError:
        return None


# Terms the store gives back as they were given: IRIs, blank nodes, and literals it keeps as text (a language tag is
# lower-cased when the literal is made, before it reaches the store). Other typed literals come back canonical.
_AS_GIVEN = (ox.NamedNode, ox.BlankNode)
_VERBATIM = frozenset({XSD + "string", PREFIXES["rdf"] + "langString"})


class Change:
    """The quads a build removes from and adds to ``store``, net of each other: ``removed`` were in the store
    before and are not now, ``added`` the reverse (a quad removed and added back is in neither). Both hold quads
    as the store gives them back, which is not always as they were given: typed literals come back in their
    canonical form ("01"^^xsd:integer as "1"), and the store's own quads are what :func:`updated` compares them with.

    :func:`updated` is exact only if every change the described graphs undergo goes through here."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.removed: set[ox.Quad] = set()
        self.added: set[ox.Quad] = set()

    def _stored(self, q: ox.Quad) -> ox.Quad | None:
        if q not in self.store:  # asked first: a lookup by pattern can answer with another quad (see updated)
            return None
        return self._as_stored(q)

    def _as_stored(self, q: ox.Quad) -> ox.Quad:
        """``q``, which the store holds, as the store gives it back. Only a typed literal (other than a string) can
        come back changed, so only such a quad is looked up: looking every quad up took a tenth of a one-story
        rebuild at 10^5 triples."""
        if isinstance(q.subject, _AS_GIVEN) and (isinstance(q.object, _AS_GIVEN) or (
                isinstance(q.object, ox.Literal) and q.object.datatype.value in _VERBATIM)):
            return q
        return next(iter(self.store.quads_for_pattern(q.subject, q.predicate, q.object, q.graph_name)), q)

    def _gone(self, quads: Iterable[ox.Quad]) -> None:
        for q in quads:
            if q in self.added:
                self.added.discard(q)
            else:
                self.removed.add(q)

    def remove(self, quads: Iterable[ox.Quad]) -> None:
        gone = {found for q in quads if (found := self._stored(q)) is not None}
        for q in gone:
            self.store.remove(q)
        self._gone(gone)

    def remove_graph(self, graph: ox.NamedNode) -> None:
        gone = set(self.store.quads_for_pattern(None, None, None, graph))
        self.store.remove_graph(graph)
        self._gone(gone)

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        fresh = [q for q in quads if q not in self.store]
        self.store.extend(fresh)
        for q in {self._as_stored(q) for q in fresh}:
            if q in self.removed:
                self.removed.discard(q)
            else:
                self.added.add(q)


def graph_triples(before: Recorded, change: Change, graphs: Collection[str]) -> dict[str, int]:
    """The triples in each of ``graphs`` (IRIs) now, the empty ones left out: as many as ``before`` said, plus
    those ``change`` added there, less those it removed. Exact when every change to those graphs went through
    ``change``, as in an incremental build (its test compares the result with a full build's, figures included);
    counting them instead took 1.1 s at 10^6 triples."""
    triples = {g: before.graphs.get(g, 0) for g in graphs}
    for quads, step in ((change.removed, -1), (change.added, 1)):
        for q in quads:
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in triples:
                triples[q.graph_name.value] += step
    return {g: n for g, n in sorted(triples.items()) if n}


def updated(before: Recorded, change: Change) -> Figures | None:
    """The figures of ``change.store`` now, from those ``before`` the change: equal to :func:`store_figures`'s, at
    the cost of a few lookups per term the changed quads use, provided every change to the store went through
    ``change``. None when unsure (then query the store): the default graph holds triples (the figures before
    leave it out), or a changed quad holds a triple term or types something with a class that is not an IRI.

    A term is in the store before the change if a removed quad uses it, or a quad in the store now that was not
    added; it is there now if an added quad or any quad in the store uses it.
    """
    store, removed, added = change.store, change.removed, change.added
    meta = ox.NamedNode(META_GRAPH)  # the figures describe the store without it
    if any(not isinstance(q.graph_name, ox.NamedNode) for q in removed | added):
        return None
    if next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        return None
    if any(isinstance(q.object, ox.Triple) or (q.predicate == RDF_TYPE and not isinstance(q.object, ox.NamedNode))
           for q in removed | added) or not all(isinstance(c, ox.NamedNode) for c in before.figures.classes):
        return None

    def there(pattern: tuple[Any, Any, Any], skip: set[ox.Quad]) -> bool:
        for q in store.quads_for_pattern(*pattern):
            # On disk, pyoxigraph 0.5.13 answers a pattern whose last bound term is an xsd:integer ending in the
            # byte 0xFF (255, 1535...) with its quads and then those after them in the index, which match nothing:
            # the first quad that does not match ends the quads that do. (The default graph, scanned apart, is
            # empty here.)
            found = (q.subject, q.predicate, q.object)
            if any(term is not None and term != got for term, got in zip(pattern, found, strict=True)):
                return False
            if q not in skip and q.graph_name != meta:  # the previous description may still be there
                return True
        return False

    def turned(gone: set[Any], new: set[Any], pattern: Callable[[Any], tuple[Any, Any, Any]]) -> dict[Any, int]:
        """Of the keys the removed (``gone``) and added (``new``) quads give: +1 for each the store's quads give
        now and did not before, -1 for each the reverse."""
        out: dict[Any, int] = {}
        for k in gone | new:
            was = k in gone or there(pattern(k), added)
            now = k in new or there(pattern(k), set())
            if was != now:
                out[k] = 1 if now else -1
        return out

    subjects = turned({q.subject for q in removed}, {q.subject for q in added}, lambda s: (s, None, None))
    objects = turned({q.object for q in removed}, {q.object for q in added}, lambda o: (None, None, o))
    typed = turned({(q.subject, q.object) for q in removed if q.predicate == RDF_TYPE},
                   {(q.subject, q.object) for q in added if q.predicate == RDF_TYPE},
                   lambda pair: (pair[0], RDF_TYPE, pair[1]))
    classes = dict(before.figures.classes)
    for (_, c), step in typed.items():
        classes[c] = classes.get(c, 0) + step
    properties = dict(before.figures.properties)
    for q, step in [(q, -1) for q in removed] + [(q, 1) for q in added]:
        properties[q.predicate] = properties.get(q.predicate, 0) + step
    if any(n < 0 for table in (classes, properties) for n in table.values()):
        return None
    return Figures(before.figures.subjects + sum(subjects.values()), before.figures.objects + sum(objects.values()),
                   {c: n for c, n in classes.items() if n}, {p: n for p, n in properties.items() if n})
