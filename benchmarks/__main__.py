"""Benchmarks that hold ``kg`` close to the engine: ``python -m benchmarks [--sizes 1e3,1e5,1e6] [--repeat 3]``.

For each size it generates the synthetic corpus (benchmarks/corpus.py) and times, alternating both sides in the
same run, each in a fresh process (wall time, and peak RSS from ``/usr/bin/time``):
- ``kg build`` against a minimal pyoxigraph ``Store.bulk_load`` of the same files (and ``oxigraph load``);
- the validate and reason steps alone (seconds per triple, from the build's own step timings);
- each canned query through ``kg query`` against a minimal pyoxigraph script running the same text on the same
  store (process wall time, and the query's own latency inside the script);
- ``kg export`` (N-Quads, Turtle) against ``Store.dump`` (N-Quads, TriG);
- ``kg link add`` + ``kg link discover`` on a built 10^3 corpus store against a generated external dataset of
  10^5 and 10^6 entities (benchmarks/entities.py), against a pyoxigraph ``bulk_load`` of the same file.
Results go to ``benchmarks/results/results.json`` (one record per measurement, medians and ratios). The table in
BENCHMARKS.md is written from it with ``python -m benchmarks --report``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import generate
from benchmarks.entities import generate_entities

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results" / "results.json"
# Above this size only the build is timed, once: at 10^7 one build takes about 25 minutes here, and the raw
# per-file bulk load, the queries and the exports alternated three times would take hours.
BUILD_ONLY_ABOVE = 1_000_000
DATA = ROOT / "benchmarks" / "data"
RAW_LOAD = """
import sys, pyoxigraph as ox
from pathlib import Path
project, store = Path(sys.argv[1]), sys.argv[2]
db = ox.Store(store)
G = "https://w3id.org/standoff/graph/"
for folder in ("ontology", "triples"):
    for f in sorted((project / folder).rglob("*.ttl")):
        db.bulk_load(path=str(f), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(G + str(f.relative_to(project))))
db.flush()
"""
RAW_QUERY = """
import sys, time, pyoxigraph as ox
db = ox.Store.read_only(sys.argv[1])
text = open(sys.argv[2], encoding="utf-8").read()
subs = {ox.Variable(k): ox.NamedNode(v) for k, v in (a.split("=", 1) for a in sys.argv[3:])}
began = time.perf_counter()
rows = db.query(text, use_default_graph_as_union=True, substitutions=subs or None)
out = rows.serialize(format=ox.QueryResultsFormat.CSV)
print(time.perf_counter() - began, file=sys.stderr)
sys.stdout.buffer.write(out or b"")
"""
RAW_LINK_LOAD = """
import sys, pyoxigraph as ox
db = ox.Store(sys.argv[2])
db.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES,
             to_graph=ox.NamedNode("https://w3id.org/standoff/graph/link/kb"))
db.flush()
"""
RAW_DUMP = """
import sys, pyoxigraph as ox
db = ox.Store.read_only(sys.argv[1])
fmt = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}[sys.argv[3]]
with open(sys.argv[2], "wb") as out:
    db.dump(out, format=fmt)
"""


def timed(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, float | str]:
    """Run ``cmd`` in a fresh process under /usr/bin/time: wall seconds, peak RSS (MB), stderr."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as stats:
        began = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", stats.name, *cmd], capture_output=True,
                              text=True, env={**os.environ, **(env or {})})
        wall = time.perf_counter() - began
        peak = int(stats.read().strip().splitlines()[-1]) / 1024
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    return {"seconds": wall, "peak_mb": peak, "stderr": done.stderr}


