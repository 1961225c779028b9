"""Binding parameters into query *text*, for engines that only take text (remote endpoints, the browser page).

The embedded store binds with pyoxigraph's ``substitutions``. A SPARQL server takes only a query string, so
here each bound parameter becomes a ``VALUES`` block opened at the start of the query's WHERE group: the
values are RDF terms serialised with escaping (literals) or validated (IRIs), never pasted as query syntax,
so a value cannot change the query's shape. The page of ``kg serve`` binds through here too: it posts a canned
query's name and values to the page server's ``/run`` (:mod:`kg.serve`), which binds them with
:func:`kg.queries.bound_text`.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from kg.errors import QueryError
from kg.lexing import inert

_WORD = re.compile(r"[A-Za-z_]+")
_VAR = re.compile(r"[?$][A-Za-z0-9_]*")
_PROLOGUE = re.compile(r"(?:\s+|PREFIX\s+[^\s:]*:|BASE\b)*", re.I)
_IRIREF = re.compile(r"<[^\x00-\x20<>\"{}|^`\\]*>")
# IRIREF of the SPARQL grammar, plus a scheme: what may stand between < and >.
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>\"{}|^`\\]*")


def term_text(term: ox.NamedNode | ox.Literal) -> str:
    """A term as SPARQL syntax: an IRI validated and put in ``<>``, a literal quoted with escapes.

    >>> term_text(ox.Literal('x" } ; DROP ALL ; #'))
    '"x\\\\" } ; DROP ALL ; #"'
    >>> term_text(ox.Literal("5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    '"5"^^<http://www.w3.org/2001/XMLSchema#integer>'
    >>> term_text(ox.Literal("ligne\\n", language="fr"))
    '"ligne\\\\n"@fr'
    """
    if isinstance(term, ox.NamedNode):
        if not _IRI.fullmatch(term.value):
            raise QueryError(f"{term.value!r} is not an IRI that can be written in a query")
        return f"<{term.value}>"
    if not isinstance(term, ox.Literal):
        raise QueryError(f"only IRIs and literals can be bound, not {term}")
    quoted = '"' + (term.value.replace("\\", "\\\\").replace('"', '\\"')
                    .replace("\n", "\\n").replace("\r", "\\r")) + '"'
    if term.language:
        return f"{quoted}@{term.language}"
    if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return quoted
    return f"{quoted}^^{term_text(term.datatype)}"


def where_group(text: str) -> int:
    """The offset just after the ``{`` that opens the query's WHERE group (skipping strings, IRIs, comments).

    >>> q = 'PREFIX x: <http://e/#{>\\nCONSTRUCT { ?s ?p "{" } WHERE { ?s ?p ?o }'
    >>> q[where_group(q):]
    ' ?s ?p ?o }'
    """
    i, n = 0, len(text)
    depth = 0
    construct = seen_where = False
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c in "\"'":
            long = text.startswith(c * 3, i)
            quote = c * 3 if long else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            i = j + len(quote)
            continue
        if c == "<":
            iri = _IRIREF.match(text, i)
            if iri:  # an IRI; otherwise a less-than sign
                i = iri.end()
                continue
        if c == "?" or c == "$":
            word = _VAR.match(text, i)
            i = word.end() if word else i + 1
            continue
        if c.isalpha() and depth == 0:
            word = _WORD.match(text, i)
            assert word is not None
            upper = word[0].upper()
            construct = construct or upper == "CONSTRUCT"
            seen_where = seen_where or upper == "WHERE"
            i = word.end()
            continue
        if c == "{":
            if depth == 0 and (seen_where or not construct):
                return i + 1
            depth += 1
        elif c == "}":
            depth -= 1
        i += 1
    raise QueryError("cannot find the query's WHERE group to bind parameters in")


def bind_text(text: str, bindings: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """The query with each bound variable (name without ``?``) fixed by a VALUES block in its WHERE group.

    >>> bind_text("SELECT ?_x_iri ?y WHERE { ?_x_iri ?p ?y }", {"_x_iri": ox.NamedNode("http://e/a")})
    'SELECT ?_x_iri ?y WHERE { VALUES (?_x_iri) { (<http://e/a>) } ?_x_iri ?p ?y }'
    """
    if not bindings:
        return text
    names = sorted(bindings)
    values = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(term_text(bindings[n]) for n in names)}) }}"
    at = where_group(text)
    return text[:at] + values + text[at:]


def with_prefixes(text: str, prefixes: dict[str, str]) -> str:
    """The query with a PREFIX declaration for each of ``prefixes`` that it does not declare itself.

    They go before the first line, on that line, so a server's error "at line L" still means the user's line L.

    >>> with_prefixes("PREFIX so: <http://x#>\\nASK {}", {"so": "http://y#", "ex": "http://p/"})
    'PREFIX ex: <http://p/> PREFIX so: <http://x#>\\nASK {}'
    """
    declared = set(re.findall(r"\bPREFIX\s+([A-Za-z0-9_.\-]*):", text, re.I))
    head = "".join(f"PREFIX {p}: <{ns}> " for p, ns in prefixes.items() if p not in declared)
    return head + text


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the query's form, the keyword after its prologue (SELECT when none).

    >>> query_form("PREFIX s: <http://e/SELECT#> # ASK\\nconstruct WHERE { ?s ?p ?o }")
    'CONSTRUCT'
    >>> query_form("PREFIX construct: <http://e/> SELECT ?construct { ?s ?p ?construct }")
    'SELECT'
    """
    return query_form_at(text)[0]


def query_form_at(text: str) -> tuple[str, int]:
    """The query's form and the offset of its keyword, where the prologue (PREFIX and BASE declarations, comments)
    ends.

    >>> query_form_at("BASE <http://e/> PREFIX a: <http://e/a#> CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    ('CONSTRUCT', 41)
    """
    blank = inert(text)  # IRIs and comments blanked: the prologue is its keywords, prefix names and white space
    prologue = _PROLOGUE.match(blank)  # it matches the empty string at least
    at = prologue.end() if prologue else 0
    found = re.match(r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", blank[at:], re.I)
    return (found[1].upper() if found else "SELECT"), at
