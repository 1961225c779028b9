"""SHACL validation as SPARQL: each shape compiles to SELECT queries that find every violation in one pass.

pySHACL walks the data focus node by focus node in Python, 8 to 13 times slower than the same checks as
SPARQL over pyoxigraph. Here every constraint of every shape becomes one query (a few constraints two)
that joins the shape's focus nodes with the constraint's violation pattern, so validation costs about what
pyoxigraph needs to run those queries, and scales like them. Nested shapes (``sh:node``, ``sh:and``,
``sh:or``, ``sh:not``, ``sh:xone``, ``sh:qualifiedValueShape``) compile into ``EXISTS`` conditions, so
they too are checked for all focus nodes at once.

Only ``SELECT`` queries reach the store (``Store.query`` cannot run updates), so validation never changes
the data. Shapes are read once, in :func:`compile_shapes`; :func:`validate` only runs the queries.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import InputError, Violation
from kg.lexing import inert
from kg.rdfio import list_members
from kg.rows import Term
from kg.vocab import show

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"


# Datatypes whose lexical form SPARQL can check with a cast: a literal of that datatype the cast rejects is
# ill-formed, which sh:datatype reports (as pySHACL does through rdflib's ``ill_typed``).
_CASTABLE = frozenset(XSD + t for t in (
    "integer", "decimal", "double", "float", "boolean", "dateTime", "date", "time",
))
_NODE_KINDS = {
    SH + "IRI": "isIRI({v})",
    SH + "BlankNode": "isBlank({v})",
    SH + "Literal": "isLiteral({v})",
    SH + "BlankNodeOrIRI": "(isBlank({v}) || isIRI({v}))",
    SH + "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
    SH + "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))",
}
_RANGES = {  # constraint -> (comparison that must hold, what the message says)
    "minInclusive": (">=", "at least"),
    "minExclusive": (">", "more than"),
    "maxInclusive": ("<=", "at most"),
    "maxExclusive": ("<", "less than"),
}
_INSTANCE = f"<{RDF}type>/<{RDFS}subClassOf>*"


@dataclass(frozen=True)
class ShaclResult:
    """One SHACL validation result: the focus node, what is wrong with which value, and which shape says so.

    ``path`` is the result path as a SPARQL property path with full IRIs (``<p>``, ``^<p>``, ``<a>/<b>``),
    ``shape`` the source shape (a prefixed name; a blank-node property shape takes its node shape's name),
    ``component`` the constraint component as a prefixed name such as ``sh:MinCountConstraintComponent``.
    """

    focus: Term
    path: str | None
    value: Term | None
    shape: str
    component: str
    severity: str
    message: str

    def sort_key(self) -> tuple[str, str, str, str, str, str]:
        """Order results by focus node, path, shape, component, value: the order :func:`validate` returns."""
        return (str(self.focus), self.path or "", self.shape, self.component, str(self.value or ""),
                self.message)

    def to_violation(self, file: str = "") -> Violation:
        """This result as the project's :class:`kg.errors.Violation`, ``file`` naming where the data came from."""
        return Violation(path=file, focus=_short(self.focus), check=f"{self.shape} {self.component}",
                         message=self.message, severity=self.severity,
                         value=None if self.value is None else _short(self.value))


@dataclass(frozen=True)
class CompiledCheck:
    """One SELECT query finding every violation of one constraint of one shape, with what to report.

    ``explain`` is the generated message, a :meth:`str.format` template over ``focus``, ``value``,
    ``path`` and ``count``; ``message`` is the shape's own ``sh:message`` when it has one.
    """

    shape: str
    component: str
    severity: str
    path: str | None
    query: str
    explain: str
    message: str | None = None
    value_var: str | None = None
    path_var: str | None = None
    count_var: str | None = None
    extra_vars: tuple[str, ...] = field(default=())


def compile_shapes(shapes: ox.Store | Iterable[ox.Triple | ox.Quad]) -> list[CompiledCheck]:
    """Compile SHACL shapes (a store, whatever its graphs, or triples) into checks for :func:`validate`.

    >>> shapes = ox.Store()
    >>> shapes.load(b'''@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
    ... ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
    ...     sh:property [ sh:path ex:name ; sh:minCount 1 ] .''', format=ox.RdfFormat.TURTLE)
    >>> [(c.shape, c.component) for c in compile_shapes(shapes)]
    [('<http://example.org/PersonShape>', 'sh:MinCountConstraintComponent')]
    """
    if not isinstance(shapes, ox.Store):
        store = ox.Store()
        store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in shapes)
        shapes = store
    refuse_unknown_terms(shapes)
    return _Compiler(_Graph(shapes)).compile()


# Every SHACL term the compiler reads or may safely ignore (labels, order, groups: they check nothing).
IMPLEMENTED = frozenset(SH + t for t in (
    "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "property", "path", "inversePath",
    "alternativePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath", "deactivated", "severity", "message",
    "class", "datatype", "nodeKind", "minCount", "maxCount", "minExclusive", "minInclusive", "maxExclusive",
    "maxInclusive", "minLength", "maxLength", "pattern", "flags", "languageIn", "uniqueLang", "equals", "disjoint",
    "lessThan", "lessThanOrEquals", "not", "and", "or", "xone", "node", "qualifiedValueShape", "qualifiedMinCount",
    "qualifiedMaxCount", "qualifiedValueShapesDisjoint", "closed", "ignoredProperties", "hasValue", "in", "sparql",
    "select", "prefixes", "declare", "prefix", "namespace",
))
IGNORED = frozenset(SH + t for t in (
    "name", "description", "order", "group", "defaultValue", "editor", "viewer", "singleLine",
    # Terms of validation reports and test manifests, not of shapes: they check nothing.
    "conforms", "result", "focusNode", "resultPath", "resultSeverity", "resultMessage", "sourceShape",
    "sourceConstraintComponent", "sourceConstraint", "value", "detail", "shapesGraph", "shapesGraphWellFormed",
    "suggestedShapesGraph", "entailment",
))


