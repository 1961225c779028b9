"""kg.shacl against pySHACL: the same shapes over the same data must find the same violations."""

from __future__ import annotations

import functools
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from examples import cases, compose, mentioning, merge
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg.errors import InputError, Violation
from kg.shacl import ShaclResult, compile_shapes, validate
from kg.vocab import in_effect

HERE = Path(__file__).parent / "shacl"
ROOT = Path(__file__).parent.parent
CASES = sorted(p.name.removesuffix(".shapes.ttl") for p in HERE.glob("*.shapes.ttl"))
DATA_GRAPH = ox.NamedNode("https://w3id.org/standoff/graph/test-data")

# Which constraint components each fixture must exercise with at least one violation, so a fixture that
# silently stops violating anything (and then trivially "agrees" with pySHACL) fails.
EXERCISED = {
    "cardinality": {"MinCount", "MaxCount"},
    "values": {"Datatype", "Class", "NodeKind", "In", "HasValue", "Pattern"},
    "ranges": {"MinInclusive", "MaxInclusive", "MinExclusive", "MaxExclusive", "MinLength", "MaxLength"},
    "pairs": {"LessThan", "LessThanOrEquals", "Equals", "Disjoint", "UniqueLang"},
    "logic": {"Node", "And", "Or", "Not", "Xone"},
    "paths": {"MaxCount", "MinCount", "Datatype", "Class", "Disjoint", "NodeKind"},
    "targets": {"MinCount", "MaxCount", "NodeKind", "Class"},
    "misc": {"QualifiedMinCount", "QualifiedMaxCount", "Closed", "MinCount"},
    "sparql": {"SPARQL"},
}

Key = tuple[str, str | None, str]


def _ox_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    if isinstance(term, ox.BlankNode):
        return "_:b"
    return str(term)


def _rdflib_term(term: Node) -> str:
    if isinstance(term, BNode):
        return "_:b"
    if isinstance(term, URIRef):
        return str(ox.NamedNode(str(term)))
    assert isinstance(term, Literal)
    if term.language:
        return str(ox.Literal(str(term), language=term.language))
    datatype = ox.NamedNode(str(term.datatype)) if term.datatype else None
    return str(ox.Literal(str(term), datatype=datatype))


def _rdflib_path(graph: Graph, node: Node) -> str:
    """A SHACL path read with rdflib, written the way kg.shacl writes result paths."""

    def atom(n: Node) -> str:
        return _rdflib_path(graph, n) if isinstance(n, URIRef) else f"({_rdflib_path(graph, n)})"

    if isinstance(node, URIRef):
        return f"<{node}>"
    if (inner := graph.value(node, SH.inversePath)) is not None:
        return "^" + atom(inner)
    if (inner := graph.value(node, SH.alternativePath)) is not None:
        return "|".join(atom(x) for x in graph.items(inner))
    for pred, op in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        if (inner := graph.value(node, pred)) is not None:
            return atom(inner) + op
    return "/".join(atom(x) for x in graph.items(node))


def _component(iri: Node) -> str:
    return "sh:" + str(iri).removeprefix(str(SH))


def run_ours(tmp_path: Path, shapes: list[Path], data: list[Path]) -> list[ShaclResult]:
    (tmp_path / "store").mkdir(parents=True)
    store = ox.Store(str(tmp_path / "store"))
    for path in data:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=DATA_GRAPH)
    shapes_store = ox.Store()
    for path in shapes:
        shapes_store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    return validate(store, compile_shapes(shapes_store))


def run_pyshacl(shapes: list[Path], data: list[Path]) -> set[Key]:
    data_graph, shapes_graph = Graph(), Graph()
    for path in data:
        data_graph.parse(path, format="turtle")
    for path in shapes:
        shapes_graph.parse(path, format="turtle")
    return {key for _, key, _ in _pyshacl(shapes_graph, data_graph)}


def keys(results: list[ShaclResult]) -> set[Key]:
    return {(_ox_term(r.focus), r.path, r.component) for r in results}


@pytest.mark.parametrize("case", CASES)
def test_same_violations_as_pyshacl(tmp_path: Path, case: str) -> None:
    shapes, data = [HERE / f"{case}.shapes.ttl"], [HERE / f"{case}.data.ttl"]
    ours = keys(run_ours(tmp_path, shapes, data))
    theirs = run_pyshacl(shapes, data)
    assert sorted(ours - theirs, key=str) == [], "found by kg.shacl only"
    assert sorted(theirs - ours, key=str) == [], "found by pySHACL only"
    exercised = {c.removeprefix("sh:").removesuffix("ConstraintComponent") for _, _, c in ours}
    assert EXERCISED[case] <= exercised


