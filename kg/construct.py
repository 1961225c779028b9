"""CONSTRUCT in bounded memory: the engine answers the WHERE part as a SELECT, and the template is filled in here.

The engine's own CONSTRUCT keeps every triple it has given in a set, to give each once: its memory grows with the
result (measured with pyoxigraph 0.5: 40 MB more for 10^5 triples, 590 MB more for 10^6). Here the query is split
where its template ends: the rest (``WHERE``, dataset clauses, ``ORDER BY``, ``LIMIT``…) runs as ``SELECT *``,
whose solutions stream, and each
solution fills the template (fresh blank nodes for each, a triple left out when one of its variables is unbound or
of the wrong kind, as SPARQL 1.1 section 16.2 says). Repeats are dropped within a window of recent triples only,
so a very large result may hold a triple twice: an RDF graph is a set, and every parser reads it as one.

The template's terms are read by the engine too: each variable is written as a placeholder IRI and the template
run as ``CONSTRUCT { … } WHERE {}``, so prefixes, ``a``, lists and ``[ … ]`` mean what they mean to the engine.
A query this split does not fit (``GROUP BY`` with ``SELECT *``, say) is left to the engine's CONSTRUCT.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox

from kg.binding import query_form_at
from kg.lexing import inert

_WHERE = re.compile(r"\s*(?:FROM\b[^{]*)?WHERE\s*\{", re.I)
_VARIABLE = re.compile(r"[?$]([A-Za-z0-9_\u00b7\u00c0-\ufffd]+)")
_PLACEHOLDER = "urn:kg:construct:variable:"
WINDOW = 10_000  # recent triples remembered to drop repeats: bounded memory, and most repeats are near


class Triples:
    """The triples of a CONSTRUCT, as they come (an iterable of :class:`pyoxigraph.Triple`, read once)."""

    def __init__(self, triples: Iterator[ox.Triple]) -> None:
        self._triples = triples

    def __iter__(self) -> Iterator[ox.Triple]:
        return self._triples


def split(text: str) -> tuple[str, str, str] | None:
    """A CONSTRUCT query as (its prologue, its template, the same query as ``SELECT *``); None for another query.

    >>> split("PREFIX ex: <http://e/> CONSTRUCT { ?s ex:p '}' } WHERE { ?s ?p ?o } LIMIT 3")
    ('PREFIX ex: <http://e/> ', " ?s ex:p '}' ", 'PREFIX ex: <http://e/> SELECT * WHERE { ?s ?p ?o } LIMIT 3')
    >>> split("CONSTRUCT WHERE { ?s <http://e/p> ?o }")
    ('', ' ?s <http://e/p> ?o ', 'SELECT * WHERE { ?s <http://e/p> ?o }')
    >>> split("SELECT * { ?s ?p ?o }") is None
    True
    """
    form, start = query_form_at(text)
    if form != "CONSTRUCT":
        return None
    blank = inert(text)
    after = start + len(form)
    opening = blank.find("{", after)
    if opening < 0:
        return None
    prologue = text[:start]
    short = _WHERE.match(blank, after)  # CONSTRUCT WHERE { pattern }: the pattern is the template
    if short is None and blank[after:opening].strip():
        return None
    closing = _closing(blank, opening)
    if closing is None:
        return None
    select = f"{prologue}SELECT *{text[after:]}" if short else f"{prologue}SELECT * {text[closing + 1:].lstrip()}"
    return prologue, text[opening + 1:closing], select


def _closing(blank: str, opening: int) -> int | None:
    depth = 0
    for index in range(opening, len(blank)):
        if blank[index] == "{":
            depth += 1
        elif blank[index] == "}":
            depth -= 1
            if not depth:
                return index
    return None


def template_triples(store: ox.Store, prologue: str, template: str, options: dict[str, Any]) -> list[ox.Triple]:
    """The template's triples, read by the engine, variables as placeholder IRIs (:data:`_PLACEHOLDER` + name)."""
    blank = inert(template)
    pieces, last = [], 0
    for found in _VARIABLE.finditer(blank):
        pieces += [template[last:found.start()], f"<{_PLACEHOLDER}{found[1]}>"]
        last = found.end()
    filled = "".join([*pieces, template[last:]])
    asked = {key: value for key, value in options.items() if key == "prefixes"}
    return list(store.query(f"{prologue} CONSTRUCT {{ {filled} }} WHERE {{}}", **asked))  # type: ignore[arg-type]


def stream(store: ox.Store, text: str, options: dict[str, Any]) -> Triples | None:
    """A CONSTRUCT query's triples, evaluated as described above; None when the query is not one this can run (the
    caller then asks the engine). ``options`` are those of ``Store.query``."""
    parts = split(text)
    if parts is None:
        return None
    prologue, template, select = parts
    try:
        shape = template_triples(store, prologue, template, options)
        solutions = store.query(select, **options)
    except (SyntaxError, ValueError):
        return None  # not a form this split fits: the engine's CONSTRUCT answers it, or says what is wrong
    if not isinstance(solutions, ox.QuerySolutions):
        return None
    return Triples(_fill(shape, solutions))


def _fill(shape: list[ox.Triple], solutions: ox.QuerySolutions) -> Iterator[ox.Triple]:
    seen: set[ox.Triple] = set()
    for solution in solutions:
        fresh: dict[ox.BlankNode, ox.BlankNode] = {}
        for pattern in shape:
            subject, predicate, object_ = (_term(t, solution, fresh) for t in pattern)
            if (isinstance(subject, (ox.NamedNode, ox.BlankNode)) and isinstance(predicate, ox.NamedNode)
                    and object_ is not None):
                triple = ox.Triple(subject, predicate, object_)
                if triple in seen:
                    continue
                if len(seen) >= WINDOW:
                    seen.clear()
                seen.add(triple)
                yield triple


def _term(term: Any, solution: ox.QuerySolution, fresh: dict[ox.BlankNode, ox.BlankNode]) -> Any:
    if isinstance(term, ox.NamedNode) and term.value.startswith(_PLACEHOLDER):
        return solution[term.value[len(_PLACEHOLDER):]]
    if isinstance(term, ox.BlankNode):
        if term not in fresh:
            fresh[term] = ox.BlankNode()
        return fresh[term]
    return term
