"""Time kg.shacl against pySHACL on synthetic data: N people, one in ten breaking a rule.

    .venv/bin/python benchmarks/shacl_vs_pyshacl.py            # N = 10^3, 10^4, 10^5
    .venv/bin/python benchmarks/shacl_vs_pyshacl.py 1000 --repeat 5 --memory

Prints the median wall time of each engine (pySHACL only up to 10^4 nodes, it is too slow beyond) and
checks both report the same (focus node, path, constraint) set. The store is on disk unless --memory.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from kg.shacl import compile_shapes, validate

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .

ex:PersonShape a sh:NodeShape ;
    sh:targetClass ex:Person ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:string ;
                  sh:minLength 1 ] ;
    sh:property [ sh:path ex:age ; sh:datatype xsd:integer ; sh:minInclusive 0 ; sh:maxInclusive 150 ] ;
    sh:property [ sh:path ex:email ; sh:pattern "^[^@]+@[^@]+$" ] ;
    sh:property [ sh:path ex:knows ; sh:class ex:Person ; sh:nodeKind sh:IRI ] ;
    sh:property [ sh:path ex:status ; sh:in ( ex:Active ex:Retired ) ] ;
    sh:property [ sh:path ex:address ; sh:node ex:AddressShape ] .

ex:AddressShape a sh:NodeShape ;
    sh:property [ sh:path ex:city ; sh:minCount 1 ; sh:datatype xsd:string ] .
"""


def data(n: int) -> str:
    """About 9 triples per person; every tenth person breaks one rule, in turn."""
    lines = ["@prefix ex: <http://example.org/> .",
             "ex:Employee <http://www.w3.org/2000/01/rdf-schema#subClassOf> ex:Person ."]
    for i in range(n):
        bad = i % 10 == 0 and (i // 10) % 6
        cls = "ex:Employee" if i % 3 else "ex:Person"
        name = "" if bad == 1 else f'ex:name "Person {i}" ;'
        age = '"old"' if bad == 2 else str(20 + i % 60)
        email = f'"p{i}-at-example.org"' if bad == 3 else f'"p{i}@example.org"'
        knows = "ex:rock" if bad == 4 else f"ex:p{(i + 1) % n}"
        status = "ex:Gone" if bad == 5 else "ex:Active"
        city = "" if i % 20 == 10 else f'ex:city "City {i % 100}"'
        lines.append(f"ex:p{i} a {cls} ; {name} ex:age {age} ; ex:email {email} ; ex:knows {knows} ;"
                     f" ex:status {status} ; ex:address [ {city} ] .")
    return "\n".join(lines)


def median_time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory", action="store_true", help="in-memory store instead of on disk")
    parser.add_argument("--pyshacl-max", type=int, default=10_000)
    args = parser.parse_args()
    checks = compile_shapes(ox.parse(SHAPES.encode(), format=ox.RdfFormat.TURTLE))
    print(f"{len(checks)} compiled checks; store {'in memory' if args.memory else 'on disk'}; "
          f"median of {args.repeat}")
    print(f"{'nodes':>8} {'triples':>9} {'results':>8} {'kg.shacl s':>11} {'pyshacl s':>10} {'ratio':>6}")
    for n in args.sizes:
        text = data(n)
        with tempfile.TemporaryDirectory() as tmp:
            store = ox.Store() if args.memory else ox.Store(str(Path(tmp) / "store"))
            store.bulk_load(text.encode(), format=ox.RdfFormat.TURTLE,
                            to_graph=ox.NamedNode("http://example.org/data"))
            triples = len(store)
            ours_s, ours = median_time(lambda store=store: validate(store, checks), args.repeat)
            ours_keys = {(str(r.focus), r.path, r.component) for r in ours}  # type: ignore[attr-defined]
            line = f"{n:>8} {triples:>9} {len(ours_keys):>8} {ours_s:>11.3f}"
            if n <= args.pyshacl_max:
                import pyshacl
                from rdflib import Graph
                from rdflib.namespace import SH

                graph = Graph().parse(data=text, format="turtle")
                shapes = Graph().parse(data=SHAPES, format="turtle")
                theirs_s, out = median_time(
                    lambda g=graph, s=shapes: pyshacl.validate(g, shacl_graph=s, inference="none"),
                    args.repeat)
                report = out[1]  # type: ignore[index]
                theirs_keys = {(f"<{report.value(r, SH.focusNode)}>", f"<{report.value(r, SH.resultPath)}>",
                                "sh:" + str(report.value(r, SH.sourceConstraintComponent)).split("#")[1])
                               for r in report.objects(None, SH.result)}
                same = "same" if theirs_keys == ours_keys else f"DIFFER ({len(theirs_keys)})"
                line += f" {theirs_s:>10.3f} {theirs_s / ours_s:>6.1f} {same}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
