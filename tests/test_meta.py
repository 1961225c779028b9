"""The store's figures and triples per graph updated from the previous ones and the quads a change removed and
added (:func:`kg.meta.updated`, :func:`kg.meta.graph_triples`) equal those counted over the whole store
(:func:`kg.meta.store_figures`, :func:`kg.steps.triples_per_graph`), and it says it cannot tell rather than guess
when the default graph holds triples. The meta graph is rewritten by difference (:func:`kg.meta.write`)."""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.meta import RDF_TYPE, Change, Recorded, digests, graph_triples, store_figures, updated, write
from kg.steps import triples_per_graph

_XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_NODES = [ox.NamedNode(f"https://example.org/n{i}") for i in range(8)] + [ox.BlankNode(f"b{i}") for i in range(3)]
_CLASSES = [ox.NamedNode(f"https://example.org/C{i}") for i in range(3)]
_PROPERTIES = [ox.NamedNode(f"https://example.org/p{i}") for i in range(3)] + [RDF_TYPE]
# Integers as objects: on disk, pyoxigraph's lookup by an absent xsd:integer object answers with other quads.
_OBJECTS = [*_NODES, *_CLASSES, ox.Literal("a"), ox.Literal("a", language="en"),
            *(ox.Literal(str(n), datatype=_XSD_INTEGER) for n in (3, 1535, 1536, 1600))]
_GRAPHS = [ox.NamedNode(f"https://example.org/g{i}") for i in range(3)]


def _quad(rng: random.Random) -> ox.Quad:
    p = rng.choice(_PROPERTIES)
    o = rng.choice(_CLASSES) if p == RDF_TYPE else rng.choice(_OBJECTS)
    return ox.Quad(rng.choice(_NODES), p, o, rng.choice(_GRAPHS))  # the same triple may land in two graphs


def _recorded(store: ox.Store) -> Recorded:
    counts = triples_per_graph(store)
    return Recorded(store_figures(store), sum(counts.values()), counts)


@pytest.mark.parametrize("seed", range(30))
def test_updated_figures_are_the_counted_ones(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    store = ox.Store(str(tmp_path / "store"))
    store.extend(_quad(rng) for _ in range(rng.randint(0, 60)))
    before = _recorded(store)
    change = Change(store)
    for _ in range(rng.randint(1, 4)):  # removals and additions interleaved, some of them undoing others
        if rng.random() < 0.5:
            change.remove([*rng.sample(list(store), min(len(store), rng.randint(0, 15))), _quad(rng)])
        else:
            change.extend(_quad(rng) for _ in range(rng.randint(0, 15)))
        if rng.random() < 0.2:
            change.remove_graph(rng.choice(_GRAPHS))
    assert updated(before, change) == store_figures(store)
    assert graph_triples(before, change, [g.value for g in _GRAPHS]) == triples_per_graph(store)


def test_an_integer_written_otherwise_is_the_stored_one(tmp_path: Path) -> None:
    store = ox.Store(str(tmp_path / "store"))
    before = _recorded(store)
    change = Change(store)
    change.extend([ox.Quad(_NODES[0], _PROPERTIES[0], ox.Literal("01", datatype=_XSD_INTEGER), _GRAPHS[0])])
    change.remove([ox.Quad(_NODES[0], _PROPERTIES[0], ox.Literal("1", datatype=_XSD_INTEGER), _GRAPHS[0])])
    assert not change.added and not change.removed and len(store) == 0
    assert updated(before, change) == store_figures(store)
    assert graph_triples(before, change, [g.value for g in _GRAPHS]) == triples_per_graph(store) == {}


def test_the_default_graph_means_counting() -> None:
    store = ox.Store()
    store.extend(_quad(random.Random(1)) for _ in range(20))
    before = _recorded(store)
    change = Change(store)
    change.extend([ox.Quad(_NODES[0], _PROPERTIES[0], ox.Literal("new"), _GRAPHS[0])])
    assert updated(before, change) == store_figures(store)
    store.add(ox.Quad(_NODES[1], _PROPERTIES[1], ox.Literal("default")))
    assert updated(before, change) is None


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("with_digests", [True, False])
def test_the_meta_graph_is_rewritten_by_difference(tmp_path: Path, seed: int, with_digests: bool) -> None:
    """Afterwards the meta graph holds exactly the description, and quads in both were never removed: a quad
    removed and added back would end the same, so the test watches what is removed. With the digests of what the
    previous build wrote, too: its description and the link step's quads after it."""
    from kg.vocab import META_GRAPH

    rng = random.Random(seed)
    meta = ox.NamedNode(META_GRAPH)
    store = ox.Store(str(tmp_path / "store"))
    other = [_quad(rng) for _ in range(10)]
    store.extend(other)
    old = [ox.Quad(q.subject, q.predicate, q.object, meta) for q in (_quad(rng) for _ in range(30))]
    write(store, old)
    later = [ox.Quad(q.subject, q.predicate, q.object, meta) for q in (_quad(rng) for _ in range(5))]
    store.extend(later)  # by the link step, after the description
    known = digests(old + later)
    described = rng.sample(old, rng.randint(0, len(old))) + [
        ox.Quad(q.subject, q.predicate, q.object, meta) for q in (_quad(rng) for _ in range(rng.randint(0, 20)))]
    removed: list[ox.Quad] = []
    remove = store.remove

    class Watched:  # pyoxigraph's Store cannot take new attributes: wrap it
        def __getattr__(self, name: str) -> object:
            return getattr(store, name)

        def remove(self, q: ox.Quad) -> None:
            removed.append(q)
            remove(q)

        def remove_graph(self, graph: ox.NamedNode) -> None:
            removed.extend(store.quads_for_pattern(None, None, None, graph))
            store.remove_graph(graph)

    write(Watched(), described, known if with_digests else None)  # type: ignore[arg-type]
    assert set(store.quads_for_pattern(None, None, None, meta)) == set(described)
    assert not set(removed) & set(described)
    assert set(store.quads_for_pattern(None, None, None, None)) - set(described) == set(other)


def test_digests_it_cannot_read_mean_comparing_everything(tmp_path: Path) -> None:
    from kg.vocab import META_GRAPH

    meta = ox.NamedNode(META_GRAPH)
    store = ox.Store(str(tmp_path / "store"))
    old = [ox.Quad(_NODES[0], _PROPERTIES[0], ox.Literal("old"), meta)]
    new = [ox.Quad(_NODES[1], _PROPERTIES[1], ox.Literal("new"), meta)]
    store.extend(old)
    write(store, new, {"an older record's key": 1})
    assert set(store.quads_for_pattern(None, None, None, meta)) == set(new)


def test_digests_with_more_are_those_of_everything() -> None:
    from kg.vocab import META_GRAPH

    rng = random.Random(3)
    meta = ox.NamedNode(META_GRAPH)
    quads = [ox.Quad(q.subject, q.predicate, q.object, meta) for q in (_quad(rng) for _ in range(40))]
    more = [ox.Quad(q.subject, q.predicate, q.object, meta) for q in (_quad(rng) for _ in range(10))]
    assert digests(quads, digests(quads), more) == digests(quads + more)
    assert digests(quads, digests(quads)) == digests(quads)
