"""Namespaces, graph names and prefixes: the one place where the project's IRIs are defined."""

from __future__ import annotations

import re

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
    "pa": DATA + "pentagon-anthropic/",
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
}

# The VoID description of the whole store, in META_GRAPH.
DATASET = "https://w3id.org/standoff/dataset"


def graph_iri(relative_path: str) -> str:
    """The named graph that holds one input file: our graph base plus the file's path in the project.

    >>> graph_iri("triples/pentagon-anthropic/acts.ttl")
    'https://w3id.org/standoff/graph/triples/pentagon-anthropic/acts.ttl'
    """
    return GRAPH + relative_path


def shorten(iri: str) -> str:
    """An IRI as a prefixed name when one of our prefixes covers it, else in angle brackets.

    >>> shorten("https://w3id.org/standoff/ontology#Demand"), shorten("http://example.org/x")
    ('so:Demand', '<http://example.org/x>')
    """
    best = max(((p, ns) for p, ns in PREFIXES.items() if iri.startswith(ns)), key=lambda x: len(x[1]), default=None)
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