def refuse_unknown_terms(shapes: ox.Store) -> None:
    """Refuse shapes that use a SHACL term this compiler does not implement: silently skipping it would let data
    pass that the shape forbids. Custom constraint components (``sh:ConstraintComponent``) are refused too.

    >>> shapes = ox.Store(); shapes.add(ox.Quad(ox.NamedNode("http://e/S"), ox.NamedNode(SH + "rule"),
    ...                                         ox.NamedNode("http://e/r")))
    >>> refuse_unknown_terms(shapes)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.InputError: <http://e/S> uses sh:rule, a SHACL term this checker does not implement ...
    """
    for quad in sorted(shapes.quads_for_pattern(None, None, None, None), key=str):
        predicate = quad.predicate.value
        if predicate.startswith(SH) and predicate not in IMPLEMENTED and predicate not in IGNORED:
            raise InputError(f"{_short(quad.subject)} uses sh:{predicate.removeprefix(SH)}, a SHACL term this "
                             "checker does not implement (it would check nothing, and data it forbids would "
                             "pass): remove it or express it with the terms kg.shacl.IMPLEMENTED lists")
        if quad.predicate.value == RDF + "type" and quad.object == ox.NamedNode(SH + "ConstraintComponent"):
            raise InputError(f"{_short(quad.subject)}: custom constraint components (sh:ConstraintComponent) are "
                             "not implemented; write the constraint as an sh:sparql constraint on the shape")


def validate(store: ox.Store, checks: list[CompiledCheck], *,
             graphs: list[ox.NamedNode] | None = None) -> list[ShaclResult]:
    """Run compiled checks over the union of the store's graphs (or only ``graphs``); results sorted.

    >>> checks = compile_shapes(ox.parse(b'''@prefix sh: <http://www.w3.org/ns/shacl#> .
    ... @prefix ex: <http://example.org/> .
    ... ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
    ...     sh:property [ sh:path ex:name ; sh:minCount 1 ] .''', format=ox.RdfFormat.TURTLE))
    >>> data = ox.Store()
    >>> data.load(b'''<http://example.org/ann> a <http://example.org/Person> .''',
    ...           format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("http://example.org/g"))
    >>> [r.message for r in validate(data, checks)]
    ['<http://example.org/Person> <http://example.org/ann> has 0 values of <http://example.org/name>, needs at least 1']
    """
    if graphs is None:
        options: dict[str, object] = {"use_default_graph_as_union": True}
    elif not graphs:  # no graph at all: an empty dataset, where nothing can be wrong
        return []
    else:
        options = {"default_graph": list(graphs), "named_graphs": list(graphs)}
    found: set[ShaclResult] = set()
    for check in checks:
        solutions = store.query(check.query, **options)  # type: ignore[arg-type]
        if not isinstance(solutions, ox.QuerySolutions):
            raise InputError(f"check of {check.shape} is not a SELECT query")
        names = {v.value for v in solutions.variables}
        for row in solutions:
            found.add(_result(check, row, names))
    return sorted(found, key=ShaclResult.sort_key)


def _result(check: CompiledCheck, row: ox.QuerySolution, names: set[str]) -> ShaclResult:
    def get(var: str | None) -> Term | None:
        return row[var] if var and var in names else None

    focus = get("this")
    value = get(check.value_var)
    path_term = get(check.path_var)
    count = get(check.count_var)
    path = check.path
    if isinstance(path_term, ox.NamedNode):
        path = f"<{path_term.value}>"
    fields = {
        "focus": _short(focus) if focus is not None else "?",
        "value": _short(value) if value is not None else "(none)",
        "path": _short_path(path) if path else "",
        "count": count.value if isinstance(count, ox.Literal) else "0",
    }
    for var in check.extra_vars:
        extra = get(var)
        fields[var] = _short(extra) if extra is not None else ""
    if check.message is not None:
        message = _fill(check.message, row, names, fields)
    else:
        message = re.sub(r"\{(\w+)\}", lambda m: fields.get(m.group(1), m.group(0)), check.explain)
    assert focus is not None, check.query
    return ShaclResult(focus=focus, path=path, value=value, shape=check.shape, component=check.component,
                       severity=check.severity, message=message)


def _fill(template: str, row: ox.QuerySolution, names: set[str], fields: dict[str, str]) -> str:
    """Fill ``{$this}`` / ``{?value}`` placeholders of an ``sh:message`` as SHACL specifies."""

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in names and row[name] is not None:
            return _short(row[name])
        alias = {"this": "focus"}.get(name, name)
        return fields.get(alias, m.group(0))

    return re.sub(r"\{[?$](\w+)\}", sub, template)


def _short(term: Term | ox.Triple) -> str:
    """A term as a person reads it: a prefixed name when a known prefix fits, typed literals with their type."""
    if isinstance(term, ox.Literal) and term.language is None and term.datatype.value != XSD + "string":
        return f'"{term.value}"^^{show(term.datatype)}'
    return show(term)


def _short_path(path: str) -> str:
    return re.sub(r"<([^<>\s]*)>", lambda m: _short(ox.NamedNode(m.group(1))), path)


def _sparql_string(text: str) -> str:
    return str(ox.Literal(text))


