"""Curate mode on one big story: how long the curate page's data (the story's graph checked, drafts anchored) and a
save (the claim checked on the story's graph as ``kg build`` checks it, then written) take. A measurement to run by
hand, not a timed test.

    python -m benchmarks.curate [--claims 1000] [--work /tmp/kg-curate-bench] [--repeat 5]

Writes the story of :mod:`benchmarks.reader` (``benchmarks.corpus``, about ``--claims`` eventualities), then
times with the library (median of ``--repeat``): :meth:`kg.curate_web.CurateSite.view`, what ``/curate/story.json``
answers, and :func:`kg.curate.save_claim` of a new actor quoting the text's first words, undone after each run so
every save meets the same file. Prints one JSON object.
"""

from __future__ import annotations

import json
import statistics
import time

from benchmarks.reader import arguments, write_project


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv, __doc__, "/tmp/kg-curate-bench", 5)
    folder, eventualities, spans = write_project(args.work, args.claims)

    from kg import curate
    from kg.curate_web import CurateSite

    slug = folder.name
    site = CurateSite(args.work)
    view_s, save_s = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        data = site.view(slug)
        view_s.append(time.perf_counter() - start)
    assert len(data["spans"]) == spans and not data["violations"], data["violations"][:3]
    doc = data["documents"][0]
    words = len(doc["text"].split(" ", 2)[0])  # the text's first word, as a selection would give it
    for _ in range(args.repeat):
        start = time.perf_counter()
        outcome = curate.save_claim(args.work, slug, {"mode": "actor", "doc": doc["iri"], "start": 0, "end": words,
                                                      "kind": curate.SO + "Organization", "key": "bench-actor"},
                                    curate.versions(args.work, slug))
        save_s.append(time.perf_counter() - start)
        assert outcome.saved is not None, outcome.violations[:3]
        curate.undo(args.work, outcome.saved)
    print(json.dumps({"eventualities": eventualities, "spans": spans,
                      "curate_view_s": round(statistics.median(view_s), 3),
                      "save_s": round(statistics.median(save_s), 3)}, indent=1))


if __name__ == "__main__":
    main()
