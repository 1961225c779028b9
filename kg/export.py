"""``kg export``: the store as RDF files. Turtle is written for people; the other formats stream from the engine.

The Turtle writer declares our prefixes once, writes one block per subject in sorted order (``a`` first,
then labels, then the rest sorted), nests blank nodes used once as ``[ ... ]`` and RDF lists as ``( ... )``,
so the same store always gives the same bytes and a diff between two builds is readable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg.errors import KgError
from kg.rdfio import EXPORT_FORMATS
from kg.vocab import INFERRED_GRAPH, META_GRAPH, PREFIXES

RDF = PREFIXES["rdf"]
XSD = PREFIXES["xsd"]
_TYPE, _FIRST, _REST, _NIL = (ox.NamedNode(RDF + n) for n in ("type", "first", "rest", "nil"))
_FIRST_PREDICATES = [RDF + "type", PREFIXES["rdfs"] + "label", PREFIXES["skos"] + "prefLabel"]
_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]+)*|[0-9][A-Za-z0-9_\-]*")
_INTEGER = re.compile(r"[+-]?[0-9]+")
Term = ox.NamedNode | ox.BlankNode | ox.Literal


def turtle_prefixes() -> dict[str, str]:
    """The prefixes every Turtle file we write declares."""
    return dict(PREFIXES)


def default_graphs(store: ox.Store, inferred: bool = False) -> list[ox.NamedNode]:
    """The graphs an export covers unless told otherwise: every input file and the evidence offsets;
    the reasoner's graph only when asked; never the store's own metadata."""
    skip = {META_GRAPH} | (set() if inferred else {INFERRED_GRAPH})
    return sorted((g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value not in skip),
                  key=lambda g: g.value)


def export(store: ox.Store, output: BinaryIO, fmt: str = "turtle", graphs: list[ox.NamedNode] | None = None) -> None:
    """Write the store (the given graphs, or :func:`default_graphs`) to ``output`` in ``fmt``.

    Turtle, N-Triples and RDF/XML hold one graph: the union of the chosen graphs. TriG, N-Quads and JSON-LD
    keep each graph's name.

    >>> import io
    >>> s = ox.Store()
    >>> s.add(ox.Quad(ox.NamedNode("https://w3id.org/standoff/id/pentagon-anthropic/anthropic"),
    ...               ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("Anthropic"),
    ...               ox.NamedNode("https://w3id.org/standoff/graph/triples/x.ttl")))
    >>> out = io.BytesIO(); export(s, out)
    >>> out.getvalue().decode().splitlines()[-1]
    'pa:anthropic rdfs:label "Anthropic" .'
    """
    rdf = EXPORT_FORMATS.get(fmt)
    if rdf is None:
        raise KgError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    chosen = default_graphs(store) if graphs is None else graphs
    if rdf == ox.RdfFormat.TURTLE:
        write_turtle(store, output, chosen)
    elif rdf == ox.RdfFormat.N_TRIPLES:
        for graph in chosen:
            store.dump(output, format=rdf, from_graph=graph)
    elif rdf.supports_datasets:
        ox.serialize(_quads(store, chosen), output, format=rdf,
                     **({"prefixes": turtle_prefixes()} if rdf == ox.RdfFormat.TRIG else {}))
    else:
        ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in _quads(store, chosen)), output,
                     format=rdf, prefixes=turtle_prefixes())


def _quads(store: ox.Store, graphs: list[ox.NamedNode]) -> Iterator[ox.Quad]:
    for graph in graphs:
        yield from store.quads_for_pattern(None, None, None, graph)


def export_file(store: ox.Store, path: Path, fmt: str | None = None, graphs: list[ox.NamedNode] | None = None) -> None:
    """Export to a file; the format defaults to the one the extension names."""
    if fmt is None:
        guessed = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
        fmt = next((name for name, f in EXPORT_FORMATS.items() if f == guessed), "turtle")
    with path.open("wb") as handle:
        export(store, handle, fmt, graphs)


class _TurtleWriter:
    """Writes the union of some graphs of a store as sorted, nested Turtle."""

    def __init__(self, store: ox.Store, graphs: list[ox.NamedNode], out: BinaryIO) -> None:
        self.store, self.graphs, self.out = store, graphs, out
        self.chosen = set(graphs)
        self.prefixes = sorted(turtle_prefixes().items(), key=lambda kv: -len(kv[1]))
        self.labels: dict[ox.BlankNode, str] = {}
        self.inline: dict[ox.BlankNode, bool] = {}

    def triples(self, subject: ox.NamedNode | ox.BlankNode) -> list[tuple[ox.NamedNode, Term]]:
        # One lookup of the subject across all graphs, filtered by graph: one lookup per graph made the
        # export quadratic (subjects x graphs) once a project has one graph per file of thousands of stories.
        pairs = {(q.predicate, q.object) for q in self.store.quads_for_pattern(subject, None, None)
                 if q.graph_name in self.chosen}
        return sorted(pairs, key=lambda po: (_predicate_rank(po[0]), po[0].value, _term_key(po[1])))

    def referrers(self, node: ox.BlankNode) -> list[Term]:
        return list({q.subject for q in self.store.quads_for_pattern(None, None, node) if q.graph_name in self.chosen})

    def inlinable(self, node: ox.BlankNode) -> bool:
        """Used exactly once as an object, and not part of a cycle of such nodes (which would vanish)."""
        if node not in self.inline:
            self.inline[node] = self._inlinable(node)
        return self.inline[node]

    def _inlinable(self, node: ox.BlankNode) -> bool:
        refs = self.referrers(node)
        if len(refs) != 1:
            return False
        seen = {node}
        current = refs[0]
        # Climb while the holder is itself a blank node used once: the chain must end at a subject
        # written at the top level, or nothing would ever write this node.
        while isinstance(current, ox.BlankNode):
            if current in seen:
                return False
            seen.add(current)
            refs = self.referrers(current)
            if len(refs) != 1:
                return True
            current = refs[0]
        return True

    def iri(self, node: ox.NamedNode) -> str:
        value = node.value
        for prefix, ns in self.prefixes:
            if value.startswith(ns) and _LOCAL.fullmatch(value[len(ns):]):
                return f"{prefix}:{value[len(ns):]}"
        return f"<{value}>"

    def literal(self, lit: ox.Literal) -> str:
        text = str(ox.Literal(lit.value))  # N-Triples escaping of the lexical form
        dt = lit.datatype.value
        if lit.language:
            return f"{text}@{lit.language}"
        if dt == XSD + "string":
            return text
        if dt == XSD + "integer" and _INTEGER.fullmatch(lit.value):
            return lit.value
        if dt == XSD + "boolean" and lit.value in ("true", "false"):
            return lit.value
        return f"{text}^^{self.iri(lit.datatype)}"

    def term(self, node: Term, depth: int) -> str:
        if isinstance(node, ox.NamedNode):
            return self.iri(node)
        if isinstance(node, ox.Literal):
            return self.literal(node)
        if self.inlinable(node):
            items = self.list_items(node)
            if items is not None:
                return "( " + " ".join(self.term(i, depth + 1) for i in items) + " )" if items else "()"
            body = self.body(node, depth + 1)
            indent = "    " * depth
            return f"[\n{body}\n{indent}]" if body else "[]"
        return self.label(node)

    def list_items(self, node: ox.BlankNode) -> list[Term] | None:
        """The members of a well-formed RDF list starting at ``node``, else None."""
        items: list[Term] = []
        current: Term = node
        while current != _NIL:
            if not isinstance(current, ox.BlankNode):
                return None
            pairs = self.triples(current)
            preds = [p for p, _ in pairs]
            if preds != [_FIRST, _REST] or (current != node and len(self.referrers(current)) != 1):
                return None
            items.append(pairs[0][1])
            current = pairs[1][1]
            if len(items) > 100_000:
                return None
        return items

    def label(self, node: ox.BlankNode) -> str:
        if node not in self.labels:
            self.labels[node] = f"_:b{len(self.labels)}"
        return self.labels[node]

    def body(self, subject: ox.NamedNode | ox.BlankNode, depth: int) -> str:
        indent = "    " * depth
        groups: list[tuple[ox.NamedNode, list[Term]]] = []
        for predicate, obj in self.triples(subject):
            if groups and groups[-1][0] == predicate:
                groups[-1][1].append(obj)
            else:
                groups.append((predicate, [obj]))
        parts = []
        for predicate, objects in groups:
            rendered = [self.term(o, depth) for o in objects]
            verb = "a" if predicate == _TYPE else self.iri(predicate)
            parts.append(f"{indent}{verb} " + f" ,\n{indent}    ".join(rendered))
        return " ;\n".join(parts)

    def write(self) -> None:
        head = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(turtle_prefixes().items()))
        self.out.write(head.encode())
        for subject in self.subjects():
            if isinstance(subject, ox.BlankNode) and self.inlinable(subject):
                continue
            name = self.term(subject, 0) if isinstance(subject, ox.NamedNode) else self.label(subject)
            body = self.body(subject, 1)
            self.out.write(f"\n{name}\n{body} .\n".encode() if "\n" in body or len(body) > 100
                           else f"\n{name} {body.strip()} .\n".encode())

    def subjects(self) -> list[ox.NamedNode | ox.BlankNode]:
        found: set[ox.NamedNode | ox.BlankNode] = set()
        for graph in self.graphs:
            for row in self.store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }", default_graph=graph):
                found.add(row["s"])
        return sorted(found, key=_term_key)


def _predicate_rank(predicate: ox.NamedNode) -> int:
    try:
        return _FIRST_PREDICATES.index(predicate.value)
    except ValueError:
        return len(_FIRST_PREDICATES)


def _term_key(term: Term) -> tuple[int, str, str]:
    if isinstance(term, ox.NamedNode):
        return (0, term.value, "")
    if isinstance(term, ox.Literal):
        return (1, term.value, term.language or term.datatype.value)
    return (2, term.value, "")


def write_turtle(store: ox.Store, out: BinaryIO, graphs: Iterable[ox.NamedNode]) -> None:
    """Write the union of ``graphs`` as readable, deterministic Turtle."""
    _TurtleWriter(store, list(graphs), out).write()
