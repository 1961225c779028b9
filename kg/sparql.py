"""Running SPARQL over the store: read-only unless asked, syntax errors shown where they are."""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox

from kg.construct import stream
from kg.errors import QueryError
from kg.lexing import inert
from kg.rows import Result
from kg.target import StoreLike
from kg.vocab import PREFIXES

_UPDATE = re.compile(r"^\s*(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.I | re.M)
_PROLOGUE = re.compile(r"\s*(PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)", re.I)
_WHERE = re.compile(r"error at (\d+):(\d+): (.*)", re.S)
_PNAME = re.compile(r"(?<![\w?$@.\-:])((?:[A-Za-z](?:[\w.\-]*[\w\-])?)?):")
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z0-9_.\-]*):", re.I)


def syntax_error(err: SyntaxError, text: str, source: str = "query") -> QueryError:
    """A SPARQL syntax error as a QueryError that shows the offending line with a caret under the column."""
    message = str(err)
    found = _WHERE.search(message)
    if not found:
        return QueryError(f"{source}: {message}")
    line, column, what = int(found[1]), int(found[2]), " ".join(found[3].split())
    # The parser lists character classes in full (every Unicode range of a name): say it in two words.
    what = re.sub(r"\['A' ?\.\.= ?'Z'[^\]]*\]", "a letter", what).replace("['0'..='9']", "a digit")
    lines = text.splitlines() or [""]
    shown = lines[line - 1] if 0 < line <= len(lines) else ""
    return QueryError(f"{source}:{line}:{column}: {what}\n  {shown}\n  {' ' * max(column - 1, 0)}^")


def is_update(text: str) -> bool:
    """True when the text is a SPARQL Update rather than a query (judged after its prologue and comments).

    >>> is_update("PREFIX ex: <http://e/>\\nDELETE WHERE { ?s ?p ?o }"), is_update("SELECT * { ?s ?p ?o }")
    (True, False)
    """
    body = re.sub(r"#[^\n]*", "", text.removeprefix("\ufeff"))
    while True:  # the prologue: any number of PREFIX and BASE declarations, on one line or many
        found = _PROLOGUE.match(body)
        if not found:
            break
        body = body[found.end():]
    return bool(_UPDATE.match(body))


def graph_names(graphs: list[str]) -> list[ox.NamedNode]:
    """``--graph`` values as IRIs; one that is not an IRI is a :class:`QueryError` naming it.

    >>> graph_names(["not an iri"])
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: --graph 'not an iri': not an IRI (Invalid IRI code point ' '); give a full IRI such as https://w3id.org/standoff/graph/meta
    """
    names = []
    for graph in graphs:
        try:
            names.append(ox.NamedNode(graph))
        except ValueError as err:
            raise QueryError(f"--graph {graph!r}: not an IRI ({err}); give a full IRI such as "
                             "https://w3id.org/standoff/graph/meta") from None
    return names


def undeclared_prefixes(text: str) -> set[str]:
    """The prefixes a query's prefixed names use without a PREFIX line of its own.

    >>> sorted(undeclared_prefixes('PREFIX a: <http://a/> SELECT * { a:x b:y "c:d", <http://e/f:g> } # h:i'))
    ['b']
    """
    body = inert(text)
    return set(_PNAME.findall(body)) - set(_DECLARED.findall(body))


def prefixes_for(store: Any, text: str, source: str = "query") -> dict[str, str]:
    """The prefixes to predeclare for a query: ours, and the stories' (read from the store with one small query)
    only when the text uses a prefix that is not ours; a prefix neither knows is an error naming it."""
    wanted = undeclared_prefixes(text) - set(PREFIXES)
    if not wanted:
        return PREFIXES
    from kg.stories import known_prefixes

    known = known_prefixes(store)
    unknown = sorted(wanted - set(known))
    if unknown:
        raise QueryError(f"{source}: unknown prefix {', '.join(repr(p) for p in unknown)} (known: "
                         f"{', '.join(sorted(known))}); declare it with a PREFIX line or write full IRIs")
    return known


def run_query(store: StoreLike, text: str, *, graphs: list[str] | None = None,
              substitutions: dict[ox.Variable, Any] | None = None, source: str = "query",
              prefixes: dict[str, str] | None = None) -> Result:
    """Evaluate a SELECT, ASK, CONSTRUCT or DESCRIBE query over the union of graphs (or only ``graphs``).

    Prefixes are predeclared (``prefixes``, else :func:`prefixes_for`): ``so:``, the standard ones and each
    story's own (``vann:preferredNamespacePrefix`` of its ``so:Story``) need no PREFIX lines.
    An update is refused here: use :func:`run_update`, which needs a writable store.

    >>> s = ox.Store(); s.add(ox.Quad(ox.NamedNode("http://a"), ox.NamedNode("http://b"), ox.Literal("c"),
    ...                               ox.NamedNode("http://g")))
    >>> [row["o"].value for row in run_query(s, "SELECT ?o WHERE { ?s ?p ?o }")]
    ['c']
    """
    if is_update(text):
        raise QueryError(f"{source}: this is a SPARQL Update; it changes the store, so it runs only with --update")
    if prefixes is None:
        prefixes = prefixes_for(store, text, source)
    options: dict[str, Any] = {"prefixes": prefixes, "substitutions": substitutions}
    if graphs:
        options["default_graph"] = graph_names(graphs)
    else:
        options["use_default_graph_as_union"] = True
    if isinstance(store, ox.Store):  # a CONSTRUCT in bounded memory (kg.construct); the endpoint streams its own
        streamed = stream(store, text, options)
        if streamed is not None:
            return streamed
    try:
        return store.query(text, **options)
    except SyntaxError as err:
        raise syntax_error(err, text, source) from None
    except ValueError as err:
        raise QueryError(f"{source}: {err}") from None


def run_update(store: StoreLike, text: str, source: str = "update") -> None:
    """Apply a SPARQL Update to a store opened writable (the CLI does so only with ``--update``)."""
    prefixes = prefixes_for(store, text, source)
    try:
        store.update(text, prefixes=prefixes)
    except SyntaxError as err:
        raise syntax_error(err, text, source) from None
    except ValueError as err:
        raise QueryError(f"{source}: {err}") from None
    except OSError as err:
        if re.search(r"\bLOAD\b", text, re.I):
            raise QueryError(f"{source}: LOAD failed ({err}); kg does not load files or URLs from an update: add the "
                             "file under triples/ and run `kg build`, or `kg link add FILE --name NAME`") from None
        from kg.errors import os_error

        raise os_error(err, "the store", "apply the update") from None
