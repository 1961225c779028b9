"""Matching the story's actors to the entities of a linked dataset: candidates, scores and the evidence for each.

Rules (the README's "Linking" section explains them with examples):

* Names: every name an entity carries (rdfs:label, skos:prefLabel/altLabel, schema:name/alternateName,
  foaf:name) is reduced to a key (:mod:`kg.names`). An exact key match is worth 0.9, or 0.5 when the name is
  *generic* for the actor: one of the actor's own longer names qualifies it ("Department of Defence" beside
  "United States Department of Defense", "Amodei" beside "Dario Amodei"). The worth is divided by the number of
  type-compatible entities carrying that key, and several matching names combine as a noisy-or.
  Names that only share words (Jaccard >= 0.5) are worth 0.75 x the similarity: never enough for a link at the
  default threshold, so near-duplicates go to review.
* Types: an entity's types (rdf:type, Wikidata's P31, followed up rdfs:subClassOf / P279 inside the dataset)
  map to a kind: person, government, company, news, organisation, or other (places, works, events...).
  A different kind rules the candidate out (an organisation never matches a person, a company never matches a
  government body or a news outlet); a generic organisation keeps 0.85 of the score, an unknown type 0.7.
* Known identifiers: an entity that is one of the actor's verified identifiers (links.ttl, accepted links),
  or says owl:sameAs one of them, scores 1.0.
* Relations: an entity with an exact name match that the dataset relates (one triple, either direction) to
  the entity matched to a related actor (Dario Amodei -> Anthropic) gets a second piece of evidence worth 0.7.
* Decisions: the best candidate at or above the threshold is linked unless another candidate comes within
  0.15 of it (both ambiguous) or it is the best candidate of another actor too (conflict). Everything else
  from 0.3 up goes to the review file. Link predicate: owl:sameAs for a known identifier or a score of at
  least 0.95 (two independent pieces of evidence); skos:exactMatch for an exact name match below that;
  skos:closeMatch when only similar names support the link.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg import names
from kg.vocab import GRAPH, PREFIXES, SO, shorten

RDF, RDFS, SKOS, OWL = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["skos"], PREFIXES["owl"]
SCHEMA, FOAF, ORG = PREFIXES["schema"], PREFIXES["foaf"], PREFIXES["org"]
WD, WDT = "http://www.wikidata.org/entity/", "http://www.wikidata.org/prop/direct/"
DBO = "http://dbpedia.org/ontology/"
SEMAPV = PREFIXES["semapv"]

# so:externalAltLabel: our alternative names from outside the article (aliases.ttl), a sub-property of skos:altLabel.
NAME_PROPERTIES = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", SO + "externalAltLabel", SCHEMA + "name",
                   SCHEMA + "alternateName", FOAF + "name")
SAME_AS, EXACT, CLOSE = OWL + "sameAs", SKOS + "exactMatch", SKOS + "closeMatch"
LINK_PREDICATES = (SAME_AS, EXACT, CLOSE)
LEXICAL, COMPOSITE, CHAINING, MANUAL = (SEMAPV + n for n in (
    "LexicalMatching", "CompositeMatching", "MappingChaining", "ManualMappingCuration"))

DEFAULT_THRESHOLD = 0.8
REVIEW_FLOOR = 0.3
MARGIN = 0.15
SAME_AS_SCORE = 0.95
EXACT_WORTH, GENERIC_WORTH, SIMILAR_WORTH, RELATION_WORTH = 0.9, 0.5, 0.75, 0.7
MIN_SIMILARITY = 0.5
GENERIC_TYPE, UNKNOWN_TYPE = 0.85, 0.7

# Our classes -> kind. Unnamed groups ("analysts") have no identity to link and are left out.
OUR_KINDS = {SO + "Person": "person", SO + "Company": "company", SO + "GovernmentBody": "government",
             SO + "GovernmentUnit": "government", SO + "NewsOrganization": "news", SO + "Organization": "org"}
SPECIFIC = frozenset({"person", "company", "government", "news"})

# Classes of common vocabularies and Wikidata -> kind. A class not listed is looked up through its superclasses
# inside the dataset; "other" means a thing that is not an actor at all.
KINDS: dict[str, str] = {
    **OUR_KINDS,
    FOAF + "Person": "person", SCHEMA + "Person": "person", DBO + "Person": "person", WD + "Q5": "person",
    SCHEMA + "GovernmentOrganization": "government", DBO + "GovernmentAgency": "government",
    DBO + "MilitaryUnit": "government", WD + "Q327333": "government", WD + "Q2659904": "government",
    WD + "Q192350": "government", WD + "Q7188": "government", WD + "Q8473": "government",
    WD + "Q176799": "government", WD + "Q910252": "government",
    SCHEMA + "Corporation": "company", DBO + "Company": "company", WD + "Q4830453": "company",
    WD + "Q783794": "company", WD + "Q891723": "company", WD + "Q6881511": "company", WD + "Q1331793": "company",
    SCHEMA + "NewsMediaOrganization": "news", DBO + "Newspaper": "news", DBO + "TelevisionStation": "news",
    DBO + "BroadcastNetwork": "news", DBO + "Broadcaster": "news", WD + "Q192283": "news", WD + "Q11032": "news",
    WD + "Q1110794": "news", WD + "Q2001305": "news", WD + "Q1153191": "news", WD + "Q15265344": "news",
    SCHEMA + "Organization": "org", FOAF + "Organization": "org", ORG + "Organization": "org",
    DBO + "Organisation": "org", WD + "Q43229": "org",
    SCHEMA + "Place": "other", DBO + "Place": "other", DBO + "Building": "other", DBO + "Settlement": "other",
    SCHEMA + "CreativeWork": "other", DBO + "Work": "other", SCHEMA + "Event": "other", DBO + "Event": "other",
    SCHEMA + "Product": "other", FOAF + "Document": "other", WD + "Q41176": "other", WD + "Q515": "other",
    WD + "Q6256": "other", WD + "Q7725634": "other", WD + "Q1656682": "other", WD + "Q618123": "other",
}
_TYPE_PROPERTIES = (RDF + "type", WDT + "P31")
_SUPER_PROPERTIES = (RDFS + "subClassOf", WDT + "P279")
_KIND_WORDS = {"person": "a person", "company": "a company", "government": "a government body",
               "news": "a news organisation", "org": "an organisation"}


@dataclass
class Actor:
    """One of the story's actors as the matcher sees it: kind, names (by key), verified identifiers, relations."""

    iri: str
    kind: str
    label: str = ""
    names: dict[str, str] = field(default_factory=dict)  # key -> the name as written
    generic: set[str] = field(default_factory=set)  # keys that another of its names qualifies
    known: set[str] = field(default_factory=set)
    related: set[str] = field(default_factory=set)