class _Graph:
    """Read access to the shapes, over all graphs of the store holding them."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def objects(self, s: Term, p: str) -> list[Term]:
        if isinstance(s, ox.Literal):
            return []
        found = {q.object for q in self.store.quads_for_pattern(s, ox.NamedNode(p), None, None)}
        return sorted(found, key=str)  # type: ignore[arg-type]

    def value(self, s: Term, p: str) -> Term | None:
        found = self.objects(s, p)
        return found[0] if found else None

    def subjects(self, p: str, o: Term | None = None) -> list[Term]:
        found = {q.subject for q in self.store.quads_for_pattern(None, ox.NamedNode(p), o, None)}
        return sorted(found, key=str)  # type: ignore[arg-type]

    def items(self, head: Term | None) -> list[Term]:
        """The members of an RDF list."""
        return list_members(head, self.value)

    def is_true(self, s: Term, p: str) -> bool:
        return _true(self.value(s, p))

    def integer(self, s: Term, p: str) -> int | None:
        v = self.value(s, p)
        return None if v is None else self.as_integer(s, p, v)

    def as_integer(self, s: Term, p: str, v: Term) -> int:
        """``v``, the value of ``s``'s ``p``, as an integer; anything else is an error in the shapes."""
        try:
            return int(v.value)
        except ValueError:
            raise InputError(f"{_short(s)} {_short(ox.NamedNode(p))} needs an integer, got {v}") from None


@dataclass
class _Branch:
    """A violation pattern: SPARQL group content that, with the focus variable bound, matches violations."""

    pattern: str
    value: str | None = None
    path: str | None = None
    count: str | None = None
    # True when the pattern itself binds the focus through a path without closure operators, so that
    # the top-level query can scan the path's triples and check the focus nodes only for violations.
    scan: bool = False
    top: str | None = None  # a form faster when the focus is not yet bound (hash joins), if any


@dataclass
class _Rule:
    component: str
    explain: str
    branches: Callable[[str], list[_Branch]] | None = None
    # Counting rules: values(focus) -> (pattern, counted variable); violated when COUNT op limit.
    counted: Callable[[str], tuple[str, str]] | None = None
    op: str = ""
    limit: int = 0


