"""The Turtle writer at its edges, on real on-disk stores: blank nodes (nested, shared, in a cycle), lists,
a subject in several graphs, graphs left out, literal escaping and order, IRI order, and the external sort
(runs spilled to files and merged) giving the same bytes as sorting in memory.

Expected blocks follow the rules of the module docstring of kg/export.py and the N-Triples escapes of a
string (ECHAR, else UCHAR for control characters); they are written out by hand here.
"""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import canonical
from rdflib import Graph

from kg import export
from kg.export import default_graphs, write_turtle
from kg.vocab import GRAPH, PREFIXES

# A story's namespace and prefix, as a story.ttl would declare them: the writer declares the prefixes it is given.
PA, SO, RDFS, XSD = "https://w3id.org/standoff/id/example/", PREFIXES["so"], PREFIXES["rdfs"], PREFIXES["xsd"]
KNOWN = {**PREFIXES, "pa": PA}
G1, G2, G3 = (ox.NamedNode(GRAPH + name) for name in ("one.ttl", "two.ttl", "three.ttl"))


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def turtle(tmp_path: Path, quads: list[ox.Quad], graphs: list[ox.NamedNode]) -> str:
    """The writer's output for the quads, from an on-disk store, without the prefix lines."""
    store = ox.Store(str(tmp_path / "store"))
    store.extend(quads)
    out = io.BytesIO()
    write_turtle(store, out, graphs, KNOWN)
    text = out.getvalue().decode()
    assert canonical(Graph().parse(data=text, format="turtle")) == canonical(union(store, graphs))
    return "".join(line + "\n" for line in text.split("\n") if not line.startswith("@prefix ")).strip("\n")


def union(store: ox.Store, graphs: list[ox.NamedNode]) -> Graph:
    lines = {f"{q.subject} {q.predicate} {q.object} ." for g in graphs
             for q in store.quads_for_pattern(None, None, None, g)}
    return Graph().parse(data="\n".join(sorted(lines)), format="nt")


def test_a_list_is_written_in_parentheses(tmp_path: Path) -> None:
    first, second, third = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    rdf = PREFIXES["rdf"]
    quads = [ox.Quad(n(PA + "s"), n(SO + "items"), first, G1)]
    for node, item, rest in ((first, ox.Literal("a"), second), (second, ox.Literal("b"), third),
                             (third, n(PA + "c"), n(rdf + "nil"))):
        quads += [ox.Quad(node, n(rdf + "first"), item, G1), ox.Quad(node, n(rdf + "rest"), rest, G1)]
    assert turtle(tmp_path, quads, [G1]) == 'pa:s so:items ( "a" "b" pa:c ) .'


def test_a_subject_of_two_graphs_is_one_block_without_the_graphs_left_out(tmp_path: Path) -> None:
    s = n(PA + "s")
    quads = [ox.Quad(s, n(RDFS + "label"), ox.Literal("S"), G1), ox.Quad(s, n(SO + "p"), n(PA + "o1"), G1),
             ox.Quad(s, n(SO + "p"), n(PA + "o2"), G2), ox.Quad(s, n(RDFS + "label"), ox.Literal("S"), G2),
             ox.Quad(s, n(SO + "p"), n(PA + "o3"), G3), ox.Quad(n(PA + "t"), n(SO + "p"), s, G3)]
    assert turtle(tmp_path, quads, [G1, G2]) == 'pa:s\n    rdfs:label "S" ;\n    so:p pa:o1 ,\n        pa:o2 .'


def test_nested_blank_nodes_are_nested(tmp_path: Path) -> None:
    outer, inner = ox.BlankNode(), ox.BlankNode()
    quads = [ox.Quad(n(PA + "s"), n(SO + "p"), outer, G1), ox.Quad(outer, n(SO + "q"), inner, G1),
             ox.Quad(inner, n(RDFS + "label"), ox.Literal("deep"), G1)]
    assert turtle(tmp_path, quads, [G1]) == ('pa:s\n    so:p [\n        so:q [\n            rdfs:label "deep"\n'
                                             '        ]\n    ] .')


def test_a_blank_node_used_twice_by_one_subject_is_written_once_by_label(tmp_path: Path) -> None:
    shared = ox.BlankNode()
    quads = [ox.Quad(n(PA + "s"), n(SO + "p"), shared, G1), ox.Quad(n(PA + "s"), n(SO + "q"), shared, G1),
             ox.Quad(shared, n(RDFS + "label"), ox.Literal("X"), G1)]
    assert turtle(tmp_path, quads, [G1]) == 'pa:s\n    so:p _:b0 ;\n    so:q _:b0 .\n\n_:b0 rdfs:label "X" .'


