"""A deterministic external dataset to link the synthetic corpus to: N entities, a few decoys, the true targets.

    python -m benchmarks.entities OUT.nt --entities 100000 [--corpus-triples 1000] [--seed 7]

Writes N-Triples (what a Wikidata or DBpedia extract would be), about 2.5 triples per entity:
- one true target per linkable actor of the corpus (benchmarks/corpus.py's shared actors; unnamed groups have
  nothing to link), carrying the actor's label exactly and a type of the same kind;
- two decoys per such actor: the same name on a place (ruled out by its type) and the name without its number
  on an entity of the right type (a similar name: a review candidate, never a link);
- the rest: unrelated organisations, people, places and works with made-up names (no word in common with the
  actors', no digits), a quarter of them with an alternative label, a tenth related to another entity.
So ``kg link discover`` at the default threshold links each linkable actor to its target and nothing else, at
every size. Entity ``i`` depends only on the seed and ``i``, so a bigger dataset contains the smaller one.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from benchmarks.corpus import actors, pool_size, stories_for

KB = "https://kb.example.org/entity/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
ALT = "<http://www.w3.org/2004/02/skos/core#altLabel>"
SCHEMA = "http://schema.org/"
# The corpus's actor classes -> a schema.org class of the same kind (kg.match.KINDS).
TARGET_TYPES = {"GovernmentBody": "GovernmentOrganization", "Company": "Corporation",
                "NewsOrganization": "NewsMediaOrganization", "Person": "Person"}
OTHER_TYPES = ("Organization", "Corporation", "Person", "Place", "CreativeWork", "Event", "GovernmentOrganization")
RELATED = "<http://schema.org/parentOrganization>"
# Syllables for made-up names: none of them makes a word of the corpus's names.
SYLLABLES = ("ba", "ke", "lo", "mi", "nu", "pa", "re", "si", "to", "vu", "dra", "gle", "pho", "tri", "zan",
             "wex", "yor", "qui", "fen", "hab")


def _word(n: int, length: int = 3) -> str:
    out = []
    for _ in range(length):
        n, r = divmod(n, len(SYLLABLES))
        out.append(SYLLABLES[r])
    return "".join(out).capitalize()


def made_up_name(i: int) -> str:
    """A unique two-word name for entity ``i`` (8,000 x 8,000 of them), with no digit.

    >>> made_up_name(0), made_up_name(1), made_up_name(8001)
    ('Bababa Bababa', 'Kebaba Bababa', 'Kebaba Kebaba')
    """
    per = len(SYLLABLES) ** 3
    return f"{_word(i % per)} {_word(i // per)}"


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"@en'


def _triple(s: str, p: str, o: str) -> str:
    return f"{s} {p} {o} .\n"


def generate_entities(out: Path, entities: int, corpus_triples: int = 1000, seed: int = 7) -> dict[str, int]:
    """Write ``entities`` entities (at least the targets and decoys) as N-Triples to ``out``, for the corpus of
    about ``corpus_triples`` triples generated with ``seed``. Returns counts: entities, triples, targets.

    >>> import tempfile
    >>> info = generate_entities(Path(tempfile.mkdtemp()) / "kb.nt", 1000)
    >>> info["entities"], info["targets"]
    (1000, 8)
    """
    pool = actors(pool_size(stories_for(corpus_triples)), seed)
    linkable = [a for a in pool if a.kind in TARGET_TYPES]
    rng = random.Random(f"{seed}-entities")
    lines: list[str] = []
    count = 0
    for j, a in enumerate(linkable):
        target, place, similar = f"<{KB}T{j}>", f"<{KB}D{j}a>", f"<{KB}D{j}b>"
        lines += [_triple(target, RDF_TYPE, f"<{SCHEMA}{TARGET_TYPES[a.kind]}>"), _triple(target, LABEL, _lit(a.label)),
                  _triple(place, RDF_TYPE, f"<{SCHEMA}Place>"), _triple(place, LABEL, _lit(a.label)),
                  _triple(similar, RDF_TYPE, f"<{SCHEMA}{TARGET_TYPES[a.kind]}>"),
                  _triple(similar, LABEL, _lit(a.label.rsplit(" ", 1)[0]))]
        count += 3
    with out.open("w", encoding="utf-8") as handle:
        handle.writelines(lines)
        triples = len(lines)
        for i in range(max(0, entities - count)):
            e = f"<{KB}Q{i}>"
            chunk = [_triple(e, RDF_TYPE, f"<{SCHEMA}{rng.choice(OTHER_TYPES)}>"),
                     _triple(e, LABEL, _lit(made_up_name(i)))]
            if i % 4 == 1:
                chunk.append(_triple(e, ALT, _lit(made_up_name(i + 7919))))
            if i % 10 == 3:
                chunk.append(_triple(e, RELATED, f"<{KB}Q{rng.randrange(i)}>"))
            handle.writelines(chunk)
            triples += len(chunk)
    return {"entities": max(entities, count), "triples": triples, "targets": len(linkable)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--entities", type=float, default=1e5)
    parser.add_argument("--corpus-triples", type=float, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(generate_entities(args.out, int(args.entities), int(args.corpus_triples), args.seed))


if __name__ == "__main__":
    main()
