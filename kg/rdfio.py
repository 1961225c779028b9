"""Reading RDF files: the format from the extension, parse errors with file, line and column."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from kg.errors import InputError
from kg.hints import syntax_hint

# The extensions we read, explicitly: pyoxigraph's own guess takes ".txt" for N-Triples, and our source
# texts are ".txt" files.
_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE, "turtle": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG,
    "nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS, "n3": ox.RdfFormat.N3,
    "jsonld": ox.RdfFormat.JSON_LD, "rdf": ox.RdfFormat.RDF_XML, "owl": ox.RdfFormat.RDF_XML,
}
EXPORT_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def format_of(path: Path) -> ox.RdfFormat | None:
    """The RDF format a file's extension names, or None when it is not an RDF file.

    >>> format_of(Path("a/b.ttl")).name, format_of(Path("x.txt"))
    ('Turtle', None)
    """
    return _FORMATS.get(path.suffix.lower().lstrip("."))


def input_error(err: SyntaxError, path: Path | str) -> InputError:
    """Turn pyoxigraph's SyntaxError into an InputError that keeps file, line and column."""
    message = str(err.msg if hasattr(err, "msg") else err)
    # pyoxigraph prefixes "Parser error between line L column C and ...": the location is kept apart.
    if message.startswith("Parser error") and ": " in message:
        message = message.split(": ", 1)[1]
    if "UTF-8" in message:
        message += "; save the file as UTF-8"
    message = message.replace("\ufeff", "a byte-order mark (U+FEFF)")
    hint = syntax_hint(path, err.lineno)
    return InputError(f"{message} ({hint})" if hint else message, str(path), err.lineno, err.offset)


_BOM = b"\xef\xbb\xbf"


def _has_bom(path: Path) -> bool:
    """True when a file starts with a UTF-8 byte-order mark, which the parsers take for a character."""
    try:
        with path.open("rb") as handle:
            return handle.read(3) == _BOM
    except OSError:
        return False


def _source(path: Path) -> contextlib.AbstractContextManager[dict[str, Any]]:
    """The parser's input for ``path``: the path itself, or an open file past its byte-order mark."""
    if not _has_bom(path):
        return contextlib.nullcontext({"path": path})
    handle = path.open("rb")
    handle.seek(len(_BOM))
    return _opened(handle)


@contextlib.contextmanager
def _opened(handle: BinaryIO) -> Iterator[dict[str, Any]]:
    with handle:
        yield {"input": handle}


def parse_file(path: Path, base_iri: str | None = None) -> Iterator[ox.Quad]:
    """Quads of one RDF file; a syntax error becomes :class:`InputError` naming file, line and column.

    Its blank nodes are its own, as RDF scopes them and as ``Store.load`` loads them: a label such as ``_:a`` is
    renamed, where a plain parse would keep it, and two files saying ``_:a`` would then name one node.

    >>> import tempfile; f = Path(tempfile.mkdtemp()) / "a.ttl"; _ = f.write_text("_:a <http://e/p> 1 .")
    >>> next(parse_file(f)).subject == next(parse_file(f)).subject
    False
    """
    fmt = format_of(path)
    if fmt is None:
        raise InputError("not an RDF file (unknown extension)", str(path))
    try:
        with _source(path) as source:
            yield from ox.parse(**source, format=fmt, base_iri=base_iri, rename_blank_nodes=True)
    except SyntaxError as err:
        raise input_error(err, path) from None
    except OSError as err:
        raise InputError(str(err), str(path)) from None


def parse_bytes(data: bytes, path: Path) -> list[ox.Quad]:
    """Quads of the content ``data`` read from ``path``, with :func:`parse_file`'s errors (used where the bytes
    themselves are needed too, to know which version of a file was read)."""
    fmt = format_of(path)
    if fmt is None:
        raise InputError("not an RDF file (unknown extension)", str(path))
    try:
        return list(ox.parse(data.removeprefix(_BOM), format=fmt, rename_blank_nodes=True))
    except SyntaxError as err:
        raise input_error(err, path) from None


# Below this size a transactional load is faster: the bulk loader writes new files to disk on every call.
BULK_THRESHOLD = 4 << 20


def load_file(store: ox.Store, path: Path, graph: ox.NamedNode, base_iri: str | None = None) -> None:
    """Load one file into ``graph``, with the bulk loader when it is large (atomic either way)."""
    fmt = format_of(path)
    if fmt is None:
        raise InputError("not an RDF file (unknown extension)", str(path))
    try:
        with _source(path) as source:
            if path.stat().st_size >= BULK_THRESHOLD:
                store.bulk_load(**source, format=fmt, to_graph=graph, base_iri=base_iri)
            else:
                store.load(**source, format=fmt, to_graph=graph, base_iri=base_iri)
    except SyntaxError as err:
        raise input_error(err, path) from None


# From about this many quads bulk_extend beats extend: it pays a fixed cost for writing new files, while a
# transaction's cost per quad grows with the store (measured: 42,000 quads into a 10^6-triple store took
# 0.7-1.3 s with extend, 0.17-0.2 s with bulk_extend; 4,000 quads 0.05 s either way).
BULK_QUADS = 10_000


def add_quads(store: ox.Store, quads: Sequence[ox.Quad]) -> None:
    """Add quads, through the bulk loader when there are many. Only for a store nothing else reads yet
    (a build's fresh store): a bulk write is not one transaction with what came before.

    >>> s = ox.Store(); add_quads(s, [ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.Literal("x"))])
    >>> len(s)
    1
    """
    if len(quads) >= BULK_QUADS:
        store.bulk_extend(quads)
    else:
        store.extend(quads)


def stable_blank_node(kind: str, *what: str) -> ox.BlankNode:
    """The blank node that stands for ``what``, named the same in every build (``kind``, a letter, keeps the uses
    apart): a build that derives it again makes the same node, not a second one. A parsed file's blank nodes get
    random 32-digit names (:func:`parse_file`, ``Store.load``), so none can meet these.

    >>> stable_blank_node("p", "x") == stable_blank_node("p", "x") != stable_blank_node("m", "x")
    True
    """
    return ox.BlankNode(kind + hashlib.sha256("\n".join(what).encode()).hexdigest()[:32])


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_NIL = ox.NamedNode(_RDF + "nil")


def list_members(head: Any, value: Callable[[Any, str], Any]) -> list[Any]:
    """The members of the RDF list starting at ``head``, where ``value(node, predicate_iri)`` is the node's one
    object for the predicate (None when it has none). A list that loops or lacks an ``rdf:first`` is an error.

    >>> graph = {("_:a", _RDF + "first"): 1, ("_:a", _RDF + "rest"): "_:b", ("_:b", _RDF + "first"): 2,
    ...          ("_:b", _RDF + "rest"): _NIL}
    >>> list_members("_:a", lambda node, p: graph.get((node, p)))
    [1, 2]
    >>> graph["_:b", _RDF + "rest"] = "_:a"
    >>> list_members("_:a", lambda node, p: graph.get((node, p)))
    Traceback (most recent call last):
    ...
    kg.errors.InputError: _:a is not a well-formed RDF list: it loops back on itself
    """
    out: list[Any] = []
    seen: set[Any] = set()
    while head is not None and head != _NIL:
        if head in seen:
            raise InputError(f"{head} is not a well-formed RDF list: it loops back on itself")
        seen.add(head)
        first = value(head, _RDF + "first")
        if first is None:
            raise InputError(f"{head} is not a well-formed RDF list: a node has no rdf:first")
        out.append(first)
        head = value(head, _RDF + "rest")
    return out
