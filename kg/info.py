"""``kg stats`` and ``kg info``: the store's VoID description, read back with SPARQL and printed for people."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.vocab import DATASET, META_GRAPH, PREFIXES, shorten

_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def _rows(store: ox.Store, query: str) -> list[ox.QuerySolution]:
    return list(store.query(_PREFIXES + query, default_graph=ox.NamedNode(META_GRAPH),
                            substitutions={ox.Variable("ds"): ox.NamedNode(DATASET)}))


def stats(store: ox.Store) -> str:
    """The VoID figures of a built store as aligned text."""
    lines = []
    for row in _rows(store, """SELECT ?ds ?triples ?classes ?properties ?subjects WHERE {
        ?ds void:triples ?triples ; void:classes ?classes ; void:properties ?properties ;
            void:distinctSubjects ?subjects }"""):
        lines.append(f"triples {int(row['triples'].value):>10,}")
        lines.append(f"classes {int(row['classes'].value):>10,}")
        lines.append(f"properties {int(row['properties'].value):>7,}")
        lines.append(f"subjects {int(row['subjects'].value):>9,}")
    lines.append("\ntriples per graph:")
    for row in _rows(store, "SELECT ?ds ?g ?n WHERE { ?ds void:subset ?g . ?g void:triples ?n } ORDER BY ?g"):
        lines.append(f"  {int(row['n'].value):>8,}  {row['g'].value}")
    lines.append("\nentities per class:")
    for row in _rows(store, """SELECT ?ds ?c ?n WHERE { ?ds void:classPartition [ void:class ?c ; void:entities ?n ] }
                               ORDER BY DESC(?n) ?c"""):
        lines.append(f"  {int(row['n'].value):>8,}  {shorten(row['c'].value)}")
    lines.append("\ntriples per property:")
    for row in _rows(store, """SELECT ?ds ?p ?n WHERE {
                                 ?ds void:propertyPartition [ void:property ?p ; void:triples ?n ] }
                               ORDER BY DESC(?n) ?p"""):
        lines.append(f"  {int(row['n'].value):>8,}  {shorten(row['p'].value)}")
    return "\n".join(lines) + "\n"


def info(store: ox.Store, path: Path) -> str:
    """Where the store is, when it was built, by which tool, and from which inputs."""
    lines = [f"store    {path}" + (f" -> {path.resolve()}" if path.is_symlink() else "")]
    for row in _rows(store, """SELECT ?ds ?when ?tool WHERE {
        ?ds dcterms:modified ?when ; prov:wasGeneratedBy/prov:wasAssociatedWith/rdfs:label ?tool }"""):
        lines.append(f"built    {row['when'].value}")
        lines.append(f"tool     {row['tool'].value}")
    lines.append("inputs:")
    for row in _rows(store, """SELECT ?ds ?file ?sha ?n WHERE {
        ?ds void:subset ?g . ?g dcterms:source ?file ; so:sha256 ?sha ; void:triples ?n } ORDER BY ?file"""):
        lines.append(f"  {row['file'].value}  sha256 {row['sha'].value}  {int(row['n'].value):,} triples")
    for row in _rows(store, """SELECT ?ds ?step WHERE { ?ds prov:wasGeneratedBy/rdfs:comment ?step } ORDER BY ?step"""):
        lines.append(f"step     {row['step'].value}")
    return "\n".join(lines) + "\n"
