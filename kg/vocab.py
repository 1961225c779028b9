"""Namespaces, graph names and prefixes: the one place where the project's IRIs are defined."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

SO = "https://w3id.org/standoff/ontology#"
ONTOLOGY_IRI = "https://w3id.org/standoff/ontology"
CAMEO = "https://w3id.org/standoff/cameo/"
DATA = "https://w3id.org/standoff/id/"
GRAPH = "https://w3id.org/standoff/graph/"

# Graphs the build writes besides one graph per input file (GRAPH + the file's path under the project).
META_GRAPH = GRAPH + "meta"
INFERRED_GRAPH = GRAPH + "inferred"
EVIDENCE_GRAPH = GRAPH + "evidence"
# Linked datasets (`kg link add`) go to LINK_GRAPH + name; the links found to them to LINKSET_GRAPH + name,
# described in the meta graph as the void:Linkset LINKSET + name.
LINK_GRAPH = GRAPH + "link/"
LINKSET_GRAPH = GRAPH + "linkset/"
LINKSET = "https://w3id.org/standoff/linkset/"

# Prefixes as registered on prefix.cc, plus our own; used for parsing queries and shortening IRIs.
PREFIXES: dict[str, str] = {
    "so": SO,
    "shape": "https://w3id.org/standoff/shapes#",
    "cameo": CAMEO,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "http://schema.org/",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "void": "http://rdfs.org/ns/void#",
    "sh": "http://www.w3.org/ns/shacl#",
    "wd": "http://www.wikidata.org/entity/",
    "dbr": "http://dbpedia.org/resource/",
    "sssom": "https://w3id.org/sssom/",
    "semapv": "https://w3id.org/semapv/vocab/",
    "vann": "http://purl.org/vocab/vann/",
}
# Story prefixes are not here: each story declares its own (vann:preferredNamespacePrefix on its so:Story node),
# and the tool reads them from the data (kg.stories.story_prefixes).

# The VoID description of the whole store, in META_GRAPH; each story's own void:Dataset is STORY_DATASET + its folder.
DATASET = "https://w3id.org/standoff/dataset"
STORY_DATASET = DATASET + "/"


class _Namespaces:
    """Prefixes by namespace and by the namespaces' lengths: the longest namespace an IRI starts with is found with
    one dictionary lookup per distinct length, however many prefixes there are. A build puts every story's prefix in
    effect, and comparing each IRI with each of a thousand namespaces made naming a node cost 0.1 ms. ``extra`` are
    the prefixes put in effect beyond ours (:func:`in_effect`)."""

    def __init__(self, prefixes: dict[str, str], extra: dict[str, str] | None = None) -> None:
        self.extra = extra or {}
        self.prefix: dict[str, str] = {}
        for name, namespace in prefixes.items():
            self.prefix.setdefault(namespace, name)  # two names for one namespace: the first, as before
        self.lengths = sorted({len(namespace) for namespace in self.prefix}, reverse=True)

    def longest(self, iri: str) -> tuple[str, str] | None:
        """The prefix and namespace of the longest namespace ``iri`` starts with."""
        for length in self.lengths:
            if length <= len(iri) and (name := self.prefix.get(iri[:length])) is not None:
                return name, iri[:length]
        return None


_OURS = _Namespaces(PREFIXES)
# The prefixes shorten() and show() use while a block of work runs (ours, and the stories' that a build puts in
# effect to name the nodes of its violations): set with in_effect(), so the many messages need not each be handed them.
_IN_EFFECT: ContextVar[_Namespaces] = ContextVar("namespaces_in_effect", default=_OURS)


@contextmanager
def in_effect(prefixes: dict[str, str]) -> Iterator[None]:
    """Let shorten() and show() also use ``prefixes`` inside the ``with`` block.

    >>> with in_effect({"ex": "http://example.org/"}):
    ...     shorten("http://example.org/a")
    'ex:a'
    >>> shorten("http://example.org/a")
    '<http://example.org/a>'
    """
    extra = {**_IN_EFFECT.get().extra, **prefixes}
    token = _IN_EFFECT.set(_Namespaces({**PREFIXES, **extra}, extra))
    try:
        yield
    finally:
        _IN_EFFECT.reset(token)


def graph_iri(relative_path: str) -> str:
    """The named graph that holds one input file: our graph base plus the file's path in the project.

    >>> graph_iri("triples/my-story/acts.ttl")
    'https://w3id.org/standoff/graph/triples/my-story/acts.ttl'
    """
    return GRAPH + relative_path


def shorten(iri: str, prefixes: dict[str, str] | None = None) -> str:
    """An IRI as a prefixed name when one of ``prefixes`` covers it, else in angle brackets.

    Without ``prefixes``: ours, and those put in effect with :func:`in_effect`.

    >>> shorten("https://w3id.org/standoff/ontology#Demand"), shorten("http://example.org/x")
    ('so:Demand', '<http://example.org/x>')
    >>> shorten("http://example.org/x", {"ex": "http://example.org/"})
    'ex:x'
    """
    table = _IN_EFFECT.get() if prefixes is None else _Namespaces(prefixes)
    best = table.longest(iri)
    if best is None:
        return f"<{iri}>"
    local = iri[len(best[1]):]
    if _LOCAL.fullmatch(local):
        return f"{best[0]}:{local}"
    return f"<{iri}>"


_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?|")


def show(term: object) -> str:
    """Any RDF term as a person reads it in a message: IRIs shortened, literals as in N-Triples.

    >>> import pyoxigraph as ox
    >>> show(ox.NamedNode(SO + "Ban")), show(ox.Literal("x"))
    ('so:Ban', '"x"')
    """
    import pyoxigraph as ox

    return shorten(term.value) if isinstance(term, ox.NamedNode) else str(term)
