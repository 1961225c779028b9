"""Many concurrent queries against the served endpoint, none failing, each with the embedded store's row count.

Bounded (2000 queries, 16 threads, two minutes at most) and on loopback; the throughput and latency it prints
are for the README's note, not asserted (timings stay out of tests).
"""

from __future__ import annotations

import importlib.util
import sys

import pyoxigraph as ox
import pytest
from conftest import ROOT
from endpoints import Served

from kg.vocab import PREFIXES

pytestmark = pytest.mark.heavy  # scheduled first (tests/conftest.py)

spec = importlib.util.spec_from_file_location("serve_load", ROOT / "benchmarks" / "serve_load.py")
assert spec and spec.loader
serve_load = importlib.util.module_from_spec(spec)
sys.modules["serve_load"] = serve_load
spec.loader.exec_module(serve_load)


def test_concurrent_queries_all_succeed(served: Served, store: ox.Store) -> None:
    texts = [(name, text, len(list(store.query(text, use_default_graph_as_union=True))))
             for name, text, _ in serve_load.workload(ROOT / "queries")]
    assert len(texts) >= 5 and sum(rows for _, _, rows in texts) > 100 and PREFIXES
    load = serve_load.run(served.endpoint, texts, total=800, threads=16, limit_s=120)
    print("\n" + load.summary())
    assert load.failed == 0, load.errors[:5]
    assert load.sent >= 200  # even a slow machine gets through a good part of the run within the limit
