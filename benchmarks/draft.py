"""How close ``kg draft`` comes to the curated stories: ``python -m benchmarks.draft [--project .]`` (a table).

For every curated story (a folder of ``triples/`` with a ``story.ttl`` and curated claims), the drafter runs on
each text and its proposals are compared with the curated claims (eventualities and mentions, read from the
story's files with their quotes located in the text):

- claim-sentence recall and precision: sentences (the drafter's own segmentation) holding the first word of a
  curated claim's span, against sentences holding a drafted quote;
- matched claims: in each sentence, drafted and curated claims paired one to one by how many characters their
  quotes share (most first); on the pairs: kind accuracy (curated class mapped to the drafter's kinds; a
  mention takes its event's class), CAMEO root-family accuracy (first two digits; claims without a code left
  out), certainty accuracy, attribution accuracy (both the document, or the same actor: the drafted actor's
  name shares a word with the curated source's name, or with the name of the agent of the curated
  communication);
- quotes in text: each drafted quote, with the oa:prefix/oa:suffix draft.ttl gives it, found in its text exactly
  once and at the drafted place (must be 100%);
- over-generation: drafted claims per curated claim.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.draft import RuleDrafter, selector, sentences, story_texts
from kg.evidence import locate
from kg.vocab import PREFIXES

SO, RDFS, OA = PREFIXES["so"], PREFIXES["rdfs"], PREFIXES["oa"]
KIND_OF_CLASS = {
    "Demand": "demand", "Ultimatum": "demand", "Refusal": "refusal", "Proposal": "proposal", "Threat": "threat",
    "Consequence": "consequence", "Ban": "consequence", "Exclusion": "consequence", "Blacklisting": "consequence",
    "Precedent": "consequence", "PolicyChange": "consequence", "Justification": "justification",
    "LegalAction": "legal", "LegalChallenge": "legal", "Appeal": "legal", "JudicialOrder": "legal",
    "NewsReport": "report", "Statement": "statement", "Letter": "statement", "Post": "statement",
    "Communication": "statement", "State": "state", "Act": "act",
}
# Checked from most to least specific: the first class of a claim found here gives its kind.
SPECIFIC = ["Ultimatum", "Letter", "Post", "NewsReport", "Statement", "Appeal", "LegalChallenge", "JudicialOrder",
            "LegalAction", "Ban", "Exclusion", "Blacklisting", "Precedent", "PolicyChange", "Demand", "Refusal",
            "Proposal", "Threat", "Justification", "Communication", "Consequence", "State", "Act"]
# A drafted report and a drafted statement are both communications: kinds are compared by family.
FAMILY = {"report": "communication", "statement": "communication"}


@dataclass
class Curated:
    node: str
    kind: str | None
    cameo: str | None
    certainty: str | None
    source: str  # "document" or the names (lower case) of who asserts it
    spans: list[tuple[str, int, int]]  # document, start, end


def curated_claims(project: Path, slug: str, texts: dict[str, str]) -> list[Curated]:
    """The story's eventualities and mentions, read from its curated files, with their quotes located."""
    store = ox.Store()
    folder = project / "triples" / slug
    for path in sorted(folder.glob("*.ttl")):
        if path.name != "draft.ttl":
            store.load(path=path, format=ox.RdfFormat.TURTLE)
    ns = story_texts(project, slug).namespace

    def objects(node: ox.Term, prop: str) -> list[ox.Term]:
        return [q.object for q in store.quads_for_pattern(node, ox.NamedNode(prop), None)]  # type: ignore[arg-type]

    def names(node: ox.Term) -> set[str]:
        found = {o.value.lower() for o in objects(node, RDFS + "label")}
        for agent in objects(node, SO + "hasAgent"):
            found |= {o.value.lower() for o in objects(agent, RDFS + "label")}
        return found

    out = []
    typed: dict[ox.Term, set[str]] = {}
    for quad in store.quads_for_pattern(None, ox.NamedNode(PREFIXES["rdf"] + "type"), None):
        if quad.object.value.startswith(SO):
            typed.setdefault(quad.subject, set()).add(quad.object.value[len(SO):])
    for node, classes in typed.items():
        is_mention = "Mention" in classes
        if not is_mention and not classes & set(KIND_OF_CLASS):
            continue
        event = objects(node, SO + "mentionOf")[0] if is_mention else node
        event_classes = typed.get(event, set())
        kind = next((KIND_OF_CLASS[c] for c in SPECIFIC if c in event_classes), None)
        codes = objects(event, SO + "cameoCode")
        certainty = objects(node, SO + "certainty")
        attributed = objects(node, SO + "attributedTo")
        source = "document" if attributed and "SourceDocument" in typed.get(attributed[0], set()) else \
            " ; ".join(sorted(names(attributed[0]))) if attributed else "?"
        spans = []
        for span in objects(node, SO + "hasEvidence"):
            doc = objects(span, OA + "hasSource")[0].value.removeprefix(ns)
            for sel in objects(span, OA + "hasSelector"):
                exact = objects(sel, OA + "exact")
                if exact and doc in texts:
                    prefix = [o.value for o in objects(sel, OA + "prefix")]
                    suffix = [o.value for o in objects(sel, OA + "suffix")]
                    hits = locate(texts[doc], exact[0].value, prefix[0] if prefix else "", suffix[0] if suffix else "")
                    spans.extend((doc, h.start, h.end) for h in hits[:1])
        out.append(Curated(node.value, kind, codes[0].value.rsplit("/", 1)[1] if codes else None,
                           certainty[0].value.removeprefix(SO) if certainty else None, source, spans))
    return out


