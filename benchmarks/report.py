"""Tables (Markdown) and a plot (SVG) from benchmarks/results/results.json: ``python -m benchmarks.report``."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "results.json"
PLOT = Path(__file__).resolve().parent / "time-vs-size.svg"


def _num(record: dict, key: str, spec: str) -> str:
    """A figure, or a dash where the run did not measure it (a build-only size has no raw side)."""
    return format(record[key], spec) if key in record else "–"


def tables(runs: dict) -> str:
    m = runs["machine"]
    out = [f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; Python {m['python']}, "
           f"pyoxigraph {m['pyoxigraph']}; {m['os']}.\n",
           "| triples | kg build s | bulk_load s | build/raw throughput | kg peak MB | raw peak MB | "
           "oxigraph load s | validate µs/triple | reason µs/triple |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    sizes = sorted(runs["sizes"].items(), key=lambda kv: kv[1]["build"]["triples"])
    for _, r in sizes:
        b = r["build"]
        out.append(f"| {b['triples']:,} | {b['kg_seconds']:.2f} | {_num(b, 'raw_seconds', '.2f')} | "
                   f"{_num(b, 'ratio', '.2f')} | {b['kg_peak_mb']:.0f} | {_num(b, 'raw_peak_mb', '.0f')} | "
                   f"{_num(b, 'oxigraph_load_seconds', '.2f')} | "
                   f"{b['steps'].get('validate', 0) / b['triples'] * 1e6:.1f} | "
                   f"{b['steps'].get('reason', 0) / b['triples'] * 1e6:.1f} |")
    out += ["", "| triples | export | kg s | Store.dump s | throughput ratio | kg peak MB | dump peak MB |",
            "|---:|---|---:|---:|---:|---:|---:|"]
    for _, r in sizes:
        for fmt, e in r.get("export", {}).items():
            out.append(f"| {r['build']['triples']:,} | {fmt} (vs {e['against']}) | {e['kg_seconds']:.2f} | "
                       f"{e['raw_seconds']:.2f} | {e['ratio']:.2f} | {e['kg_peak_mb']:.0f} | {e['raw_peak_mb']:.0f} |")
    out += ["", "| triples | query | kg query s | pyoxigraph script s | ratio | query latency ms |",
            "|---:|---|---:|---:|---:|---:|"]
    for _, r in sizes:
        for name, q in sorted(r.get("queries", {}).items()):
            out.append(f"| {r['build']['triples']:,} | {name} | {q['kg_seconds']:.2f} | {q['raw_seconds']:.2f} | "
                       f"{q['ratio']:.2f} | {q['query_latency_seconds'] * 1000:.1f} |")
    if runs.get("link"):
        out += ["", "| entities | dataset triples | `kg link add` s | `kg link discover` s | add + discover s | "
                "bulk_load s | (add + discover) / bulk_load | add / discover / bulk_load peak MB | "
                "links (true targets) |", "|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
        for _, r in sorted(runs["link"].items(), key=lambda kv: kv[1]["entities"]):
            out.append(f"| {r['entities']:,} | {r['triples']:,} | {r['add_seconds']:.2f} | "
                       f"{r['discover_seconds']:.2f} | {r['kg_seconds']:.2f} | {r['raw_seconds']:.2f} | "
                       f"{r['ratio']:.1f}x | {r['add_peak_mb']:,.0f} / {r['discover_peak_mb']:,.0f} / "
                       f"{r['raw_peak_mb']:,.0f} | {r['links']} ({r['targets']}) |")
    return "\n".join(out) + "\n"


def plot(runs: dict, path: Path = PLOT) -> None:
    """Seconds against triples, log-log: kg build, bulk_load, export N-Quads, Store.dump."""
    series: dict[str, list[tuple[float, float]]] = {"kg build": [], "Store.bulk_load": [], "kg export nquads": [],
                                                     "Store.dump nquads": []}
    for r in runs["sizes"].values():
        n = r["build"]["triples"]
        series["kg build"].append((n, r["build"]["kg_seconds"]))
        if "raw_seconds" in r["build"]:
            series["Store.bulk_load"].append((n, r["build"]["raw_seconds"]))
        if "export" in r:
            series["kg export nquads"].append((n, r["export"]["nquads"]["kg_seconds"]))
            series["Store.dump nquads"].append((n, r["export"]["nquads"]["raw_seconds"]))
    points = [p for s in series.values() for p in s]
    if not points:
        return
    lx = [math.log10(x) for x, _ in points]
    ly = [math.log10(max(y, 1e-3)) for _, y in points]
    x0, x1, y0, y1 = min(lx), max(lx) + 1e-9, min(ly), max(ly) + 1e-9
    w, h, pad = 640, 400, 60

    def xy(x: float, y: float) -> tuple[float, float]:
        return (pad + (math.log10(x) - x0) / (x1 - x0) * (w - 2 * pad),
                h - pad - (math.log10(max(y, 1e-3)) - y0) / (y1 - y0) * (h - 2 * pad))

    colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" '
             'font-size="12">', f'<rect width="{w}" height="{h}" fill="white"/>',
             f'<text x="{w / 2}" y="20" text-anchor="middle">seconds against triples (log-log)</text>',
             f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="black"/>',
             f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h - pad}" stroke="black"/>']
    for e in range(math.floor(x0), math.ceil(x1) + 1):
        if x0 <= e <= x1:
            px, _ = xy(10 ** e, 1)
            parts.append(f'<text x="{px}" y="{h - pad + 16}" text-anchor="middle">1e{e}</text>')
    for e in range(math.floor(y0), math.ceil(y1) + 1):
        if y0 <= e <= y1:
            _, py = xy(10 ** x0, 10 ** e)
            parts.append(f'<text x="{pad - 6}" y="{py + 4}" text-anchor="end">{10 ** e:g} s</text>')
    for i, (name, pts) in enumerate(series.items()):
        pts = sorted(pts)
        if not pts:
            continue
        coords = " ".join(f"{a:.1f},{b:.1f}" for a, b in (xy(x, y) for x, y in pts))
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{colours[i]}" stroke-width="2"/>')
        parts.append(f'<text x="{w - pad - 150}" y="{pad + 16 * i}" fill="{colours[i]}">{name}</text>')
    parts.append("</svg>")
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS
    runs = json.loads(path.read_text())
    print(tables(runs))
    plot(runs)


if __name__ == "__main__":
    main()
