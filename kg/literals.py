"""Ill-typed literals: a value whose text is not in its datatype's lexical space (``"not-a-date"^^xsd:dateTime``).

The parser keeps such a literal as it is written, and no shape may look at it, so every build path checks all of
them here, with the engine's own casts: a literal is ill-typed when casting its text to its datatype fails.
An integer out of its derived type's range (``"300"^^xsd:byte``) is the one kind the store cannot show: it keeps
the value as a plain ``xsd:integer``. Those are found in the files themselves (:func:`out_of_range`).
"""

from __future__ import annotations

import mmap
import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.errors import Violation
from kg.rows import rows
from kg.vocab import PREFIXES, show

XSD = PREFIXES["xsd"]
# Datatypes the engine casts to (SPARQL 1.1 and Oxigraph's extensions): the cast fails on an ill-typed text.
CAST = ("boolean", "decimal", "float", "double", "dateTime", "date", "time", "duration",
        "dayTimeDuration", "yearMonthDuration", "gYear", "gYearMonth", "gMonth", "gDay", "gMonthDay")
# Integer types derived by range. The store keeps a well-formed one as a plain xsd:integer (so a value out of its
# range, "-5"^^xsd:nonNegativeInteger, cannot be seen after loading); an ill-formed one keeps its datatype, and
# fails the integer cast.
# Their ranges (XML Schema 1.1 part 2, section 3.4), None where a side is unbounded.
BOUNDS: dict[str, tuple[int | None, int | None]] = {
    "nonNegativeInteger": (0, None), "positiveInteger": (1, None), "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1), "long": (-2**63, 2**63 - 1), "int": (-2**31, 2**31 - 1),
    "short": (-2**15, 2**15 - 1), "byte": (-2**7, 2**7 - 1), "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1), "unsignedShort": (0, 2**16 - 1), "unsignedByte": (0, 2**8 - 1)}
INTEGERS = tuple(BOUNDS)
_BOUNDS_OF = {XSD + name: bounds for name, bounds in BOUNDS.items()}
# A file that may name one of those datatypes (as a full IRI, a prefixed name or a JSON-LD/RDF-XML value): only such
# a file is parsed a second time to look at its integers. A false match costs a parse, never a wrong answer.
_NAMES_DERIVED = re.compile(rb"[#:](?:" + b"|".join(n.encode() for n in INTEGERS) + rb")(?![\w-])")
_INTEGER = re.compile(r"[+-]?[0-9]+")


def _checked_value() -> str:
    """One SPARQL expression: the literal ``?o`` cast to its own datatype, an error (unbound) when ill-typed."""
    expression = "true"
    for name in CAST:
        expression = f"IF(?dt = xsd:{name}, xsd:{name}(STR(?o)), {expression})"
    return expression


# Integers are judged by their form, not by a cast: the engine's integers are 64-bit, so a cast fails on a valid
# "18446744073709551615"^^xsd:unsignedLong. A well-formed one out of its type's range is out_of_range()'s.
_INTEGER_TYPES = ", ".join(f"xsd:{n}" for n in ("integer", *INTEGERS))
ILL_TYPED = f"""
SELECT ?g ?s ?p ?o WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(isLITERAL(?o))
  BIND(DATATYPE(?o) AS ?dt)
  FILTER(?dt IN ({", ".join(f"xsd:{n}" for n in CAST)}, {_INTEGER_TYPES}))
  BIND({_checked_value()} AS ?ok)
  FILTER(IF(?dt IN ({_INTEGER_TYPES}), !REGEX(STR(?o), "^[+-]?[0-9]+$"), !BOUND(?ok)))
}} ORDER BY ?g ?s ?p ?o
"""


def ill_typed(store: ox.Store, file_of: dict[str, str]) -> list[Violation]:
    """Every ill-typed literal in the store's named graphs, as a violation naming file, node, property and value.

    >>> s = ox.Store()
    >>> s.add(ox.Quad(ox.NamedNode("http://e/x"), ox.NamedNode("http://e/when"),
    ...               ox.Literal("not-a-date", datatype=ox.NamedNode(XSD + "dateTime")), ox.NamedNode("http://e/g")))
    >>> [str(v) for v in ill_typed(s, {"http://e/g": "triples/x.ttl"})]  # doctest: +NORMALIZE_WHITESPACE
    ['triples/x.ttl: <http://e/x>: [ill-typed-literal] <http://e/when> "not-a-date" is not a valid xsd:dateTime:
      write it in the datatype\\'s form, or drop the datatype']
    """
    found = []
    for row in rows(store.query(ILL_TYPED, prefixes=PREFIXES)):
        literal = row["o"]
        datatype = show(literal.datatype)
        found.append(Violation(file_of.get(row["g"].value, row["g"].value), show(row["s"]), "ill-typed-literal",
                               f"{show(row['p'])} {_quoted(literal.value)} is not a valid {datatype}: write it in "
                               "the datatype's form, or drop the datatype", value=literal.value))
    return found


def out_of_range(files: Iterable[tuple[Path, str]]) -> list[Violation]:
    """Every integer of a derived type outside its range (``"300"^^xsd:byte``, ``"-1"^^xsd:nonNegativeInteger``) in
    the files, given as (path, name shown), as violations naming file, node, property and value.

    >>> import tempfile; f = Path(tempfile.mkdtemp()) / "x.ttl"
    >>> _ = f.write_text('<http://e/x> <http://e/n> "300"^^<http://www.w3.org/2001/XMLSchema#byte> , "127"^^'
    ...                  '<http://www.w3.org/2001/XMLSchema#byte> .')
    >>> [str(v) for v in out_of_range([(f, "triples/x.ttl")])]  # doctest: +NORMALIZE_WHITESPACE
    ['triples/x.ttl: <http://e/x>: [ill-typed-literal] <http://e/n> "300" is not a valid xsd:byte: it is out of
      its range, -128 to 127']
    """
    from kg.rdfio import parse_file

    found = []
    for path, shown in files:
        if not _may_name_derived(path):
            continue
        for quad in parse_file(path):
            literal = quad.object
            if not isinstance(literal, ox.Literal) or literal.datatype.value not in _BOUNDS_OF:
                continue
            low, high = _BOUNDS_OF[literal.datatype.value]
            if not _INTEGER.fullmatch(literal.value):
                continue  # ill-formed: the store keeps its datatype, and ill_typed() reports it
            value = int(literal.value)
            if (low is None or value >= low) and (high is None or value <= high):
                continue
            span = f"{low} to {high}" if low is not None and high is not None else (
                f"at least {low}" if low is not None else f"at most {high}")
            found.append(Violation(shown, show(quad.subject), "ill-typed-literal",
                                   f"{show(quad.predicate)} {_quoted(literal.value)} is not a valid "
                                   f"{show(literal.datatype)}: it is out of its range, {span}", value=literal.value))
    return found


def _may_name_derived(path: Path) -> bool:
    with path.open("rb") as handle:
        if not path.stat().st_size:
            return False
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return _NAMES_DERIVED.search(data) is not None


def _quoted(text: str) -> str:
    return '"' + (text if len(text) <= 60 else text[:57] + "...").replace('"', '\\"') + '"'