def _sentence_of(bounds: list[tuple[int, int]], offset: int) -> int:
    return next((n for n, (s, e) in enumerate(bounds) if s <= offset < e), -1)


def _same_source(drafted: str, curated: str) -> bool:
    if drafted == "document" or curated == "document":
        return drafted == curated
    words = {w for w in re.findall(r"[a-z]{3,}", curated) if w not in ("the", "and", "of")}
    return bool(words & set(re.findall(r"[a-z]{3,}", drafted)))


def score_story(project: Path, slug: str) -> dict[str, float]:
    """The scores of the drafter against one curated story."""
    story = story_texts(project, slug)
    texts = {doc: path.read_text(encoding="utf-8") for doc, path in story.documents}
    curated = [c for c in curated_claims(project, slug, texts) if c.spans]
    drafter = RuleDrafter()
    counts = dict.fromkeys(("cur_sent", "dr_sent", "both_sent", "pairs", "kind", "cameo_n", "cameo", "certainty",
                            "attribution", "drafted", "curated", "in_text"), 0)
    for doc, text in texts.items():
        drafted = drafter.draft(text)
        bounds = sentences(text)
        actor_names = {a.key: a.label.lower() for a in drafted.actors}
        cur_by_sentence: dict[int, list[tuple[Curated, list[tuple[int, int]]]]] = {}
        for c in curated:
            mine = [(s, e) for d, s, e in c.spans if d == doc]
            for n in {_sentence_of(bounds, s) for s, _ in mine}:
                cur_by_sentence.setdefault(n, []).append((c, [(s, e) for s, e in mine if _sentence_of(bounds, s) == n]))
        dr_by_sentence: dict[int, list] = {}
        for claim in drafted.claims:
            hits = locate(text, *selector(text, claim.start, claim.end))  # as draft.ttl writes it
            counts["in_text"] += claim.end > claim.start and [(h.start, h.end) for h in hits] == [(claim.start,
                                                                                                   claim.end)]
            dr_by_sentence.setdefault(_sentence_of(bounds, claim.start), []).append(claim)
        counts["drafted"] += len(drafted.claims)
        counts["cur_sent"] += len(cur_by_sentence)
        counts["dr_sent"] += len(dr_by_sentence)
        counts["both_sent"] += len(set(cur_by_sentence) & set(dr_by_sentence))
        for n, claims in dr_by_sentence.items():
            options = []
            for claim in claims:
                for c, spans in cur_by_sentence.get(n, []):
                    overlap = sum(max(0, min(e, claim.end) - max(s, claim.start)) for s, e in spans)
                    options.append((-overlap, min(s for s, _ in spans), id(claim), claim, c))
            taken_d: set[int] = set()
            taken_c: set[str] = set()
            for *_, claim, c in sorted(options, key=lambda o: o[:3]):
                if id(claim) in taken_d or c.node in taken_c:
                    continue
                taken_d.add(id(claim))
                taken_c.add(c.node)
                counts["pairs"] += 1
                counts["kind"] += FAMILY.get(claim.kind, claim.kind) == FAMILY.get(c.kind or "", c.kind)
                if c.cameo:
                    counts["cameo_n"] += 1
                    counts["cameo"] += (claim.cameo or "")[:2] == c.cameo[:2]
                counts["certainty"] += claim.certainty == c.certainty
                source = actor_names.get(claim.attribution or "", "document") if claim.attribution else "document"
                counts["attribution"] += _same_source(source, c.source)
    counts["curated"] = len(curated)
    return {
        "claim-sentence recall": counts["both_sent"] / max(1, counts["cur_sent"]),
        "claim-sentence precision": counts["both_sent"] / max(1, counts["dr_sent"]),
        "kind accuracy": counts["kind"] / max(1, counts["pairs"]),
        "CAMEO root-family accuracy": counts["cameo"] / max(1, counts["cameo_n"]),
        "certainty accuracy": counts["certainty"] / max(1, counts["pairs"]),
        "attribution accuracy": counts["attribution"] / max(1, counts["pairs"]),
        "drafted quotes in the text": counts["in_text"] / max(1, counts["drafted"]),
        "over-generation (drafted per curated claim)": counts["drafted"] / max(1, counts["curated"]),
        "matched claims": counts["pairs"], "curated claims": counts["curated"], "drafted claims": counts["drafted"],
    }


def curated_stories(project: Path) -> list[str]:
    """Stories with curated claims: a story.ttl and at least one other Turtle file besides the drafts."""
    return sorted(p.parent.name for p in (project / "triples").glob("*/story.ttl")
                  if any(f.name not in ("story.ttl", "draft.ttl", "documents.ttl", "claims.ttl")
                         for f in p.parent.glob("*.ttl")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--project", type=Path, default=Path("."))
    args = parser.parse_args(argv)
    stories = curated_stories(args.project)
    scores = {slug: score_story(args.project, slug) for slug in stories}
    metrics = list(next(iter(scores.values())))
    print("| measure | " + " | ".join(stories) + " |")
    print("|---|" + "---:|" * len(stories))
    for metric in metrics:
        cells = [f"{scores[s][metric]:.2f}" if isinstance(scores[s][metric], float) else str(scores[s][metric])
                 for s in stories]
        print(f"| {metric} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
