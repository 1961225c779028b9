"""Each step of ``kg build`` (and export, and the CLI itself) against the fastest raw way to do the same work on the
same files, side by side in one run: ``python -m benchmarks.baselines [--sizes 1e4,1e5] [--repeat 3]``.

Every contender runs in a fresh process; a round runs each contender once, in a fixed order, and the rounds repeat,
so slow spells of a shared machine fall on all sides alike. Reported: the median and the spread (min-max) of the
whole process's wall time, and, where the raw script can time its own work apart from starting Python and parsing,
that inner time too (``work s``).

- load: ``kg build`` (full; validation, reasoning, description and compaction included) against pyoxigraph
  ``Store.load`` per file, ``bulk_load`` per file (each into its own named graph, as the build does) and one
  ``bulk_load`` of all the files concatenated (default graph); the fastest raw load is the baseline;
- validate: the build's validate step (evidence anchoring, report checks, SHACL) against pySHACL running the same
  shapes over the same data and ontology (inference none);
- reason: the build's reason step (the rules compiled to SPARQL) against owlrl's OWL RL closure and HermiT (through
  owlready2, as kg's ``--reasoner hermit`` runs it), each given ontology plus data;
- export: ``kg export`` (N-Quads, sorted Turtle) against ``Store.dump`` (N-Quads, TriG) and rdflib (parse the
  N-Quads dump, serialise TriG);
- cli: ``kg --help`` against ``python -c pass`` and ``import pyoxigraph``; a millisecond canned query through
  ``kg query`` against a minimal pyoxigraph script running the same text on the same store.

A contender that runs past ``--timeout`` seconds is stopped and reported as more than that, and not run again at
that size. Results: ``benchmarks/results/baselines.json`` and Markdown tables on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.__main__ import BIN, DATA, RAW_DUMP, RAW_LOAD, RAW_QUERY, ROOT, _steps, _with_prefixes, script
from benchmarks.corpus import generate

OUT = ROOT / "benchmarks" / "results" / "baselines.json"
G = "https://w3id.org/standoff/graph/"
# Each raw script prints its own work's seconds as its last stderr line ("work S").
RAW_STORE_LOAD = RAW_LOAD.replace("db.bulk_load(", "db.load(")
RAW_ONE_BULK_LOAD = """
import sys, time, pyoxigraph as ox
db = ox.Store(sys.argv[2])
began = time.perf_counter()
db.bulk_load(path=sys.argv[1], format=ox.RdfFormat.TURTLE)
db.flush()
print("work", time.perf_counter() - began, file=sys.stderr)
"""
RAW_PYSHACL = """
import sys, time
from rdflib import Graph
import pyshacl
data, shapes = Graph(), Graph()
data.parse(sys.argv[1], format="nt")
shapes.parse(sys.argv[2], format="turtle")
began = time.perf_counter()
conforms, _, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none")
print("work", time.perf_counter() - began, file=sys.stderr)
"""
RAW_OWLRL = """
import sys, time
from rdflib import Graph
import owlrl
g = Graph()
g.parse(sys.argv[1], format="nt")
began = time.perf_counter()
owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
print("work", time.perf_counter() - began, file=sys.stderr)
"""
RAW_HERMIT = """
import shutil, sys, time
import owlready2
owlready2.JAVA_EXE = shutil.which("java")
world = owlready2.World()
world.get_ontology("http://example.org/input.owl").load(fileobj=open(sys.argv[1], "rb"), format="ntriples")
began = time.perf_counter()
owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
print("work", time.perf_counter() - began, file=sys.stderr)
"""
RAW_RDFLIB_EXPORT = """
import sys, time
from rdflib import Dataset
ds = Dataset()
ds.parse(sys.argv[1], format="nquads")
began = time.perf_counter()
ds.serialize(destination=sys.argv[2], format="trig")
print("work", time.perf_counter() - began, file=sys.stderr)
"""


def run(cmd: list[str], timeout: float) -> dict:
    """One fresh process: wall seconds, CPU seconds (user + system, its children's included: on a shared machine
    the figure that waiting for a core does not inflate), the work seconds it printed (if any); ``None`` seconds
    after a timeout."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"seconds": None, "stderr": ""}
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)[:300]} failed:\n{done.stderr[-2000:]}")
    lines = done.stderr.strip().splitlines()
    work = float(lines[-1].split()[1]) if lines and lines[-1].startswith("work ") else None
    return {"seconds": wall, "cpu": cpu, "work": work, "stderr": done.stderr}


def spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def rounds(contenders: dict[str, tuple[list[str], object]], repeat: int, timeout: float) -> dict[str, dict]:
    """Run every contender once per round, ``repeat`` rounds; ``prepare`` (the tuple's second item) runs before
    each of its runs, untimed. A contender that times out is dropped for the remaining rounds."""
    runs: dict[str, list[dict]] = {name: [] for name in contenders}
    stopped: set[str] = set()
    for _ in range(repeat):
        for name, (cmd, prepare) in contenders.items():
            if name in stopped:
                continue
            if callable(prepare):
                prepare()
            result = run(cmd, timeout)
            if result["seconds"] is None:
                stopped.add(name)
            runs[name].append(result)
    out = {}
    for name, results in runs.items():
        done = [r for r in results if r["seconds"] is not None]
        record: dict = {"timed_out_after": timeout} if name in stopped else {}
        if done:
            record["wall"] = spread([r["seconds"] for r in done])
            record["cpu"] = spread([r["cpu"] for r in done])
            works = [r["work"] for r in done if r.get("work") is not None]
            if works:
                record["work"] = spread(works)
            steps = [_steps(r["stderr"]) for r in done if "built " in r["stderr"]]
            if steps:
                record["steps"] = {k: spread([s.get(k, 0.0) for s in steps]) for k in steps[0]}
        out[name] = record
    return out


def _concatenated(project: Path, target: Path) -> list[Path]:
    files = [f for folder in ("ontology", "triples") for f in sorted((project / folder).rglob("*.ttl"))]
    with target.open("wb") as out:
        for f in files:
            out.write(f.read_bytes() + b"\n")
    return files


def _ntriples(project: Path, target: Path, for_hermit: bool = False) -> int:
    """Ontology (not the shapes) plus data as one N-Triples file, what the build validates and reasons over; for
    HermiT without the literals it rejects, as kg's HermiT path gives it."""
    import pyoxigraph as ox

    from kg.reason import _readable

    triples = []
    ontology = [f for f in sorted((project / "ontology").glob("*.ttl")) if f.name != "shapes.ttl"]
    for f in [*ontology, *sorted((project / "triples").rglob("*.ttl"))]:
        parsed = ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)
        triples += [ox.Triple(t.subject, t.predicate, t.object) for t in parsed]
    triples = _readable(triples) if for_hermit else sorted(set(triples), key=str)
    target.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
    return len(triples)


GROUPS = ("build", "check", "export")


def bench_size(size: int, repeat: int, work: Path, timeout: float, groups: tuple[str, ...] = GROUPS) -> dict:
    project = work / f"corpus-{size}"
    corpus = generate(project, size)
    store, raw = work / f"base-store-{size}" / "store", work / f"base-raw-{size}"
    one = work / f"base-all-{size}.ttl"
    files = _concatenated(project, one)
    nt, nt_hermit = work / f"base-{size}.nt", work / f"base-{size}-hermit.nt"
    triples = _ntriples(project, nt)
    _ntriples(project, nt_hermit, for_hermit=True)

    def fresh(path: Path) -> object:
        return lambda: shutil.rmtree(path, ignore_errors=True)

    def clear_build() -> None:
        shutil.rmtree(store.parent, ignore_errors=True)

    kg = [str(BIN / "kg"), "build", "--project", str(project), "--store", str(store), "--reasoner", "rules"]
    result: dict = {"size": size, "corpus": corpus, "files": len(files), "triples": triples}
    result["build"] = rounds({
        "kg build": (kg, clear_build),
        "Store.load per file": (script(RAW_STORE_LOAD, str(project), str(raw)), fresh(raw)),
        "bulk_load per file": (script(RAW_LOAD, str(project), str(raw)), fresh(raw)),
        "bulk_load of one file": (script(RAW_ONE_BULK_LOAD, str(one), str(raw)), fresh(raw)),
    }, repeat, timeout)
    shutil.rmtree(raw, ignore_errors=True)
    if "check" in groups:
        result["check"] = rounds({
            "pySHACL": (script(RAW_PYSHACL, str(nt), str(project / "ontology" / "shapes.ttl")), None),
            "owlrl": (script(RAW_OWLRL, str(nt)), None),
            "HermiT": (script(RAW_HERMIT, str(nt_hermit)), None),
        }, repeat, timeout)
    if "export" not in groups:
        return result
    clear_build()
    run(kg, timeout * 4)  # a built store for the export side
    out, dump = work / "base-export.out", work / f"base-dump-{size}.nq"
    subprocess.run(script(RAW_DUMP, str(store), str(dump), "nquads"), check=True)
    result["export"] = rounds({
        "kg export nquads": ([str(BIN / "kg"), "export", "-f", "nquads", "--store", str(store), "-o", str(out)], None),
        "Store.dump nquads": (script(RAW_DUMP, str(store), str(out), "nquads"), None),
        "kg export turtle": ([str(BIN / "kg"), "export", "-f", "turtle", "--store", str(store), "-o", str(out)], None),
        "Store.dump trig": (script(RAW_DUMP, str(store), str(out), "trig"), None),
        "rdflib trig": (script(RAW_RDFLIB_EXPORT, str(dump), str(out)), None),
    }, repeat, timeout)
    out.unlink(missing_ok=True)
    return result


