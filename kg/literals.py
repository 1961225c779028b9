"""Ill-typed literals: a value whose text is not in its datatype's lexical space (``"not-a-date"^^xsd:dateTime``).

The parser keeps such a literal as it is written, and no shape may look at it, so every build path checks all of
them here, with the engine's own casts: a literal is ill-typed when casting its text to its datatype fails.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.errors import Violation
from kg.rows import rows
from kg.vocab import PREFIXES, show

XSD = PREFIXES["xsd"]
# Datatypes the engine casts to (SPARQL 1.1 and Oxigraph's extensions): the cast fails on an ill-typed text.
CAST = ("boolean", "integer", "decimal", "float", "double", "dateTime", "date", "time", "duration",
        "dayTimeDuration", "yearMonthDuration", "gYear", "gYearMonth", "gMonth", "gDay", "gMonthDay")
# Integer types derived by range. The store keeps a well-formed one as a plain xsd:integer (so a value out of its
# range, "-5"^^xsd:nonNegativeInteger, cannot be seen after loading); an ill-formed one keeps its datatype, and
# fails the integer cast.
INTEGERS = ("nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger", "long", "int", "short",
            "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")


def _checked_value() -> str:
    """One SPARQL expression: the literal ``?o`` cast to its own datatype, an error (unbound) when ill-typed."""
    expression = f"IF(?dt IN ({', '.join(f'xsd:{n}' for n in INTEGERS)}), xsd:integer(STR(?o)), true)"
    for name in CAST:
        expression = f"IF(?dt = xsd:{name}, xsd:{name}(STR(?o)), {expression})"
    return expression


ILL_TYPED = f"""
SELECT ?g ?s ?p ?o WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(isLITERAL(?o))
  BIND(DATATYPE(?o) AS ?dt)
  FILTER(?dt IN ({", ".join(f"xsd:{n}" for n in (*CAST, *INTEGERS))}))
  BIND({_checked_value()} AS ?ok)
  FILTER(!BOUND(?ok))
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


def _quoted(text: str) -> str:
    return '"' + (text if len(text) <= 60 else text[:57] + "...").replace('"', '\\"') + '"'