def script(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", code, *args]


def _steps(stderr: str) -> dict[str, float]:
    out = {}
    for line in stderr.splitlines():
        m = re.match(r"^\s+(\w+)\s+.*\(([\d.]+) s\)$", line)
        if m:
            out[m[1]] = float(m[2])
    return out


def _triples(stderr: str) -> int:
    m = re.search(r"load\s+\d+ files, ([\d,]+) triples", stderr)
    return int(m[1].replace(",", "")) if m else 0


def alternate(a: list[str], b: list[str], repeat: int, before=None) -> tuple[list[dict], list[dict]]:
    """Run a and b alternately ``repeat`` times (``before`` runs first each time, e.g. to clear a store)."""
    ra, rb = [], []
    for _ in range(repeat):
        for cmd, out in ((a, ra), (b, rb)):
            if before:
                before()
            out.append(timed(cmd))
    return ra, rb


def med(runs: list[dict], key: str = "seconds") -> float:
    return statistics.median(float(r[key]) for r in runs)


def bench_size(size: int, repeat: int, work: Path, queries: bool = True, reasoner: str = "rules") -> dict:
    project = work / f"corpus-{size}"
    began = time.perf_counter()
    corpus = generate(project, size)
    corpus["generate_seconds"] = time.perf_counter() - began
    store, raw = work / f"store-{size}" / "store", work / f"raw-{size}"
    result: dict = {"size": size, "corpus": corpus}

    def clear() -> None:
        shutil.rmtree(store.parent, ignore_errors=True)
        shutil.rmtree(raw, ignore_errors=True)

    kg = [str(BIN / "kg"), "build", "--project", str(project), "--store", str(store), "--reasoner", reasoner]
    builds, loads = alternate(kg, script(RAW_LOAD, str(project), str(raw)), repeat, clear)
    triples = _triples(builds[0]["stderr"])
    steps = {k: statistics.median(_steps(r["stderr"]).get(k, 0.0) for r in builds)
             for k in ("load", "validate", "reason", "describe", "link", "compact")}
    result["build"] = {
        "triples": triples, "kg_seconds": med(builds), "raw_seconds": med(loads),
        "kg_peak_mb": med(builds, "peak_mb"), "raw_peak_mb": med(loads, "peak_mb"),
        "kg_triples_per_s": triples / med(builds), "raw_triples_per_s": triples / med(loads),
        "ratio": med(loads) / med(builds), "steps": steps,
        "validate_us_per_triple": steps["validate"] / triples * 1e6,
        "reason_us_per_triple": steps["reason"] / triples * 1e6,
    }
    cli = work / f"cli-{size}"
    shutil.rmtree(cli, ignore_errors=True)
    files = [str(f) for f in sorted(project.rglob("*.ttl"))]
    one = timed([str(BIN / "oxigraph"), "load", "--location", str(cli), "--file", *files])
    result["build"]["oxigraph_load_seconds"] = one["seconds"]
    result["build"]["oxigraph_load_peak_mb"] = one["peak_mb"]
    shutil.rmtree(cli, ignore_errors=True)
    # Leave a built store for the read-side benchmarks.
    shutil.rmtree(store.parent, ignore_errors=True)
    timed(kg)
    if queries:
        result["queries"] = bench_queries(store, repeat)
    result["export"] = bench_export(store, work, repeat, triples)
    return result


def _query_params() -> dict[str, dict[str, str]]:
    """A parameter value for the canned queries that need one: story 1's nodes exist at every size."""
    s = "https://w3id.org/standoff/id/bench-00001/"
    return {"demands": {"act": s + "demand-1"}, "evidence": {"subject": s + "demand-1"},
            "justifications": {"act": s + "refusal-1"}, "consequences": {"target": "https://w3id.org/standoff/id/bench-actors/actor-1"},
            "search": {"text": "deadline"}}


def bench_queries(store: Path, repeat: int) -> dict:
    from kg.queries import find_query, list_queries

    out = {}
    params = _query_params()
    for q in list_queries(ROOT / "queries"):
        given = params.get(q.name, {})
        if any(p.required and p.name not in given for p in q.params) or q.name.endswith("-remote"):
            continue
        kg = [str(BIN / "kg"), "query", q.name, "--store", str(store), "--format", "csv",
              "--queries", str(ROOT / "queries")] + [a for k, v in given.items() for a in ("--param", f"{k}={v}")]
        query = find_query(q.name, ROOT / "queries")
        subs = [f"{p.variable}={given[p.name]}" for p in query.params if p.name in given and p.type == "iri"]
        if any(p.type != "iri" for p in query.params if p.name in given):
            continue
        text = _with_prefixes(query.text)
        with tempfile.NamedTemporaryFile("w", suffix=".rq", delete=False) as f:
            f.write(text)
        ours, raw = alternate(kg, script(RAW_QUERY, str(store), f.name, *subs), repeat)
        latency = statistics.median(float(r["stderr"].strip().splitlines()[-1]) for r in raw)
        out[q.name] = {"kg_seconds": med(ours), "raw_seconds": med(raw), "ratio": med(ours) / med(raw),
                       "query_latency_seconds": latency}
        os.unlink(f.name)
    return out


def _with_prefixes(text: str) -> str:
    from kg.vocab import PREFIXES

    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items()) + text