def test_every_fixture_is_listed() -> None:
    assert set(CASES) == set(EXERCISED)


def test_conforming_nodes_have_no_results(tmp_path: Path) -> None:
    # Each fixture's first node (ex:alice, ex:thing1, ...) is written to conform.
    results = run_ours(tmp_path, [HERE / "cardinality.shapes.ttl"], [HERE / "cardinality.data.ttl"])
    assert {r.focus.value for r in results} == {"http://example.org/bob", "http://example.org/carol"}


def test_results_are_sorted_and_deterministic(tmp_path: Path) -> None:
    shapes, data = [HERE / "values.shapes.ttl"], [HERE / "values.data.ttl"]
    first = run_ours(tmp_path / "a", shapes, data)
    second = run_ours(tmp_path / "b", shapes, data)
    assert first == sorted(first, key=ShaclResult.sort_key)
    def show(results: list[ShaclResult]) -> list[tuple[str, ...]]:  # blank node labels differ per load
        return [(_ox_term(r.focus), r.path or "", r.component, _ox_term(r.value) if r.value else "",
                 re.sub(r"_:\w+", "_:b", r.message)) for r in results]

    assert show(first) == show(second)


def test_severity_and_message(tmp_path: Path) -> None:
    results = run_ours(tmp_path, [HERE / "misc.shapes.ttl"], [HERE / "misc.data.ttl"])
    width = [r for r in results if r.component == "sh:MinCountConstraintComponent"]
    assert [(r.focus.value, r.severity, r.message, r.shape) for r in width] == [
        ("http://example.org/box2", "Warning", "A box needs a width", "<http://example.org/PartlyOffShape>")]
    assert {r.severity for r in results} == {"Violation", "Warning"}


def test_generated_message_names_class_path_and_count(tmp_path: Path) -> None:
    shapes = b"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix so: <https://w3id.org/standoff/ontology#> .
    so:DemandShape a sh:NodeShape ; sh:targetClass so:Demand ;
        sh:property [ sh:path so:hasDeadline ; sh:minCount 1 ] ;
        sh:property [ sh:path so:madeBy ; sh:minCount 2 ] ."""
    data = ox.Store(str(tmp_path / "store"))
    data.load(b"""<https://w3id.org/standoff/id/pentagon-anthropic/demand>
                  a <https://w3id.org/standoff/ontology#Demand> ;
                  <https://w3id.org/standoff/ontology#madeBy> <https://w3id.org/standoff/id/x> .""",
              format=ox.RdfFormat.TURTLE, to_graph=DATA_GRAPH)
    # The story's prefix, as a build puts it in effect (read from the story's so:Story), names its nodes.
    with in_effect({"pa": "https://w3id.org/standoff/id/pentagon-anthropic/"}):
        results = validate(data, compile_shapes(ox.parse(shapes, format=ox.RdfFormat.TURTLE)))
        violation = results[0].to_violation("triples/pentagon.ttl")
    assert [r.message for r in results] == [
        "so:Demand pa:demand has 0 values of so:hasDeadline, needs at least 1",
        "so:Demand pa:demand has 1 values of so:madeBy, needs at least 2",
    ]
    assert [r.shape for r in results] == ["so:DemandShape", "so:DemandShape"]
    assert isinstance(violation, Violation)
    assert str(violation) == ("triples/pentagon.ttl: pa:demand: [so:DemandShape sh:MinCountConstraintComponent]"
                              " so:Demand pa:demand has 0 values of so:hasDeadline, needs at least 1")