@dataclass
class Candidate:
    """A possible link from an actor to an entity, its score, the evidence, and what discover decided."""

    actor: str
    entity: str
    score: float = 0.0
    evidence: list[str] = field(default_factory=list)
    exact: bool = False
    known: bool = False
    related: bool = False
    status: str = "below threshold"  # linked | ambiguous | conflict | weaker | below threshold
    actor_label: str = ""
    entity_label: str = ""

    @property
    def predicate(self) -> str:
        """The link predicate the rules give this candidate (see the module docstring)."""
        if self.known or self.score >= SAME_AS_SCORE:
            return SAME_AS
        return EXACT if self.exact else CLOSE

    @property
    def method(self) -> str:
        """The SSSOM mapping justification (a semapv term)."""
        if self.known:
            return CHAINING
        return COMPOSITE if self.related else LEXICAL


def _project_graph(g: str) -> bool:
    return g.startswith(GRAPH + "triples/")


def _in_order(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Quads sorted by their text, so that what is read first (an actor's kind, label, the spelling kept for a
    name) does not depend on the store's order: the embedded store and a server give the same results."""
    return sorted(quads, key=str)


def story_actors(store: ox.Store) -> dict[str, Actor]:
    """The actors of the project's own graphs (not of linked datasets), with names, identifiers and relations.

    >>> s = ox.Store(); g = ox.NamedNode(GRAPH + "triples/x/actors.ttl"); a = ox.NamedNode("https://e.org/acme")
    >>> s.add(ox.Quad(a, ox.NamedNode(RDF + "type"), ox.NamedNode(SO + "Company"), g))
    >>> s.add(ox.Quad(a, ox.NamedNode(RDFS + "label"), ox.Literal("ACME Inc."), g))
    >>> actor = story_actors(s)["https://e.org/acme"]
    >>> actor.kind, actor.names
    ('company', {'acme': 'ACME Inc.'})
    """
    actors: dict[str, Actor] = {}
    for q in _in_order(store.quads_for_pattern(None, ox.NamedNode(RDF + "type"), None, None)):
        kind = OUR_KINDS.get(q.object.value) if isinstance(q.object, ox.NamedNode) else None
        if kind and isinstance(q.subject, ox.NamedNode) and isinstance(q.graph_name, ox.NamedNode) \
                and _project_graph(q.graph_name.value):
            current = actors.get(q.subject.value)
            if current is None or current.kind == "org":
                actors[q.subject.value] = Actor(q.subject.value, kind)
    for prop in NAME_PROPERTIES:
        for q in _in_order(store.quads_for_pattern(None, ox.NamedNode(prop), None, None)):
            actor = actors.get(q.subject.value) if isinstance(q.subject, ox.NamedNode) else None
            if actor is None or not isinstance(q.object, ox.Literal) or not _project_graph(q.graph_name.value):
                continue
            k = names.key(q.object.value)
            if k:
                actor.names.setdefault(k, q.object.value)
            if prop == RDFS + "label" and not actor.label:
                actor.label = q.object.value
    for actor in actors.values():
        keys = {k: names.tokens(k) for k in actor.names}
        actor.generic = {k for k, t in keys.items() if any(t < other for other in keys.values())}
    # Verified identifiers: the curated links of the story's files. (Links a discover wrote are not: they would
    # confirm themselves on the next run. Links accepted in review are added by the caller, see kg.link.)
    for prop in (SAME_AS, EXACT):
        for q in store.quads_for_pattern(None, ox.NamedNode(prop), None, None):
            actor = actors.get(q.subject.value) if isinstance(q.subject, ox.NamedNode) else None
            g = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            if actor is not None and isinstance(q.object, ox.NamedNode) and _project_graph(g):
                actor.known.add(q.object.value)
    rows = store.query(f"""SELECT DISTINCT ?a ?b WHERE {{ GRAPH ?g {{
          {{ ?a ?p ?b FILTER(isIRI(?b)) }} UNION {{ ?m <{ORG}member> ?a ; <{ORG}organization> ?b }} }}
          FILTER(STRSTARTS(STR(?g), "{GRAPH}triples/")) }}""")
    for row in rows:
        a, b = row["a"].value, row["b"].value
        if a in actors and b in actors and a != b:
            actors[a].related.add(b)
            actors[b].related.add(a)
    return {iri: a for iri, a in actors.items() if a.names}


def _kinds(store: ox.Store, graph: ox.NamedNode, entity: ox.NamedNode, cache: dict[str, frozenset[str]]) -> set[str]:
    kinds: set[str] = set()
    for prop in _TYPE_PROPERTIES:
        for q in store.quads_for_pattern(entity, ox.NamedNode(prop), None, graph):
            if isinstance(q.object, ox.NamedNode):
                kinds |= _class_kinds(store, graph, q.object.value, cache, 0)
    return kinds


def _class_kinds(store: ox.Store, graph: ox.NamedNode, cls: str, cache: dict[str, frozenset[str]],
                 depth: int) -> frozenset[str]:
    if cls in KINDS:
        return frozenset({KINDS[cls]})
    if cls in cache:
        return cache[cls]
    cache[cls] = frozenset()  # a cycle of subclasses ends here
    found: set[str] = set()
    if depth < 8:
        for prop in _SUPER_PROPERTIES:
            for q in store.quads_for_pattern(ox.NamedNode(cls), ox.NamedNode(prop), None, graph):
                if isinstance(q.object, ox.NamedNode):
                    found |= _class_kinds(store, graph, q.object.value, cache, depth + 1)
    cache[cls] = frozenset(found)
    return cache[cls]


def type_fit(actor_kind: str, kinds: set[str]) -> tuple[float | None, str]:
    """How well an entity's kinds fit an actor's kind: a factor for the score (None: ruled out), and why.

    >>> type_fit("news", {"company"})[0] is None, type_fit("news", {"news", "company"})[0]
    (True, 1.0)
    >>> type_fit("government", {"org"}), type_fit("person", set())
    ((0.85, 'type: an organisation of no more precise kind'), (0.7, 'type: unknown'))
    """
    if actor_kind in kinds:
        return 1.0, f"type: both {_KIND_WORDS[actor_kind]}"
    specific = kinds & SPECIFIC
    if actor_kind == "org" and specific - {"person"}:
        return GENERIC_TYPE, f"type: {_KIND_WORDS[min(specific - {'person'})]}, the actor only an organisation"
    if specific:
        return None, f"type: {_KIND_WORDS[min(specific)]}, not {_KIND_WORDS[actor_kind]}"
    if "org" in kinds:
        if actor_kind == "person":
            return None, "type: an organisation, not a person"
        return GENERIC_TYPE, "type: an organisation of no more precise kind"
    if "other" in kinds:
        return None, "type: not an actor (a place, a work, an event...)"
    return UNKNOWN_TYPE, "type: unknown"


def _noisy_or(weights: Iterable[float]) -> float:
    rest = 1.0
    for w in weights:
        rest *= 1.0 - w
    return 1.0 - rest


def match(store: ox.Store, graph: str, actors: dict[str, Actor] | None = None,
          threshold: float = DEFAULT_THRESHOLD, rejected: set[tuple[str, str]] | frozenset = frozenset()
          ) -> list[Candidate]:
    """Every candidate from the story's actors to the entities of ``graph``, scored, with its evidence and status.

    The dataset is read once, name property by name property (an index of normalised names, no per-entity
    queries); only the entities that share a key or a word with an actor's names are looked at further.

    >>> s = ox.Store(); g = ox.NamedNode("https://e.org/g"); a = ox.NamedNode("https://e.org/acme")
    >>> s.add(ox.Quad(a, ox.NamedNode(RDF + "type"), ox.NamedNode(SCHEMA + "Corporation"), g))
    >>> s.add(ox.Quad(a, ox.NamedNode(SCHEMA + "name"), ox.Literal("Acme"), g))
    >>> [(c.entity, c.score, c.status) for c in match(s, g.value, {"x": Actor("x", "company", "ACME Inc.",
    ...      {"acme": "ACME Inc."})})]
    [('https://e.org/acme', 0.9, 'linked')]
    """
    actors = story_actors(store) if actors is None else actors
    g = ox.NamedNode(graph)
    by_key: dict[str, list[Actor]] = defaultdict(list)
    by_token: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for actor in actors.values():
        for k in actor.names:
            by_key[k].append(actor)
            for t in names.tokens(k):
                by_token[t].add((actor.iri, k))

    exact: dict[str, set[str]] = defaultdict(set)  # key -> entities
    written: dict[tuple[str, str], str] = {}  # (entity, key) -> the entity's name as written
    similar: dict[tuple[str, str], tuple[float, str, str]] = {}  # (actor, entity) -> (sim, our key, their name)
    for prop in NAME_PROPERTIES:
        for q in store.quads_for_pattern(None, ox.NamedNode(prop), None, g):
            if not isinstance(q.subject, ox.NamedNode) or not isinstance(q.object, ox.Literal):
                continue
            k = names.key(q.object.value)
            if not k:
                continue
            e = q.subject.value
            if k in by_key:
                exact[k].add(e)
                if (e, k) not in written or q.object.value < written[(e, k)]:  # the same whatever the read order
                    written[(e, k)] = q.object.value
            toks = names.tokens(k)
            shared = {pair for t in toks if t in by_token for pair in by_token[t]}
            for actor_iri, ours in shared:
                if ours == k:
                    continue
                sim = names.similarity(names.tokens(ours), toks)
                held = similar.get((actor_iri, e), (0.0, "", ""))
                if sim >= MIN_SIMILARITY and (sim > held[0] or (sim == held[0] and (ours, q.object.value) < held[1:])):
                    similar[(actor_iri, e)] = (sim, ours, q.object.value)

    pairs: set[tuple[str, str]] = {(a.iri, e) for k, es in exact.items() for a in by_key[k] for e in es}
    pairs |= set(similar)
    # Known identifiers: the entity is one, or says it is the same as one.
    for actor in actors.values():
        for ident in actor.known:
            node = ox.NamedNode(ident)
            hits = {ident} if next(iter(store.quads_for_pattern(node, None, None, g)), None) else set()
            hits |= {q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(SAME_AS), node, g)
                     if isinstance(q.subject, ox.NamedNode)}
            hits |= {q.object.value for q in store.quads_for_pattern(node, ox.NamedNode(SAME_AS), None, g)
                     if isinstance(q.object, ox.NamedNode)}
            pairs |= {(actor.iri, e) for e in hits
                      if next(iter(store.quads_for_pattern(ox.NamedNode(e), None, None, g)), None) is not None}
    pairs = {p for p in pairs if p not in rejected}

    cache: dict[str, frozenset[str]] = {}
    entity_kinds = {e: _kinds(store, g, ox.NamedNode(e), cache) for e in {e for _, e in pairs}}
    fits = {(a, e): type_fit(actors[a].kind, entity_kinds[e]) for a, e in pairs}
    compatible = {p for p, (factor, _) in fits.items() if factor is not None}

    candidates: dict[tuple[str, str], Candidate] = {}
    for a, e in sorted(compatible):
        actor = actors[a]
        c = Candidate(a, e, actor_label=actor.label)
        weights: list[float] = []
        for k in actor.names:
            if e in exact.get(k, ()):
                count = sum(1 for other in exact[k] if (a, other) in compatible)
                worth = (GENERIC_WORTH if k in actor.generic else EXACT_WORTH) / count
                weights.append(worth)
                c.exact = True
                note = f"same name: {actor.names[k]!r} = {written[(e, k)]!r}"
                if count > 1:
                    note += f" (a name {count} compatible entities carry)"
                if k in actor.generic:
                    note += " (generic: the actor's longer names qualify it)"
                c.evidence.append(note)
        if not c.exact and (a, e) in similar:
            sim, ours, theirs = similar[(a, e)]
            weights.append(SIMILAR_WORTH * sim * (GENERIC_WORTH / EXACT_WORTH if ours in actor.generic else 1.0))
            c.evidence.append(f"similar name: {actor.names[ours]!r} ~ {theirs!r} (shared words {sim:.2f})")
        factor, why = fits[(a, e)]
        assert factor is not None
        c.score = _noisy_or(weights) * factor
        if _is_known(store, g, actor, e):
            c.known, c.score = True, 1.0
            c.evidence.insert(0, "known identifier: the actor's verified link, or owl:sameAs one")
        c.evidence.append(why)
        candidates[(a, e)] = c

    # Relations: a second piece of evidence for exact-name candidates, from the related actors' best matches.
    best = {a: max((c for (x, _), c in candidates.items() if x == a), key=lambda c: c.score, default=None)
            for a in actors}
    for c in candidates.values():
        if not c.exact or c.known:
            continue
        for other in sorted(actors[c.actor].related):
            partner = best.get(other)
            if partner is None or partner.score < threshold:
                continue
            link = _relation(store, g, c.entity, partner.entity)
            if link:
                c.related = True
                c.score = _noisy_or([c.score, RELATION_WORTH])
                c.evidence.append(f"related: {link} {shorten(partner.entity)}, the match of {shorten(other)}, "
                                  f"which the story relates to {shorten(c.actor)}")
                break
    for c in candidates.values():
        c.score = round(c.score, 4)
    _decide(candidates, threshold)
    _labels(store, g, candidates.values())
    return sorted((c for c in candidates.values() if c.status == "linked" or c.score >= REVIEW_FLOOR),
                  key=lambda c: (c.actor, -c.score, c.entity))