class _Compiler:
    def __init__(self, graph: _Graph) -> None:
        self.g = graph
        self.n = 0
        self.stack: list[Term] = []
        self.focus_stack: list[Term] = []

    # -- helpers -------------------------------------------------------------------------------------------

    def fresh(self, stem: str = "v") -> str:
        self.n += 1
        return f"?_{stem}{self.n}"

    def label(self, shape: Term) -> str:
        if isinstance(shape, ox.NamedNode):
            return _short(shape)
        for parent in self.g.subjects(SH + "property", shape):
            if isinstance(parent, ox.NamedNode):
                return _short(parent)
        for parent in self.g.subjects(SH + "property", shape):
            return self.label(parent)
        return f"_:{self.path(shape) if self.is_property(shape) else 'shape'}"

    def target_classes(self, shape: Term) -> list[Term]:
        """The classes whose instances the shape (or the node shape it belongs to) checks, for messages."""
        found = self.g.objects(shape, SH + "targetClass")
        for parent in self.g.subjects(SH + "property", shape):
            found.extend(self.g.objects(parent, SH + "targetClass"))
        return found

    def is_property(self, shape: Term) -> bool:
        return self.g.value(shape, SH + "path") is not None

    def active(self, shape: Term) -> bool:
        return not self.g.is_true(shape, SH + "deactivated")

    def path(self, shape: Term) -> str:
        node = self.g.value(shape, SH + "path")
        if node is None:
            raise InputError(f"{_short(shape)} has no sh:path")
        return self.path_of(node)

    def path_of(self, node: Term) -> str:
        if isinstance(node, ox.NamedNode):
            return f"<{node.value}>"
        if isinstance(node, ox.Literal):
            raise InputError(f"a literal is not a SHACL path: {node}")
        g = self.g
        if (inner := g.value(node, SH + "inversePath")) is not None:
            return "^" + self.atom(inner)
        if (inner := g.value(node, SH + "alternativePath")) is not None:
            return "|".join(self.atom(x) for x in g.items(inner))
        for pred, op in (("zeroOrMorePath", "*"), ("oneOrMorePath", "+"), ("zeroOrOnePath", "?")):
            if (inner := g.value(node, SH + pred)) is not None:
                return self.atom(inner) + op
        if g.value(node, RDF + "first") is not None:
            return "/".join(self.atom(x) for x in g.items(node))
        raise InputError(f"unsupported SHACL path {node}")

    def atom(self, node: Term) -> str:
        text = self.path_of(node)
        return text if isinstance(node, ox.NamedNode) else f"({text})"

    def values(self, shape: Term, focus: str) -> tuple[str, str]:
        """Pattern binding the value nodes of ``shape`` for a bound focus: the focus itself, or its path."""
        if not self.is_property(shape):
            return "", focus
        v = self.fresh()
        return f"{focus} {self.path(shape)} {v} .", v

    # -- shapes --------------------------------------------------------------------------------------------

    def shapes(self) -> list[Term]:
        g = self.g
        found: set[Term] = set()
        for cls in ("NodeShape", "PropertyShape"):
            found.update(g.subjects(RDF + "type", ox.NamedNode(SH + cls)))
        for pred in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "path", "property",
                     "sparql"):
            found.update(g.subjects(SH + pred))
        for q in g.store.quads_for_pattern(None, ox.NamedNode(SH + "property"), None, None):
            found.add(q.object)  # type: ignore[arg-type]
        return sorted((s for s in found if not isinstance(s, ox.Literal)), key=str)

    def compile(self) -> list[CompiledCheck]:
        checks: list[CompiledCheck] = []
        for shape in self.shapes():
            if not self.active(shape):
                continue
            self.n = 0
            focus = self.focus(shape, "?this")
            if focus is None:
                continue
            checks.extend(self.top_level(shape, focus))
        empty = ox.Store()
        for c in checks:  # parse each query once: a bug here should fail at compile time, not mid-run
            if not isinstance(empty.query(c.query), ox.QuerySolutions):
                raise InputError(f"check of {c.shape} is not a SELECT query")
        return checks

    def focus(self, shape: Term, var: str) -> str | None:
        """Pattern binding ``var`` to every focus node of ``shape``; None when it has none."""
        if shape in self.focus_stack:
            return None  # a shape that is its own ancestor through sh:property: no new focus nodes
        self.focus_stack.append(shape)
        try:
            alternatives = self.focus_alternatives(shape, var)
        finally:
            self.focus_stack.pop()
        if not alternatives:
            return None
        if len(alternatives) == 1:
            return alternatives[0]
        union = " UNION ".join(f"{{ {a} }}" for a in alternatives)
        return f"{{ SELECT DISTINCT {var} WHERE {{ {union} }} }}"

    def focus_alternatives(self, shape: Term, var: str) -> list[str]:
        g = self.g
        out: list[str] = []
        classes = g.objects(shape, SH + "targetClass")
        kinds = {t.value for t in g.objects(shape, RDF + "type") if isinstance(t, ox.NamedNode)}
        if kinds & {RDFS + "Class", OWL + "Class"}:
            classes.append(shape)
        out.extend(f"{var} {_INSTANCE} {c} ." for c in sorted(set(classes), key=str))
        nodes = g.objects(shape, SH + "targetNode")
        if nodes:
            out.append(f"VALUES {var} {{ {' '.join(str(n) for n in nodes)} }}")
        out.extend(f"{var} {p} {self.fresh('t')} ." for p in g.objects(shape, SH + "targetSubjectsOf"))
        out.extend(f"{self.fresh('t')} {p} {var} ." for p in g.objects(shape, SH + "targetObjectsOf"))
        for parent in g.subjects(SH + "property", shape):
            if not self.active(parent):
                continue
            if not self.is_property(parent):
                inner = self.focus(parent, var)
                if inner is not None:
                    out.append(inner)
                continue
            f = self.fresh("f")
            inner = self.focus(parent, f)
            if inner is not None:
                out.append(f"{inner} {f} {self.path(parent)} {var} .")
        return out

    def top_level(self, shape: Term, focus: str) -> list[CompiledCheck]:
        g = self.g
        label = self.label(shape)
        severity_node = g.value(shape, SH + "severity")
        severity = (_short(severity_node).removeprefix("sh:") if severity_node is not None else "Violation")
        message = _pick_message(g.objects(shape, SH + "message"))
        path = self.path(shape) if self.is_property(shape) else None
        classes = self.target_classes(shape)
        who = (_short(classes[0]) + " {focus}") if classes else "{focus}"
        checks: list[CompiledCheck] = []
        scan = not focus.startswith("VALUES")

        def check(component: str, query: str, explain: str, **kw: str | None) -> None:
            checks.append(CompiledCheck(
                shape=label, component="sh:" + component, severity=severity, path=path, query=query,
                explain=explain.replace("{who}", who), message=kw.pop("message", None) or message,
                **kw))  # type: ignore[arg-type]

        for rule in self.rules(shape, lambda var: self.focus(shape, var)):
            if rule.counted is not None:
                pattern, v = rule.counted("?this")
                having = f"HAVING (COUNT(DISTINCT {v}) {rule.op} {rule.limit})"
                if rule.op == ">" and scan and path is not None and _simple(path):
                    query = (f"SELECT DISTINCT ?this ?count WHERE {{ {{ SELECT ?this (COUNT(DISTINCT {v}) AS ?count) "
                             f"WHERE {{ {pattern} }} GROUP BY ?this {having} }} {focus} }}")
                else:
                    body = f"OPTIONAL {{ {pattern} }}" if rule.op == "<" else pattern
                    query = (f"SELECT ?this (COUNT(DISTINCT {v}) AS ?count) WHERE {{ {focus} {body} }} "
                             f"GROUP BY ?this {having}")
                check(rule.component, query, rule.explain, count_var="count")
                continue
            assert rule.branches is not None
            for b in rule.branches("?this"):
                variables = " ".join(dict.fromkeys(x for x in ("?this", b.value, b.path, b.count) if x))
                # Measured on disk at 10^5 nodes: the violation pattern first, then the join with the focus
                # nodes, is 5-10x faster than looking up each focus node's values, and 30x faster than
                # FILTER EXISTS on the focus; not for a handful of sh:targetNode values.
                body = b.top or b.pattern
                if b.scan and scan:
                    # After a subquery, oxigraph joins a bare path per row (3x slower): materialise it.
                    join = f"{{ SELECT ?this WHERE {{ {focus} }} }}" if "SELECT" in body else focus
                    where = f"{body} {join}"
                else:
                    where = f"{focus} {body}"
                query = f"SELECT DISTINCT {variables} WHERE {{ {where} }}"
                check(rule.component, query, rule.explain, value_var=_name(b.value), path_var=_name(b.path),
                      count_var=_name(b.count))
        for constraint in g.objects(shape, SH + "sparql"):
            if not self.active(constraint):
                continue
            query = self.sparql(shape, constraint, focus)
            own = _pick_message(g.objects(constraint, SH + "message"))
            check("SPARQLConstraintComponent", query, "{who} breaks a SPARQL constraint of " + label
                  + " (value {value})", value_var="value", path_var="path", message=own)
        return checks

    def sparql(self, shape: Term, constraint: Term, focus: str) -> str:
        """The constraint's own SELECT with the shape's focus nodes joined in first, as if pre-bound."""
        g = self.g
        select = g.value(constraint, SH + "select")
        if not isinstance(select, ox.Literal):
            raise InputError(f"SPARQL constraint of {self.label(shape)} has no sh:select")
        text = select.value
        if self.is_property(shape):
            text = re.sub(r"\$PATH\b", lambda _: self.path(shape), text)
        if isinstance(shape, ox.NamedNode):
            text = re.sub(r"\$currentShape\b", lambda _: str(shape), text)
        prologue = []
        for ontology in g.objects(constraint, SH + "prefixes"):
            for decl in g.objects(ontology, SH + "declare"):
                prefix, ns = g.value(decl, SH + "prefix"), g.value(decl, SH + "namespace")
                if prefix is not None and ns is not None:
                    prologue.append(f"PREFIX {prefix.value}: <{ns.value}>")
        start = _outer_group(text)
        if start is None:
            raise InputError(f"SPARQL constraint of {self.label(shape)} has no WHERE clause")
        query = "\n".join([*sorted(set(prologue)), text[:start + 1] + f" {focus} " + text[start + 1:]])
        try:
            ox.Store().query(query)  # parse only: an empty store, and Store.query never runs updates
        except SyntaxError as e:
            raise InputError(f"SPARQL constraint of {self.label(shape)}: {e}") from None
        return query

    # -- constraints ---------------------------------------------------------------------------------------

    def rules(self, shape: Term, cand: Callable[[str], str | None] | None = None) -> list[_Rule]:
        """The constraints of ``shape`` as violation patterns; ``cand(var)`` binds ``var`` to its focus nodes
        (given at top level only), which lets nested-shape constraints use set operations."""
        compiling = _Shape(self, shape, cand)
        return [rule for term, compile_term in _CONSTRAINTS.items() for value in compiling.objects(term)
                for rule in compile_term(compiling, value)]

    # -- nested shapes -------------------------------------------------------------------------------------

    def fails(self, shape: Term, v: str) -> str:
        """A SPARQL expression true when the node bound to ``v`` does not conform to ``shape``."""
        patterns = self.violations(shape, v)
        if not patterns:
            return "false"
        if len(patterns) == 1:
            return f"EXISTS {{ {patterns[0]} }}"
        return "EXISTS { " + " UNION ".join(f"{{ {p} }}" for p in patterns) + " }"

    def candidates(self, shape: Term, v: str, cand: Callable[[str], str | None] | None) -> str | None:
        """A pattern binding ``v`` to a superset of the value nodes of ``shape``, or None if there is none."""
        if self.is_property(shape):
            pth = self.path(shape)
            if _simple(pth):
                return f"{self.fresh('c')} {pth} {v} ."
            f = self.fresh("c")
            focus = cand(f) if cand else None
            return f"{{ SELECT DISTINCT {v} WHERE {{ {focus} {f} {pth} {v} . }} }}" if focus else None
        return cand(v) if cand else None

    def fail_set(self, shape: Term, v: str, cands: str) -> str | None:
        """Subquery of the candidates (bound to ``v`` by ``cands``) that do not conform to ``shape``."""
        patterns = self.violations(shape, v, top=True)
        return _union(v, [f"{cands} {p}" for p in patterns]) if patterns else None

    def violations(self, shape: Term, x: str, top: bool = False) -> list[str]:
        """Violation patterns of every constraint of ``shape`` (and of its property shapes) for focus ``x``;
        ``top`` picks the forms that need ``x`` bound by earlier patterns of the same group, not by EXISTS."""
        if not self.active(shape):
            return []
        if shape in self.stack:
            raise InputError(f"recursive shape {self.label(shape)}: SHACL leaves its meaning undefined")
        if self.g.objects(shape, SH + "sparql"):
            raise InputError(f"{self.label(shape)}: SPARQL constraints are only supported on shapes with "
                             "targets, not inside sh:node, sh:and, sh:or, sh:not, sh:xone")
        self.stack.append(shape)
        try:
            out: list[str] = []
            for rule in self.rules(shape):
                if rule.counted is not None:
                    pattern, c = rule.counted(x)
                    op = ">=" if rule.op == "<" else ">"
                    group = (f"{{ SELECT {x} WHERE {{ {pattern} }} GROUP BY {x} "
                             f"HAVING (COUNT(DISTINCT {c}) {op} {rule.limit}) }}")
                    minus = "MINUS" if top else "FILTER NOT EXISTS"
                    out.append(f"{minus} {group}" if rule.op == "<" else group)
                else:
                    assert rule.branches is not None
                    out.extend((b.top or b.pattern) if top else b.pattern for b in rule.branches(x))
            for prop in self.g.objects(shape, SH + "property"):
                pattern, y = self.values(shape, x)
                out.extend(f"{pattern} {p}" for p in self.violations(prop, y, top))
            return out
        finally:
            self.stack.pop()


