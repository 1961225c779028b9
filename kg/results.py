"""Writing query results: a table for people, or the W3C result formats (CSV, TSV, JSON, XML) for tools."""

from __future__ import annotations

import shutil
import sys
import textwrap
from typing import BinaryIO

import pyoxigraph as ox

from kg.errors import QueryError
from kg.sparql import Result
from kg.vocab import shorten

RESULT_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
FORMATS = ["table", *RESULT_FORMATS]
TABLE_WIDTH = 110
"""The width a table is laid out for: the same in a pipe, a file or any terminal at least this wide (so the README's
examples print as written everywhere); only a narrower terminal makes it narrower."""


def cell(term: ox.NamedNode | ox.BlankNode | ox.Literal | None, prefixes: dict[str, str] | None = None) -> str:
    """A term as people read it: IRIs shortened with ``prefixes`` (default: ours), literals without quotes.

    >>> cell(ox.NamedNode("https://w3id.org/standoff/ontology#Ban")), cell(ox.Literal("7")), cell(None)
    ('so:Ban', '7', '')
    """
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value, prefixes)
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


TABLE_ROWS = 1000
"""The most rows a table shows: a table must see all its rows to size its columns, so it holds the rest back
(counting them) and says how to get them all; the other formats stream every row."""


def table(result: ox.QuerySolutions, width: int | None = None, prefixes: dict[str, str] | None = None,
          limit: int = TABLE_ROWS) -> str:
    """A SELECT result as a text table :func:`table_width` wide at most, IRIs shortened with ``prefixes``; beyond
    ``limit`` rows the rest are only counted.

    When the columns cannot fit side by side, each row is printed as a block of ``column | value`` lines
    instead (like psql's expanded display), so that no value is cut or wrapped mid-word.
    """
    names = [header(v.value) for v in result.variables]
    keys = [v.value for v in result.variables]
    rows: list[list[str]] = []
    held_back = 0
    for row in result:
        if len(rows) < limit:
            rows.append([cell(row[key], prefixes) for key in keys])
        else:
            held_back += 1
    width = width or table_width()
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    count = f"{len(rows)} row{'s' if len(rows) != 1 else ''}\n"
    if held_back:
        count = (f"{len(rows):,} rows shown; {held_back:,} more held back (a table shows at most {limit:,}): "
                 "use --format csv, tsv, json or xml to get all {total:,}\n").format(total=len(rows) + held_back)
    if sum(widths) + 3 * len(widths) + 1 <= width:
        rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
        lines = [rule, _line(names, widths), rule.replace("-", "=")]
        lines += [_line(row, widths) for row in rows]
        return "\n".join([*lines, rule]) + "\n" + count
    label = max(len(n) for n in names)
    room = max(width - label - 3, 20)
    blocks = []
    for number, row in enumerate(rows, 1):
        lines = [f"-[ row {number} ]".ljust(min(width, label + 3 + 20), "-")]
        for name, value in zip(names, row, strict=True):
            wrapped = textwrap.wrap(value, room, break_long_words=False, break_on_hyphens=False) or [""]
            lines.append(f"{name.ljust(label)} | {wrapped[0]}".rstrip())
            lines += [f"{'':{label}} | {more}" for more in wrapped[1:]]
        blocks.append("\n".join(lines))
    return "\n".join(blocks) + ("\n" if blocks else "") + count


def table_width() -> int:
    """:data:`TABLE_WIDTH`, or a narrower terminal's width (``COLUMNS`` counts only when writing to a terminal)."""
    if sys.stdout.isatty():
        return min(shutil.get_terminal_size((TABLE_WIDTH, 24)).columns, TABLE_WIDTH)
    return TABLE_WIDTH


def _line(values: list[str], widths: list[int]) -> str:
    return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"


def write(result: Result, fmt: str, output: BinaryIO, prefixes: dict[str, str] | None = None) -> None:
    """Write any query result to ``output`` as its rows come: csv, tsv, json, xml and the RDF formats stream
    with bounded memory; a ``table`` holds at most :data:`TABLE_ROWS` rows; Turtle of a graph result (the
    readable, sorted form of ``kg export``) is the one form built whole before it is written. ``prefixes`` as
    for :func:`render`."""
    if isinstance(result, ox.QuerySolutions) and fmt in RESULT_FORMATS:
        result.serialize(output, format=RESULT_FORMATS[fmt])
    elif isinstance(result, ox.QueryTriples) and fmt not in ("table", "turtle"):
        from kg.rdfio import EXPORT_FORMATS

        if fmt not in EXPORT_FORMATS:
            raise QueryError(f"unknown RDF format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
        result.serialize(output, format=EXPORT_FORMATS[fmt])
    else:
        output.write(render(result, fmt, prefixes))
    output.flush()


def render(result: Result, fmt: str = "table", prefixes: dict[str, str] | None = None) -> bytes:
    """Serialise any query result: SELECT/ASK in ``table``/csv/tsv/json/xml; CONSTRUCT/DESCRIBE as RDF.

    For graph results ``fmt`` is an RDF format name (turtle, ntriples, ...); ``table`` means Turtle. ``prefixes``
    (default: ours) shorten IRIs in a table and are declared in Turtle: :func:`kg.stories.known_prefixes` adds
    the stories'.
    """
    if isinstance(result, ox.QueryTriples):
        # Graph results go through the export writer, so they read like `kg export` (sorted Turtle, our prefixes).
        import io

        from kg.export import export

        graph = ox.DefaultGraph()
        scratch = ox.Store()
        scratch.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in result)
        out = io.BytesIO()
        export(scratch, out, "turtle" if fmt == "table" else fmt, [graph], prefixes=prefixes)
        return out.getvalue()
    if fmt == "table":
        if isinstance(result, ox.QueryBoolean):
            return b"true\n" if bool(result) else b"false\n"
        return table(result, prefixes=prefixes).encode()
    if fmt not in RESULT_FORMATS:
        raise QueryError(f"unknown result format {fmt!r}; use one of {', '.join(FORMATS)}")
    return result.serialize(format=RESULT_FORMATS[fmt]) or b""


def shows_prefixes(result: Result, fmt: str) -> bool:
    """True when ``render(result, fmt)`` writes prefixed names (a table; Turtle, TriG or RDF/XML for graphs), so
    the stories' prefixes are worth reading from the store first.

    >>> shows_prefixes(ox.Store().query("ASK {}"), "csv"), shows_prefixes(ox.Store().query("SELECT * {}"), "table")
    (False, True)
    """
    if isinstance(result, ox.QueryTriples):
        return fmt in ("table", "turtle", "trig", "rdfxml")
    return fmt == "table"


def render_from(store: object, result: Result, fmt: str = "table") -> bytes:
    """:func:`render` with the prefixes of the stories in ``store`` (read with one small query, only when the
    output shows prefixed names)."""
    from kg.stories import known_prefixes

    return render(result, fmt, known_prefixes(store) if shows_prefixes(result, fmt) else None)
