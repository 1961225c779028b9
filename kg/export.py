"""``kg export``: the store as RDF files. Turtle is written for people; the other formats stream from the engine.

The Turtle writer declares our prefixes once, writes one block per subject in sorted order (``a`` first,
then labels, then the rest sorted), nests blank nodes used once as ``[ ... ]`` and RDF lists as ``( ... )``,
so the same store always gives the same bytes and a diff between two builds is readable. It sorts on disk
(in the temporary directory, about three times the size of the Turtle it writes) so that its memory does
not grow with the store, and runs the engine in two threads.
"""

from __future__ import annotations

import re
import tempfile
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from functools import lru_cache
from itertools import chain, count
from operator import methodcaller
from pathlib import Path
from typing import BinaryIO, TextIO, TypeVar

import pyoxigraph as ox

from kg.errors import KgError, QueryError
from kg.rdfio import EXPORT_FORMATS
from kg.target import StoreLike
from kg.vocab import INFERRED_GRAPH, META_GRAPH, PREFIXES

RDF = PREFIXES["rdf"]
XSD = PREFIXES["xsd"]
_TYPE, _FIRST, _REST, _NIL = (RDF + n for n in ("type", "first", "rest", "nil"))
_XSD_STRING, _XSD_INTEGER, _XSD_BOOLEAN = (XSD + n for n in ("string", "integer", "boolean"))
_FIRST_PREDICATES = [RDF + "type", PREFIXES["rdfs"] + "label", PREFIXES["skos"] + "prefLabel"]
_RANKS = {iri: str(rank) for rank, iri in enumerate(_FIRST_PREDICATES)}  # the rest rank "3"
_NAMESPACES = {ns: prefix for prefix, ns in PREFIXES.items()}
assert all(ns[-1] in "/#" for ns in _NAMESPACES), "_iri() relies on it"
_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]+)*|[0-9][A-Za-z0-9_\-]*")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_LOW = re.compile("[\x00-\x0f]")
_ORDERED = {c: "\x05" + chr(0x40 + c) for c in range(0x10)}  # keeps order, frees NUL, \x01-\x04 and \n
_SMALL = 10_000  # triples of a graph serialised in memory; a bigger graph goes through a temporary file
_RUN = 4_000_000  # characters of lines sorted in memory; more are sorted in runs spilled to temporary files
_FANIN = 128  # runs merged at once (each an open file)
_CACHE = 100_000  # entries the blank-node memo holds before it starts again
_RUNS = count()  # names the runs' files
_CHOMP = methodcaller("removesuffix", "\n")
# A graph an export can hold: a named one, or the default graph (a CONSTRUCT result is put there).
Graph = ox.NamedNode | ox.DefaultGraph
T = TypeVar("T")
R = TypeVar("R")


def turtle_prefixes(store: StoreLike) -> dict[str, str]:
    """The prefixes a Turtle file written from ``store`` declares: ours and those of the stories it holds."""
    from kg.stories import known_prefixes

    return known_prefixes(store)


def default_graphs(store: StoreLike, inferred: bool = False) -> list[ox.NamedNode]:
    """The graphs an export covers unless told otherwise: every input file and the evidence offsets;
    the reasoner's graph only when asked; never the store's own metadata."""
    skip = {META_GRAPH} | (set() if inferred else {INFERRED_GRAPH})
    return sorted((g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value not in skip),
                  key=lambda g: g.value)