def _is_known(store: ox.Store, g: ox.NamedNode, actor: Actor, entity: str) -> bool:
    if entity in actor.known:
        return True
    same = ox.NamedNode(SAME_AS)
    node = ox.NamedNode(entity)
    return any(isinstance(q.object, ox.NamedNode) and q.object.value in actor.known
               for q in store.quads_for_pattern(node, same, None, g)) or any(
        isinstance(q.subject, ox.NamedNode) and q.subject.value in actor.known
        for q in store.quads_for_pattern(None, same, node, g))


def _relation(store: ox.Store, g: ox.NamedNode, entity: str, partner: str) -> str:
    a, b = ox.NamedNode(entity), ox.NamedNode(partner)
    forward = min((q.predicate.value for q in store.quads_for_pattern(a, None, b, g)), default=None)
    if forward is not None:
        return f"{shorten(forward)} ->"
    backward = min((q.predicate.value for q in store.quads_for_pattern(b, None, a, g)), default=None)
    return f"<- {shorten(backward)} of" if backward is not None else ""


def _decide(candidates: dict[tuple[str, str], Candidate], threshold: float) -> None:
    per_actor: dict[str, list[Candidate]] = defaultdict(list)
    for c in candidates.values():
        per_actor[c.actor].append(c)
    chosen: dict[str, Candidate] = {}
    for actor, cs in per_actor.items():
        cs.sort(key=lambda c: (-c.score, c.entity))
        above = [c for c in cs if c.score >= threshold]
        if not above:
            continue
        if len(above) > 1 and above[0].score - above[1].score < MARGIN:
            for c in above:
                if above[0].score - c.score < MARGIN:
                    c.status = "ambiguous"
                    c.evidence.append(f"ambiguous: another candidate scores within {MARGIN}")
                else:
                    c.status = "weaker"
            continue
        chosen[actor] = above[0]
        for c in above[1:]:
            c.status = "weaker"
    by_entity: dict[str, list[Candidate]] = defaultdict(list)
    for c in chosen.values():
        by_entity[c.entity].append(c)
    for cs in by_entity.values():
        for c in cs:
            if len(cs) > 1:
                c.status = "conflict"
                c.evidence.append("conflict: the best candidate of another actor too")
            else:
                c.status = "linked"


def _labels(store: ox.Store, g: ox.NamedNode, candidates: Iterable[Candidate]) -> None:
    for c in candidates:
        for prop in NAME_PROPERTIES:
            found = min(store.quads_for_pattern(ox.NamedNode(c.entity), ox.NamedNode(prop), None, g), key=str,
                        default=None)
            if found is not None:
                c.entity_label = found.object.value
                break
