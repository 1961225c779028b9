"""How this folder's expected files were derived from the hand-checked ones of the single-story project.

Run from the project root: ``python tests/expected/pentagon-anthropic/derive.py``. It reads the old files from
commit e44e4c8 (``tests/expected/*.csv``, checked by hand against the article) and writes this folder's files by
the changes below, each a consequence of the curators' change (commit d5f61b2) or of the queries' new columns:

- every query: a first column, the story (``__story_iri``, headed ``story`` as every output names a parameter
  by its public name), since every canned query now takes ``story``
  (linked-facts-remote: second, after its endpoint); shared-actors also names the other actor's story;
- four nodes became mentions (so:Mention) of an event the story tells as its own node: pa:barring-cnn of pa:ban,
  and pa:refusal-cnn, pa:refusal-weaken-protections and pa:refusal-letter of pa:refusal-deadline. A mention is not
  an eventuality, so their rows as events go (consequences, demands, hedged-claims, refusals, timeline), and what
  they said joins their event: claims-by-source lists each under its event with a ``mention`` column;
- the justifications that justified pa:refusal-letter now justify pa:refusal-deadline (reasons.ttl), so
  refusals gives pa:refusal-deadline those grounds too;
- so:narrativeOrder was renumbered 1..42 over the events (timeline);
- pa:ban is now also so:after pa:refusal-deadline (consequences.ttl), which adds two predecessors to pa:ban and
  to pa:precedent (so:after pa:ban) in timeline's ``earlier``;
- evidence names the document of each span and, for an event, its mentions' spans too (here pa:demand-deadline,
  which has none: ``mention`` is empty and ``source`` is the demand's own, pa:article).

The new files of this folder that have no old counterpart were written by hand: events.csv (the kinds of
acts.ttl, consequences.ttl, context.ttl, reasons.ttl, article.ttl and their mentions) and evidence-mentions.csv
(pa:refusal-deadline's span and its three mentions', offsets checked against article.txt).
"""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

from kg.results import header

PA = "https://w3id.org/standoff/id/pentagon-anthropic/"
STORY = PA + "story"
BEFORE = "e44e4c8"  # the last commit with the single-story expected files
HERE = Path(__file__).parent
# The four mentions and the event each reports.
MENTION_OF = {PA + "barring-cnn": PA + "ban", PA + "refusal-cnn": PA + "refusal-deadline",
              PA + "refusal-weaken-protections": PA + "refusal-deadline",
              PA + "refusal-letter": PA + "refusal-deadline"}
# so:narrativeOrder: the mentions' numbers (refusal-cnn 4, barring-cnn 5, refusal-weaken-protections 20,
# refusal-letter 32) leave the numbering; pa:refusal-deadline (9) is now first mentioned where CNN reports it (S2),
# so takes 4; every other event keeps its place, numbers closed up to 1..42.
VACATED = (5, 9, 20, 32)
# timeline's `earlier` that pa:ban so:after pa:refusal-deadline changes: pa:ban gains pa:refusal-deadline and
# pa:demand-deadline (1 -> 3); pa:precedent, after pa:ban, gains the same two (2 -> 4).
EARLIER = {PA + "ban": "3", PA + "precedent": "4"}


def old(name: str) -> tuple[list[str], list[list[str]]]:
    text = subprocess.run(["git", "show", f"{BEFORE}:tests/expected/{name}.csv"], capture_output=True, text=True,
                          check=True).stdout
    table = list(csv.reader(io.StringIO(text)))
    return table[0], table[1:]


def write(name: str, head: list[str], rows: list[list[str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([header(h) for h in head])  # the parameters' public names, as every output format shows them
    writer.writerows(rows)
    (HERE / f"{name}.csv").write_text(out.getvalue(), encoding="utf-8", newline="")


def with_story(name: str, drop: str | None = None) -> None:
    """Add the story column; with ``drop``, leave out the rows whose column ``drop`` names a mention."""
    head, rows = old(name)
    kept = [r for r in rows if drop is None or r[head.index(drop)] not in MENTION_OF]
    write(name, ["__story_iri", *head], [[STORY, *r] for r in kept])


def new_order(node: str, number: int) -> int:
    if node == PA + "refusal-deadline":
        number = 4
    return number - sum(1 for gone in VACATED if gone < number)


def main() -> None:
    for name in ("external-links", "linked-facts", "positions", "search"):
        with_story(name)
    head, rows = old("shared-actors")  # no rows: the other story is now named in a column of its own
    write("shared-actors", ["__story_iri", *head[:2], "otherStory", *head[2:]], [])
    with_story("consequences", drop="consequence")
    with_story("demands", drop="response")
    with_story("hedged-claims", drop="eventuality")

    head, rows = old("linked-facts-remote")  # the endpoint parameter stays first
    write("linked-facts-remote", [head[0], "__story_iri", *head[1:]], [[r[0], STORY, *r[1:]] for r in rows])

    head, rows = old("claims-by-source")
    moved = []
    for source, claim, quote in rows:
        event = MENTION_OF.get(claim)
        moved.append([STORY, source, event or claim, claim if event else "", quote])
    write("claims-by-source", ["__story_iri", "__source_iri", "claim", "mention", "quote"], sorted(moved))

    head, rows = old("evidence")  # _subject_iri,span,exact,start,end of pa:demand-deadline, told by pa:article
    write("evidence", ["__story_iri", "_subject_iri", "mention", "source", "span", "document", "exact", "start", "end"],
          [[STORY, subject, "", PA + "article", span, PA + "article", exact, start, end]
           for subject, span, exact, start, end in rows])

    head, rows = old("justifications")  # side,justification,reason,__act_iri,source
    act = head.index("__act_iri")
    justified = sorted({tuple([STORY, *r[:act], MENTION_OF.get(r[act], r[act]), *r[act + 1:]]) for r in rows})
    write("justifications", ["__story_iri", *head], [list(r) for r in justified])

    head, rows = old("refusals")  # refusal,__refuser_iri,refused,refusedLabel,source,ground
    grounds = sorted({r[3] for r in justified if r[4] == PA + "refusal-deadline"})
    refusals = {(STORY, *r) for r in rows if r[0] not in MENTION_OF}
    for r in [r for r in rows if r[0] == PA + "refusal-deadline"]:
        refusals |= {(STORY, *r[:5], ground) for ground in grounds}
    write("refusals", ["__story_iri", *head], [list(r) for r in sorted(refusals)])

    head, rows = old("timeline")  # eventuality,label,time,earlier,narrativeOrder
    events = [[STORY, e, label, time, EARLIER.get(e, earlier), str(new_order(e, int(order)))]
              for e, label, time, earlier, order in rows if e not in MENTION_OF]
    events.sort(key=lambda r: (r[3].endswith("#future"), int(r[4]), int(r[5])))
    write("timeline", ["__story_iri", *head], events)


if __name__ == "__main__":
    main()
