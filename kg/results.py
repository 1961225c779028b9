"""Writing query results: a table for people, or the W3C result formats (CSV, TSV, JSON, XML) for tools."""

from __future__ import annotations

import shutil
import textwrap

import pyoxigraph as ox

from kg.errors import QueryError
from kg.rdfio import EXPORT_FORMATS
from kg.sparql import Result
from kg.vocab import shorten

RESULT_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
FORMATS = ["table", *RESULT_FORMATS]


def cell(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    """A term as people read it: IRIs shortened with our prefixes, literals without quotes.

    >>> cell(ox.NamedNode("https://w3id.org/standoff/ontology#Ban")), cell(ox.Literal("7")), cell(None)
    ('so:Ban', '7', '')
    """
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    if isinstance(term, ox.BlankNode):
        return str(term)
    return term.value


def header(variable: str) -> str:
    """A column title for people: a canned query's parameter ``?__act_iri`` is shown as ``act``.

    >>> header("__act_iri"), header("_text_literal"), header("quote")
    ('act', 'text', 'quote')
    """
    from kg.queries import PARAM

    found = PARAM.fullmatch("?" + variable)
    return found[2] if found else variable


def table(result: ox.QuerySolutions, width: int | None = None) -> str:
    """A SELECT result as a text table fitted to the terminal, long cells wrapped, never cut."""
    names = [v.value for v in result.variables]
    rows = [[cell(row[name]) for name in names] for row in result]
    names = [header(n) for n in names]
    width = width or shutil.get_terminal_size((160, 24)).columns
    natural = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    budget = max(width - 3 * len(names) - 1, 10 * len(names))
    widths = natural[:]
    while sum(widths) > budget and max(widths) > 12:
        widest = widths.index(max(widths))
        widths[widest] -= 1
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    lines = [rule, _row(names, widths), rule.replace("-", "=")]
    for row in rows:
        lines.append(_row(row, widths))
    lines.append(rule)
    lines.append(f"{len(rows)} row{'s' if len(rows) != 1 else ''}")
    return "\n".join(lines) + "\n"


def _row(values: list[str], widths: list[int]) -> str:
    wrapped = [textwrap.wrap(v, w, break_long_words=True, break_on_hyphens=False) or [""]
               for v, w in zip(values, widths, strict=True)]
    height = max(len(w) for w in wrapped)
    out = []
    for i in range(height):
        parts = [(w[i] if i < len(w) else "").ljust(widths[j]) for j, w in enumerate(wrapped)]
        out.append("| " + " | ".join(parts) + " |")
    return "\n".join(out)


def render(result: Result, fmt: str = "table") -> bytes:
    """Serialise any query result: SELECT/ASK in ``table``/csv/tsv/json/xml; CONSTRUCT/DESCRIBE as RDF.

    For graph results ``fmt`` is an RDF format name (turtle, ntriples, ...); ``table`` means Turtle.
    """
    if isinstance(result, ox.QueryTriples):
        rdf = EXPORT_FORMATS.get("turtle" if fmt == "table" else fmt)
        if rdf is None or rdf.supports_datasets:
            raise QueryError(f"a CONSTRUCT/DESCRIBE result can be written as turtle, ntriples, jsonld or rdfxml, "
                             f"not {fmt}")
        from kg.export import turtle_prefixes

        options = {"prefixes": turtle_prefixes()} if rdf in (ox.RdfFormat.TURTLE,) else {}
        return result.serialize(format=rdf, **options) or b""
    if fmt == "table":
        if isinstance(result, ox.QueryBoolean):
            return b"true\n" if bool(result) else b"false\n"
        return table(result).encode()
    if fmt not in RESULT_FORMATS:
        raise QueryError(f"unknown result format {fmt!r}; use one of {', '.join(FORMATS)}")
    return result.serialize(format=RESULT_FORMATS[fmt]) or b""