def export(store: ox.Store, output: BinaryIO, fmt: str = "turtle", graphs: Sequence[Graph] | None = None,
           prefixes: dict[str, str] | None = None, scratch: Path | None = None) -> None:
    """Write the store (the given graphs, or :func:`default_graphs`) to ``output`` in ``fmt``.

    Turtle, N-Triples and RDF/XML hold one graph: the union of the chosen graphs. TriG, N-Quads and JSON-LD
    keep each graph's name. Turtle, TriG and RDF/XML declare ``prefixes`` (default :func:`turtle_prefixes`:
    ours and each story's, read from the store). The Turtle writer sorts in a temporary folder inside ``scratch``
    (default: the system's temporary folder).

    >>> import io
    >>> s = ox.Store()
    >>> g = ox.NamedNode("https://w3id.org/standoff/graph/triples/x.ttl")
    >>> s.add(ox.Quad(ox.NamedNode("https://w3id.org/standoff/id/x/anthropic"),
    ...               ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("Anthropic"), g))
    >>> out = io.BytesIO(); export(s, out, prefixes={**PREFIXES, "x": "https://w3id.org/standoff/id/x/"})
    >>> out.getvalue().decode().splitlines()[-1]
    'x:anthropic rdfs:label "Anthropic" .'
    """
    rdf = EXPORT_FORMATS.get(fmt)
    if rdf is None:
        raise KgError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    chosen = default_graphs(store) if graphs is None else graphs
    if prefixes is None and rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        prefixes = turtle_prefixes(store)
    if rdf == ox.RdfFormat.TURTLE:
        write_turtle(store, output, chosen, prefixes, scratch)
    elif rdf == ox.RdfFormat.N_TRIPLES:
        for graph in chosen:
            store.dump(output, format=rdf, from_graph=graph)
    elif rdf.supports_datasets:
        ox.serialize(_quads(store, chosen), output, format=rdf,
                     prefixes=prefixes if rdf == ox.RdfFormat.TRIG else None)
    else:
        ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in _quads(store, chosen)), output,
                     format=rdf, prefixes=prefixes or PREFIXES)


def _quads(store: ox.Store, graphs: Sequence[Graph]) -> Iterator[ox.Quad]:
    for graph in graphs:
        yield from store.quads_for_pattern(None, None, None, graph)


def export_file(store: ox.Store, path: Path, fmt: str | None = None, graphs: Sequence[Graph] | None = None) -> None:
    """Export to a file; the format defaults to the one the extension names."""
    if fmt is None:
        guessed = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
        fmt = next((name for name, f in EXPORT_FORMATS.items() if f == guessed), "turtle")
    with path.open("wb") as handle:
        export(store, handle, fmt, graphs)


