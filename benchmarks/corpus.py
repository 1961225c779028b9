"""A deterministic corpus of synthetic dispute stories, in the manner of LUBM and BSBM: seed plus scale factor.

    python -m benchmarks.corpus /tmp/corpus --triples 1000000 [--seed 7]

Writes a project folder that ``kg build --project`` reads: ``ontology/`` (a copy of ours), ``triples/actors.ttl``
(actors shared across stories, so in no story's folder) and ``triples/story-NNNNN/`` per story, each with its
generated source text ``article.txt``, its ``story.ttl`` (the so:Story node: title, document, prefix ``sNNNNN``
and namespace) and three Turtle files (the article and its news reports, the acts, the consequences). Every
story follows the ontology and passes the shapes: demands with requested changes and deadlines, proposals,
refusals, threats with conditions, consequences, justifications, news reports, each with evidence spans quoting
the generated text, attribution, factuality, a CAMEO code and sequence links (``so:after``, ``so:respondsTo``,
``so:escalates``). Story ``k`` is the same bytes whatever the scale (its random stream is seeded by ``seed`` and
``k``), so a bigger corpus contains the smaller one, and the same arguments always give the same files.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_NS = "https://w3id.org/standoff/id/"
PREFIXES = """@prefix so:     <https://w3id.org/standoff/ontology#> .
@prefix cameo:  <https://w3id.org/standoff/cameo/> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov:   <http://www.w3.org/ns/prov#> .
@prefix oa:     <http://www.w3.org/ns/oa#> .
@prefix schema: <http://schema.org/> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix org:    <http://www.w3.org/ns/org#> .
@prefix ac:     <https://w3id.org/standoff/id/bench-actors/> .
"""
# Rounds of a story: each adds about 170 triples (a story of 6 rounds is about the article's 1,000).
ROUNDS = 6
ACTOR_KINDS = ("GovernmentBody", "Company", "NewsOrganization", "Person", "UnnamedGroup")
NAMES = ("Northwind", "Calder", "Aster", "Brightwater", "Kestrel", "Meridian", "Orion", "Halcyon", "Vantage",
         "Larkspur", "Solace", "Tamarind", "Quill", "Juniper", "Cobalt", "Ember", "Falcon", "Granite")
KIND_WORDS = {"GovernmentBody": "Ministry", "Company": "Labs", "NewsOrganization": "Gazette",
              "Person": "Minister", "UnnamedGroup": "officials"}
CAMEO = {  # codes in ontology/cameo.ttl, by the kind of act
    "Demand": ("100", "101", "1012", "104", "1042"), "Proposal": ("030", "036", "037"),
    "Refusal": ("120", "121", "123", "1232", "124", "125"), "Threat": ("130", "131", "1311", "1312", "1313"),
    "NewsReport": ("010",), "Justification": ("010", "012", "014"),
    "Ban": ("172",), "Exclusion": ("163", "164", "172"), "Blacklisting": ("172", "170"),
    "Precedent": ("160",), "PolicyChange": ("161", "170"),
}
HEDGES = (("certain", "stated that"), ("probable", "probably"), ("possible", "may"))


@dataclass
class Actor:
    """A shared actor: its local name, class and label."""

    local: str
    kind: str
    label: str


@dataclass
class Story:
    """The text and Turtle of one story, built sentence by sentence."""

    k: int
    prefix: str
    sentences: list[str] = field(default_factory=list)
    files: dict[str, list[str]] = field(default_factory=dict)
    order: int = 0
    triples: int = 0

    def sentence(self, text: str) -> tuple[str, str]:
        """Add a sentence to the text; returns the span node and its quote (the sentence itself, unique by its
        number)."""
        n = len(self.sentences) + 1
        quoted = f"{text} (story {self.k}, sentence {n})"
        self.sentences.append(quoted + ".")
        return f"s:span-{n}", quoted

    def block(self, file: str, subject: str, pairs: list[tuple[str, str]], comment: str = "") -> None:
        lines = [f"# {comment}"] if comment else []
        lines.append(f"{subject} " + " ;\n    ".join(f"{p} {o}" for p, o in pairs) + " .\n")
        self.files.setdefault(file, []).append("\n".join(lines))
        self.triples += sum(o.count(", ") + 1 for _, o in pairs)

    def span(self, file: str, span: str, quote: str) -> None:
        self.block(file, span, [("a", "oa:SpecificResource"), ("oa:hasSource", "s:article"),
                                ("oa:hasSelector", f'[ a oa:TextQuoteSelector ; oa:exact "{quote}" ]')])
        self.triples += 2  # the selector's two triples


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"@en'


def actors(count: int, seed: int) -> list[Actor]:
    """The shared pool: ``count`` actors of every kind, named from a fixed list."""
    rng = random.Random(f"{seed}-actors")
    pool = []
    for i in range(count):
        kind = ACTOR_KINDS[i % len(ACTOR_KINDS)]
        name = f"{rng.choice(NAMES)} {KIND_WORDS[kind]} {i}"
        pool.append(Actor(f"ac:actor-{i}", kind, name))
    return pool


def actors_turtle(pool: list[Actor]) -> tuple[str, int]:
    lines = ["# Actors shared by every story of the synthetic corpus.\n", PREFIXES]
    for a in pool:
        lines.append(f"{a.local} a so:{a.kind} ;\n    rdfs:label {_literal(a.label)} .\n")
    return "\n".join(lines), 2 * len(pool)


def _pick(rng: random.Random, pool: list[Actor], kind: str) -> Actor:
    same = [a for a in pool if a.kind == kind]
    return rng.choice(same)


def story(k: int, pool: list[Actor], seed: int, rounds: int = ROUNDS) -> Story:
    """One dispute: a government side and a company side over ``rounds`` rounds of demand, answer, threat."""
    rng = random.Random(f"{seed}-story-{k}")
    st = Story(k, f"{DATA_NS}bench-{k:05d}/")
    gov, firm = _pick(rng, pool, "GovernmentBody"), _pick(rng, pool, "Company")
    press = [_pick(rng, pool, "NewsOrganization") for _ in range(2)]
    officials = _pick(rng, pool, "UnnamedGroup")

    def eventuality(file: str, node: str, kind: str, label: str, agent: Actor | None, extra: list[tuple[str, str]],
                    said_by: str = "s:article", certainty: str = "certain", time: str = "pastOrPresent",
                    status: str | None = None, code_kind: str | None = None) -> None:
        span, quote = st.sentence(label)
        st.order += 1
        pairs = [("a", f"so:{kind}"), ("rdfs:label", _literal(label))]
        if agent is not None:
            pairs.append(("so:imposedBy" if kind in CAMEO and kind in _CONSEQUENCES else "so:hasAgent", agent.local))
        pairs += extra
        pairs += [("so:hasEvidence", span), ("so:attributedTo", said_by), ("prov:wasDerivedFrom", "s:article"),
                  ("so:certainty", f"so:{certainty}"), ("so:polarity", "so:positive"),
                  ("so:timeReference", f"so:{time}")]
        if status:
            pairs.append(("so:status", f"so:{status}"))
        pairs += [("so:cameoCode", f"cameo:{rng.choice(CAMEO[code_kind or kind])}"),
                  ("so:narrativeOrder", str(st.order))]
        st.block(file, node, pairs, f"S{len(st.sentences)}")
        st.span(file, span, quote)

    previous: str | None = None
    for r in range(1, rounds + 1):
        report = f"s:report-{r}"
        demand, change, deadline = f"s:demand-{r}", f"s:change-{r}", f"s:deadline-{r}"
        refusal, proposal, threat = f"s:refusal-{r}", f"s:proposal-{r}", f"s:threat-{r}"
        condition, consequence, why = f"s:condition-{r}", f"s:consequence-{r}", f"s:justification-{r}"
        outlet = press[r % 2]
        after = [("so:after", previous)] if previous else []
        eventuality("article.ttl", report, "NewsReport", f"{outlet.label} reports round {r} of the dispute",
                    outlet, [("so:reports", f"{demand}, {refusal}")])
        eventuality("acts.ttl", demand, "Demand", f"{gov.label} demands that {firm.label} change course {r}",
                    gov if r % 3 else officials, [("so:directedAt", firm.local), ("so:demands", change)]
                    + ([("so:hasDeadline", deadline)] if r % 2 else []) + after,
                    said_by=report, status="rejected")
        span, quote = st.sentence(f"{firm.label} is asked to change course {r}")
        st.block("acts.ttl", change, [("a", "so:RequestedChange"), ("rdfs:label", _literal(f"change {r}")),
                                      ("so:hasEvidence", span)])
        st.span("acts.ttl", span, quote)
        if r % 2:
            span, quote = st.sentence(f"a deadline for change {r}")
            st.block("acts.ttl", deadline, [("a", "so:Deadline"), ("rdfs:label", _literal(f"deadline {r}")),
                                            ("so:hasEvidence", span)])
            st.span("acts.ttl", span, quote)
        eventuality("acts.ttl", refusal, "Refusal", f"{firm.label} refuses demand {r}", firm,
                    [("so:directedAt", gov.local), ("so:refuses", demand), ("so:respondsTo", demand)])
        eventuality("acts.ttl", why, "Justification", f"{firm.label} explains why it refuses demand {r}", firm,
                    [("so:justifies", refusal)], certainty=rng.choice(HEDGES)[0])
        eventuality("acts.ttl", proposal, "Proposal", f"{firm.label} proposes a compromise {r}", firm,
                    [("so:directedAt", gov.local), ("so:after", refusal)], status=rng.choice(("rejected", "failed")))
        eventuality("acts.ttl", threat, "Threat", f"{gov.label} threatens {firm.label} after round {r}", gov,
                    [("so:directedAt", firm.local), ("so:threatens", consequence), ("so:hasCondition", condition),
                     ("so:escalates", demand), ("so:respondsTo", proposal)])
        span, quote = st.sentence(f"unless {firm.label} complies with demand {r}")
        st.block("acts.ttl", condition, [("a", "so:Condition"), ("rdfs:label", _literal(f"no compliance {r}")),
                                         ("so:unlessCompliedWith", demand), ("so:hasEvidence", span)])
        st.span("acts.ttl", span, quote)
        kind = rng.choice(_CONSEQUENCES)
        eventuality("consequences.ttl", consequence, kind, f"{firm.label} faces a {kind.lower()} {r}", gov,
                    [("so:affects", firm.local), ("so:after", threat)], certainty=rng.choice(("probable", "possible")),
                    time="future", status=rng.choice(("threatened", "pending", "expected")))
        previous = demand
    return st


_CONSEQUENCES = ("Ban", "Exclusion", "Blacklisting", "Precedent", "PolicyChange")


def write_story(folder: Path, st: Story) -> int:
    """Write the story's text and Turtle files under ``folder``; returns its triple count."""
    folder.mkdir(parents=True, exist_ok=True)
    text = "\n".join(st.sentences) + "\n"
    (folder / "article.txt").write_text(text, encoding="utf-8")
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    head = PREFIXES + f"@prefix s:      <{st.prefix}> .\n"
    doc = (f"s:article a so:SourceDocument, schema:NewsArticle ;\n    rdfs:label {_literal(f'Story {st.k}')} ;\n"
           f'    so:sha256 "{sha}" .\n')
    for name, blocks in sorted(st.files.items()):
        body = ([doc] if name == "article.ttl" else []) + blocks
        (folder / name).write_text(f"# Synthetic story {st.k}.\n{head}\n" + "\n".join(body), encoding="utf-8")
    (folder / "story.ttl").write_text(
        f"# Synthetic story {st.k}.\n{head}@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        f"@prefix vann:   <http://purl.org/vocab/vann/> .\n\n"
        f"s:story a so:Story ;\n    dcterms:title {_literal(f'Synthetic story {st.k}')} ;\n"
        f'    so:hasDocument s:article ;\n    vann:preferredNamespacePrefix "s{st.k:05d}" ;\n'
        f'    vann:preferredNamespaceUri "{st.prefix}" .\n', encoding="utf-8")
    return st.triples + _OWN


