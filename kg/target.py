"""Store targets: what a command reads and writes, the embedded store or a SPARQL server.

:class:`StoreLike` is the part of ``pyoxigraph.Store``'s API the library uses; ``pyoxigraph.Store`` has it and so
has :class:`kg.endpoint.RemoteStore`, so code typed with it works on either. :func:`open_target` picks one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from kg.rows import Result

if TYPE_CHECKING:  # the HTTP client is loaded only by whoever talks to a server
    from kg.endpoint import GraphName, RemoteStore

BoundTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class StoreLike(Protocol):
    """A store the library can query and update: ``pyoxigraph.Store`` or :class:`kg.endpoint.RemoteStore`."""

    def query(self, query: str, /, *, prefixes: dict[str, str] | None = None,
              use_default_graph_as_union: bool = False,
              default_graph: GraphName | list[GraphName] | None = None,
              named_graphs: list[ox.NamedNode | ox.BlankNode] | None = None,
              substitutions: dict[ox.Variable, BoundTerm] | None = None) -> Result: ...

    def update(self, update: str, /, *, prefixes: dict[str, str] | None = None) -> None: ...

    def named_graphs(self, /) -> Iterator[ox.NamedNode | ox.BlankNode]: ...

    def quads_for_pattern(self, /, subject: ox.NamedNode | ox.BlankNode | ox.Triple | None,
                          predicate: ox.NamedNode | None,
                          object: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None,
                          graph_name: GraphName | None = None) -> Iterator[ox.Quad]: ...

    def contains_named_graph(self, /, graph_name: GraphName) -> bool: ...


def open_target(store: str | os.PathLike[str] | None, endpoint: str | None, *,
                writable: bool = False) -> ox.Store | RemoteStore:
    """The store a command works on: the remote endpoint when one is given, else the embedded store."""
    if endpoint:
        from kg.endpoint import RemoteStore

        return RemoteStore(endpoint)
    from kg.config import store_path
    from kg.store import open_store

    return open_store(store_path(store), writable=writable)
