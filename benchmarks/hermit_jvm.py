"""HermiT's JVM options: ``python -m benchmarks.hermit_jvm [--repeat 5] [--triples 1e4]``.

kg.reason gives the JVM of a short HermiT run (under ``_SHORT_RUN_TRIPLES`` triples) the options
``_SHORT_RUN_OPTIONS`` (C1 only, the serial collector). This runs kg.reason.infer on the same input with those
options and with the JVM's defaults, alternated, and prints each side's wall time and the JVM's CPU time (medians,
min and max) as JSON: on the example story (the ontology with ontology/examples/valid/story.ttl) and on the
triples HermiT is given for a generated corpus of ``--triples`` (benchmarks/corpus.py).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from benchmarks.corpus import generate
from kg import reason

ROOT = Path(__file__).resolve().parent.parent


def _triples(paths: list[Path]) -> list[ox.Triple]:
    return [ox.Triple(q.subject, q.predicate, q.object) for p in paths
            for q in ox.parse(path=str(p), format=ox.RdfFormat.TURTLE)]


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _spread(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3),
            "max": round(max(values), 3), "n": len(values)}


def compare(triples: list[ox.Triple], repeat: int) -> dict[str, dict[str, dict[str, float]]]:
    """Both sides ``repeat`` times, alternated: the short-run options, then the JVM's defaults."""
    short_run = reason._SHORT_RUN_TRIPLES
    sides = {"short-run options": short_run, "JVM defaults": 0}  # a threshold of 0: no run counts as short
    seen: dict[str, dict[str, list[float]]] = {side: {"wall": [], "jvm_cpu": []} for side in sides}
    try:
        for _ in range(repeat):
            for side, threshold in sides.items():
                reason._SHORT_RUN_TRIPLES = threshold
                cpu, began = _children_cpu(), time.perf_counter()
                reason.infer(triples)
                seen[side]["wall"].append(time.perf_counter() - began)
                seen[side]["jvm_cpu"].append(_children_cpu() - cpu)
    finally:
        reason._SHORT_RUN_TRIPLES = short_run
    return {side: {k: _spread(v) for k, v in values.items()} for side, values in seen.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--triples", default="1e4", help="size of the generated corpus (0: only the example story)")
    args = parser.parse_args(argv)
    ontology = [ROOT / "ontology" / name for name in ("standoff.ttl", "alignments.ttl", "cameo.ttl")]
    inputs = {"example story": _triples([*ontology, ROOT / "ontology" / "examples" / "valid" / "story.ttl"])}
    size = int(float(args.triples))
    if size:
        with tempfile.TemporaryDirectory() as folder:
            generate(Path(folder), size)
            inputs[f"corpus of {size:,}"] = _triples([*ontology, *sorted(Path(folder).glob("triples/**/*.ttl"))])
    result = {name: {"triples": len(triples), **compare(triples, args.repeat)} for name, triples in inputs.items()}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
