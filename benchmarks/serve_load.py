"""Concurrent canned queries against a running `kg serve` endpoint: throughput and latency.

    .venv/bin/kg serve &                                   # or any endpoint URL
    .venv/bin/python benchmarks/serve_load.py http://127.0.0.1:7878/query --total 2000 --threads 16

Every canned query that needs no parameter, bound and prefixed as the CLI does for a remote store, is sent in
turn by a pool of threads (POST, SPARQL JSON results). Prints queries/s and the median and p95 latency, and
how many requests failed (non-200 or an unreadable answer). Loopback only; bounded in count and time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Load:
    """What a load run measured."""

    sent: int = 0
    failed: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else 0.0

    def summary(self) -> str:
        return (f"{self.sent} queries in {self.seconds:.1f} s: {self.per_second:.0f} queries/s, latency median "
                f"{statistics.median(self.latencies) * 1000:.1f} ms, p95 {self.percentile(0.95) * 1000:.1f} ms, "
                f"{self.failed} failed")


def workload(queries: Path = ROOT / "queries") -> list[tuple[str, str, int]]:
    """(name, full text, expected row count on the embedded store) of every parameterless canned query."""
    import pyoxigraph as ox  # noqa: F401 (checks the environment)

    from kg.binding import with_prefixes
    from kg.queries import list_queries
    from kg.vocab import PREFIXES

    return [(q.name, with_prefixes(q.text, PREFIXES), -1) for q in list_queries(queries)
            if not any(p.required for p in q.params)]


def run(endpoint: str, texts: list[tuple[str, str, int]], total: int = 2000, threads: int = 16,
        limit_s: float = 120.0) -> Load:
    """Send ``total`` queries (cycling through ``texts``) from ``threads`` threads; stop early at ``limit_s``."""
    load = Load()
    deadline = time.monotonic() + limit_s
    bodies = [(name, urllib.parse.urlencode({"query": text}).encode(), rows) for name, text, rows in texts]

    def one(i: int) -> tuple[float, str | None]:
        if time.monotonic() > deadline:
            return -1.0, None
        name, body, rows = bodies[i % len(bodies)]
        request = urllib.request.Request(endpoint, data=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"})
        began = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                doc = json.loads(answer.read())
                status = answer.status
        except Exception as err:  # every failure counts, whatever it is
            return time.perf_counter() - began, f"{name}: {err}"
        took = time.perf_counter() - began
        got = len(doc["results"]["bindings"])
        if status != 200 or (rows >= 0 and got != rows):
            return took, f"{name}: status {status}, {got} rows instead of {rows}"
        return took, None

    began = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        for took, error in pool.map(one, range(total)):
            if took < 0:
                continue
            load.sent += 1
            load.latencies.append(took)
            if error:
                load.failed += 1
                load.errors.append(error)
    load.seconds = time.perf_counter() - began
    return load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("endpoint", help="the SPARQL endpoint, e.g. http://127.0.0.1:7878/query")
    parser.add_argument("--total", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--limit", type=float, default=120.0, help="stop sending after this many seconds")
    args = parser.parse_args()
    host = urllib.parse.urlsplit(args.endpoint).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("load is only sent to this machine (127.0.0.1, localhost, ::1)")
    load = run(args.endpoint, workload(), args.total, args.threads, args.limit)
    print(load.summary())
    for error in load.errors[:10]:
        print("  ", error)


if __name__ == "__main__":
    main()
