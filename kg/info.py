"""``kg stats`` and ``kg info``: the store's VoID description, read back with SPARQL and printed for people."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.rows import rows
from kg.stories import story_prefixes
from kg.vocab import DATASET, GRAPH, META_GRAPH, PREFIXES, shorten

_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
# The classes a story's figures count (kg.meta.STORY_CLASSES), as `kg stats` names them.
_COUNTED = {"so:Eventuality": "events", "so:Mention": "mentions", "oa:SpecificResource": "spans",
            "so:SourceDocument": "documents"}


def _rows(store: ox.Store, query: str) -> list[dict[str, Any]]:
    return list(rows(store.query(_PREFIXES + query, default_graph=ox.NamedNode(META_GRAPH),
                            substitutions={ox.Variable("ds"): ox.NamedNode(DATASET)})))


def stats(store: ox.Store) -> str:
    """The VoID figures of a built store as aligned text: the whole store's, each story's, then per graph, class
    and property."""
    prefixes = {**PREFIXES, **story_prefixes(store)}
    lines = []
    for row in _rows(store, """SELECT ?ds ?triples ?classes ?properties ?subjects WHERE {
        ?ds void:triples ?triples ; void:classes ?classes ; void:properties ?properties ;
            void:distinctSubjects ?subjects }"""):
        lines.append(f"triples {int(row['triples'].value):>10,}")
        lines.append(f"classes {int(row['classes'].value):>10,}")
        lines.append(f"properties {int(row['properties'].value):>7,}")
        lines.append(f"subjects {int(row['subjects'].value):>9,}")
    lines.append("\nstories:")
    for row in _rows(store, """SELECT ?ds ?d ?story ?folder ?triples WHERE {
        ?ds void:subset ?d . ?d dcterms:subject ?story ; dcterms:source ?folder ; void:triples ?triples }
        ORDER BY ?folder"""):
        counts = {_COUNTED.get(shorten(r["c"].value), ""): int(r["n"].value) for r in rows(store.query(
            _PREFIXES + "SELECT ?d ?c ?n WHERE { ?d void:classPartition [ void:class ?c ; void:entities ?n ] }",
            default_graph=ox.NamedNode(META_GRAPH), substitutions={ox.Variable("d"): row["d"]}))}
        figures = ", ".join(f"{counts.get(name, 0):,} {name.removesuffix('s') if counts.get(name) == 1 else name}"
                            for name in _COUNTED.values())
        lines.append(f"  {shorten(row['story'].value, prefixes)}  ({row['folder'].value})  {figures}, "
                     f"{int(row['triples'].value):,} triples")
    lines.append("\ntriples per graph:")
    for row in _rows(store, "SELECT ?ds ?g ?n WHERE { ?ds void:subset ?g . ?g void:triples ?n } ORDER BY ?g"):
        if row["g"].value.startswith(GRAPH):
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
