"""SELECT results as rows: one dict per solution, from variable name to term (None where a variable is unbound)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox

from kg.construct import Triples
from kg.errors import QueryError

# What a query gives: solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT, DESCRIBE: the engine's, or
# kg.construct's streamed ones).
Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | Triples
# A term a solution binds (RDF-star triples aside, which our data never holds).
Term = ox.NamedNode | ox.BlankNode | ox.Literal


def rows(*results: object) -> Iterator[dict[str, Any]]:
    """The solutions of one or more SELECT results, in order, each as a dict over its own query's variables.

    Streamed, so a large result is never held whole.

    >>> store = ox.Store()
    >>> store.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("1")))
    >>> [(row["s"].value, row["o"].value, row["none"]) for row in rows(store.query("SELECT ?s ?o ?none { ?s ?p ?o }"))]
    [('http://e/a', '1', None)]
    >>> list(rows(store.query("ASK { ?s ?p ?o }")))
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: expected the solutions of a SELECT query, got QueryBoolean
    """
    for result in results:
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError(f"expected the solutions of a SELECT query, got {type(result).__name__}")
        names = [v.value for v in result.variables]
        for solution in result:
            yield {name: solution[name] for name in names}