def bench_cli(store: Path, repeat: int, work: Path) -> dict:
    """``kg --help`` and a millisecond canned query, against Python's own start and a minimal pyoxigraph script."""
    from kg.queries import find_query

    text = work / "external-links.rq"
    text.write_text(_with_prefixes(find_query("external-links", ROOT / "queries").text), encoding="utf-8")
    python = [sys.executable, "-c"]
    return rounds({
        "kg --help": ([str(BIN / "kg"), "--help"], None),
        "kg --version": ([str(BIN / "kg"), "--version"], None),
        "python -c pass": ([*python, "pass"], None),
        "python -c 'import pyoxigraph'": ([*python, "import pyoxigraph"], None),
        "kg query external-links": ([str(BIN / "kg"), "query", "external-links", "--format", "csv", "--store",
                                     str(store), "--queries", str(ROOT / "queries")], None),
        "pyoxigraph script, same query": (script(RAW_QUERY, str(store), str(text)), None),
    }, repeat, 60)


def _cell(record: dict, key: str = "wall") -> str:
    if key not in record:
        return f"> {record['timed_out_after']:.0f} (stopped)" if "timed_out_after" in record else "–"
    s = record[key]
    return f"{s['median']:.3f} ({s['min']:.3f}–{s['max']:.3f})" if s["median"] < 1 else \
        f"{s['median']:.2f} ({s['min']:.2f}–{s['max']:.2f})"


def report(results: dict) -> str:
    """Markdown tables: per size, every contender with its median and spread."""
    out = []
    for _, r in sorted(results.get("sizes", {}).items(), key=lambda kv: int(kv[0])):
        build = r["build"]["kg build"]
        out += [f"#### {r['triples']:,} triples ({r['files']} files), seconds, median (min–max) of "
                f"{build.get('wall', {}).get('n', 0)}", "",
                "| step | contender | whole process s | CPU s | its own work s |", "|---|---|---:|---:|---:|"]
        for group in GROUPS:
            for name, rec in r.get(group, {}).items():
                out.append(f"| {group} | {name} | {_cell(rec)} | {_cell(rec, 'cpu') if 'cpu' in rec else ''} | "
                           f"{_cell(rec, 'work') if 'work' in rec else ''} |")
        for step in ("load", "validate", "reason", "describe", "write", "link", "compact"):
            if step in build.get("steps", {}):
                s = build["steps"][step]
                out.append(f"| build | kg build: {step} step | | | {s['median']:.2f} ({s['min']:.2f}–{s['max']:.2f}) |")
        loads = [build_rec["wall"]["median"] for name, build_rec in r["build"].items()
                 if name != "kg build" and "wall" in build_rec]
        if loads and "wall" in build:
            fastest = min(loads)
            ratios = [f"full build / fastest raw load {build['wall']['median'] / fastest:.2f}x"]
            if "load" in build.get("steps", {}):
                ratios.append(f"load step / fastest raw load {build['steps']['load']['median'] / fastest:.2f}x")
            for step, rival in (("validate", "pySHACL"), ("reason", "owlrl"), ("reason", "HermiT")):
                theirs = r.get("check", {}).get(rival, {})
                if step in build.get("steps", {}) and "work" in theirs:
                    ratios.append(f"{step} step / {rival}'s own work "
                                  f"{build['steps'][step]['median'] / theirs['work']['median']:.3f}x")
            out += ["", "Ratios of medians: " + "; ".join(ratios) + ".", ""]
    out += _growth(results)
    if "cli" in results:
        c = results["cli"]
        out += ["#### The command line, seconds, median (min–max)", "", "| contender | whole process s | CPU s |",
                "|---|---:|---:|"]
        out += [f"| {name} | {_cell(rec)} | {_cell(rec, 'cpu') if 'cpu' in rec else ''} |" for name, rec in c.items()]
        ours, raw = c["kg query external-links"], c["pyoxigraph script, same query"]
        ratios = [f"{key} {ours[key]['median'] / raw[key]['median']:.2f}x" for key in ("wall", "cpu")
                  if key in ours and raw.get(key, {}).get("median")]
        out += ["", f"kg query / script: {'; '.join(ratios)}", ""]
    return "\n".join(out) + "\n"