def bench_export(store: Path, work: Path, repeat: int, triples: int) -> dict:
    out = {}
    target = work / "export.out"
    for ours_fmt, raw_fmt in (("nquads", "nquads"), ("turtle", "trig")):
        kg = [str(BIN / "kg"), "export", "--format", ours_fmt, "--store", str(store), "-o", str(target)]
        ours, raw = alternate(kg, script(RAW_DUMP, str(store), str(target), raw_fmt), repeat)
        out[ours_fmt] = {"kg_seconds": med(ours), "raw_seconds": med(raw), "ratio": med(raw) / med(ours),
                         "kg_peak_mb": med(ours, "peak_mb"), "raw_peak_mb": med(raw, "peak_mb"),
                         "kg_triples_per_s": triples / med(ours), "raw_triples_per_s": triples / med(raw),
                         "against": f"Store.dump {raw_fmt}"}
    target.unlink(missing_ok=True)
    return out


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    import pyoxigraph

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem, "python": platform.python_version(),
            "pyoxigraph": pyoxigraph.__version__, "os": platform.platform()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e3,1e5,1e6", help="comma-separated triple counts")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=DATA, help="where corpora and stores go (large)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--build-only", action="store_true",
                        help=f"only the build, one run (sizes above {BUILD_ONLY_ABOVE:,} always are)")
    parser.add_argument("--reasoner", default="rules", help="rules, or hermit (the rules cross-checked by HermiT)")
    parser.add_argument("--link-entities", default="1e5,1e6",
                        help="comma-separated entity counts for the `kg link` benchmark (empty: skip it)")
    parser.add_argument("--link-only", action="store_true", help="only the `kg link` benchmark")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    # Time `kg` as an installed package runs: from compiled bytecode. An editable install has none until a run
    # writes it, and where PYTHONDONTWRITEBYTECODE is set no run does, so every `kg` process would compile its
    # modules again (about 13 ms, a third of a one-millisecond query's whole run).
    import compileall

    compileall.compile_dir(ROOT / "kg", quiet=1)
    runs = json.loads(args.out.read_text()) if args.out.exists() else {"machine": machine(), "sizes": {}}
    runs["machine"] = machine()
    for size in ([] if args.link_only else (int(float(s)) for s in args.sizes.split(","))):
        print(f"size {size:,} ...", file=sys.stderr, flush=True)
        if args.build_only or size > BUILD_ONLY_ABOVE:
            result = bench_build_only(size, args.work, args.reasoner)
        else:
            result = bench_size(size, args.repeat, args.work, reasoner=args.reasoner)
        runs["sizes"][f"{size}{'-' + args.reasoner if args.reasoner != 'rules' else ''}"] = result
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(runs, indent=1, sort_keys=True, default=str))
        print(json.dumps({k: v for k, v in result.items() if k != "queries"}, indent=1, default=str), file=sys.stderr)
    for n in (int(float(s)) for s in args.link_entities.split(",") if s.strip()):
        print(f"kg link against {n:,} entities ...", file=sys.stderr, flush=True)
        result = bench_link(n, args.repeat, args.work)
        runs.setdefault("link", {})[str(n)] = result
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(runs, indent=1, sort_keys=True, default=str))
        print(json.dumps(result, indent=1, default=str), file=sys.stderr)


def bench_link(entities: int, repeat: int, work: Path, corpus_size: int = 1000) -> dict:
    """``kg link add`` then ``kg link discover`` on a freshly built store of the ``corpus_size`` corpus, against a
    generated dataset of ``entities`` entities; the raw side ``bulk_load``s the same file into a fresh store."""
    project = work / f"corpus-{corpus_size}"
    generate(project, corpus_size)
    kb = work / f"link-kb-{entities}.nt"
    began = time.perf_counter()
    info = generate_entities(kb, entities, corpus_size)
    info["generate_seconds"] = time.perf_counter() - began
    store, raw = work / f"link-store-{entities}" / "store", work / f"link-raw-{entities}"
    build = [str(BIN / "kg"), "build", "--project", str(project), "--store", str(store), "--reasoner", "rules"]
    add = [str(BIN / "kg"), "link", "add", str(kb), "--name", "kb", "--store", str(store)]
    discover = [str(BIN / "kg"), "link", "discover", "--with", "kb", "--store", str(store)]
    adds, discovers, raws = [], [], []
    for _ in range(repeat):
        shutil.rmtree(store.parent, ignore_errors=True)  # the store and its sidecar (store.links) go together
        timed(build)
        adds.append(timed(add))
        discovers.append(timed(discover))
        shutil.rmtree(raw, ignore_errors=True)
        raws.append(timed(script(RAW_LINK_LOAD, str(kb), str(raw))))
    shutil.rmtree(raw, ignore_errors=True)
    shutil.rmtree(store.parent, ignore_errors=True)
    m = re.search(r"(\d+) links written", str(discovers[-1]["stderr"]))
    total = statistics.median(float(a["seconds"]) + float(d["seconds"]) for a, d in zip(adds, discovers, strict=True))
    return {"entities": info["entities"], "triples": info["triples"], "targets": info["targets"],
            "links": int(m[1]) if m else -1, "generate_seconds": info["generate_seconds"],
            "add_seconds": med(adds), "discover_seconds": med(discovers), "kg_seconds": total,
            "raw_seconds": med(raws), "ratio": total / med(raws),
            "add_peak_mb": med(adds, "peak_mb"), "discover_peak_mb": med(discovers, "peak_mb"),
            "raw_peak_mb": med(raws, "peak_mb"),
            "discover_us_per_entity": med(discovers) / info["entities"] * 1e6}


def bench_build_only(size: int, work: Path, reasoner: str) -> dict:
    """One build at ``size`` (no alternation): what happens at 10^7 on this machine."""
    project = work / f"corpus-{size}"
    corpus = generate(project, size)
    store = work / f"store-{size}" / "store"
    shutil.rmtree(store.parent, ignore_errors=True)
    run = timed([str(BIN / "kg"), "build", "--project", str(project), "--store", str(store), "--reasoner", reasoner])
    triples = _triples(str(run["stderr"]))
    result = {"size": size, "corpus": corpus, "build": {"triples": triples, "kg_seconds": run["seconds"],
              "kg_peak_mb": run["peak_mb"], "steps": _steps(str(run["stderr"])),
              "kg_triples_per_s": triples / float(run["seconds"])}}
    shutil.rmtree(store.parent, ignore_errors=True)
    return result


if __name__ == "__main__":
    main()
