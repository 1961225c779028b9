"""The ontology's examples: the valid story, and cases that are that story with a few triples taken out or put in.

A case file (``ontology/examples/invalid/*.trig``, ``inconsistent/*.trig``) names its base in a comment,
``# base: ../valid/story.ttl``, and holds two graphs: ``delta:remove`` (triples taken out of the base) and
``delta:add`` (triples put in). A blank node in ``delta:remove`` stands for the base's blank node with exactly the
same description (a quote selector, say), which is taken out whole. A triple to remove that the base lacks is an
error, so a case cannot silently stop testing anything when the base changes. A ``.ttl`` case is a whole file.
"""

from __future__ import annotations

import re
from pathlib import Path

import rdflib
from rdflib import BNode

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "ontology" / "examples"
DELTA = rdflib.Namespace("https://w3id.org/standoff/examples/delta#")


def cases(kind: str) -> list[Path]:
    """The examples of one kind (``valid``, ``invalid``, ``inconsistent``): whole files and deltas."""
    return sorted([*(EXAMPLES / kind).glob("*.ttl"), *(EXAMPLES / kind).glob("*.trig")])


def _shape(graph: rdflib.Graph, node: BNode, seen: frozenset[BNode] = frozenset()) -> object:
    """A blank node as what it says (its properties, nested blank nodes likewise), to compare across graphs."""
    if node in seen:
        raise ValueError(f"blank node {node} describes itself")
    return frozenset((p, _shape(graph, o, seen | {node}) if isinstance(o, BNode) else o)
                     for p, o in graph.predicate_objects(node))


def _drop(graph: rdflib.Graph, node: BNode) -> None:
    for _, _, o in list(graph.triples((node, None, None))):
        if isinstance(o, BNode):
            _drop(graph, o)
    graph.remove((node, None, None))


def compose(case: Path) -> rdflib.Graph:
    """The example a case file stands for."""
    found = re.search(r"^# base: (\S+)", case.read_text(encoding="utf-8"), re.M)
    if case.suffix == ".ttl" or not found:
        return rdflib.Graph().parse(case, format="turtle")
    graph = rdflib.Graph().parse(case.parent / found[1], format="turtle")
    delta = rdflib.Dataset().parse(case, format="trig")
    remove, add = delta.graph(DELTA.remove), delta.graph(DELTA.add)
    for s, p, o in remove:
        if isinstance(s, BNode):
            continue  # part of the description of a blank node taken out below
        if not isinstance(o, BNode):
            if (s, p, o) not in graph:
                raise ValueError(f"{case.name}: the base has no triple {s.n3()} {p.n3()} {o.n3()} to remove")
            graph.remove((s, p, o))
            continue
        wanted = _shape(remove, o)
        match = next((b for b in graph.objects(s, p) if isinstance(b, BNode) and _shape(graph, b) == wanted), None)
        if match is None:
            raise ValueError(f"{case.name}: the base has no {s.n3()} {p.n3()} [...] as described to remove")
        graph.remove((s, p, match))
        _drop(graph, match)
    for triple in add:
        graph.add(triple)
    return graph


# The examples' own nodes; every other IRI is shared vocabulary. A renamed IRI meets the shapes' sh:pattern as the
# original does (they ask for a non-space or apply to literals: the story's namespace is an xsd:string, not renamed).
DATA = "https://w3id.org/standoff/id/"


def rename(node: rdflib.term.Node, case: int) -> rdflib.term.Node:
    """The node as case number ``case``'s own, so that many cases can be checked in one graph without meeting: a
    data IRI or a blank node gets a per-case name, the vocabulary stays shared."""
    if isinstance(node, BNode):
        return BNode(f"case{case}-{node}")
    if isinstance(node, rdflib.URIRef) and node.startswith(DATA):
        return rdflib.URIRef(f"{DATA}case{case}-{node.removeprefix(DATA)}")
    return node


def shared(node: rdflib.term.Node) -> bool:
    """Whether the node is the vocabulary's, which :func:`rename` leaves as it is."""
    return rename(node, 0) == node


def merge(graphs: dict[Path, rdflib.Graph]) -> tuple[rdflib.Graph, dict[rdflib.term.Node, Path]]:
    """The cases in one graph, each one's own nodes renamed apart (:func:`rename`), and the case owning each renamed
    node: one validator run checks them all, and a result is the case's that owns its focus node."""
    merged, owner = rdflib.Graph(), {}
    for case, (path, graph) in enumerate(graphs.items()):
        for triple in graph:
            renamed = tuple(rename(node, case) for node in triple)
            merged.add(renamed)  # type: ignore[arg-type]
            owner.update({new: path for old, new in zip(triple, renamed, strict=True) if new != old})
    return merged, owner


def mentioning(graphs: dict[Path, rdflib.Graph], node: rdflib.term.Node) -> set[Path]:
    """The cases whose data use ``node`` as a subject or an object."""
    return {path for path, graph in graphs.items() if node in graph.all_nodes()}


def composed(case: Path, folder: Path) -> Path:
    """The composed example as a Turtle file in ``folder``, named like the case (its stem names its check)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{case.stem}.ttl"
    compose(case).serialize(path, format="turtle")
    return path