def test_sparql_message_placeholders(tmp_path: Path) -> None:
    shapes = b"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
    ex:S sh:targetNode ex:a ; sh:sparql [ sh:message "{$this} points at {?value}" ;
        sh:select "SELECT $this ?value WHERE { $this <http://example.org/p> ?value }" ] ."""
    data = ox.Store(str(tmp_path / "store"))
    data.add(ox.Quad(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/p"),
                     ox.NamedNode("http://example.org/b"), DATA_GRAPH))
    results = validate(data, compile_shapes(ox.parse(shapes, format=ox.RdfFormat.TURTLE)))
    assert [r.message for r in results] == ["<http://example.org/a> points at <http://example.org/b>"]


def test_validate_queries_only_the_given_graphs(tmp_path: Path) -> None:
    shapes = compile_shapes(ox.parse(b"""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <http://example.org/S> sh:targetClass <http://example.org/C> ;
            sh:property [ sh:path <http://example.org/p> ; sh:minCount 1 ] .""", format=ox.RdfFormat.TURTLE))
    store = ox.Store(str(tmp_path / "store"))
    g1, g2 = ox.NamedNode("http://example.org/g1"), ox.NamedNode("http://example.org/g2")
    a, c = ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/C")
    store.add(ox.Quad(a, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), c, g1))
    store.add(ox.Quad(a, ox.NamedNode("http://example.org/p"), ox.Literal("x"), g2))
    assert validate(store, shapes) == []  # union of all graphs: a has its value
    assert [r.focus for r in validate(store, shapes, graphs=[g1])] == [a]
    assert validate(store, shapes, graphs=[g1, g2]) == []
    assert validate(store, shapes, graphs=[g2]) == []  # no focus node in g2
    assert validate(store, shapes, graphs=[]) == []


def test_validate_never_changes_the_store(tmp_path: Path) -> None:
    store = ox.Store(str(tmp_path / "store"))
    store.load(path=str(HERE / "values.data.ttl"), format=ox.RdfFormat.TURTLE, to_graph=DATA_GRAPH)
    before = sorted(str(q) for q in store)
    checks = compile_shapes(ox.parse(path=str(HERE / "values.shapes.ttl"), format=ox.RdfFormat.TURTLE))
    assert validate(store, checks)
    assert sorted(str(q) for q in store) == before
    assert all(re.match(r"\s*(PREFIX[^\n]*\n\s*)*SELECT\b", c.query) for c in checks)


def test_sparql_constraint_cannot_smuggle_an_update() -> None:
    shapes = b"""@prefix sh: <http://www.w3.org/ns/shacl#> .
    <http://example.org/S> sh:targetNode <http://example.org/a> ;
        sh:sparql [ sh:select "DELETE WHERE { ?s ?p ?o }" ] ."""
    with pytest.raises(InputError):
        compile_shapes(ox.parse(shapes, format=ox.RdfFormat.TURTLE))


def test_recursive_shapes_are_refused() -> None:
    shapes = b"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
    ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:next ; sh:node ex:S ] ."""
    with pytest.raises(InputError, match="recursive"):
        compile_shapes(ox.parse(shapes, format=ox.RdfFormat.TURTLE))


# The project's own shapes and its valid/invalid examples, when they exist (written separately).
SHAPES = ROOT / "ontology" / "shapes.ttl"
EXAMPLES = ROOT / "ontology" / "examples"
ONTOLOGY = sorted(p for p in (ROOT / "ontology").glob("*.ttl") if p != SHAPES) if SHAPES.exists() else []
EXAMPLE_FILES = [*cases("valid"), *cases("invalid")]


@functools.cache
def _ontology() -> Graph:
    graph = Graph()
    for path in ONTOLOGY:
        graph.parse(path, format="turtle")
    return graph


def _named_shape(shapes_graph: Graph, shape: Node) -> str:
    """The node shape a (possibly blank) source shape belongs to, as kg.shacl labels it."""
    seen: set[Node] = set()
    while isinstance(shape, BNode) and shape not in seen:
        seen.add(shape)
        parents = sorted(shapes_graph.subjects(SH.property, shape), key=str)
        if not parents:
            break
        shape = next((p for p in parents if isinstance(p, URIRef)), parents[0])
    return str(shape)


def _pyshacl(shapes_graph: Graph, data: Graph) -> list[tuple[Node, Key, str]]:
    """pySHACL's results (no inference): each with its focus node, its key and the check (named node shape)."""
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes_graph, inference="none")
    found = []
    for result in report.objects(None, SH.result):  # not the nested sh:detail results
        path = report.value(result, SH.resultPath)
        where = report if path is not None and (path, None, None) in report else shapes_graph
        focus = report.value(result, SH.focusNode)
        key = (_rdflib_term(focus), _rdflib_path(where, path) if path is not None else None,
               _component(report.value(result, SH.sourceConstraintComponent)))
        found += [(focus, key, re.split(r"[#/:]", _named_shape(shapes_graph, s))[-1])
                  for s in report.objects(result, SH.sourceShape)]
    return found