def _growth(results: dict) -> list[str]:
    """Microseconds per triple of each build step at each size, and the largest size's over the smallest's."""
    sizes = sorted(((r["triples"], r["build"]["kg build"].get("steps", {})) for r in results.get("sizes", {}).values()),
                   key=lambda kv: kv[0])
    if len(sizes) < 2:
        return []
    steps = [s for s in ("load", "validate", "reason", "describe", "write", "compact")
             if all(s in st for _, st in sizes)]
    out = ["#### Per-triple cost of each step (µs per triple, medians)", "",
           "| step | " + " | ".join(f"{n:,}" for n, _ in sizes) + " | largest / smallest |",
           "|---|" + "---:|" * (len(sizes) + 1)]
    for step in steps:
        cost = [st[step]["median"] / n * 1e6 for n, st in sizes]
        ratio = f"{cost[-1] / cost[0]:.2f}x" if cost[0] else "–"
        out.append(f"| {step} | " + " | ".join(f"{c:.1f}" for c in cost) + f" | {ratio} |")
    return [*out, ""]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e4,1e5", help="comma-separated triple counts")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cli-repeat", type=int, default=15)
    parser.add_argument("--timeout", type=float, default=240, help="seconds before a contender is stopped")
    parser.add_argument("--work", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--report", action="store_true", help="only print the tables of --out")
    parser.add_argument("--groups", default=",".join(GROUPS),
                        help="which comparisons: build (the build against raw loads), check (pySHACL, owlrl, "
                             "HermiT), export; the command line is always measured")
    args = parser.parse_args(argv)
    if args.report:
        sys.stdout.write(report(json.loads(args.out.read_text())))
        return
    args.work.mkdir(parents=True, exist_ok=True)
    import compileall  # as an installed package runs: from bytecode (see benchmarks/__main__.py)

    compileall.compile_dir(ROOT / "kg", quiet=1)
    results: dict = {"sizes": {}, "load_average": os.getloadavg()}
    for size in (int(float(s)) for s in args.sizes.split(",")):
        print(f"size {size:,} ...", file=sys.stderr, flush=True)
        results["sizes"][str(size)] = bench_size(size, args.repeat, args.work, args.timeout,
                                                 tuple(args.groups.split(",")))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1, default=str))
    smallest = min(int(float(s)) for s in args.sizes.split(","))
    store = args.work / f"base-store-{smallest}" / "store"
    shutil.rmtree(store.parent, ignore_errors=True)
    run([str(BIN / "kg"), "build", "--project", str(args.work / f"corpus-{smallest}"), "--store", str(store),
         "--reasoner", "rules"], args.timeout)
    print("the command line ...", file=sys.stderr, flush=True)
    results["cli"] = bench_cli(store, args.cli_repeat, args.work)
    results["load_average_after"] = os.getloadavg()
    args.out.write_text(json.dumps(results, indent=1, default=str))
    sys.stdout.write(report(results))


if __name__ == "__main__":
    main()
