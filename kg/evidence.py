"""Evidence: find each quoted span in its source text and record where it is, in code points.

Curated files carry only the quote (``oa:TextQuoteSelector``); offsets are computed here, never by hand.
A quote that is missing from the text, or occurs more than once without an ``oa:prefix``/``oa:suffix`` that
tells the occurrences apart, is an error. A ``oa:TextPositionSelector`` a file already carries is checked.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import hints
from kg.errors import Violation
from kg.rdfio import stable_blank_node
from kg.rows import rows
from kg.vocab import PREFIXES, show

OA = PREFIXES["oa"]
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_XSD_NNI = ox.NamedNode(PREFIXES["xsd"] + "nonNegativeInteger")

# Two plain joins and a lookup of the documents' hashes: one query with a UNION of both selector kinds and
# an OPTIONAL on the document took quadratic time (200 s for 5,000 spans, 0.2 s this way).
_SPANS = """
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?g ?span ?doc %s WHERE {
  GRAPH ?g { ?span oa:hasSource ?doc ; oa:hasSelector ?sel . }
  %s
}
"""
QUOTES_QUERY = _SPANS % ("?exact ?prefix ?suffix", """?sel a oa:TextQuoteSelector ; oa:exact ?exact .
  OPTIONAL { ?sel oa:prefix ?prefix } OPTIONAL { ?sel oa:suffix ?suffix }""")
POSITIONS_QUERY = _SPANS % ("?start ?end", "?sel a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .")
SHA_QUERY = "SELECT ?doc ?sha WHERE { ?doc <https://w3id.org/standoff/ontology#sha256> ?sha }"


@dataclass(frozen=True)
class Span:
    """Where a quote sits in its source: ``text[start:end] == exact``."""

    start: int
    end: int


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def locate(text: str, exact: str, prefix: str = "", suffix: str = "") -> list[Span]:
    """Every place where ``exact`` occurs in ``text`` with the given prefix before and suffix after it.

    >>> locate("a cat and a cat sat", "cat", suffix=" sat")
    [Span(start=12, end=15)]
    >>> len(locate("a cat and a cat sat", "cat"))
    2
    """
    found: list[Span] = []
    start = text.find(exact)
    while start >= 0 and exact:
        end = start + len(exact)
        if text.startswith(suffix, end) and text[max(0, start - len(prefix)):start] == prefix:
            found.append(Span(start, end))
        start = text.find(exact, start + 1)
    return found


def position_quads(span: ox.NamedNode | ox.BlankNode, where: Span, graph: ox.NamedNode) -> list[ox.Quad]:
    """The TextPositionSelector triples for one span, in ``graph`` (its IRI: the span's + ``#position``, or
    ``-position`` when the span's IRI has a fragment already, as a span in a ``#`` namespace does; a blank span's
    selector is a blank node named after the span, so anchoring a span again, as each rebuilt story's batch does
    with the shared files' spans, gives the same selector)."""
    selector: ox.NamedNode | ox.BlankNode = (
        ox.NamedNode(span.value + ("-position" if "#" in span.value else "#position"))
        if isinstance(span, ox.NamedNode) else stable_blank_node("p", span.value)
    )
    return [
        ox.Quad(span, ox.NamedNode(OA + "hasSelector"), selector, graph),
        ox.Quad(selector, RDF_TYPE, ox.NamedNode(OA + "TextPositionSelector"), graph),
        ox.Quad(selector, ox.NamedNode(OA + "start"), ox.Literal(str(where.start), datatype=_XSD_NNI), graph),
        ox.Quad(selector, ox.NamedNode(OA + "end"), ox.Literal(str(where.end), datatype=_XSD_NNI), graph),
    ]


def anchor(store: ox.Store, texts: dict[str, Path], graph: ox.NamedNode,
           file_of: dict[str, str]) -> tuple[list[ox.Quad], list[Violation]]:
    """Compute the position of every quoted span in ``store``; check positions files already give.

    ``texts`` maps a sha256 to the text file with that content; ``file_of`` maps a graph IRI to its file.
    Returns the position quads to add (in ``graph``) and every problem found, all at once.
    """
    cache: dict[str, str] = {}
    quads: list[ox.Quad] = []
    problems: list[Violation] = []
    quotes: dict[ox.NamedNode | ox.BlankNode, Span] = {}
    positions: list[tuple[dict[str, Any], str, str]] = []
    shas = {row["doc"]: row["sha"] for row in rows(store.query(SHA_QUERY, use_default_graph_as_union=True))}
    for found in rows(store.query(QUOTES_QUERY, use_default_graph_as_union=True),
                      store.query(POSITIONS_QUERY, use_default_graph_as_union=True)):
        row = {"exact": None, "prefix": None, "suffix": None, **found}  # the positions query lacks these
        path = file_of.get(row["g"].value, row["g"].value)
        span = row["span"]  # named (a query, for a blank node) only in a problem's message
        sha = shas.get(row["doc"])
        if sha is None:
            problems.append(Violation(path, _name(store, span), "evidence-source",
                                      f"its source {row['doc']} has no so:sha256, so its text cannot be found"))
            continue
        text_file = texts.get(sha.value)
        if text_file is None:
            problems.append(Violation(path, _name(store, span), "evidence-source",
                                      f"no text file among the inputs has sha256 {sha.value} (the source "
                                      f"{row['doc']}): add the text beside the triples, byte for byte"))
            continue
        if sha.value not in cache:
            try:
                cache[sha.value] = text_file.read_bytes().decode("utf-8")  # offsets count its characters, BOM too
            except UnicodeDecodeError as err:
                problems.append(Violation(path, _name(store, span), "evidence-source",
                                          f"{text_file}: not UTF-8 text (byte 0x{err.object[err.start]:02x} at offset "
                                          f"{err.start}), so the quote cannot be checked: save the text as UTF-8 and "
                                          "record its new sha256"))
                continue
        text = cache[sha.value]
        if row["exact"] is None:
            positions.append((row, text, path))
            continue
        exact, prefix, suffix = _value(row["exact"]), _value(row["prefix"]), _value(row["suffix"])
        hits = locate(text, exact, prefix, suffix)
        if len(hits) == 1:
            quotes[row["span"]] = hits[0]
            quads.extend(position_quads(row["span"], hits[0], graph))
        elif not hits and (prefix or suffix) and locate(text, exact):
            problems.append(Violation(path, _name(store, span), "evidence-quote", hints.context_mismatch(
                text, exact, prefix, suffix, [h.start for h in locate(text, exact)], text_file.name)))
        elif not hits:
            problems.append(Violation(path, _name(store, span), "evidence-quote",
                                      hints.quote_not_found(text, exact, text_file.name)))
        else:
            problems.append(Violation(path, _name(store, span), "evidence-quote",
                                      hints.ambiguous_quote(text, exact, [h.start for h in hits], text_file.name)))
    for row, text, path in positions:
        problem = _position_problem(row, text, quotes.get(row["span"]))
        if problem:
            problems.append(Violation(path, _name(store, row["span"]), "evidence-position", problem))
    return quads, problems


def _name(store: ox.Store, span: ox.NamedNode | ox.BlankNode) -> str:
    """How a message names a span: its IRI, or for a blank-node span the node whose evidence it is."""
    if isinstance(span, ox.NamedNode):
        return show(span)
    holders = sorted(show(q.subject) for q in store.quads_for_pattern(
        None, ox.NamedNode("https://w3id.org/standoff/ontology#hasEvidence"), span))
    return f"{holders[0]} (its span)" if holders else show(span)


def _value(term: ox.Literal | None) -> str:
    return term.value if term is not None else ""


def _position_problem(row: dict[str, Any], text: str, quoted: Span | None) -> str | None:
    """What is wrong with a TextPositionSelector a file gives, or None."""
    try:
        start, end = int(row["start"].value), int(row["end"].value)
    except ValueError:
        return "oa:start and oa:end must be integers"
    if not 0 <= start < end <= len(text):
        return f"offsets {start}..{end} are outside the text (0..{len(text)}) or not start < end"
    if quoted is not None and quoted != Span(start, end):
        return (f"offsets {start}..{end} do not match its quote, which is at {quoted.start}..{quoted.end}: "
                "remove the offsets and let the build compute them")
    return None