# -- one function per constraint ----------------------------------------------------------------------------
# Each takes the shape being compiled and one value of its SHACL term, and returns the violation patterns of
# that constraint (none when the value asks for nothing). _CONSTRAINTS, below, is the dispatch table from term
# to function.


class _Shape:
    """A shape while its constraints are compiled, with what every constraint needs of it."""

    def __init__(self, compiler: _Compiler, shape: Term, cand: Callable[[str], str | None] | None) -> None:
        self.c, self.g, self.shape, self.cand = compiler, compiler.g, shape, cand
        self.prop = compiler.is_property(shape)
        self.pth = compiler.path(shape) if self.prop else ""
        self.scans = self.prop and _simple(self.pth)
        self.subject = "{who}" + (" {path}" if self.prop else "")

    def objects(self, term: str) -> list[Term]:
        return self.g.objects(self.shape, SH + term)

    def per_value(self, component: str, explain: str, condition: Callable[[str, str], str]) -> _Rule:
        """A constraint each value node must meet on its own; ``condition(focus, v)`` means it fails."""

        def branches(f: str) -> list[_Branch]:
            pattern, v = self.c.values(self.shape, f)
            return [_Branch(f"{pattern} FILTER({condition(f, v)})", value=v, scan=self.scans)]

        return _Rule(component, explain, branches)

    def logical(self, component: str, explain: str, members: list[Term], condition: Callable[[str], str],
                combine: Callable[[list[str | None], str], str | None]) -> _Rule:
        """sh:node, sh:and, sh:or, sh:not: per value, an EXISTS over the nested shapes' violation patterns;
        where a superset of the value nodes can be enumerated, the top-level form instead joins with (or
        subtracts) the set of candidates failing each nested shape: hash joins, 5-10x faster on disk."""

        def build(f: str) -> list[_Branch]:
            pattern, v = self.c.values(self.shape, f)
            top = None
            cands = self.c.candidates(self.shape, v, self.cand)
            if cands is not None:
                sets = [self.c.fail_set(m, v, cands) for m in members]
                joined = combine(sets, v)
                top = f"{pattern} {joined}" if joined is not None else None
            return [_Branch(f"{pattern} FILTER({condition(v)})", value=v, scan=self.scans, top=top)]

        return _Rule(component, explain, build)


