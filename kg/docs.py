"""The ontology's reference documentation, generated from the Turtle files so it cannot drift from them.

``python -m kg.docs [ONTOLOGY_DIR]`` rewrites ``ontology/REFERENCE.md``; a test fails when the committed file is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.rdfio import list_members
from kg.vocab import ONTOLOGY_IRI, PREFIXES, SO

FILES = ("standoff.ttl", "alignments.ttl", "cameo.ttl")
REFERENCE_FILE = "REFERENCE.md"
# Any RDF term a query returns (RDF 1.2 triple terms never occur in these files).
_Term = Any
_RDF, _RDFS, _OWL, _SKOS = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["owl"], PREFIXES["skos"]


def render_reference(ontology_dir: str | Path) -> str:
    """Markdown reference of the ontology in ``ontology_dir``: classes, properties, schemes, CAMEO codes.

    >>> text = render_reference(Path(__file__).parent.parent / "ontology")
    >>> text.splitlines()[0]
    '# standoff ontology reference'
    >>> "| so:Ultimatum |" in text or "### so:Ultimatum" in text
    True
    """
    store = ox.Store()
    for name in FILES:
        store.load(path=str(Path(ontology_dir) / name), format=ox.RdfFormat.TURTLE)
    doc = _Doc(store)
    return "\n".join(doc.header() + doc.classes() + doc.properties() + doc.schemes() + doc.cameo()) + "\n"


def write_reference(ontology_dir: str | Path) -> Path:
    """Regenerate ``REFERENCE.md`` in ``ontology_dir``; return its path."""
    path = Path(ontology_dir) / REFERENCE_FILE
    path.write_text(render_reference(ontology_dir), encoding="utf-8")
    return path


class _Doc:
    def __init__(self, store: ox.Store) -> None:
        self.store = store

    # --- reading ---------------------------------------------------------------------------------------------
    def values(self, subject: ox.NamedNode | ox.BlankNode, predicate: str) -> list[_Term]:
        found = [q.object for q in self.store.quads_for_pattern(subject, ox.NamedNode(predicate), None)]
        return sorted(found, key=lambda t: (isinstance(t, ox.BlankNode), str(t)))

    def has(self, subject: ox.NamedNode, predicate: str, obj: str) -> bool:
        return ox.Quad(subject, ox.NamedNode(predicate), ox.NamedNode(obj)) in self.store

    def text(self, subject: _Term, predicate: str) -> str:
        literals = [v for v in self.values(subject, predicate) if isinstance(v, ox.Literal)]
        return literals[0].value if literals else ""

    def ours(self, kind: str) -> list[ox.NamedNode]:
        subjects = {q.subject for q in self.store.quads_for_pattern(None, ox.NamedNode(_RDF + "type"),
                                                                    ox.NamedNode(_OWL + kind))}
        return sorted((s for s in subjects if isinstance(s, ox.NamedNode) and s.value.startswith(SO)),
                      key=lambda s: s.value)

    def members(self, head: _Term) -> list[_Term]:
        return list_members(head, lambda node, p: next(iter(self.values(node, p)), None))

    def show(self, term: _Term) -> str:
        """A class expression in Manchester-like words."""
        if isinstance(term, ox.NamedNode):
            return _curie(term.value)
        if isinstance(term, ox.Literal):
            return repr(term.value)
        for key, word in (("unionOf", " or "), ("intersectionOf", " and ")):
            lists = self.values(term, _OWL + key)
            if lists:
                return "(" + word.join(self.show(m) for m in self.members(lists[0])) + ")"
        one_of = self.values(term, _OWL + "oneOf")
        if one_of:
            return "one of {" + ", ".join(self.show(m) for m in self.members(one_of[0])) + "}"
        prop = self.values(term, _OWL + "onProperty")
        for key, word in (("someValuesFrom", "some"), ("allValuesFrom", "only")):
            filler = self.values(term, _OWL + key)
            if prop and filler:
                return f"({self.show(prop[0])} {word} {self.show(filler[0])})"
        return "(anonymous)"

    def shown(self, subject: _Term, predicate: str) -> str:
        return ", ".join(self.show(v) for v in self.values(subject, predicate)) or "-"

    # --- sections --------------------------------------------------------------------------------------------
    def header(self) -> list[str]:
        onto = ox.NamedNode(ONTOLOGY_IRI)
        dc = "http://purl.org/dc/terms/"
        return ["# standoff ontology reference", "",
                "Generated from `standoff.ttl`, `alignments.ttl` and `cameo.ttl` by `python -m kg.docs`; "
                "do not edit.", "",
                f"- Title: {self.text(onto, dc + 'title')}",
                f"- Ontology IRI: <{ONTOLOGY_IRI}>, version IRI: {self.shown(onto, _OWL + 'versionIRI')}, "
                f"version {self.text(onto, _OWL + 'versionInfo')}",
                f"- Creator: {self.text(onto, dc + 'creator')}; license: {self.shown(onto, dc + 'license')}",
                f"- Namespace: `so:` <{SO}>", "", self.text(onto, dc + "description"), ""]

    def classes(self) -> list[str]:
        lines = ["## Classes", ""]
        for cls in self.ours("Class"):
            cameo = [f"{_curie(v.value)} ({self.text(v, _SKOS + 'prefLabel')})"
                     for v in self.values(cls, SO + "cameoClass") if isinstance(v, ox.NamedNode)]
            lines += [f"### {_curie(cls.value)} ({self.text(cls, _RDFS + 'label')})", "",
                      self.text(cls, _SKOS + "definition"), "",
                      f"- Superclasses: {self.shown(cls, _RDFS + 'subClassOf')}"]
            if self.values(cls, _OWL + "equivalentClass"):
                lines.append(f"- Defined as (HermiT infers members): {self.shown(cls, _OWL + 'equivalentClass')}")
            lines += [f"- Disjoint with: {', '.join(self.disjoint(cls)) or '-'}",
                      f"- CAMEO class: {', '.join(cameo) or '-'}", ""]
        return lines

    def disjoint(self, cls: ox.NamedNode) -> list[str]:
        others: set[str] = set()
        for quad in self.store.quads_for_pattern(None, ox.NamedNode(_OWL + "members"), None):
            names = [m for m in self.members(quad.object) if isinstance(m, ox.NamedNode)]
            if cls in names:
                others.update(_curie(m.value) for m in names if m != cls)
        return sorted(others)

    def properties(self) -> list[str]:
        lines: list[str] = []
        for kind, title in (("ObjectProperty", "Object properties"), ("DatatypeProperty", "Data properties"),
                            ("AnnotationProperty", "Annotation properties")):
            lines += [f"## {title}", "",
                      "| Property | Label | Domain | Range | Characteristics | Superproperties | Definition |",
                      "| --- | --- | --- | --- | --- | --- | --- |"]
            for prop in self.ours(kind):
                traits = [t for t in ("Functional", "Transitive")
                          if self.has(prop, _RDF + "type", _OWL + t + "Property")]
                inverse = self.values(prop, _OWL + "inverseOf") + [
                    q.subject for q in self.store.quads_for_pattern(None, ox.NamedNode(_OWL + "inverseOf"), prop)]
                traits += [f"inverse of {self.show(i)}" for i in inverse]
                lines.append(f"| {_curie(prop.value)} | {self.text(prop, _RDFS + 'label')} | "
                             f"{self.shown(prop, _RDFS + 'domain')} | {self.shown(prop, _RDFS + 'range')} | "
                             f"{', '.join(traits) or '-'} | {self.shown(prop, _RDFS + 'subPropertyOf')} | "
                             f"{self.text(prop, _SKOS + 'definition')} |")
            lines.append("")
        return lines

    def schemes(self) -> list[str]:
        lines = ["## Factuality schemes (SKOS)", ""]
        schemes = [s for s in self.ours("NamedIndividual") if self.has(s, _RDF + "type", _SKOS + "ConceptScheme")]
        for scheme in schemes:
            lines += [f"### {_curie(scheme.value)} ({self.text(scheme, _RDFS + 'label')})", "",
                      self.text(scheme, _SKOS + "definition"), "", "| Concept | Notation | Label | Definition |",
                      "| --- | --- | --- | --- |"]
            concepts = [q.subject for q in self.store.quads_for_pattern(None, ox.NamedNode(_SKOS + "inScheme"), scheme)]
            for concept in _in_list_order(concepts, self.all_different()):
                lines.append(f"| {_curie(concept.value)} | {self.text(concept, _SKOS + 'notation')} | "
                             f"{self.text(concept, _SKOS + 'prefLabel')} | "
                             f"{self.text(concept, _SKOS + 'definition')} |")
            lines.append("")
        return lines

    def all_different(self) -> list[_Term]:
        order: list[_Term] = []
        for quad in self.store.quads_for_pattern(None, ox.NamedNode(_OWL + "distinctMembers"), None):
            order += self.members(quad.object)
        return order

    def cameo(self) -> list[str]:
        scheme = ox.NamedNode(PREFIXES["cameo"] + "scheme")
        lines = ["## CAMEO codes (`cameo:scheme`)", "", self.text(scheme, _SKOS + "definition"), "",
                 "| Code | Label | Broader |", "| --- | --- | --- |"]
        in_scheme = ox.NamedNode(_SKOS + "inScheme")
        concepts: list[_Term] = [q.subject for q in self.store.quads_for_pattern(None, in_scheme, scheme)]
        for concept in sorted(concepts, key=lambda c: c.value):
            lines.append(f"| {self.text(concept, _SKOS + 'notation')} | {self.text(concept, _SKOS + 'prefLabel')} | "
                         f"{self.shown(concept, _SKOS + 'broader')} |")
        return lines


def _in_list_order(items: list, order: list) -> list:
    position = {term: i for i, term in enumerate(order)}
    return sorted(items, key=lambda t: (position.get(t, len(order)), str(t)))


def _curie(iri: str) -> str:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent.parent / "ontology"
    print(write_reference(target))
