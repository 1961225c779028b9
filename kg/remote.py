"""A build on a SPARQL server: ``kg build --endpoint`` builds in a scratch store, then loads it graph by graph.

The HTTP client is :mod:`kg.endpoint`; this module only orchestrates (it sits above :mod:`kg.build` and
:mod:`kg.link`, which never import it).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.endpoint import RemoteStore
from kg.vocab import META_GRAPH


def upload(local: ox.Store, remote: RemoteStore,
           progress: Callable[[str, str, float], None] | None = None) -> int:
    """Copy a built store's graphs to a server graph by graph (each replaced whole), VoID graph last.

    Graphs an earlier build wrote there and this one did not are deleted afterwards. Returns the triples sent.
    """
    began = time.perf_counter()
    before = {g.value for g in remote.our_graphs()}
    graphs = sorted((g for g in local.named_graphs() if isinstance(g, ox.NamedNode)),
                    key=lambda g: (g.value == META_GRAPH, g.value))
    sent = 0
    for graph in graphs:
        data = local.dump(format=ox.RdfFormat.TURTLE, from_graph=graph) or b""
        remote.put_graph(graph, data)
        sent += sum(1 for _ in local.quads_for_pattern(None, None, None, graph))
    for stale in sorted(before - {g.value for g in graphs}):
        remote.delete_graph(ox.NamedNode(stale))
    remote._graphs = None
    if progress:
        progress("upload", f"{len(graphs)} graphs, {sent:,} triples to {remote.url}", time.perf_counter() - began)
    return sent


def build_remote(project: str | Path, endpoint: str, *, reasoning: bool = True,
                 progress: Callable[[str, str, float], None] | None = None,
                 store: str | os.PathLike[str] | None = None, allow_empty: bool = False) -> Any:
    """Build the project as ``kg build`` does (in a scratch store), then load it into the server.

    The linked datasets and links kept for this server (:func:`kg.link.remote_sidecar`, beside ``store``) are
    loaded as the embedded build loads its own. Nothing is sent unless every step passed; returns the report.
    """
    import gc
    import shutil
    import tempfile

    from kg.build import build, quiet
    from kg.link import remote_sidecar
    from kg.store import open_store

    remote = RemoteStore(endpoint)
    folder = Path(tempfile.mkdtemp(prefix="kg-remote-"))
    try:
        report = build(project, folder / "store", reasoning=reasoning, links=remote_sidecar(endpoint, store),
                       allow_empty=allow_empty, progress=progress or quiet)
        local = open_store(report.store)
        upload(local, remote, progress)
        del local
        gc.collect()
        return report
    finally:
        shutil.rmtree(folder, ignore_errors=True)

