"""Writing query results: a table for people, or the W3C result formats (CSV, TSV, JSON, XML) for tools."""

from __future__ import annotations

import io
import re
import shutil
import sys
import textwrap
from collections.abc import Iterable
from itertools import chain, islice
from typing import BinaryIO, cast

import pyoxigraph as ox

from kg.construct import Triples
from kg.errors import QueryError
from kg.rows import Result
from kg.vocab import PREFIXES, shorten
from kg.words import counted

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
    count = counted(len(rows), "row") + "\n"
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


GRAPH_RESULTS = (ox.QueryTriples, Triples)  # what CONSTRUCT and DESCRIBE give


def write(result: Result, fmt: str, output: BinaryIO, prefixes: dict[str, str] | None = None) -> None:
    """Write any query result to ``output`` as its rows come, in bounded memory: csv, tsv, json, xml and the RDF
    formats stream; a ``table`` holds at most :data:`TABLE_ROWS` rows. Turtle of a graph result (``table`` too) is
    the readable, sorted form of ``kg export`` when it has at most :data:`SORTED_TRIPLES` triples; a bigger one
    streams, prefixes declared first and a subject's consecutive triples grouped. ``prefixes`` as for
    :func:`render`."""
    if isinstance(result, ox.QuerySolutions) and fmt in RESULT_FORMATS:
        _write_solutions(result, fmt, output)
    elif isinstance(result, GRAPH_RESULTS):
        rdf = _rdf_format(fmt)
        triples = iter(result)
        held = list(islice(triples, SORTED_TRIPLES + 1)) if rdf == ox.RdfFormat.TURTLE else []
        if rdf == ox.RdfFormat.TURTLE and len(held) <= SORTED_TRIPLES:
            output.write(_sorted_turtle(held, prefixes))
        else:
            rest: Iterable[ox.Triple] = chain(held, triples)
            named = rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML)
            declared = (prefixes or PREFIXES) if named else None
            if rdf.supports_datasets:  # TriG, N-Quads: the triples in the default graph
                graph = ox.DefaultGraph()
                ox.serialize((ox.Quad(t.subject, t.predicate, t.object, graph) for t in rest), output, format=rdf,
                             prefixes=declared)
            else:
                ox.serialize(rest, output, format=rdf, prefixes=declared)
    else:
        output.write(render(result, fmt, prefixes))
    output.flush()


def _write_solutions(result: ox.QuerySolutions, fmt: str, output: BinaryIO) -> None:
    """The engine's serialisation of a SELECT result in a W3C format, each column under its public name."""
    public = {v.value: header(v.value) for v in result.variables}
    renamed = {name: shown for name, shown in public.items() if shown != name and shown not in public}
    if not renamed:
        result.serialize(output, format=RESULT_FORMATS[fmt])
        return
    writer = PublicNames(output, fmt, renamed)
    result.serialize(cast(BinaryIO, writer), format=RESULT_FORMATS[fmt])  # the engine only calls write()
    writer.close()