# Triples of a story besides its claims: the document's four (two types, label, sha256), its story node's five.
_OWN = 4 + 5


def stories_for(triples: int) -> int:
    """How many stories make about ``triples`` triples (the ontology's 2,000 included)."""
    per_story = write_size()
    return max(1, round((triples - 2_000) / per_story))


def write_size() -> int:
    """Triples in one story (the same for every story)."""
    return story(1, actors(10, 0), 0).triples + _OWN


def pool_size(stories: int) -> int:
    """Shared actors: enough for variety, few enough that they recur across stories."""
    return max(10, stories // 4)


def generate(out: Path, triples: int, seed: int = 7) -> dict[str, int]:
    """Write a corpus of about ``triples`` triples into the project folder ``out`` (replacing its triples/).

    >>> import tempfile
    >>> generate(Path(tempfile.mkdtemp()), 1000)["stories"]
    1
    """
    n = stories_for(triples)
    shutil.rmtree(out / "triples", ignore_errors=True)
    shutil.rmtree(out / "ontology", ignore_errors=True)
    # The report checks come too: the build runs them over everything, so the benchmark must.
    shutil.copytree(ROOT / "ontology", out / "ontology", ignore=shutil.ignore_patterns("examples", "*.md"))
    pool = actors(pool_size(n), seed)
    (out / "triples").mkdir(parents=True)
    text, total = actors_turtle(pool)
    (out / "triples" / "actors.ttl").write_text(text, encoding="utf-8")
    for k in range(1, n + 1):
        total += write_story(out / "triples" / f"story-{k:05d}", story(k, pool, seed))
    return {"stories": n, "actors": len(pool), "data_triples": total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--triples", type=float, default=1000, help="about how many triples (e.g. 1e6)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(generate(args.out, int(args.triples), args.seed))


if __name__ == "__main__":
    main()