def _component(term: str) -> str:
    return term[0].upper() + term[1:] + "ConstraintComponent"


def _min_count(s: _Shape, value: Term) -> list[_Rule]:
    if not s.prop:
        return []
    low = s.g.as_integer(s.shape, SH + "minCount", value)
    if low < 1:
        return []
    if low > 1:
        return [_Rule("MinCountConstraintComponent",
                      f"{{who}} has {{count}} values of {{path}}, needs at least {low}",
                      counted=lambda f: s.c.values(s.shape, f), op="<", limit=low)]
    return [_Rule("MinCountConstraintComponent", "{who} has 0 values of {path}, needs at least 1",
                  lambda f: [_Branch(f"FILTER NOT EXISTS {{ {f} {s.pth} {s.c.fresh()} }}",
                                     top=f"MINUS {{ {f} {s.pth} {s.c.fresh()} }}" if s.scans else None)])]


def _max_count(s: _Shape, value: Term) -> list[_Rule]:
    if not s.prop:
        return []
    high = s.g.as_integer(s.shape, SH + "maxCount", value)
    return [_Rule("MaxCountConstraintComponent", f"{{who}} has {{count}} values of {{path}}, allows at most {high}",
                  counted=lambda f: s.c.values(s.shape, f), op=">", limit=high)]


def _datatype(s: _Shape, dt: Term) -> list[_Rule]:
    def has_datatype(f: str, v: str) -> str:
        test = f"!isLiteral({v}) || !sameTerm(datatype({v}), {dt})"
        if dt.value in _CASTABLE:
            test += f" || !COALESCE(isLiteral({dt}(STR({v}))), false)"
        return test

    return [s.per_value("DatatypeConstraintComponent",
                       f"{s.subject}: value {{value}} is not a well-formed literal of datatype {_short(dt)}",
                       has_datatype)]


def _class(s: _Shape, cls: Term) -> list[_Rule]:
    def instance(f: str) -> list[_Branch]:
        pattern, v = s.c.values(s.shape, f)
        # Top level: subtract all instances of the class, 15x faster than NOT EXISTS per value.
        top = f"{pattern} MINUS {{ {v} {_INSTANCE} {cls} }}"
        return [_Branch(f"{pattern} FILTER NOT EXISTS {{ {v} {_INSTANCE} {cls} }}", value=v, scan=s.scans,
                        top=top)]

    return [_Rule("ClassConstraintComponent",
                 f"{s.subject}: value {{value}} is not an instance of {_short(cls)}", instance)]


def _node_kind(s: _Shape, kind: Term) -> list[_Rule]:
    test = _NODE_KINDS.get(kind.value)
    if test is None:
        raise InputError(f"{s.c.label(s.shape)}: unknown sh:nodeKind {kind}")
    return [s.per_value("NodeKindConstraintComponent",
                       f"{s.subject}: value {{value}} is not of node kind {_short(kind)}",
                       lambda f, v: f"!{test.format(v=v)}")]


def _in(s: _Shape, head: Term) -> list[_Rule]:
    members = s.g.items(head)
    shown = ", ".join(_short(m) for m in members)
    return [s.per_value("InConstraintComponent", f"{s.subject}: value {{value}} is not one of {shown}",
                       lambda f, v: "!(" + (" || ".join(f"sameTerm({v}, {m})" for m in members)
                                                        or "false") + ")")]


