"""Reasoning that scales: the ontology's OWL RL axioms compiled to SPARQL, run over the store to a fixpoint.

HermiT loads everything into memory and does not carry millions of individuals. This path reads the axioms
(sub-classes, sub-properties, domains, ranges, inverses, transitive properties, the defined classes made of
intersections, unions, enumerations and ``someValuesFrom``; disjointness, functional properties and
enumerated ranges for consistency) once, turns the property axioms and defined classes into SPARQL queries
over the union of the store's graphs, and runs them until nothing new appears. Domains, ranges, super-classes
and disjointness need no query each: one scan reads every individual's direct classes (:func:`classify`) and
the rest is worked out in memory. Each query scans the triples of a few properties, so the cost grows linearly
with the data.

It reports what :func:`kg.reason.infer` reports: inferred object property values between named individuals
(inverses, super-properties, transitive closure) and the most specific inferred types of named individuals
that their asserted types do not already give; a test checks both agree on the article. Class expressions
outside that fragment (``allValuesFrom``, cardinalities, complements) are not compiled: on such an ontology
use HermiT (``kg build --reasoner hermit``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pyoxigraph as ox

from kg.errors import InconsistentError
from kg.rdfio import add_quads, list_members
from kg.vocab import PREFIXES, show

RDF, RDFS, OWL = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["owl"]
RDF_TYPE = ox.NamedNode(RDF + "type")
Node = ox.NamedNode | ox.BlankNode


def _n(term: ox.NamedNode) -> str:
    return f"<{term.value}>"


def _values(var: str, terms: Iterable[ox.NamedNode]) -> str:
    return f"VALUES ?{var} {{ {' '.join(sorted(_n(t) for t in terms))} }}"


@dataclass
class TBox:
    """The axioms the rules use, read from the ontology triples."""

    classes: set[ox.NamedNode] = field(default_factory=set)
    object_properties: set[ox.NamedNode] = field(default_factory=set)
    supers: dict[ox.NamedNode, set[ox.NamedNode]] = field(default_factory=lambda: defaultdict(set))
    super_properties: dict[ox.NamedNode, set[ox.NamedNode]] = field(default_factory=lambda: defaultdict(set))
    inverse: dict[ox.NamedNode, set[ox.NamedNode]] = field(default_factory=lambda: defaultdict(set))
    transitive: set[ox.NamedNode] = field(default_factory=set)
    symmetric: set[ox.NamedNode] = field(default_factory=set)
    domain: dict[ox.NamedNode, set[ox.NamedNode]] = field(default_factory=lambda: defaultdict(set))
    range: dict[ox.NamedNode, set[ox.NamedNode]] = field(default_factory=lambda: defaultdict(set))
    defined: dict[ox.NamedNode, Node] = field(default_factory=dict)  # class -> its class expression
    disjoint: list[tuple[ox.NamedNode, ox.NamedNode]] = field(default_factory=list)  # unordered pairs, once each
    functional: set[ox.NamedNode] = field(default_factory=set)
    different: set[ox.NamedNode] = field(default_factory=set)  # members of owl:AllDifferent
    one_of_range: dict[ox.NamedNode, set[ox.NamedNode]] = field(default_factory=dict)
    graph: dict[Node, dict[ox.NamedNode, list[Any]]] = field(default_factory=dict)

    def subclasses(self, cls: ox.NamedNode) -> set[ox.NamedNode]:
        """``cls`` and every named class below it (defined classes included)."""
        return {c for c in self.classes | {cls} if c == cls or cls in self.supers[c]}

    def sub_properties(self, prop: ox.NamedNode) -> set[ox.NamedNode]:
        return {p for p in self.object_properties | {prop} if p == prop or prop in self.super_properties[p]}

    def below(self, a: ox.NamedNode, b: ox.NamedNode) -> bool:
        """``a`` is strictly below ``b`` (``b`` is not also below ``a``)."""
        return b in self.supers[a] and a not in self.supers[b]


def _closure(direct: dict[ox.NamedNode, set[ox.NamedNode]]) -> dict[ox.NamedNode, set[ox.NamedNode]]:
    out: dict[ox.NamedNode, set[ox.NamedNode]] = defaultdict(set)
    for start in list(direct):
        stack, seen = list(direct[start]), set()
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(direct.get(node, ()))
        out[start] = seen
    return out


def read_tbox(triples: Iterable[ox.Triple | ox.Quad]) -> TBox:
    """Collect the axioms from ontology triples (a T-box of a few thousand triples)."""
    t = TBox()
    g: dict[Node, dict[ox.NamedNode, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for tr in triples:
        g[tr.subject][tr.predicate].append(tr.object)  # type: ignore[index]
    t.graph = g

    names: dict[str, ox.NamedNode] = {}  # made once each: read_tbox asks for a dozen properties of every subject

    def get(s: Any, p: str) -> list[Any]:
        return g.get(s, {}).get(names.get(p) or names.setdefault(p, ox.NamedNode(p)), [])

    def items(head: Any) -> list[Any]:
        return list_members(head, lambda node, p: next(iter(get(node, p)), None))

    sub: dict[ox.NamedNode, set[ox.NamedNode]] = defaultdict(set)
    subp: dict[ox.NamedNode, set[ox.NamedNode]] = defaultdict(set)
    kinds = [(ox.NamedNode(OWL + kind), into) for kind, into in (
        ("Class", t.classes), ("ObjectProperty", t.object_properties), ("TransitiveProperty", t.transitive),
        ("SymmetricProperty", t.symmetric), ("FunctionalProperty", t.functional))]
    for s, props in g.items():
        if not isinstance(s, ox.NamedNode):
            continue
        for kind, into in kinds:
            if kind in props.get(RDF_TYPE, ()):
                into.add(s)
        for o in get(s, RDFS + "subClassOf"):
            if isinstance(o, ox.NamedNode):
                sub[s].add(o)
            else:
                sub[s].update(c for c in _conjuncts(o, get, items) if isinstance(c, ox.NamedNode))
        for o in get(s, OWL + "equivalentClass"):
            if isinstance(o, ox.NamedNode):
                sub[s].add(o)
                sub[o].add(s)
            else:
                t.defined[s] = o
                sub[s].update(c for c in _conjuncts(o, get, items) if isinstance(c, ox.NamedNode))
        for o in get(s, RDFS + "subPropertyOf"):
            if isinstance(o, ox.NamedNode):
                subp[s].add(o)
        for o in get(s, OWL + "equivalentProperty"):
            subp[s].add(o)
            subp[o].add(s)
        for o in get(s, OWL + "inverseOf"):
            t.inverse[s].add(o)
            t.inverse[o].add(s)
        for o in get(s, RDFS + "domain"):
            if isinstance(o, ox.NamedNode):
                t.domain[s].add(o)
        for o in get(s, RDFS + "range"):
            if isinstance(o, ox.NamedNode):
                t.range[s].add(o)
            elif get(o, OWL + "oneOf"):
                t.one_of_range[s] = set(items(get(o, OWL + "oneOf")[0]))
        for o in get(s, OWL + "disjointWith"):
            t.disjoint.append((s, o))
    for s, props in g.items():
        if ox.NamedNode(OWL + "AllDisjointClasses") in props.get(RDF_TYPE, []):
            members = [m for m in items(get(s, OWL + "members")[0]) if isinstance(m, ox.NamedNode)]
            t.disjoint += [(a, b) for i, a in enumerate(members) for b in members[i + 1:]]
        if ox.NamedNode(OWL + "AllDifferent") in props.get(RDF_TYPE, []):
            for head in get(s, OWL + "distinctMembers") + get(s, OWL + "members"):
                t.different.update(m for m in items(head) if isinstance(m, ox.NamedNode))
    # Each pair once, whichever way (and however many axioms) the ontology states it.
    t.disjoint = list(dict.fromkeys(tuple(sorted(pair, key=str)) for pair in t.disjoint))  # type: ignore[misc]
    t.classes.update(sub)
    t.supers = _closure(sub)
    t.super_properties = _closure(subp)
    # A property inherits the domains and ranges of the properties above it; an inverse swaps them.
    for p in list(t.object_properties | set(t.domain) | set(t.range)):
        for q in t.super_properties[p]:
            t.domain[p] |= t.domain.get(q, set())
            t.range[p] |= t.range.get(q, set())
    t.items = items  # type: ignore[attr-defined]
    t.get = get  # type: ignore[attr-defined]
    return t


def _conjuncts(expr: Any, get: Any, items: Any) -> list[Any]:
    """The members of an intersection (or the expression itself)."""
    inter = get(expr, OWL + "intersectionOf")
    return items(inter[0]) if inter else [expr]


# --- Compiling class expressions to graph patterns ---------------------------------------------------------


class _Compiler:
    def __init__(self, tbox: TBox) -> None:
        self.t, self.n = tbox, 0
        self.tests: list[tuple[str, set[ox.NamedNode]]] = []  # (variable, the classes its type test accepts)

    def fresh(self) -> str:
        self.n += 1
        return f"v{self.n}"

    def named(self, var: str, cls: ox.NamedNode, bound: bool = True) -> str:
        """``?var`` is a ``cls``: typed so (asserted or inferred), or implied by a domain or a range.

        On a ``bound`` node (a test, inside EXISTS) each branch is a lookup of that node: its types filtered, then
        one (node, property) or (property, node) probe per domain and range, the first that holds ending the
        test. A VALUES list joined there costs the engine a hash join per tested row, and a property variable
        reads all of a node's triples: RefusingParty's rule went through every triple of every actor for each
        act it performs, a cost that grew with the square of the stories sharing an actor. Unbound (generating
        the candidates), the engine looks each class up in a VALUES list instead.
        """
        t = self.t
        below = t.subclasses(cls)
        self.tests.append((var, set(below)))
        doms = {p for p, cs in t.domain.items() if cs & below}
        rans = {p for p, cs in t.range.items() if cs & below}
        if not bound:
            branches = [f"{{ ?{var} a ?{(k := self.fresh())} . {_values(k, below)} }}"]
            if doms:
                branches.append(f"{{ ?{var} ?{(k := self.fresh())} [] . {_values(k, doms)} }}")
            if rans:
                branches.append(f"{{ [] ?{(k := self.fresh())} ?{var} . {_values(k, rans)} }}")
            return " UNION ".join(branches)
        k = self.fresh()
        return " UNION ".join([f"{{ ?{var} a ?{k} FILTER(?{k} IN ({', '.join(sorted(map(_n, below)))})) }}"]
                              + [f"{{ ?{var} {_n(p)} [] }}" for p in sorted(doms, key=str)]
                              + [f"{{ [] {_n(p)} ?{var} }}" for p in sorted(rans, key=str)])

    def cond(self, var: str, e: Any) -> str:
        """A FILTER condition: the bound ``?var`` belongs to the class expression ``e``.

        Conditions (EXISTS, IN) rather than joins: an actor shared by thousands of acts would otherwise
        multiply every row by its incoming links.
        """
        get, items = self.t.get, self.t.items  # type: ignore[attr-defined]
        if isinstance(e, ox.NamedNode):
            return f"EXISTS {{ {self.named(var, e)} }}"
        if get(e, OWL + "intersectionOf"):
            return "(" + " && ".join(self.cond(var, x) for x in items(get(e, OWL + "intersectionOf")[0])) + ")"
        if get(e, OWL + "unionOf"):
            return "(" + " || ".join(self.cond(var, x) for x in items(get(e, OWL + "unionOf")[0])) + ")"
        if get(e, OWL + "oneOf"):
            return f"?{var} IN ({', '.join(_n(x) for x in items(get(e, OWL + 'oneOf')[0]))})"
        prop = get(e, OWL + "onProperty")
        if prop and get(e, OWL + "someValuesFrom"):
            value = self.fresh()
            return (f"EXISTS {{ ?{var} {_n(prop[0])} ?{value} . "
                    f"FILTER({self.cond(value, get(e, OWL + 'someValuesFrom')[0])}) }}")
        if prop and get(e, OWL + "hasValue"):
            return f"EXISTS {{ ?{var} {_n(prop[0])} {_n(get(e, OWL + 'hasValue')[0])} }}"
        raise ValueError(f"class expression outside the compiled fragment: {e}")

    def expr(self, var: str, e: Any) -> str:
        """A pattern binding ``?var`` to the members of ``e``: one restriction's triples generate the
        candidates, the rest of the expression filters them."""
        get, items = self.t.get, self.t.items  # type: ignore[attr-defined]
        parts = items(get(e, OWL + "intersectionOf")[0]) if get(e, OWL + "intersectionOf") else [e]
        restriction = next((x for x in parts if not isinstance(x, ox.NamedNode) and get(x, OWL + "onProperty")
                            and get(x, OWL + "someValuesFrom")), None)
        if restriction is None:
            first = next((x for x in parts if isinstance(x, ox.NamedNode)), None)
            if first is None:
                raise ValueError(f"class expression outside the compiled fragment: {e}")
            rest = " && ".join(self.cond(var, x) for x in parts if x != first) or "true"
            return f"{{ {self.named(var, first, bound=False)} }} FILTER({rest})"
        value = self.fresh()
        conditions = [self.cond(var, x) for x in parts if x is not restriction]
        prop, filler = get(restriction, OWL + "onProperty")[0], get(restriction, OWL + "someValuesFrom")[0]
        if not isinstance(filler, ox.NamedNode) and get(filler, OWL + "oneOf"):
            # A few given values: the engine looks each one up (property, value) instead of reading every value of
            # the property and filtering (HedgedClaim's rule at 10^5: 0.037 s to 0.014 s).
            generator = f"{_values(value, items(get(filler, OWL + 'oneOf')[0]))} ?{var} {_n(prop)} ?{value} ."
        else:
            generator = f"?{var} {_n(prop)} ?{value} . FILTER({self.cond(value, filler)})"
        return f"{generator} FILTER({' && '.join(conditions) or 'true'})"


# --- Running the rules --------------------------------------------------------------------------------------


def _construct(store: ox.Store, query: str) -> set[ox.Triple]:
    return set(cast(ox.QueryTriples, store.query(query, use_default_graph_as_union=True)))


@dataclass(frozen=True)
class PropertyRule:
    """One CONSTRUCT that infers values of ``head`` from the values of the properties in ``body``."""

    query: str
    head: ox.NamedNode
    reads: frozenset[ox.NamedNode]


def property_rule_set(tbox: TBox) -> list[PropertyRule]:
    """The property rules with what each reads and writes (see :func:`run_rules`)."""
    rules = []
    for q in sorted(tbox.object_properties, key=str):
        direct = sorted((p for p in tbox.sub_properties(q) if p != q), key=str)
        flipped = sorted({i for p in tbox.sub_properties(q) for i in tbox.inverse.get(p, ())}
                         | ({q} if q in tbox.symmetric else set()), key=str)
        branches = [f"{{ ?x {_n(p)} ?y }}" for p in direct] + [f"{{ ?y {_n(p)} ?x }}" for p in flipped]
        if branches:
            rules.append(PropertyRule(f"CONSTRUCT {{ ?x {_n(q)} ?y }} WHERE {{ {' UNION '.join(branches)} "
                                      f"FILTER(isIRI(?x) && isIRI(?y)) FILTER NOT EXISTS {{ ?x {_n(q)} ?y }} }}",
                                      q, frozenset(direct) | frozenset(flipped)))
    for q in sorted(tbox.transitive, key=str):
        # The inverse of a transitive property is transitive, and its values are the other's flipped (the
        # inverse rules above carry them both ways): closing one of the pair is enough (so:after, not so:before).
        if any(i in tbox.transitive and str(i) < str(q) for i in tbox.inverse.get(q, ())):
            continue
        rules.append(PropertyRule(f"CONSTRUCT {{ ?x {_n(q)} ?z }} WHERE {{ ?x {_n(q)} ?y . ?y {_n(q)}+ ?z "
                                  f"FILTER(isIRI(?x) && isIRI(?z)) FILTER NOT EXISTS {{ ?x {_n(q)} ?z }} }}",
                                  q, frozenset({q})))
    return rules


def run_rules(store: ox.Store, rules: Sequence[PropertyRule | TypeRule], add: Any, own: bool) -> None:
    """Run the rules to a fixpoint, each again only when a property or class it reads gained values since it last
    ran (``add`` writes a rule's new triples and returns how many there were). With ``own`` False, a rule's own
    output never makes it run again.

    That holds for the property rules: the transitive rule closes its property in one query (``q+``), and a
    symmetric or inverse rule's output, flipped, is what it read. So the pass after the last change (which used to
    re-run every rule, the transitive closures included, to find nothing) is skipped. A defined class's rule may
    read its own class (on another node than the one it types), so the type rules pass ``own`` True.
    """
    dirty = [True] * len(rules)
    readers: dict[ox.NamedNode, list[int]] = defaultdict(list)
    for i, rule in enumerate(rules):
        for term in rule.reads:
            readers[term].append(i)
    while any(dirty):
        for i, rule in enumerate(rules):
            if not dirty[i]:
                continue
            dirty[i] = False
            if add(_construct(store, rule.query)):
                for j in readers.get(rule.head, ()):
                    if own or j != i:
                        dirty[j] = True


def complete_properties(ontology: Iterable[ox.Triple], facts: Iterable[ox.Triple]) -> set[ox.Triple]:
    """Object property values entailed by ``facts`` through sub-properties, inverses and transitivity, not in it.

    >>> ttl = '''@prefix so: <https://w3id.org/standoff/ontology#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
    ... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ... so:after a owl:ObjectProperty, owl:TransitiveProperty . so:respondsTo a owl:ObjectProperty ;
    ...     rdfs:subPropertyOf so:after . <urn:c> so:respondsTo <urn:b> . <urn:b> so:after <urn:a> .'''
    >>> for t in sorted(complete_properties(list(ox.parse(ttl, format=ox.RdfFormat.TURTLE)), []), key=str):
    ...     print(t.subject.value, t.predicate.value.split("#")[1], t.object.value)
    urn:c after urn:a
    urn:c after urn:b
    """
    ontology = list(ontology)
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in ontology)
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in facts)
    before = set(store.quads_for_pattern(None, None, None))
    def add(triples: Iterable[ox.Triple]) -> int:
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
        store.extend(quads)
        return len(quads)

    run_rules(store, property_rule_set(read_tbox(ontology)), add, own=False)
    return {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None)
            if q not in before}


@dataclass(frozen=True)
class TypeRule:
    """One CONSTRUCT that types the members of the defined class ``head``; ``reads`` are the classes its body
    tests membership of (the only way another rule's output, new ``rdf:type`` triples, can give it new rows)."""

    where: str  # the group pattern of its members not yet typed so
    head: ox.NamedNode
    reads: frozenset[ox.NamedNode]

    @property
    def query(self) -> str:
        return f"CONSTRUCT {{ ?x a {_n(self.head)} }} WHERE {{ {self.where} }}"


def type_rule_set(tbox: TBox) -> list[TypeRule]:
    """One rule per defined class: its members not yet typed with it (or a class below it). A rule comes after
    the rules of the classes it reads, when they do not read each other, so that one pass usually suffices."""
    compiler = _Compiler(tbox)
    rules = []
    for cls, e in sorted(tbox.defined.items(), key=lambda kv: str(kv[0])):
        compiler.tests = []
        try:
            body = compiler.expr("x", e)
        except ValueError:
            continue
        # New members of a class below the head's are no new rows when tested on ?x itself: the rule's NOT EXISTS
        # excludes them (a Demand test on ?x names RefusedDemand, yet a new RefusedDemand is no new RefusedDemand).
        own = tbox.subclasses(cls)
        reads = frozenset(c for var, accepted in compiler.tests for c in accepted
                          if c in tbox.defined and (var != "x" or c not in own))
        rules.append(TypeRule(f"{body} FILTER(isIRI(?x)) "
                              f"FILTER NOT EXISTS {{ ?x a ?t . {_values('t', tbox.subclasses(cls))} }}", cls, reads))
    ordered: list[TypeRule] = []
    waiting = list(rules)
    while waiting:  # the rule that reads the fewest classes still to be typed (none, unless they form a cycle)
        ready = min(waiting, key=lambda r: sum(o.head in r.reads for o in waiting if o is not r))
        ordered.append(ready)
        waiting.remove(ready)
    return ordered


def type_rules(tbox: TBox) -> list[str]:
    """The defined classes' CONSTRUCT queries (see :func:`type_rule_set`)."""
    return [r.query for r in type_rule_set(tbox)]


def type_nodes(store: ox.Store, tbox: TBox, nodes: Collection[ox.NamedNode], graph: ox.NamedNode) -> list[ox.Quad]:
    """The defined classes' rules for ``nodes`` only, over the whole store: their new types, in ``graph``, for
    the caller to add (kg/build.py keeps track of what it adds). A per-story build uses it for the nodes stories
    share (kg/batches.py), on data where no defined class's inferred members feed another's rule (its condition
    4): so one pass reaches the fixpoint."""
    found = []
    for rule in type_rule_set(tbox):
        # One ASK per node: it stops at the first witness, where the rule as a CONSTRUCT would go through all of a
        # shared actor's acts in every story (0.64 s against 0.03 s for 24 actors in a 10^5-triple store).
        for node in nodes:
            if store.query(f"ASK {{ {_values('x', [node])} {rule.where} }}", use_default_graph_as_union=True):
                found.append(ox.Quad(node, RDF_TYPE, rule.head, graph))
    return found


def classes_query(tbox: TBox) -> str:
    """One SELECT of every named individual's direct classes: its types (``?typed`` bound), and the classes
    the domains and ranges of its properties give.

    One scan, where a query per disjoint pair and per domain and range used to scan the same triples again
    and again (BENCHMARKS.md): :func:`classify` works the rest out in memory.
    """
    def pairs(table: dict[ox.NamedNode, set[ox.NamedNode]]) -> str:
        return " ".join(f"({_n(p)} {_n(c)})" for p, cs in sorted(table.items(), key=lambda kv: str(kv[0]))
                        for c in sorted(cs, key=str))

    known = tbox.classes | {c for cs in tbox.supers.values() for c in cs} | {
        c for table in (tbox.domain, tbox.range) for cs in table.values() for c in cs}
    branches = [f"{{ ?x a ?c . {_values('c', known)} BIND(true AS ?typed) }}"]
    if any(tbox.domain.values()):
        branches.append(f"{{ ?x ?p [] . VALUES (?p ?c) {{ {pairs(tbox.domain)} }} }}")
    if any(tbox.range.values()):
        branches.append(f"{{ [] ?p ?x . VALUES (?p ?c) {{ {pairs(tbox.range)} }} }}")
    return f"SELECT DISTINCT ?x ?c ?typed WHERE {{ {' UNION '.join(branches)} FILTER(isIRI(?x)) }}"


@dataclass(frozen=True)
class Typing:
    """What an individual's direct classes entail: the disjoint pairs it falls in and the types it gains."""

    disjoint: list[tuple[ox.NamedNode, ox.NamedNode]]
    new: list[ox.NamedNode]


Classes = frozenset[ox.NamedNode]


def _typing(tbox: TBox, typed: Classes, implied: Classes) -> Typing:
    """``typed``: the individual's types; ``implied``: the classes its properties' domains and ranges give."""
    closure = set(typed | implied).union(*(tbox.supers.get(c, ()) for c in typed | implied))
    disjoint = [(a, b) for a, b in tbox.disjoint if a in closure and b in closure]
    # Implied and not given by a type it has (or one below it)...
    found = {c for c in implied if not any(d == c or c in tbox.supers.get(d, ()) for d in typed)}
    # ...and only the most specific: a class another of its types lies strictly below says nothing new.
    new = sorted((c for c in found if not any(tbox.below(d, c) for d in typed | found if d != c)), key=str)
    return Typing(disjoint, new)


def classify(store: ox.Store, tbox: TBox) -> dict[ox.NamedNode, Typing]:
    """Each named individual that falls in two disjoint classes or gains a type, from one scan.

    Individuals share few distinct combinations of classes, so each combination is worked out once.
    """
    typed: dict[ox.NamedNode, set[ox.NamedNode]] = defaultdict(set)
    implied: dict[ox.NamedNode, set[ox.NamedNode]] = defaultdict(set)
    for x, c, how in cast(ox.QuerySolutions, store.query(classes_query(tbox), use_default_graph_as_union=True)):
        (implied if how is None else typed)[x].add(c)
    cache: dict[tuple[Classes, Classes], Typing] = {}
    out = {}
    for x in typed.keys() | implied.keys():
        key = (frozenset(typed.get(x, ())), frozenset(implied.get(x, ())))
        if key not in cache:
            cache[key] = _typing(tbox, *key)
        if cache[key].disjoint or cache[key].new:
            out[x] = cache[key]
    return out


def infer_in_store(store: ox.Store, tbox: TBox, graph: ox.NamedNode) -> list[ox.Quad]:
    """Run the rules over the union of the store's graphs; inferred facts go into ``graph`` (also returned).

    Property values first (to a fixpoint, since transitivity and inverses feed each other), then the defined
    classes, then one pass over every individual's classes (:func:`classify`): the clashes, then the types
    domains and ranges give. On a clash it raises :class:`InconsistentError` naming them; ``graph`` then holds
    part of the inferences (the build discards the whole store).
    """
    inferred: list[ox.Quad] = []

    def add(triples: Iterable[ox.Triple]) -> int:
        quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
        add_quads(store, quads)
        inferred.extend(quads)
        return len(quads)

    run_rules(store, property_rule_set(tbox), add, own=False)
    run_rules(store, type_rule_set(tbox), add, own=True)
    classified = classify(store, tbox)
    found = clashes(store, tbox, classified)
    if found:
        raise InconsistentError("the ontology and data are inconsistent:\n" + "\n".join(f"  - {r}" for r in found))
    add(ox.Triple(x, RDF_TYPE, c) for x, t in classified.items() for c in t.new)
    return inferred


# --- Consistency ------------------------------------------------------------------------------------------------


def clashes(store: ox.Store, tbox: TBox, classified: dict[ox.NamedNode, Typing] | None = None,
            limit: int = 20) -> list[str]:
    """What makes the store inconsistent with the ontology, as sentences (empty when consistent).

    ``classified`` is :func:`classify`'s answer, when the caller has it already.
    """
    if classified is None:
        classified = classify(store, tbox)
    reasons: list[str] = []
    for x in sorted((x for x, t in classified.items() if t.disjoint), key=str)[:limit]:
        for a, b in classified[x].disjoint:
            reasons.append(f"{show(x)} is both a {show(a)} and a {show(b)}, which are disjoint classes "
                           "(types asserted or implied by domains, ranges and subclasses): fix its rdf:type or "
                           "the property that implies it")
    different = ", ".join(_n(d) for d in sorted(tbox.different, key=str))
    for p in sorted(tbox.functional, key=str):
        query = (f"SELECT DISTINCT ?x ?v1 ?v2 WHERE {{ ?x {_n(p)} ?v1, ?v2 FILTER(STR(?v1) < STR(?v2)) "
                 f"FILTER(isLiteral(?v1) || (?v1 IN ({different}) && ?v2 IN ({different}))) }} LIMIT {limit}")
        for row in cast(ox.QuerySolutions, store.query(query, use_default_graph_as_union=True)):
            reasons.append(f"{show(row['x'])} has two values for the functional property {show(p)}: "
                           f"{show(row['v1'])} and {show(row['v2'])}; keep one")
    for p, allowed in sorted(tbox.one_of_range.items(), key=lambda kv: str(kv[0])):
        for x, v, choices in _outside(store, f"?x {_n(p)} ?v", allowed, different, limit):
            reasons.append(f"{show(x)} has {show(p)} {show(v)}, but {show(p)} takes only one of: {choices}")
    # A defined class asserted on an individual whose functional property has a value its definition excludes.
    get, items = tbox.get, tbox.items  # type: ignore[attr-defined]
    for cls, e in sorted(tbox.defined.items(), key=lambda kv: str(kv[0])):
        for part in _conjuncts(e, get, items):
            prop, filler = get(part, OWL + "onProperty"), get(part, OWL + "someValuesFrom")
            if not (prop and filler and get(filler[0], OWL + "oneOf") and prop[0] in tbox.functional):
                continue
            allowed = items(get(filler[0], OWL + "oneOf")[0])
            for x, v, choices in _outside(store, f"?x a {_n(cls)} ; {_n(prop[0])} ?v", allowed, different, limit):
                reasons.append(f"{show(x)} is typed {show(cls)}, which requires {show(prop[0])} to be one of "
                               f"{choices}, but its {show(prop[0])} is {show(v)}: remove the type (the reasoner "
                               "infers it) or fix the value")
    return reasons


def _outside(store: ox.Store, pattern: str, allowed: Collection[ox.NamedNode], different: str,
             limit: int) -> Iterator[tuple[Any, Any, str]]:
    """Rows (?x, ?v, the allowed values as text) where ``pattern`` binds ?v to a distinct named individual
    outside ``allowed``."""
    ok = ", ".join(_n(a) for a in sorted(allowed, key=str))
    choices = ", ".join(sorted(show(a) for a in allowed))
    query = f"SELECT DISTINCT ?x ?v WHERE {{ {pattern} FILTER(?v NOT IN ({ok}) && ?v IN ({different})) }} LIMIT {limit}"
    for row in cast(ox.QuerySolutions, store.query(query, use_default_graph_as_union=True)):
        yield row["x"], row["v"], choices


def reason_store(store: ox.Store, ontology: Iterable[ox.Triple | ox.Quad], graph: ox.NamedNode) -> list[ox.Quad]:
    """Infer into ``graph`` and check consistency; raises :class:`InconsistentError` naming the clashes.

    >>> ttl = '''
    ... @prefix so: <https://w3id.org/standoff/ontology#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
    ... so:Demand a owl:Class . so:Deadline a owl:Class . so:hasDeadline a owl:ObjectProperty .
    ... so:Ultimatum a owl:Class ; owl:equivalentClass [ owl:intersectionOf ( so:Demand
    ...     [ a owl:Restriction ; owl:onProperty so:hasDeadline ; owl:someValuesFrom so:Deadline ] ) ] .
    ... <urn:ex:demand> a so:Demand ; so:hasDeadline <urn:ex:friday> . <urn:ex:friday> a so:Deadline .
    ... '''
    >>> s = ox.Store(); s.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode("urn:g"))
    ...                          for t in ox.parse(ttl, format=ox.RdfFormat.TURTLE))
    >>> for q in reason_store(s, s.quads_for_pattern(None, None, None), ox.NamedNode("urn:inferred")):
    ...     print(q.subject, q.object)
    <urn:ex:demand> <https://w3id.org/standoff/ontology#Ultimatum>
    """
    return infer_in_store(store, read_tbox(ontology), graph)
