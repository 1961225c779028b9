"""Per-story batches: a story's evidence, checks and inferences computed from its batch alone (its own files, the
files outside every story folder and the ontology), so that a rebuild after a story changed costs that story.

That gives the whole store's results only when no story's derivations depend on another story's data. The
conditions (docs/design.md, "Per-story batches") are checked on the data by :func:`unsound`, from an index of
each story (:func:`index`): which IRIs its files describe (subjects) and which they point at without describing
them. A full build checks every story; the build's record keeps whether they passed, and each story's index less
its subjects, for the next build to check only the stories it reloads (:func:`unsound_after`). A build whose data
break them derives everything again instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.errors import Violation
from kg.inputs import Inputs
from kg.rules import TBox, infer_in_store, read_tbox
from kg.steps import check
from kg.stories import story_folder, story_prefixes
from kg.vocab import EVIDENCE_GRAPH, GRAPH, INFERRED_GRAPH, PREFIXES, in_effect

_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_SELECTOR = ox.NamedNode(PREFIXES["oa"] + "hasSelector")
_SH = "http://www.w3.org/ns/shacl#"
_ONTOLOGY = GRAPH + "ontology/"


@dataclass
class Common:
    """What every batch shares: the quads outside the story folders, and what the checks need to know of them."""

    quads: list[ox.Quad]
    terms: set[str]  # IRIs the ontology's graphs describe
    nodes: set[str]  # IRIs the shared data files (outside story folders, outside ontology/) mention
    types: dict[str, set[str]]  # the types those files and the ontology assert for each node
    tbox: TBox
    text: str | None = None  # the quads as N-Quads, when they were read from that text (see shared_text)


def common(store: ox.Store, inputs: Inputs, recorded: str | None = None) -> Common:
    """The graphs outside every story folder: those ``store`` holds, read from ``recorded`` when given (the
    previous build's :func:`shared_text` of this store, from its record) and it holds those graphs, else from
    ``store``. On disk every term of a quad is a lookup: reading the 4,208 shared quads of the 10^6-triple corpus
    took 0.04 to 0.1 s of a one-story rebuild, parsing them 0.01 s."""
    graphs = [item.graph for item in inputs.rdf if story_folder(item.relative) is None]
    quads = _parsed(recorded, set(graphs)) if recorded is not None else None
    if quads is None:
        quads, recorded = [q for g in graphs for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))], None
    terms: set[str] = set()
    nodes: set[str] = set()
    types: dict[str, set[str]] = defaultdict(set)
    for q in quads:
        ontology = q.graph_name.value.startswith(_ONTOLOGY)  # type: ignore[union-attr]
        if isinstance(q.subject, ox.NamedNode):
            (terms if ontology else nodes).add(q.subject.value)
            if q.predicate == _TYPE and isinstance(q.object, ox.NamedNode):
                types[q.subject.value].add(q.object.value)
        if not ontology and isinstance(q.object, ox.NamedNode) and q.predicate != _TYPE:
            nodes.add(q.object.value)
    tbox = read_tbox(q for q in quads if q.graph_name.value.startswith(_ONTOLOGY))  # type: ignore[union-attr]
    return Common(quads, terms, nodes - terms, types, tbox, recorded)


def shared_text(shared: Common) -> str:
    """The shared quads as N-Quads, blank nodes named as in the store they came from, for :func:`common` to read
    them back in the next build of a copy of that store (the text they were read from, when they were)."""
    if shared.text is None:
        shared.text = bytes(ox.serialize(shared.quads, format=ox.RdfFormat.N_QUADS) or b"").decode("utf-8")
    return shared.text


def _parsed(text: str, graphs: set[str]) -> list[ox.Quad] | None:
    """The quads of ``text`` (N-Quads), or None when it does not parse or holds a quad outside ``graphs``."""
    try:
        quads = list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    except (SyntaxError, ValueError):
        return None
    if any(not isinstance(q.graph_name, ox.NamedNode) or q.graph_name.value not in graphs for q in quads):
        return None
    return quads


def index(quads: Iterable[ox.Quad], shared: Common) -> dict[str, Any]:
    """One story's index, from its files' quads: the IRIs they describe, and each IRI they point at without
    describing it, with whether their pointing implies nothing the shared files do not already say (``clean``)."""
    subjects: set[str] = set()
    pointed: dict[str, set[ox.NamedNode]] = defaultdict(set)
    for q in quads:
        if isinstance(q.subject, ox.NamedNode):
            subjects.add(q.subject.value)
        if isinstance(q.object, ox.NamedNode) and q.predicate != _TYPE:
            pointed[q.object.value].add(q.predicate)
    refs = {x: _clean(shared, x, ps) for x, ps in pointed.items() if x not in subjects and x not in shared.terms}
    return {"subjects": sorted(subjects), "refs": dict(sorted(refs.items()))}


def _clean(shared: Common, node: str, predicates: set[ox.NamedNode]) -> bool:
    """Pointing at ``node`` with ``predicates`` gives it no type its shared types do not give, and starts no chain
    (transitive, symmetric) or functional clash that could join two stories through it."""
    t = shared.tbox
    given = {ox.NamedNode(c) for c in shared.types.get(node, ())}
    given |= {s for c in list(given) for s in t.supers.get(c, ())}
    for p in predicates:
        family = {p} | t.super_properties.get(p, set())
        inverses = {i for q in family for i in t.inverse.get(q, ())}
        inverses |= {s for i in list(inverses) for s in t.super_properties.get(i, ())}
        if family & (t.transitive | t.symmetric) or inverses & (t.transitive | t.symmetric | t.functional):
            return False
        implied = {c for q in family for c in t.range.get(q, ())} | {c for i in inverses for c in t.domain.get(i, ())}
        if not implied <= given:
            return False
    return True


def _owners(indexes: dict[str, dict[str, Any]], shared: Common) -> tuple[dict[str, str], str | None]:
    """The story (folder) that describes each IRI the ``indexes`` list as subjects, and why that is wrong, if it is:
    an ontology term, a node the shared files mention, or one two stories describe."""
    owner: dict[str, str] = {}
    for folder, ix in sorted(indexes.items()):
        for s in ix["subjects"]:
            if s in shared.terms:
                return owner, f"{folder} describes the ontology's {s}"
            if s in shared.nodes:
                return owner, f"{folder} describes {s}, which the shared files mention"
            if owner.setdefault(s, folder) != folder:
                return owner, f"{folder} and {owner[s]} both describe {s}"
    return owner, None


def unsound(indexes: dict[str, dict[str, Any]], shared: Common) -> str | None:
    """Why the stories cannot be derived batch by batch, in a few words; None when they can."""
    owner, wrong = _owners(indexes, shared)
    if wrong is not None:
        return wrong
    pointers: dict[str, list[bool]] = defaultdict(list)
    for folder, ix in sorted(indexes.items()):
        for x, clean in ix["refs"].items():
            if x in owner and owner[x] != folder:
                return f"{folder} points at {x}, which {owner[x]} describes"
            pointers[x].append(clean)
    for x, cleans in sorted(pointers.items()):
        if (len(cleans) > 1 or x in shared.nodes) and not all(cleans):
            return f"stories point at the shared {x} in a way that says more about it"
    return _unsound_shared(shared)


def unsound_after(changed: dict[str, dict[str, Any]], others: dict[str, dict[str, Any]], shared: Common,
                  described: Callable[[set[str]], dict[str, str]]) -> str | None:
    """What :func:`unsound` says of the stories after an edit, from the indexes of the ``changed`` stories alone
    (a story now gone has none) and the refs of the ``others``, which were sound before it: only what the changed
    stories describe and point at can break a condition. ``described`` gives, of some IRIs, the story (folder)
    outside ``changed`` whose files describe each one, if any (kg/build.py asks the store), so that no index
    need list every IRI every story describes (6.9 MB of the build record at 10^6 triples)."""
    owner, wrong = _owners(changed, shared)
    if wrong is not None:
        return wrong
    pointed = {x for ix in changed.values() for x in ix["refs"]}
    elsewhere = described(set(owner) | pointed)
    for s, folder in sorted(owner.items()):
        if s in elsewhere:
            return f"{folder} and {elsewhere[s]} both describe {s}"
    for folder, ix in sorted({**others, **changed}.items()):
        for x in ix["refs"]:
            if x in owner and owner[x] != folder:
                return f"{folder} points at {x}, which {owner[x]} describes"
            if x in elsewhere and folder in changed:
                return f"{folder} points at {x}, which {elsewhere[x]} describes"
    for x in sorted(pointed):
        cleans = [ix["refs"][x] for ix in (*others.values(), *changed.values()) if x in ix["refs"]]
        if (len(cleans) > 1 or x in shared.nodes) and not all(cleans):
            return f"stories point at the shared {x} in a way that says more about it"
    return _unsound_shared(shared)


def _unsound_shared(shared: Common) -> str | None:
    """The conditions on the shared files and the ontology alone."""
    if any(q.predicate.value in (_SH + "inversePath", _SH + "sparql") for q in shared.quads):
        return "the shapes follow inverse paths or run SPARQL"
    return _defined_classes_nest(shared.tbox)


def _defined_classes_nest(t: TBox) -> str | None:
    """A defined class whose expression mentions a class that another defined class's inferred members join
    other than through a named class of its own definition (a member's inferred type would feed another rule)."""
    get, items = t.get, t.items  # type: ignore[attr-defined]

    def named(expr: Any, seen: set[Any]) -> set[ox.NamedNode]:
        if isinstance(expr, ox.NamedNode):
            return {expr}
        if expr in seen:
            return set()
        seen.add(expr)
        found: set[ox.NamedNode] = set()
        for key in ("intersectionOf", "unionOf"):
            for head in get(expr, PREFIXES["owl"] + key):
                for x in items(head):
                    found |= named(x, seen)
        for filler in get(expr, PREFIXES["owl"] + "someValuesFrom"):
            found |= named(filler, seen)
        return found

    for cls, expr in sorted(t.defined.items(), key=lambda kv: str(kv[0])):
        for mentioned in named(expr, set()):
            for other, definition in t.defined.items():
                if other != mentioned and mentioned not in t.supers.get(other, ()):
                    continue
                conjuncts = [c for c in _conjuncts(definition, get, items) if isinstance(c, ox.NamedNode)]
                if not any(c not in t.defined and (c == mentioned or mentioned in t.supers.get(c, ()))
                           for c in conjuncts):
                    return f"the definition of {cls.value} depends on the inferred {other.value}"
    return None


def _conjuncts(expr: Any, get: Any, items: Any) -> list[Any]:
    inter = get(expr, PREFIXES["owl"] + "intersectionOf")
    return items(inter[0]) if inter else [expr]


@dataclass
class Batch:
    """One story's batch in memory: its store (the shared quads and the story's), what checking it found."""

    store: ox.Store
    evidence: list[ox.Quad]
    problems: list[Violation]


def validate(shared: Common, story: list[ox.Quad], inputs: Inputs) -> Batch:
    """Check one story's batch: anchor its evidence, run the shapes and the ontology's checks."""
    db = ox.Store()
    db.extend(shared.quads)
    db.extend(story)
    with in_effect(story_prefixes(db)):
        evidence, problems, _ = check(db, inputs)
    return Batch(db, evidence, problems)


def reason(shared: Common, batch: Batch) -> list[ox.Quad]:
    """Reason over one checked batch with the rules (an inconsistency raises, naming the clash), with the
    ontology's TBox read once for every batch (the batch's ontology graphs are the shared ones)."""
    with in_effect(story_prefixes(batch.store)):
        return infer_in_store(batch.store, shared.tbox, ox.NamedNode(INFERRED_GRAPH))


def derived_from(store: ox.Store, story: list[ox.Quad], foreign: set[str]) -> list[ox.Quad]:
    """The evidence and inferred quads in ``store`` that mention a node of ``story`` (one the story describes, or
    points at while no other story nor a shared file does: ``foreign`` holds those others), with the position
    selectors of its spans: what the story's batch derived, less what the shared files alone derive."""
    own: set[Any] = {q.subject for q in story}
    own |= {q.object for q in story if isinstance(q.object, ox.BlankNode)
            or (isinstance(q.object, ox.NamedNode) and q.object.value not in foreign)}
    evidence, inferred = ox.NamedNode(EVIDENCE_GRAPH), ox.NamedNode(INFERRED_GRAPH)
    own |= {q.object for n in list(own) for q in store.quads_for_pattern(n, _SELECTOR, None, evidence)}
    found: set[ox.Quad] = set()
    for node in own:
        for graph in (evidence, inferred):
            found.update(store.quads_for_pattern(node, None, None, graph))
            found.update(store.quads_for_pattern(None, None, node, graph))
    return sorted(found, key=str)