def _has_value(s: _Shape, wanted: Term) -> list[_Rule]:
    if s.prop:
        return [_Rule("HasValueConstraintComponent", f"{s.subject} lacks the value {_short(wanted)}",
                      lambda f: [_Branch(f"FILTER NOT EXISTS {{ {f} {s.pth} {wanted} }}",
                                         top=f"MINUS {{ {f} {s.pth} {wanted} }}" if s.scans else None)])]
    return [_Rule("HasValueConstraintComponent", f"{{focus}} is not {_short(wanted)}",
                  lambda f: [_Branch(f"FILTER(!sameTerm({f}, {wanted}))", value=f)])]


def _pattern(s: _Shape, regex: Term) -> list[_Rule]:
    flags = s.g.value(s.shape, SH + "flags")
    args = _sparql_string(regex.value) + (
        ", " + _sparql_string(flags.value) if flags is not None else "")
    return [s.per_value("PatternConstraintComponent",
                       f"{s.subject}: value {{value}} does not match "
                       f"{_sparql_string(regex.value)}",
                       lambda f, v: f"isBlank({v}) || !REGEX(STR({v}), {args})")]


def _range(term: str) -> Callable[[_Shape, Term], list[_Rule]]:
    """sh:minInclusive and its three siblings."""
    op, words = _RANGES[term]

    def compile_range(s: _Shape, bound: Term) -> list[_Rule]:
        return [s.per_value(_component(term), f"{s.subject}: value {{value}} should be {words} {_short(bound)}",
                            lambda f, v: f"!COALESCE({v} {op} {bound}, false)")]

    return compile_range


def _length(term: str, op: str, words: str) -> Callable[[_Shape, Term], list[_Rule]]:
    """sh:minLength and sh:maxLength."""

    def compile_length(s: _Shape, value: Term) -> list[_Rule]:
        length = s.g.as_integer(s.shape, SH + term, value)
        return [s.per_value(_component(term),
                            f"{s.subject}: value {{value}} should be {words} {length} characters long",
                            lambda f, v: f"isBlank({v}) || STRLEN(STR({v})) {op} {length}")]

    return compile_length


def _comparison(term: str, op: str) -> Callable[[_Shape, Term], list[_Rule]]:
    """sh:lessThan and sh:lessThanOrEquals."""

    def compile_comparison(s: _Shape, other: Term) -> list[_Rule]:
        def compare(f: str) -> list[_Branch]:
            pattern, v = s.c.values(s.shape, f)
            o = s.c.fresh("o")
            return [_Branch(f"{pattern} {f} {other} {o} . FILTER(!COALESCE({v} {op} {o}, false))",
                            value=v, scan=s.scans)]

        return [_Rule(_component(term), f"{s.subject}: value {{value}} should be {op} every value of {_short(other)}",
                      compare)]

    return compile_comparison


def _equals(s: _Shape, other: Term) -> list[_Rule]:
    def equals(f: str) -> list[_Branch]:
        pattern, v = s.c.values(s.shape, f)
        o = s.c.fresh("o")
        mine = f"{f} {s.pth} {o}" if s.prop else f"FILTER(sameTerm({o}, {f}))"
        return [_Branch(f"{pattern} FILTER NOT EXISTS {{ {f} {other} {v} }}", value=v, scan=s.scans),
                _Branch(f"{f} {other} {o} . FILTER NOT EXISTS {{ {mine} }}", value=o, scan=True)]

    return [_Rule("EqualsConstraintComponent",
                 f"{s.subject}: value {{value}} is not shared with {_short(other)}", equals)]


def _disjoint(s: _Shape, other: Term) -> list[_Rule]:
    def disjoint(f: str) -> list[_Branch]:
        pattern, v = s.c.values(s.shape, f)
        return [_Branch(f"{pattern} {f} {other} {v} .", value=v, scan=s.scans)]

    return [_Rule("DisjointConstraintComponent",
                 f"{s.subject}: value {{value}} is also a value of {_short(other)}", disjoint)]


def _language_in(s: _Shape, head: Term) -> list[_Rule]:
    tags = [t.value for t in s.g.items(head) if isinstance(t, ox.Literal)]
    shown = ", ".join(tags)
    return [s.per_value("LanguageInConstraintComponent",
                       f"{s.subject}: value {{value}} is not a literal in one of the languages {shown}",
                       lambda f, v: f"!isLiteral({v}) || !(" + (" || ".join(
                           f"langMatches(LANG({v}), {_sparql_string(t)})" for t in tags) or "false") + ")")]


def _unique_lang(s: _Shape, value: Term) -> list[_Rule]:
    if not (s.prop and _true(value)):
        return []

    def unique(f: str) -> list[_Branch]:
        a, b = s.c.fresh(), s.c.fresh()
        return [_Branch(f"{f} {s.pth} {a} . {f} {s.pth} {b} . FILTER(!sameTerm({a}, {b}) && "
                        f"LANG({a}) != \"\" && LCASE(LANG({a})) = LCASE(LANG({b})))", scan=s.scans)]

    return [_Rule("UniqueLangConstraintComponent", f"{s.subject} has several values in the same language", unique)]


def _node(s: _Shape, node: Term) -> list[_Rule]:
    return [s.logical("NodeConstraintComponent",
                      f"{s.subject}: value {{value}} does not conform to {s.c.label(node)}", [node],
                      lambda v: s.c.fails(node, v),
                      lambda sets, v: sets[0] or "FILTER(false)")]


def _and(s: _Shape, head: Term) -> list[_Rule]:
    members = s.g.items(head)
    return [s.logical("AndConstraintComponent",
                     f"{s.subject}: value {{value}} does not conform to all of its sh:and shapes", members,
                     lambda v: " || ".join(s.c.fails(m, v) for m in members) or "false",
                     lambda sets, v: _union(v, [x for x in sets if x]) or "FILTER(false)")]


