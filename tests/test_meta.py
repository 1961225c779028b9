"""The store's figures and triples per graph updated from the previous ones and the quads a change removed and
added (:func:`kg.meta.updated`, :func:`kg.meta.graph_triples`) equal those counted over the whole store
(:func:`kg.meta.store_figures`, :func:`kg.steps.triples_per_graph`), and it says it cannot tell rather than guess
when the default graph holds triples. The meta graph is rewritten by difference (:func:`kg.meta.write`)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.meta import (
    RDF_TYPE,
    Change,
    Figures,
    Part,
    Recorded,
    graph_triples,
    quads_in,
    recorded,
    store_figures,
    updated,
    with_links,
    write,
)
from kg.steps import triples_per_graph

_XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_NODES = [ox.NamedNode(f"https://example.org/n{i}") for i in range(8)] + [ox.BlankNode(f"b{i}") for i in range(3)]
_CLASSES = [ox.NamedNode(f"https://example.org/C{i}") for i in range(3)]
_PROPERTIES = [ox.NamedNode(f"https://example.org/p{i}") for i in range(3)] + [RDF_TYPE]
# Integers as objects: on disk, pyoxigraph's lookup by an absent xsd:integer object answers with other quads.
_OBJECTS = [*_NODES, *_CLASSES, ox.Literal("a"), ox.Literal("a", language="en-GB"),
            *(ox.Literal(str(n), datatype=_XSD_INTEGER) for n in (3, 1535, 1536, 1600)),
            ox.Literal("a", datatype=ox.NamedNode("https://example.org/datatype"))]
# Literals the store gives back otherwise: "03" as "3", "2.50" as "2.5".
_RECAST = [ox.Literal("03", datatype=_XSD_INTEGER),
           ox.Literal("2.50", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))]
_GRAPHS = [ox.NamedNode(f"https://example.org/g{i}") for i in range(3)]


def _quad(rng: random.Random, objects: list[ox.Term] = _OBJECTS) -> ox.Quad:
    p = rng.choice(_PROPERTIES)
    o = rng.choice(_CLASSES) if p == RDF_TYPE else rng.choice(objects)
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
    objects = _OBJECTS + _RECAST
    for _ in range(rng.randint(1, 4)):  # removals and additions interleaved, some of them undoing others
        if rng.random() < 0.5:
            change.remove([*rng.sample(list(store), min(len(store), rng.randint(0, 15))), _quad(rng, objects)])
        else:
            change.extend(_quad(rng, objects) for _ in range(rng.randint(0, 15)))
        if rng.random() < 0.2:
            change.remove_graph(rng.choice(_GRAPHS))
    assert change.added <= set(store) and not change.removed & set(store)  # as the store gives its quads back
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


def _parts(quads: list[ox.Quad], made: list[str] | None = None) -> list[Part]:
    """``quads`` in parts as kg.meta.describe_parts makes them: each subject in one part (so each subject and
    property is), each part's fingerprint a digest of what its quads say, but for one part made every time.
    ``made`` collects the names of the parts made."""
    by_subject: dict[str, set[ox.Quad]] = {}
    for q in quads:
        by_subject.setdefault(str(q.subject), set()).add(q)

    def maker(name: str) -> Callable[[], list[ox.Quad]]:
        def make() -> list[ox.Quad]:
            if made is not None:
                made.append(name)
            return sorted(by_subject[name], key=str)
        return make

    return [Part(name, None if name == str(_NODES[0]) else repr(sorted(map(str, qs))), maker(name))
            for name, qs in sorted(by_subject.items())]


def _meta_quads(rng: random.Random, n: int) -> list[ox.Quad]:
    from kg.vocab import META_GRAPH

    return [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(META_GRAPH)) for q in (_quad(rng) for _ in range(n))]


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("with_record", [True, False])
def test_the_meta_graph_is_rewritten_by_difference(tmp_path: Path, seed: int, with_record: bool) -> None:
    """Afterwards the meta graph holds exactly the description, and quads in both were never removed: a quad
    removed and added back would end the same, so the test watches what is removed. With what the previous build
    wrote (its description and the link step's quads after it), a part whose fingerprint is unchanged is not even
    made, unless the link step added quads of a subject and property it has; without it, every part is made."""
    from kg.vocab import META_GRAPH

    rng = random.Random(seed)
    meta = ox.NamedNode(META_GRAPH)
    store = ox.Store(str(tmp_path / "store"))
    other = [_quad(rng) for _ in range(10)]
    store.extend(other)
    old = _meta_quads(rng, 30)
    old_parts = _parts(old)
    written = write(store, old_parts)
    later = _meta_quads(rng, rng.randint(0, 5))
    store.extend(later)  # by the link step, after the description
    known = with_links(written, old_parts, later)
    described = rng.sample(old, rng.randint(0, len(old))) + _meta_quads(rng, rng.randint(0, 20))
    made: list[str] = []
    parts = _parts(described, made)
    removed: list[ox.Quad] = []
    remove = store.remove

    class Watched:  # pyoxigraph's Store cannot take new attributes: wrap it
        def __getattr__(self, name: str) -> object:
            return getattr(store, name)

        def remove(self, q: ox.Quad) -> None:
            removed.append(q)
            remove(q)

    wrote = write(Watched(), parts, known if with_record else None)  # type: ignore[arg-type]
    assert set(store.quads_for_pattern(None, None, None, meta)) == set(described)
    assert not set(removed) & set(described)
    assert set(store.quads_for_pattern(None, None, None, None)) - set(described) == set(other)
    assert quads_in(wrote) == len(set(described))

    def subject(quads: list[ox.Quad], name: str) -> set[ox.Quad]:
        return {q for q in quads if str(q.subject) == name}

    linked = {(str(q.subject), q.predicate) for q in later}
    same = {p.name for p in parts if p.fingerprint is not None and subject(old, p.name) == subject(described, p.name)
            and not any((p.name, q.predicate) in linked for q in subject(old, p.name))}
    assert set(made) == {p.name for p in parts} - (same if with_record else set())


def test_a_record_it_cannot_read_means_comparing_everything(tmp_path: Path) -> None:
    from kg.vocab import META_GRAPH

    meta = ox.NamedNode(META_GRAPH)
    store = ox.Store(str(tmp_path / "store"))
    old = [ox.Quad(_NODES[0], _PROPERTIES[0], ox.Literal("old"), meta)]
    new = [ox.Quad(_NODES[1], _PROPERTIES[1], ox.Literal("new"), meta)]
    store.extend(old)
    write(store, _parts(new), {"an older record's key": 1})  # type: ignore[dict-item]
    assert set(store.quads_for_pattern(None, None, None, meta)) == set(new)
    write(store, _parts(old), {str(_NODES[1]): [None, 1, {"not a subject and a property": 1}]})
    assert set(store.quads_for_pattern(None, None, None, meta)) == set(old)
    made: list[str] = []
    (part,) = _parts(new, made)  # a part with a fingerprint: a readable record would spare making it
    wrote = write(store, [part], {part.name: [part.fingerprint, "1", {}]})  # but its count is no number
    assert set(store.quads_for_pattern(None, None, None, meta)) == set(new)
    assert made == [part.name] and quads_in(wrote) == len(new)


def test_the_link_steps_quads_join_the_digests_of_their_subject_and_property() -> None:
    """What :func:`with_links` gives is, for each subject and property, a digest of all its quads: the parts' and
    the link step's (those of a key no part has in a part of their own)."""
    rng = random.Random(3)
    quads, more = _meta_quads(rng, 40), _meta_quads(rng, 10)
    parts = _parts(quads)
    everything: dict[str, set[ox.Quad]] = {}
    for q in quads + more:
        everything.setdefault(f"{q.subject} {q.predicate}", set()).add(q)
    merged = with_links(write(ox.Store(), parts), parts, more)
    flat = {name: digest for _, _, mine in merged.values() for name, digest in mine.items()}
    assert flat == {name: hash(frozenset(qs)) for name, qs in everything.items()}
    assert sum(len(mine) for _, _, mine in merged.values()) == len(flat)  # each key in one part
    assert with_links(merged, parts, []) == merged


def test_figures_go_into_a_record_and_come_back() -> None:
    rng = random.Random(5)
    store = ox.Store()
    store.extend(_quad(rng) for _ in range(60))
    before = _recorded(store)
    kept = before.to_record()
    assert kept is not None and Recorded.from_record(json.loads(json.dumps(kept))) == before
    assert Recorded.from_record({**kept, "classes": [1]}) is None
    assert Recorded.from_record({"triples": 1}) is None and Recorded.from_record(None) is None
    odd = Recorded(Figures(1, 1, {ox.Literal("a class that is no IRI"): 1}, {}), 1, {})
    assert odd.to_record() is None


@pytest.mark.parametrize("in_memory", [True, False])
def test_a_full_builds_triples_per_graph_are_the_stores(tmp_path: Path, in_memory: bool) -> None:
    """The graphs a full build describes are counted once, by the load step, but for the evidence and the inferred
    graph (kg.build._recounted): the counts it reports (the meta graph's with the link step's description of the
    stories' curated links) and describes are those of the store it made."""
    from conftest import ROOT

    from kg.build import build
    from kg.vocab import META_GRAPH

    report = build(ROOT, tmp_path / "store", in_memory=in_memory)
    db = ox.Store.read_only(str(tmp_path / "store"))
    counted = triples_per_graph(db)
    recorded_there = recorded(db)
    del db
    assert report.triples == counted
    assert recorded_there is not None
    assert {g: n for g, n in recorded_there.graphs.items() if g in counted} == {
        g: n for g, n in counted.items() if g != META_GRAPH}