class PublicNames:
    """A binary writer that shows the engine's result serialisation with public variable names: a canned query
    binds its parameters through variables the engine must project (``?__story_iri``), and every format names them
    as a person does (``story``), as the table does. The engine writes in pieces; the names are rewritten as they
    pass, never splitting one: CSV and TSV name the variables in their first line only; in JSON and XML a name is
    markup that a value cannot imitate (in JSON a name follows ``[``, ``{`` or ``,``, a value follows ``:`` and its
    own quotes are escaped; in XML a value's ``<`` is escaped), and a piece is cut only after a byte that no name
    pattern contains.

    >>> out = io.BytesIO(); w = PublicNames(out, "json", {"__story_iri": "story"})
    >>> for piece in (b'{"head":{"vars":["__st', b'ory_iri"]},"results":{"bindings":[{"__story_iri":{"v":"x"}}', b',',
    ...               b'{"__story_iri":{"v":"__story_iri"}}]}}'):
    ...     _ = w.write(piece)
    >>> w.close(); out.getvalue()
    b'{"head":{"vars":["story"]},"results":{"bindings":[{"story":{"v":"x"}},{"story":{"v":"__story_iri"}}]}}'
    """

    def __init__(self, output: BinaryIO, fmt: str, renamed: dict[str, str]) -> None:
        self._output, self._held, self._before = output, b"", b""
        self._passing = False  # past the part that names variables (CSV and TSV: the first line; all: the end)
        names = {old.encode(): new.encode() for old, new in renamed.items()}
        self._first_line_only = fmt in ("csv", "tsv")
        self._after = b""
        self._cut = {"json": b"}", "xml": b">"}.get(fmt, b"\n")
        if fmt in ("csv", "tsv"):  # the header: a,b or ?a<TAB>?b
            mark = b"?" if fmt == "tsv" else b""
            self._patterns = {mark + old: mark + new for old, new in names.items()}
        elif fmt == "json":
            self._patterns = {b'"' + old + b'"': b'"' + new + b'"' for old, new in names.items()}
            self._after = rb"(?<=[\[{,])"
        else:
            self._patterns = {b"<" + tag + b' name="' + old + b'"': b"<" + tag + b' name="' + new + b'"'
                              for old, new in names.items() for tag in (b"variable", b"binding")}
        self._pattern = re.compile(self._after + b"(?:" + b"|".join(
            re.escape(p) for p in sorted(self._patterns, key=len, reverse=True)) + b")")
        if self._first_line_only:  # whole names between separators, so "_a_iri" does not match inside "_a_iris"
            self._pattern = re.compile(rb"(?<![^,\t])(?:" + self._pattern.pattern + rb")(?=[,\t\r\n])")

    def _rewrite(self, data: bytes) -> bytes:
        # The byte written last goes in front, for the JSON pattern's look-behind; no pattern starts with it.
        done = self._pattern.sub(lambda m: self._patterns[m[0]], self._before + data)[len(self._before):]
        self._before = data[-1:]
        return done

    def write(self, data: bytes) -> int:
        if self._passing:
            self._output.write(data)
            return len(data)
        held = self._held + bytes(data)
        cut = (held.find if self._first_line_only else held.rfind)(self._cut) + 1
        if cut:
            self._output.write(self._rewrite(held[:cut]))
            held = held[cut:]
            if self._first_line_only:  # the header is written: rows pass untouched
                self._output.write(held)
                held, self._passing = b"", True
        self._held = held
        return len(data)

    def flush(self) -> None:
        self._output.flush()

    def close(self) -> None:
        """Write what is held back (the end of the result); the underlying output stays open."""
        if self._held:
            self._output.write(self._rewrite(self._held))
        self._held, self._passing = b"", True


SORTED_TRIPLES = 10_000
"""The most triples of a graph result written as sorted Turtle (sorting needs them all); more stream unsorted."""


def _rdf_format(fmt: str) -> ox.RdfFormat:
    """An RDF format by its name (``table`` is Turtle); an unknown name is a :class:`QueryError`."""
    from kg.rdfio import EXPORT_FORMATS

    if fmt == "table":
        return ox.RdfFormat.TURTLE
    if fmt not in EXPORT_FORMATS:
        raise QueryError(f"unknown RDF format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    return EXPORT_FORMATS[fmt]


def _sorted_turtle(triples: Iterable[ox.Triple], prefixes: dict[str, str] | None) -> bytes:
    """Triples as ``kg export`` writes Turtle: sorted, nested, our prefixes and the stories' declared."""
    from kg.export import export

    graph = ox.DefaultGraph()
    scratch = ox.Store()
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    out = io.BytesIO()
    export(scratch, out, "turtle", [graph], prefixes=prefixes)
    return out.getvalue()


def render(result: Result, fmt: str = "table", prefixes: dict[str, str] | None = None) -> bytes:
    """Serialise any query result: SELECT/ASK in ``table``/csv/tsv/json/xml; CONSTRUCT/DESCRIBE as RDF.

    For graph results ``fmt`` is an RDF format name (turtle, ntriples, ...); ``table`` means Turtle, sorted as
    ``kg export`` writes it. ``prefixes`` (default: ours) shorten IRIs in a table and are declared in Turtle:
    :func:`kg.stories.known_prefixes` adds the stories'.
    """
    if isinstance(result, GRAPH_RESULTS):
        out = io.BytesIO()
        write(result, fmt, out, prefixes)
        return out.getvalue()
    if fmt == "table":
        if isinstance(result, ox.QueryBoolean):
            return b"true\n" if bool(result) else b"false\n"
        return table(result, prefixes=prefixes).encode()
    if fmt not in RESULT_FORMATS:
        raise QueryError(f"unknown result format {fmt!r}; use one of {', '.join(FORMATS)}")
    if isinstance(result, ox.QuerySolutions):
        out = io.BytesIO()
        _write_solutions(result, fmt, out)
        return out.getvalue()
    return result.serialize(format=RESULT_FORMATS[fmt]) or b""


def shows_prefixes(result: Result, fmt: str) -> bool:
    """True when ``render(result, fmt)`` writes prefixed names (a table; Turtle, TriG or RDF/XML for graphs), so
    the stories' prefixes are worth reading from the store first.

    >>> shows_prefixes(ox.Store().query("ASK {}"), "csv"), shows_prefixes(ox.Store().query("SELECT * {}"), "table")
    (False, True)
    """
    if isinstance(result, GRAPH_RESULTS):
        return fmt in ("table", "turtle", "trig", "rdfxml")
    return fmt == "table"
