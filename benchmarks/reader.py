"""The story reader and ``kg report`` on one big story: is the reader interactive in under 1 s, and does the report
write in under 2 s, on a story of about 1,000 claims? A measurement to run by hand, not a timed test.

    python -m benchmarks.reader [--claims 1000] [--work /tmp/kg-reader-bench] [--repeat 3] [--no-reason] [--reuse]

Generates one story of ``benchmarks.corpus`` with enough rounds for ``--claims`` eventualities (7 a round), gives
it a ``so:Story`` node, builds it, then times (median of ``--repeat``): ``kg report`` as a command, and in Debian's
headless chromium the reader page of ``kg serve`` from navigation until it is ready (text, spans, filters, diagram
and timeline drawn) and the panel's opening on a click. Prints one JSON object. ``--no-reason`` builds without the
reasoner (the reader leaves the inferred graph out; the reasoner is most of the build's time on a busy machine);
``--reuse`` measures the store a previous run built in ``--work``. The first load of the page (the server computing the
story once for the build it serves) is reported apart from the median of the loads after it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.corpus import ROOT, actors, story, write_story

STORY_TTL = """@prefix so: <https://w3id.org/standoff/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix vann: <http://purl.org/vocab/vann/> .
@prefix s: <{base}> .
s:story a so:Story ; dcterms:title "A synthetic dispute of {claims} claims"@en ; so:hasDocument s:article ;
    vann:preferredNamespacePrefix "s" ; vann:preferredNamespaceUri "{base}" .
"""


def kg(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("KG_STORE", None)
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          check=True)


def make(work: Path, claims: int, reason: bool = True, reuse: bool = False) -> tuple[Path, int, int]:
    """The project of one story of about ``claims`` eventualities (:func:`write_project`), built into work/store
    (with ``reuse``, the store a previous run made: the story is the same, being generated from fixed seeds)."""
    if reuse and (work / "store").exists():
        return write_project(work, claims, write=False)
    made = write_project(work, claims)
    kg("build", "--store", str(work / "store"), "--project", str(work), *([] if reason else ["--no-reason"]), cwd=work)
    return made


def write_project(work: Path, claims: int, write: bool = True) -> tuple[Path, int, int]:
    """A project in ``work``: the ontology and one generated story; its folder, eventualities and spans (with
    ``write`` False, only those figures)."""
    import shutil

    from benchmarks.corpus import actors_turtle

    pool = actors(10, 7)
    st = story(1, pool, 7, rounds=max(1, round(claims / 7)))
    folder = work / "triples" / "story-00001"
    if write:
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(ROOT / "ontology", work / "ontology", ignore=shutil.ignore_patterns("examples", "*.md"))
        (work / "triples").mkdir(parents=True)
        # Shared actors sit beside the story folders, as in benchmarks.corpus: a folder under triples/ is a story's.
        (work / "triples" / "actors.ttl").write_text(actors_turtle(pool)[0], encoding="utf-8")
        write_story(folder, st)
        (folder / "story.ttl").write_text(STORY_TTL.format(base=st.prefix, claims=claims), encoding="utf-8")
    return folder, st.order, len(st.sentences)


def arguments(argv: list[str] | None, doc: str, work: str, repeat: int) -> argparse.Namespace:
    """--claims, --work and --repeat, as the one-story benchmarks take them."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=Path(work))
    parser.add_argument("--repeat", type=int, default=repeat)
    parser.add_argument("--no-reason", dest="reason", action="store_false", help="build without the reasoner")
    parser.add_argument("--reuse", action="store_true", help="measure the store a previous run built in --work")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv, __doc__, "/tmp/kg-reader-bench", 3)
    _, eventualities, spans = make(args.work, args.claims, args.reason, args.reuse)
    store = args.work / "store"
    report_s = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        kg("report", "story-00001", "-o", str(args.work / "report.html"), "--store", str(store), cwd=args.work)
        report_s.append(time.perf_counter() - start)

    sys.path.insert(0, str(ROOT / "tests"))
    from endpoints import CHROMIUM, CHROMIUM_ARGS, start_kg_serve, stop
    from playwright.sync_api import sync_playwright

    served = start_kg_serve(store.resolve(), cwd=args.work)  # `kg serve` finds the texts in the folder it runs in
    ready_s, panel_s, file_s = [], [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for run in range(args.repeat + 1):  # the first load computes the story for the build served
                page = browser.new_page()
                start = time.perf_counter()
                page.goto(served.page + "reader")
                page.wait_for_selector("body[data-ready]", timeout=60_000)
                assert page.locator("mark.hl[data-span]").count() == spans, "the texts were not found"
                ready_s.append(time.perf_counter() - start)
                if not run:
                    first_s = ready_s.pop()
                    page.close()
                    continue
                start = time.perf_counter()
                page.locator("mark.hl[data-span]").nth(500).click()
                page.wait_for_selector("#panel-quote")
                panel_s.append(time.perf_counter() - start)
                start = time.perf_counter()
                page.goto((args.work / "report.html").as_uri())
                page.wait_for_selector("body[data-ready]", timeout=60_000)
                file_s.append(time.perf_counter() - start)
                page.close()
            browser.close()
    finally:
        stop(served.process)
    print(json.dumps({"eventualities": eventualities, "spans": spans,
                      "report_bytes": (args.work / "report.html").stat().st_size,
                      "kg_report_s": round(statistics.median(report_s), 3),
                      "reader_first_ready_s": round(first_s, 3),
                      "reader_ready_s": round(statistics.median(ready_s), 3),
                      "panel_open_s": round(statistics.median(panel_s), 3),
                      "report_file_ready_s": round(statistics.median(file_s), 3)}, indent=1))


if __name__ == "__main__":
    main()
