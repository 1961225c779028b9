"""How the engine's own per-triple cost grows with the store: ``python -m benchmarks.engine_growth [--sizes 1e4,1e5]``.

Issue 16 asks that each build step's cost per triple stay within 1.1x from 10^4 to 10^6 triples. This measures,
on in-memory stores holding the generated corpus of each size (benchmarks/corpus.py) as a build loads it (one
named graph per file, the ontology's included), the cost per triple of:

- ``raw scan``: every ``rdfs:label`` quad through ``Store.quads_for_pattern``, the fastest raw way to read them;
- ``SPARQL scan``: the same pattern as a SELECT over the union of the graphs, as kg's checks query;
- ``kg shapes``: kg.shacl's compiled checks of ontology/shapes.ttl (the validate step's SHACL part);
- ``kg rules``: one pass of the reasoning rules' CONSTRUCT queries (kg/rules.py), their triples not added.

Sizes are alternated in each round; it prints each one's median, min and max in microseconds per store quad and
the largest size's median over the smallest's, as JSON. When a raw scan's cost per triple grows too, that part of
a step's growth is the engine's (memory and cache), not the step's queries.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from benchmarks.corpus import generate
from kg.inputs import find_inputs
from kg.rules import property_rule_set, read_tbox, type_rule_set
from kg.shacl import validate
from kg.steps import compiled_shapes, load_inputs
from kg.vocab import PREFIXES

ROOT = Path(__file__).resolve().parent.parent
LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")


def _store(size: int, folder: Path) -> ox.Store:
    project = folder / f"corpus-{size}"
    generate(project, size)
    db = ox.Store()
    load_inputs(db, find_inputs(project))
    return db


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e4,1e5", help="comma-separated corpus sizes (triples)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    checks = compiled_shapes(ROOT / "ontology" / "shapes.ttl")
    ontology = [q for name in ("standoff.ttl", "alignments.ttl", "cameo.ttl")
                for q in ox.parse(path=str(ROOT / "ontology" / name), format=ox.RdfFormat.TURTLE)]
    tbox = read_tbox(ontology)
    rules = [r.query for r in (*property_rule_set(tbox), *type_rule_set(tbox))]
    query = f"SELECT ?s ?o WHERE {{ ?s <{LABEL.value}> ?o }}"
    work: dict[str, Callable[[ox.Store], object]] = {
        "raw scan": lambda db: sum(1 for _ in db.quads_for_pattern(None, LABEL, None)),
        "SPARQL scan": lambda db: sum(1 for _ in db.query(query, use_default_graph_as_union=True)),  # type: ignore
        "kg shapes": lambda db: validate(db, checks),
        "kg rules": lambda db: [set(db.query(rule, use_default_graph_as_union=True)) for rule in rules],  # type: ignore
    }
    with tempfile.TemporaryDirectory() as folder:
        stores = {size: _store(size, Path(folder)) for size in sizes}
        seen: dict[str, dict[int, list[float]]] = {name: {size: [] for size in sizes} for name in work}
        for _ in range(args.repeat):
            for size, db in stores.items():
                quads = len(db)
                for name, run in work.items():
                    began = time.perf_counter()
                    run(db)
                    seen[name][size].append((time.perf_counter() - began) / quads * 1e6)
        result = {"quads": {size: len(db) for size, db in stores.items()}}
    for name, by_size in seen.items():
        medians = {size: statistics.median(v) for size, v in by_size.items()}
        result[name] = {
            "us_per_quad": {size: {"median": round(medians[size], 4), "min": round(min(v), 4),
                                   "max": round(max(v), 4)} for size, v in by_size.items()},
            "growth": round(medians[sizes[-1]] / medians[sizes[0]], 2),
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