def _ours(data: Graph) -> list[ShaclResult]:
    """kg.shacl over the data in an on-disk store, with the project's shapes."""
    with tempfile.TemporaryDirectory() as folder:
        store = ox.Store(folder)
        # Parsed, then added: Store.load would rename the blank nodes, and a result's focus would name no example.
        text = data.serialize(format="nt", encoding="utf-8")
        store.extend(ox.Quad(t.subject, t.predicate, t.object, DATA_GRAPH)
                     for t in ox.parse(text, format=ox.RdfFormat.N_TRIPLES))
        shapes = ox.Store()
        shapes.load(path=str(SHAPES), format=ox.RdfFormat.TURTLE)
        results = validate(store, compile_shapes(shapes))
        del store
    return results


Checked = tuple[set[Key], set[Key], set[str], set[str]]  # our keys, pySHACL's, our check names, pySHACL's


def _check_both(data: Graph, owner: Callable[[Node], object]) -> dict[object, Checked]:
    """kg.shacl and pySHACL over ``data`` with the ontology, each result filed under ``owner`` of its focus node."""
    data = data + _ontology()
    shapes_graph = Graph().parse(SHAPES, format="turtle")
    out: dict[object, Checked] = {}
    for r in _ours(data):
        focus = URIRef(r.focus.value) if isinstance(r.focus, ox.NamedNode) else (
            BNode(r.focus.value) if isinstance(r.focus, ox.BlankNode) else None)
        mine = out.setdefault(owner(focus), (set(), set(), set(), set()))
        mine[0].add((_ox_term(r.focus), r.path, r.component))
        mine[2].add(r.shape.rsplit(":", 1)[-1].rsplit("/", 1)[-1].rsplit("#", 1)[-1].rstrip(">"))
    for focus, key, name in _pyshacl(shapes_graph, data):
        theirs = out.setdefault(owner(focus), (set(), set(), set(), set()))
        theirs[1].add(key)
        theirs[3].add(name)
    return out


@functools.cache
def _examples_checked() -> dict[Path, Checked]:
    """Each example's results by both validators, from ONE run of each over every example at once (an example alone
    cost about 0.4 s, mostly pySHACL's setup): the examples' own nodes are renamed apart (tests/examples.rename) and
    a result belongs to the example owning its focus node. An example that mentions a result's shared focus node
    (the vocabulary's) is checked alone, as are all when no example mentions it."""
    graphs = {path: compose(path) for path in EXAMPLE_FILES}
    merged, owners = merge(graphs)
    found = _check_both(merged, lambda focus: owners.get(focus, focus))
    empty: Checked = (set(), set(), set(), set())
    checked = {path: found.pop(path, empty) for path in graphs}
    alone = {path for focus in found for path in mentioning(graphs, focus)}
    for path in (alone or set(graphs)) if found else ():
        checked[path] = _check_both(graphs[path], lambda focus, mine=path: mine).get(path, empty)
    return checked


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_project_examples(example: Path) -> None:
    assert SHAPES.exists()
    ours, theirs, our_names, pyshacl_names = _examples_checked()[example]
    assert ours == theirs
    if example.parent.name == "valid":
        assert ours == set()
        return
    expected = example.stem.split("-")[0]
    assert our_names == {expected}
    assert pyshacl_names == {expected}


def test_shapes_are_compiled_once_per_content_and_again_when_they_change(tmp_path: Path) -> None:
    from kg.steps import compiled_shapes

    text = SHAPES.read_bytes()
    first, second = tmp_path / "a" / "shapes.ttl", tmp_path / "b" / "shapes.ttl"
    for path in (first, second):
        path.parent.mkdir()
        path.write_bytes(text)
    checks = compiled_shapes(first)
    assert compiled_shapes(second) is checks  # the same bytes elsewhere: not compiled again
    edited = text.replace(b'sh:pattern "^[0-9a-f]{64}$"', b'sh:pattern "^[0-9a-f]{40}$"')
    assert edited != text
    second.write_bytes(edited)
    changed = compiled_shapes(second)
    assert changed is not checks and {c.query for c in changed} != {c.query for c in checks}
    second.write_bytes(b"@prefix sh: <http://www.w3.org/ns/shacl#> .\nsh:x sh:y")  # a syntax error, named
    with pytest.raises(InputError) as bad:
        compiled_shapes(second)
    assert bad.value.path == str(second) and bad.value.line == 2