class _TurtleWriter:
    """Writes the union of some graphs of a store as sorted, nested Turtle, with memory that does not grow
    with the store.

    An external sort. Two worker threads have the engine serialise the chosen graphs as N-Triples (Oxigraph
    lets go of the GIL while it does; decoding the terms is most of the cost of an export), a few graphs
    ahead of this thread, which turns each line into a *sortable line* (see :func:`_sortable`) whose plain
    string order is the order of the output, and sorts them in runs of at most ``_RUN`` characters, spilled
    to temporary files when there is more than one. Merging the runs gives each subject its triples, sorted,
    literals already in Turtle: sequential reads instead of an index lookup per subject, no Python object
    per term, and no set of all subjects.

    Blank nodes sort last, together with a *use* record for each triple that has one as object, so a first
    pass over them finds the simple ones (used once, by an IRI, with no blank node among their objects) and
    files each, with its lines, under the IRI that holds it; the IRIs are written next, then the blank nodes
    that are not nested. The other blank nodes (lists, nested or shared ones) are looked up in the store one
    at a time, as before.
    """

    def __init__(self, store: ox.Store, graphs: Sequence[Graph], out: BinaryIO,
                 prefixes: dict[str, str] | None = None, scratch: Path | None = None) -> None:
        self.store, self.graphs, self.out, self.scratch = store, graphs, out, scratch
        self.prefixes = PREFIXES if prefixes is None else prefixes
        namespaces = {ns: p for p, ns in self.prefixes.items() if ns[-1:] in ("/", "#")}
        # One memo per writer: the stories' prefixes differ from store to store.
        self.iri = lru_cache(maxsize=8192)(lambda value: _iri(value, namespaces))
        self.verb = lru_cache(maxsize=4096)(
            lambda predicate: "a" if predicate[1:] == _TYPE else self.iri(predicate[1:]))
        self.chosen = set(graphs)
        self.labels: dict[str, str] = {}  # blank node id -> _:bN, for the blank nodes written by label
        self.inline: dict[str, bool] = {}  # blank node id -> inlinable; a memo, emptied at _CACHE entries
        self.held: dict[str, list[str]] = {}  # the simple blank nodes of the subject being written
        self.tmp = Path(tempfile.gettempdir())  # write() sets its own temporary directory

    def write(self) -> None:
        head = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(self.prefixes.items()))
        self.out.write(head.encode())
        with tempfile.TemporaryDirectory(prefix="kg-export-", dir=self.scratch) as name, ExitStack() as files:
            self.tmp = Path(name)
            runs = _Runs(self.tmp)
            with ThreadPoolExecutor(max_workers=2) as workers:  # the engine is the slow part: two at it
                for data in _ahead(workers, self._serialise, self.graphs, depth=4):
                    if isinstance(data, bytes):
                        runs.extend(_sortable(data.decode()))
                        continue
                    with data.open(encoding="utf-8", newline="\n") as handle:
                        while chunk := handle.readlines(1 << 20):
                            runs.extend(_sortable("".join(chunk)))
                    data.unlink()
            named, blank = runs.close()
            blank = _compact(blank)
            held = _Runs(self.tmp, _RUN // 2)  # this pass merges and collects at once: half the memory each
            for node, uses, lines in _blank_nodes(_merge(blank, files, _RUN // 2)):
                if _simple(uses, lines):  # "<holder> NUL \x02 id \x04 line \x04 line": first of the holder's lines
                    held.extend([f"{next(iter(uses))[0]}\x00\x02{node}\x04" + "\x04".join(lines)])
            self.write_named(_merge(_compact(named + held.close()[0]), files))
            self.write_blank(_merge(blank, files))

    def _serialise(self, graph: ox.NamedNode | ox.DefaultGraph) -> bytes | Path:
        """A graph as N-Triples (in the worker thread): the bytes of a small graph, else a temporary file."""
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }} LIMIT {_SMALL + 1}"
        result = self.store.query(query, default_graph=graph)
        if not isinstance(result, ox.QueryTriples):
            raise QueryError(f"a CONSTRUCT query gave {type(result).__name__}")
        data = result.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
        if data.count(b"\n") <= _SMALL:
            return data
        # Given a path, Oxigraph syncs the file to disk: worth it for a big graph only.
        path = self.tmp / f"graph-{next(_RUNS)}.nt"
        self.store.dump(str(path), format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
        return path

    def write_named(self, lines: Iterator[str]) -> None:
        self._emit(self._named_blocks(lines))
        self.held = {}

    def _named_blocks(self, lines: Iterator[str]) -> Iterator[str]:
        for subject, group in _groups(lines):
            self.held = {}
            cut = len(subject) + 1
            triples: list[str] = []
            for line in group:
                if line[cut] == "\x02":
                    node, _, held = line[cut + 1:].partition("\x04")
                    self.held[node] = held.split("\x04") if held else []
                elif not triples or line != triples[-1]:
                    triples.append(line)
            yield _block(self.iri(subject[1:]), self.body(triples, 1))

    def write_blank(self, lines: Iterator[str]) -> None:
        self._emit(_block(self.label(node), self.body(triples, 1)) for node, uses, triples in _blank_nodes(lines)
                   if triples and not _simple(uses, triples) and not self.inlinable(node))

    def _emit(self, blocks: Iterable[str]) -> None:
        """Write blocks a thousand at a time: one write per block costs more than building it."""
        batch: list[str] = []
        for block in blocks:
            batch.append(block)
            if len(batch) >= 1000:
                self.out.write("".join(batch).encode())
                batch = []
        self.out.write("".join(batch).encode())

    def triples(self, node: str) -> list[str]:
        """The sortable lines of a blank node: one lookup across all graphs, filtered by graph (one lookup per
        graph made the export quadratic once a project has one graph per file of thousands of stories)."""
        quads = self.store.quads_for_pattern(ox.BlankNode(node), None, None)
        lines = sorted(_sortable("".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in quads
                                         if q.graph_name in self.chosen), uses=False))
        return [line for i, line in enumerate(lines) if not i or line != lines[i - 1]]

    def uses(self, node: str) -> set[tuple[str, str]]:
        """Each (subject, predicate) that has the blank node as object in the chosen graphs, once."""
        quads = self.store.quads_for_pattern(None, None, ox.BlankNode(node))
        return {(str(q.subject), q.predicate.value) for q in quads if q.graph_name in self.chosen}

    def inlinable(self, node: str) -> bool:
        """Used exactly once as an object, and not part of a cycle of such nodes (which would vanish)."""
        known = self.inline.get(node)
        if known is None:
            if len(self.inline) >= _CACHE:
                self.inline.clear()
            known = self.inline[node] = self._inlinable(node)
        return known

    def _inlinable(self, node: str) -> bool:
        uses = self.uses(node)
        if len(uses) != 1:
            return False
        seen = {node}
        holder = next(iter(uses))[0]
        # Climb while the holder is itself a blank node used once: the chain must end at a subject
        # written at the top level, or nothing would ever write this node.
        while holder.startswith("_:"):
            holder = holder[2:]
            if holder in seen:
                return False
            seen.add(holder)
            uses = self.uses(holder)
            if len(uses) != 1:
                return True
            holder = next(iter(uses))[0]
        return True

    def term(self, value: str, text: str, depth: int) -> str:
        """An object, from the value and text fields of its sortable line."""
        kind = value[0]
        if kind == "0":
            return self.iri(value[1:])
        if kind != "2":
            return text
        node = value[1:]
        triples = self.held.get(node)
        if triples is None:
            if not self.inlinable(node):
                return self.label(node)
            triples = self.triples(node)
        items = self.list_items(node, triples)
        if items is not None:
            return "( " + " ".join(self.term(v, t, depth + 1) for v, t in items) + " )"
        body = self.body(triples, depth + 1)
        indent = "    " * depth
        return f"[\n{body}\n{indent}]" if body else "[]"

    def list_items(self, node: str, triples: list[str]) -> list[tuple[str, str]] | None:
        """The members (value and text fields) of a well-formed RDF list starting at ``node``, else None."""
        items: list[tuple[str, str]] = []
        current = node
        while True:
            if len(triples) != 2:
                return None
            first, rest = triples[0].split("\x00"), triples[1].split("\x00")
            if first[1][1:] != _FIRST or rest[1][1:] != _REST:
                return None
            if current != node and len(self.uses(current)) != 1:
                return None
            items.append((first[2], first[4]))
            if len(items) > 100_000:
                return None
            if rest[2] == "0" + _NIL:
                return items
            if rest[2][0] != "2":
                return None
            current = rest[2][1:]
            triples = self.triples(current)

    def label(self, node: str) -> str:
        if node not in self.labels:
            self.labels[node] = f"_:b{len(self.labels)}"
        return self.labels[node]

    def body(self, triples: list[str], depth: int) -> str:
        """The predicate-object list of a subject from its sorted, distinct sortable lines."""
        indent = "    " * depth
        between = f" ,\n{indent}    "
        pieces: list[str] = []
        last = ""
        for line in triples:
            _, predicate, value, _, text = line.split("\x00")
            if predicate == last:
                pieces.append(between)
            else:
                pieces.append(f" ;\n{indent}{self.verb(predicate)} " if pieces else f"{indent}{self.verb(predicate)} ")
                last = predicate
            kind = value[0]
            pieces.append(self.iri(value[1:]) if kind == "0" else text if kind != "2"
                          else self.term(value, text, depth))
        return "".join(pieces)


def _sortable(text: str, uses: bool = True) -> list[str]:
    """N-Triples lines as sortable lines, whose plain string order is the order in which we write.

    A sortable line has five fields separated by NUL: subject (``0`` + IRI, or ``2`` + blank node id),
    predicate (its rank, ``0`` to ``3``, + IRI), value (kind + value: ``0`` + IRI, ``1`` + the literal's
    lexical form, ``2`` + blank node id, ``3`` + an RDF 1.2 triple term), the literal's language tag or
    datatype IRI, and the literal's (or triple term's) Turtle text. NUL sorts before any other character
    and a lexical form's characters below U+0010 are re-coded (in order) as two characters, so the fields
    sort as a tuple would. With ``uses``, a triple whose object is a blank node also gives a *use* record,
    ``2`` + id, NUL, ``\\x01`` + the subject field, NUL, the predicate IRI.
    """
    out: list[str] = []
    add = out.append
    rank = _RANKS.get
    for line in text.split("\n"):
        if not line:
            continue
        s, p, o = line.split(" ", 2)
        o = o[:-2]
        subject = "2" + s[2:] if s[0] == "_" else "0" + s[1:-1]
        predicate = p[1:-1]
        head = f"{subject}\x00{rank(predicate, '3')}{predicate}\x00"
        first = o[0]
        if first == '"':
            add(head + _literal(o))
        elif first == "_":
            add(f"{head}2{o[2:]}\x00\x00")
            if uses:
                add(f"2{o[2:]}\x00\x01{subject}\x00{predicate}")
        elif o[1] == "<":
            add(f"{head}3{o}\x00\x00{o}")
        else:
            add(f"{head}0{o[1:-1]}\x00\x00")
    return out


def _literal(text: str) -> str:
    """The value, extra and text fields of a literal's sortable line, from its N-Triples form."""
    end = text.rfind('"')  # neither a language tag nor a datatype IRI holds a quote
    quoted, suffix, value = text[:end + 1], text[end + 1:], text[1:end]
    if "\\" in value:
        value = _unescape(value)
        if _LOW.search(value):
            value = value.translate(_ORDERED)
    if not suffix:
        return f"1{value}\x00{_XSD_STRING}\x00{quoted}"
    if suffix[0] == "@":
        return f"1{value}\x00{suffix[1:]}\x00{text}"
    datatype = suffix[3:-1]
    if (datatype == _XSD_INTEGER and _INTEGER.fullmatch(value)) or (
            datatype == _XSD_BOOLEAN and value in ("true", "false")):
        return f"1{value}\x00{datatype}\x00{value}"
    return f"1{value}\x00{datatype}\x00{quoted}^^{_datatype(datatype)}"


class _Runs:
    """Sortable lines sorted in runs of at most ``budget`` characters: in memory while there is one, else in
    temporary files."""

    def __init__(self, tmp: Path, budget: int = _RUN) -> None:
        self.tmp, self.budget, self.size = tmp, budget, 0
        self.lines: list[str] = []
        self.named: list[Run] = []
        self.blank: list[Run] = []

    def extend(self, lines: list[str]) -> None:
        self.lines += lines
        self.size += sum(map(len, lines))
        if self.size >= self.budget:
            self.spill()

    def spill(self) -> None:
        lines = self.lines
        lines.sort()
        cut = bisect_left(lines, "2")  # IRIs ("0") before blank nodes ("2")
        self.named.append(self._file(lines[:cut]))
        self.blank.append(self._file(lines[cut:]))
        self.lines, self.size = [], 0

    def _file(self, lines: list[str]) -> Path:
        path = self.tmp / f"run-{next(_RUNS)}"
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            for start in range(0, len(lines), 10_000):
                handle.write("".join(f"{line}\n" for line in lines[start:start + 10_000]))
        return path

    def close(self) -> tuple[list[Run], list[Run]]:
        """The runs of IRIs and the runs of blank nodes."""
        if self.named:
            self.spill()
            return self.named, self.blank
        self.lines.sort()
        cut = bisect_left(self.lines, "2")
        return [self.lines[:cut]], [self.lines[cut:]]


# A sorted run of lines: in memory, or in a temporary file.
Run = list[str] | Path


def _merge(runs: list[Run], files: ExitStack, budget: int = _RUN) -> Iterator[str]:
    """The lines of at most ``_FANIN`` sorted runs, merged, ``budget`` characters of them read at a time;
    ``files`` closes the runs' files."""
    return chain.from_iterable(_merged(_chunks(runs, files, budget)))


def _compact(runs: list[Run]) -> list[Run]:
    """At most ``_FANIN`` runs, for :func:`_merge`: merge groups of them into one file until there are."""
    while len(runs) > _FANIN:
        fewer: list[Run] = []
        for start in range(0, len(runs), _FANIN):
            group = runs[start:start + _FANIN]
            files = [run for run in group if isinstance(run, Path)]
            if len(group) == 1 or not files:
                fewer += group
                continue
            path = files[0].parent / f"run-{next(_RUNS)}"
            with ExitStack() as opened, path.open("w", encoding="utf-8", newline="\n") as handle:
                for batch in _merged(_chunks(group, opened)):
                    handle.write("".join(f"{line}\n" for line in batch))
            for run in files:
                run.unlink()
            fewer.append(path)
        runs = fewer
    return runs


def _chunks(runs: list[Run], files: ExitStack, budget: int = _RUN) -> list[Iterator[list[str]]]:
    """Each run as sorted chunks of lines, ``budget`` characters for all the runs at a time."""
    size = max(budget // max(len(runs), 1), 1 << 12)
    chunks: list[Iterator[list[str]]] = []
    for run in runs:
        if isinstance(run, Path):
            handle = files.enter_context(run.open(encoding="utf-8", newline="\n"))
            chunks.append(_read_chunks(handle, size))
        elif run:
            chunks.append(iter([run]))
    return chunks


def _merged(chunks: list[Iterator[list[str]]]) -> Iterator[list[str]]:
    """Sorted batches of lines from sources of sorted chunks, each batch after the one before.

    Each step sorts every line up to the smallest last line of a chunk (no line still in a file sorts
    before it): Python's sort merges the sorted pieces in C, faster than a heap in Python.
    """
    buffers = [(buffer, source) for source in chunks if (buffer := next(source, []))]
    while buffers:
        bound = min(buffer[-1] for buffer, _ in buffers)
        batch: list[str] = []
        kept = []
        for buffer, source in buffers:
            cut = bisect_right(buffer, bound)
            batch += buffer[:cut]
            rest = buffer[cut:] or next(source, [])
            if rest:
                kept.append((rest, source))
        buffers = kept
        batch.sort()
        yield batch


def _read_chunks(handle: TextIO, size: int) -> Iterator[list[str]]:
    """A sorted run's lines, about ``size`` characters at a time, line ends removed."""
    while chunk := handle.readlines(size):
        yield list(map(_CHOMP, chunk))


def _groups(lines: Iterator[str]) -> Iterator[tuple[str, list[str]]]:
    """Sorted lines grouped by their first field: (that field, the lines)."""
    key, prefix = "", ""
    group: list[str] = []
    for line in lines:
        if not prefix or not line.startswith(prefix):
            if group:
                yield key, group
            key = line[:line.index("\x00")]
            prefix, group = key + "\x00", []
        group.append(line)
    if group:
        yield key, group


def _blank_nodes(lines: Iterator[str]) -> Iterator[tuple[str, set[tuple[str, str]], list[str]]]:
    """The blank nodes' sorted lines grouped: (id, its uses as (holder field, predicate), its distinct lines)."""
    for key, group in _groups(lines):
        cut = len(key) + 1
        uses: set[tuple[str, str]] = set()
        triples: list[str] = []
        for line in group:
            if line[cut] == "\x01":
                holder, _, predicate = line[cut + 1:].partition("\x00")
                uses.add((holder, predicate))
            elif not triples or line != triples[-1]:
                triples.append(line)
        yield key[1:], uses, triples


def _simple(uses: set[tuple[str, str]], triples: list[str]) -> bool:
    """Used once, by an IRI, and no blank node among its objects: written nested where it is used."""
    return (len(uses) == 1 and next(iter(uses))[0][0] == "0"
            and not any(line.split("\x00", 3)[2][0] == "2" for line in triples))


def _block(name: str, body: str) -> str:
    return f"\n{name}\n{body} .\n" if "\n" in body or len(body) > 100 else f"\n{name} {body.strip()} .\n"


@lru_cache(maxsize=4096)
def _datatype(value: str) -> str:
    """A literal's datatype IRI, shortened with our own prefixes (literals are written before a writer's own)."""
    return _iri(value, _NAMESPACES)


def _iri(value: str, namespaces: dict[str, str]) -> str:
    """An IRI as a prefixed name when one of ``namespaces`` (namespace -> prefix) allows it, else in angle brackets.

    Every namespace ends with "/" or "#" and a local name holds neither, so the one namespace that can fit
    ends where the IRI's last "/" or "#" is.
    """
    cut = max(value.rfind("/"), value.rfind("#")) + 1
    prefix = namespaces.get(value[:cut])
    if prefix is not None and _LOCAL.fullmatch(value, cut):
        return f"{prefix}:{value[cut:]}"
    return f"<{value}>"


def _unescape(text: str) -> str:
    """The lexical form of an N-Triples string body."""
    return _ESCAPE.sub(lambda m: chr(int(m[1] or m[2], 16)) if m[1] or m[2] else _ECHARS[m[3]], text)


def _ahead(worker: ThreadPoolExecutor, work: Callable[[T], R], items: Iterable[T], depth: int = 2) -> Iterator[R]:
    """``work(item)`` for each item in order, run in ``worker`` up to ``depth`` items ahead."""
    pending: deque[Future[R]] = deque()
    for item in items:
        pending.append(worker.submit(work, item))
        if len(pending) > depth:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def write_turtle(store: ox.Store, out: BinaryIO, graphs: Iterable[Graph],
                 prefixes: dict[str, str] | None = None, scratch: Path | None = None) -> None:
    """Write the union of ``graphs`` as readable, deterministic Turtle, declaring ``prefixes`` (default: ours);
    the sort's temporary files go in a folder inside ``scratch`` (default: the system's temporary folder)."""
    _TurtleWriter(store, list(graphs), out, prefixes, scratch).write()