def test_a_blank_node_used_once_in_the_chosen_graphs_is_nested_even_if_used_elsewhere(tmp_path: Path) -> None:
    node = ox.BlankNode()
    quads = [ox.Quad(n(PA + "s"), n(SO + "p"), node, G1), ox.Quad(node, n(RDFS + "label"), ox.Literal("X"), G1),
             ox.Quad(n(PA + "t"), n(SO + "p"), node, G3)]
    assert turtle(tmp_path, quads, [G1]) == 'pa:s\n    so:p [\n        rdfs:label "X"\n    ] .'


def test_a_cycle_of_blank_nodes_is_written_by_labels(tmp_path: Path) -> None:
    a, b = ox.BlankNode(), ox.BlankNode()
    quads = [ox.Quad(a, n(SO + "next"), b, G1), ox.Quad(b, n(SO + "next"), a, G1)]
    assert turtle(tmp_path, quads, [G1]) == "_:b0 so:next _:b1 .\n\n_:b1 so:next _:b0 ."


def test_literals_are_escaped_and_sorted_by_their_lexical_form(tmp_path: Path) -> None:
    s = n(PA + "s")
    values = ["tab\there", "a#", 'a"', "ctl\x01", "a\n", "back\\slash", "line\u2028sep"]
    quads = [ox.Quad(s, n(RDFS + "comment"), ox.Literal(v), G1) for v in values]
    quads += [ox.Quad(s, n(SO + "n"), ox.Literal("42", datatype=n(XSD + "integer")), G1),
              ox.Quad(s, n(SO + "n"), ox.Literal("true", datatype=n(XSD + "boolean")), G1),
              ox.Quad(s, n(SO + "n"), ox.Literal("2020-01-01", datatype=n(XSD + "date")), G1),
              ox.Quad(s, n(SO + "n"), ox.Literal("x", language="en"), G1)]
    # Sorted by the characters themselves ("\n" < '"' < "#" < "b" ...), not by their escaped forms; literals
    # of other types by their lexical form too.
    assert turtle(tmp_path, quads, [G1]) == (
        'pa:s\n    rdfs:comment "a\\n" ,\n        "a\\"" ,\n        "a#" ,\n        "back\\\\slash" ,\n'
        '        "ctl\\u0001" ,\n        "line\u2028sep" ,\n        "tab\\there" ;\n'
        '    so:n "2020-01-01"^^xsd:date ,\n        42 ,\n        true ,\n        "x"@en .')


def test_subjects_are_sorted_by_iri(tmp_path: Path) -> None:
    # "span-1" is a prefix of the others; "." sorts before "0".
    locals_ = ("span-10", "span-1.x", "span-1")
    quads = [ox.Quad(n(PA + local), n(RDFS + "label"), ox.Literal(local), G1) for local in locals_]
    assert turtle(tmp_path, quads, [G1]) == ('pa:span-1 rdfs:label "span-1" .\n\n'
                                             'pa:span-1.x rdfs:label "span-1.x" .\n\n'
                                             'pa:span-10 rdfs:label "span-10" .')


def test_spilled_runs_give_the_same_bytes(built_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = ox.Store.read_only(str(built_store))
    graphs = default_graphs(store, inferred=True)
    in_memory = io.BytesIO()
    write_turtle(store, in_memory, graphs)
    # Runs of a few lines each, merged three at a time (so merged in several rounds), every graph "big".
    monkeypatch.setattr(export, "_RUN", 3_000)
    monkeypatch.setattr(export, "_FANIN", 3)
    monkeypatch.setattr(export, "_SMALL", 10)
    spilled = io.BytesIO()
    write_turtle(store, spilled, graphs)
    assert spilled.getvalue() == in_memory.getvalue()


def test_the_default_graph_can_be_written(tmp_path: Path) -> None:
    # `kg sparql` writes CONSTRUCT results this way: the triples in the default graph of a scratch store.
    default = ox.DefaultGraph()
    quads = [ox.Quad(n(PA + "s"), n(RDFS + "label"), ox.Literal("S"), default),
             ox.Quad(n(PA + "s"), n(SO + "p"), n(PA + "o"), G1)]
    assert turtle(tmp_path, quads, [default]) == 'pa:s rdfs:label "S" .'