def _or(s: _Shape, head: Term) -> list[_Rule]:
    members = s.g.items(head)
    return [s.logical("OrConstraintComponent",
                     f"{s.subject}: value {{value}} conforms to none of its sh:or shapes", members,
                     lambda v: " && ".join(s.c.fails(m, v) for m in members) or "true",
                     lambda sets, v: "FILTER(false)" if None in sets
                     else " ".join(x for x in sets if x))]


def _not(s: _Shape, node: Term) -> list[_Rule]:
    return [s.logical("NotConstraintComponent",
                      f"{s.subject}: value {{value}} conforms to {s.c.label(node)}, which it must not", [node],
                      lambda v: f"!({s.c.fails(node, v)})",
                      lambda sets, v: f"MINUS {sets[0]}" if sets[0] else "")]


def _xone(s: _Shape, head: Term) -> list[_Rule]:
    members = s.g.items(head)
    return [s.per_value("XoneConstraintComponent",
                       f"{s.subject}: value {{value}} does not conform to exactly one of its sh:xone shapes",
                       lambda f, v: "(" + (" + ".join(f"IF({s.c.fails(m, v)}, 0, 1)" for m in members)
                                                       or "0") + ") != 1")]


def _qualified(s: _Shape, q: Term) -> list[_Rule]:
    siblings: list[Term] = []
    if s.g.is_true(s.shape, SH + "qualifiedValueShapesDisjoint"):
        siblings = sorted({sibling for parent in s.g.subjects(SH + "property", s.shape)
                           for p in s.g.objects(parent, SH + "property") if p != s.shape
                           for sibling in s.g.objects(p, SH + "qualifiedValueShape") if sibling != q}, key=str)

    def counted(f: str) -> tuple[str, str]:
        pattern, v = s.c.values(s.shape, f)
        tests = [f"!({s.c.fails(q, v)})", *(s.c.fails(sibling, v) for sibling in siblings)]
        return f"{pattern} FILTER({' && '.join(tests)})", v

    rules = []
    for term, op, words in (("qualifiedMinCount", "<", "needs at least"), ("qualifiedMaxCount", ">", "allows at most")):
        limit = s.g.integer(s.shape, SH + term)
        if limit is not None:
            rules.append(_Rule(_component(term), f"{{who}} has {{count}} values of {{path}} conforming to "
                               f"{s.c.label(q)}, {words} {limit}", counted=counted, op=op, limit=limit))
    return rules


def _closed(s: _Shape, value: Term) -> list[_Rule]:
    if not _true(value):
        return []
    allowed = sorted({str(p) for q in s.objects("property")
                      for p in s.g.objects(q, SH + "path") if isinstance(p, ox.NamedNode)}
                     | {str(p) for head in s.objects("ignoredProperties") for p in s.g.items(head)})

    def closed(f: str) -> list[_Branch]:
        pattern, v = s.c.values(s.shape, f)
        p, o = s.c.fresh("p"), s.c.fresh("o")
        keep = f" FILTER({p} NOT IN ({', '.join(allowed)}))" if allowed else ""
        return [_Branch(f"{pattern} {v} {p} {o} .{keep}", value=o, path=p)]

    return [_Rule("ClosedConstraintComponent",
                  "{focus} has a value {value} of {path}, which its closed shape does not allow", closed)]


# The SHACL Core constraint terms, each with the function that compiles it, in the order their violations are
# reported.
_CONSTRAINTS: dict[str, Callable[[_Shape, Term], list[_Rule]]] = {
    "minCount": _min_count,
    "maxCount": _max_count,
    "datatype": _datatype,
    "class": _class,
    "nodeKind": _node_kind,
    "in": _in,
    "hasValue": _has_value,
    "pattern": _pattern,
    **{term: _range(term) for term in _RANGES},
    "minLength": _length("minLength", "<", "at least"),
    "maxLength": _length("maxLength", ">", "at most"),
    "lessThan": _comparison("lessThan", "<"),
    "lessThanOrEquals": _comparison("lessThanOrEquals", "<="),
    "equals": _equals,
    "disjoint": _disjoint,
    "languageIn": _language_in,
    "uniqueLang": _unique_lang,
    "node": _node,
    "and": _and,
    "or": _or,
    "not": _not,
    "xone": _xone,
    "qualifiedValueShape": _qualified,
    "closed": _closed,
}


def _true(value: Term | None) -> bool:
    return isinstance(value, ox.Literal) and value.value in ("true", "1")


def _union(var: str, patterns: list[str]) -> str | None:
    """One subquery: the distinct ``var`` bindings of any of the patterns."""
    if not patterns:
        return None
    return f"{{ SELECT DISTINCT {var} WHERE {{ {' UNION '.join(f'{{ {p} }}' for p in patterns)} }} }}"


def _simple(path: str) -> bool:
    """True for a path without ``*``, ``+`` or ``?``: one that is cheap to evaluate with both ends unbound."""
    return not re.search(r"[*+?]", re.sub(r"<[^<>]*>", "", path))


def _name(var: str | None) -> str | None:
    return var[1:] if var else None


def _pick_message(messages: list[Term]) -> str | None:
    """One ``sh:message`` out of several: English or untagged first, then the first in term order."""
    literals = [m for m in messages if isinstance(m, ox.Literal)]
    for m in literals:
        if m.language in (None, "en"):
            return m.value
    return literals[0].value if literals else None


def _outer_group(query: str) -> int | None:
    """Offset of the ``{`` opening a query's WHERE clause, skipping IRIs, strings and comments."""
    at = inert(query).find("{")
    return at if at >= 0 else None
