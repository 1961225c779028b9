"""Matching the story's actors to the entities of a linked dataset: candidates, scores and the evidence for each.

Rules (the README's "Linking" section explains them with examples):

* Names: every name an entity carries (rdfs:label, skos:prefLabel/altLabel, schema:name/alternateName/legalName
  in both schema.org schemes, foaf:name, dbo:alias), in any language, is reduced to a key (:mod:`kg.names`). An
  exact key match is worth 0.9, or 0.5 when the name is *generic* for the actor: one of the actor's own longer
  names qualifies it ("Department of Defence" beside "United States Department of Defense", "Amodei" beside
  "Dario Amodei"), or the story writes it as a description ("the company"). The worth is divided by the number of
  type-compatible entities, not ruled out, carrying that key, and several matching names combine as a noisy-or.
  Names that only share words (Jaccard >= 0.5) are worth 0.75 x the similarity: never enough for a link at the
  default threshold, so near-duplicates go to review.
* Types: an entity's types (rdf:type, Wikidata's P31 as a direct claim or a statement node, followed up
  rdfs:subClassOf / P279 inside the dataset) map to a kind: person, government, company, news, organisation, or
  other (places, works, events...); a dataset's own classes can be mapped with ``kinds`` (``--kinds``).
  A different kind rules the candidate out (an organisation never matches a person, a company never matches a
  government body or a news outlet); a generic organisation keeps 0.85 of the score, an unknown type 0.7.
  :func:`type_report` counts the named entities whose types cannot be placed.
* Attributes: countries (directly or through a location) and the years an entity began and ended are compared
  with the story's countries (so:country) and the years of its dated events. A different country, an end before
  the story's events or a beginning after them rules the candidate out; an agreeing country is a second piece of
  evidence worth 0.5; an end the story cannot date is a doubt: the candidate goes to review.
* Known identifiers: an entity that is one of the actor's verified identifiers (links.ttl, accepted links),
  or says owl:sameAs one of them, scores 1.0.
* Relations: an entity with an exact name match that the dataset relates (one triple, either direction) to
  the entity matched to a related actor (Dario Amodei -> Anthropic) gets a second piece of evidence worth 0.7.
* Decisions: the best candidate at or above the threshold is linked unless another candidate comes within
  0.15 of it (both ambiguous), it is the best candidate of another actor too (conflict) or an attribute casts a
  doubt (doubtful). Everything else
  from 0.3 up goes to the review file. Link predicate: owl:sameAs for a known identifier or a score of at
  least 0.95 (two independent pieces of evidence); skos:exactMatch for an exact name match below that;
  skos:closeMatch when only similar names support the link.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg import names
from kg.rows import rows
from kg.target import StoreLike
from kg.vocab import GRAPH, PREFIXES, SO, shorten

RDF, RDFS, SKOS, OWL = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["skos"], PREFIXES["owl"]
SCHEMA, FOAF, ORG = PREFIXES["schema"], PREFIXES["foaf"], PREFIXES["org"]
SCHEMA_HTTPS = "https://schema.org/"  # schema.org's own current form; datasets use both
WD, WDT = "http://www.wikidata.org/entity/", "http://www.wikidata.org/prop/direct/"
P, PS = "http://www.wikidata.org/prop/", "http://www.wikidata.org/prop/statement/"  # Wikidata's statement nodes
DBO = "http://dbpedia.org/ontology/"
TIME, DCT, PROV = "http://www.w3.org/2006/time#", PREFIXES["dcterms"], PREFIXES["prov"]
SEMAPV = PREFIXES["semapv"]


def _schema(*local: str) -> tuple[str, ...]:
    """A schema.org term in both its schemes (``http://`` and ``https://``)."""
    return tuple(base + name for name in local for base in (SCHEMA, SCHEMA_HTTPS))


def _dbo(*local: str) -> tuple[str, ...]:
    return tuple(DBO + name for name in local)


def _wdt(*ids: str) -> tuple[str, ...]:
    return tuple(WDT + i for i in ids)


# so:externalAltLabel: our alternative names from outside the article (aliases.ttl), a sub-property of skos:altLabel.
NAME_PROPERTIES = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", SO + "externalAltLabel",
                   *_schema("name", "alternateName", "legalName"), FOAF + "name", DBO + "alias")
SAME_AS, EXACT, CLOSE = OWL + "sameAs", SKOS + "exactMatch", SKOS + "closeMatch"
LINK_PREDICATES = (SAME_AS, EXACT, CLOSE)
LEXICAL, COMPOSITE, CHAINING, MANUAL = (SEMAPV + n for n in (
    "LexicalMatching", "CompositeMatching", "MappingChaining", "ManualMappingCuration"))

REVIEW_STATUSES = frozenset({"ambiguous", "conflict", "weaker", "doubtful", "below threshold"})
DEFAULT_THRESHOLD = 0.8
REVIEW_FLOOR = 0.3
MARGIN = 0.15
SAME_AS_SCORE = 0.95
EXACT_WORTH, GENERIC_WORTH, SIMILAR_WORTH, RELATION_WORTH, COUNTRY_WORTH = 0.9, 0.5, 0.75, 0.7, 0.5
ROLE_WORTH = 0.4
MIN_SIMILARITY = 0.5
GENERIC_TYPE, UNKNOWN_TYPE = 0.85, 0.7

# Our classes -> kind. Unnamed groups and persons ("analysts", "the representative") have no identity to link:
# None leaves them out (so:UnnamedPerson is a so:Person, so this is read before the superclasses).
OUR_KINDS: dict[str, str | None] = {
    SO + "UnnamedGroup": None, SO + "UnnamedPerson": None,
    SO + "Person": "person", SO + "Company": "company", SO + "GovernmentBody": "government",
    SO + "GovernmentUnit": "government", SO + "NewsOrganization": "news", SO + "Organization": "org"}
SPECIFIC = frozenset({"person", "company", "government", "news"})
# The words a --kinds file may use for a kind.
KIND_NAMES = {"person": "person", "government": "government", "company": "company", "news": "news",
              "organisation": "org", "organization": "org", "org": "org", "other": "other"}

# Classes of common vocabularies and Wikidata -> kind. A class not listed is looked up through its superclasses
# inside the dataset; "other" means a thing that is not an actor at all.
_VOCABULARY_KINDS: dict[str, tuple[str, ...]] = {
    "person": (FOAF + "Person", *_schema("Person"), *_dbo("Person", "Politician", "OfficeHolder", "Journalist",
               "Judge", "BusinessPerson"), WD + "Q5"),
    "government": (*_schema("GovernmentOrganization"), *_dbo("GovernmentAgency", "MilitaryUnit", "Legislature",
                   "GovernmentCabinet"), WD + "Q327333", WD + "Q2659904", WD + "Q192350",
                   WD + "Q7188", WD + "Q8473", WD + "Q176799", WD + "Q910252"),
    "company": (*_schema("Corporation", "LocalBusiness", "OnlineBusiness"), *_dbo("Company"), WD + "Q4830453",
                WD + "Q783794", WD + "Q891723", WD + "Q6881511", WD + "Q1331793"),
    "news": (*_schema("NewsMediaOrganization"), *_dbo("Newspaper", "TelevisionStation", "BroadcastNetwork",
             "Broadcaster", "RadioStation"), WD + "Q192283", WD + "Q11032", WD + "Q1110794", WD + "Q2001305",
             WD + "Q1153191", WD + "Q15265344"),
    "org": (*_schema("Organization", "NGO", "EducationalOrganization", "PoliticalParty", "SportsOrganization"),
            FOAF + "Organization", FOAF + "Group", ORG + "Organization", ORG + "FormalOrganization",
            ORG + "OrganizationalUnit", *_dbo("Organisation", "PoliticalParty", "Non-ProfitOrganisation",
            "University"), WD + "Q43229"),
    "other": (*_schema("Place", "Country", "City", "AdministrativeArea", "CreativeWork", "Event", "Product",
              "SoftwareApplication"), *_dbo("Place", "PopulatedPlace", "Country", "City", "Building", "Settlement",
              "Work", "Event", "Software"), FOAF + "Document", WD + "Q41176", WD + "Q515", WD + "Q6256",
              WD + "Q7725634", WD + "Q1656682", WD + "Q618123"),
}
KINDS: dict[str, str] = {**{cls: kind for kind, classes in _VOCABULARY_KINDS.items() for cls in classes},
                         **{c: k for c, k in OUR_KINDS.items() if k is not None}}
_TYPE_PROPERTIES = (RDF + "type", WDT + "P31")
_SUPER_PROPERTIES = (RDFS + "subClassOf", WDT + "P279")
_KIND_WORDS = {"person": "a person", "company": "a company", "government": "a government body",
               "news": "a news organisation", "org": "an organisation"}

# Attributes compared where both sides have them. A country is read from the entity or, one step away, from its
# locations (a headquarters, an address); dates only for their year.
COUNTRY_PROPERTIES = (SO + "country", *_wdt("P17", "P27", "P495"), *_schema("addressCountry", "nationality",
                      "countryOfOrigin"), *_dbo("country", "locationCountry", "nationality", "citizenship"))
LOCATION_PROPERTIES = (*_wdt("P159", "P131", "P276", "P740"), *_schema("location", "address", "foundingLocation"),
                       *_dbo("location", "headquarter", "locationCity"), ORG + "hasSite")
ENDED_PROPERTIES = (*_wdt("P576", "P570"), *_schema("dissolutionDate", "deathDate"),
                    *_dbo("dissolutionDate", "dissolutionYear", "extinctionDate", "extinctionYear", "deathDate",
                          "deathYear"))
BEGAN_PROPERTIES = (*_wdt("P571", "P569"), *_schema("foundingDate", "birthDate"),
                    *_dbo("foundingDate", "foundingYear", "formationDate", "formationYear", "birthDate",
                          "birthYear"))
# Roles, occupations and titles of a person (the story's come from org:Membership / org:role).
ROLE_PROPERTIES = (*_wdt("P39", "P106"), *_schema("jobTitle", "hasOccupation", "roleName"),
                   *_dbo("occupation", "title"))
# Abbreviations written out, so that "CEO" meets "chief executive officer".
_ROLE_WORDS = {"chief executive officer": "ceo", "chief executive": "ceo", "chief technology officer": "cto",
               "chief financial officer": "cfo", "co founder": "founder", "cofounder": "founder"}
# Where a story's own dates are (OWL-Time instants, a document's date): the years its events happen in.
STORY_DATE_PROPERTIES = (TIME + "inXSDDate", TIME + "inXSDDateTime", TIME + "inXSDDateTimeStamp",
                         TIME + "inXSDgYear", TIME + "inXSDgYearMonth", TIME + "year", DCT + "date", DCT + "issued",
                         *_schema("datePublished"), PROV + "generatedAtTime", SO + "deadlineTime")
_YEAR = re.compile(r"\s*(-?\d{4,})(?:-|$|T)")
_CODE = re.compile(r"[A-Z]{2,3}")
_QID = re.compile(r"Q\d+")


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
    countries: dict[str, str] = field(default_factory=dict)  # key -> the country as the story writes it
    roles: dict[str, str] = field(default_factory=dict)  # key -> a role the story gives it (org:Membership)
    years: tuple[int, int] | None = None  # the first and last year of its story's dated events, if any
    language: str = ""  # the language of its label: the dataset's names in it are preferred for display
    story: str = ""  # the folder of its story (triples/<story>/)


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
    agrees: bool = False  # an attribute agrees (a second piece of evidence)
    doubt: str = ""  # an attribute that casts doubt without ruling out: never linked without review
    # linked | ambiguous | conflict | weaker | doubtful | below threshold (these five: review) | too weak | ruled out
    status: str = "below threshold"
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
        return COMPOSITE if self.related or self.agrees else LEXICAL


def _project_graph(g: str) -> bool:
    return g.startswith(GRAPH + "triples/")


def _in_order(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Quads sorted by their text, so that what is read first (an actor's kind, label, the spelling kept for a
    name) does not depend on the store's order: the embedded store and a server give the same results."""
    return sorted(quads, key=str)


def story_actors(store: StoreLike) -> dict[str, Actor]:
    """The actors of the project's own graphs (not of linked datasets), with names, identifiers and relations.

    >>> s = ox.Store(); g = ox.NamedNode(GRAPH + "triples/x/actors.ttl"); a = ox.NamedNode("https://e.org/acme")
    >>> s.add(ox.Quad(a, ox.NamedNode(RDF + "type"), ox.NamedNode(SO + "Company"), g))
    >>> s.add(ox.Quad(a, ox.NamedNode(RDFS + "label"), ox.Literal("ACME Inc."), g))
    >>> actor = story_actors(s)["https://e.org/acme"]
    >>> actor.kind, actor.names
    ('company', {'acme': 'ACME Inc.'})
    """
    actors: dict[str, Actor] = {}
    unnamed: set[str] = set()
    supers: dict[str, list[str]] = defaultdict(list)  # our ontology's class tree, read once
    for q in store.quads_for_pattern(None, ox.NamedNode(RDFS + "subClassOf"), None, None):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode) \
                and q.subject.value.startswith(SO):
            supers[q.subject.value].append(q.object.value)
    classes: dict[str, str | None] = {}
    for q in _in_order(store.quads_for_pattern(None, ox.NamedNode(RDF + "type"), None, None)):
        if not (isinstance(q.object, ox.NamedNode) and isinstance(q.subject, ox.NamedNode)
                and isinstance(q.graph_name, ox.NamedNode) and _project_graph(q.graph_name.value)):
            continue
        if q.object.value not in classes:
            classes[q.object.value] = _our_kind(q.object.value, supers)
        kind = classes[q.object.value]
        if kind == "unnamed":
            unnamed.add(q.subject.value)
        if kind is None or kind == "unnamed":
            continue
        current = actors.get(q.subject.value)
        if current is None or current.kind == "org":
            actors[q.subject.value] = Actor(q.subject.value, kind, story=_story_of(q.graph_name.value))
    for iri in unnamed:
        actors.pop(iri, None)
    spellings: dict[tuple[str, str], list[str]] = defaultdict(list)
    for prop in NAME_PROPERTIES:
        for q in _in_order(store.quads_for_pattern(None, ox.NamedNode(prop), None, None)):
            actor = actors.get(q.subject.value) if isinstance(q.subject, ox.NamedNode) else None
            if (actor is None or not isinstance(q.object, ox.Literal) or not isinstance(q.graph_name, ox.NamedNode)
                    or not _project_graph(q.graph_name.value)):
                continue
            k = names.key(q.object.value)
            if k:
                actor.names.setdefault(k, q.object.value)
                spellings[(actor.iri, k)].append(q.object.value)
            if prop == RDFS + "label" and not actor.label:
                actor.label = q.object.value
                actor.language = q.object.language or ""
    for actor in actors.values():
        keys = {k: names.tokens(k) for k in actor.names}
        actor.generic = {k for k, t in keys.items() if any(t < other for other in keys.values())}
        # "the company", "a court in Paris": descriptions the story uses as names, not names of one entity.
        actor.generic |= {k for k in keys if all(names.described(w) for w in spellings[(actor.iri, k)])}
    for prop in COUNTRY_PROPERTIES[:1] + _schema("addressCountry", "nationality"):
        for q in _in_order(store.quads_for_pattern(None, ox.NamedNode(prop), None, None)):
            actor = actors.get(q.subject.value) if isinstance(q.subject, ox.NamedNode) else None
            if actor is not None and isinstance(q.graph_name, ox.NamedNode) and _project_graph(q.graph_name.value):
                for shown in _value_names(store, q.object, None)[0]:
                    if names.key(shown):
                        actor.countries.setdefault(names.key(shown), shown)
    years = story_years(store)
    for actor in actors.values():
        actor.years = years.get(actor.story)
    # Roles: the story's memberships (org:member the actor, org:role a role labelled "CEO").
    members = {q.subject.value: q.object.value
               for q in store.quads_for_pattern(None, ox.NamedNode(ORG + "member"), None, None)
               if isinstance(q.graph_name, ox.NamedNode) and _project_graph(q.graph_name.value)
               and not isinstance(q.subject, ox.Triple) and not isinstance(q.object, ox.Triple)}
    for q in _in_order(store.quads_for_pattern(None, ox.NamedNode(ORG + "role"), None, None)):
        actor = actors.get(members.get(q.subject.value, "")) if not isinstance(q.subject, ox.Triple) else None
        if (actor is None or not isinstance(q.object, ox.NamedNode) or not isinstance(q.graph_name, ox.NamedNode)
                or not _project_graph(q.graph_name.value)):
            continue
        for label in store.quads_for_pattern(q.object, ox.NamedNode(RDFS + "label"), None, None):
            if isinstance(label.object, ox.Literal) and _role_key(label.object.value):
                actor.roles.setdefault(_role_key(label.object.value), label.object.value)
    # Verified identifiers: the curated links of the story's files. (Links a discover wrote are not: they would
    # confirm themselves on the next run. Links accepted in review are added by the caller, see kg.link.)
    for prop in (SAME_AS, EXACT):
        for q in store.quads_for_pattern(None, ox.NamedNode(prop), None, None):
            actor = actors.get(q.subject.value) if isinstance(q.subject, ox.NamedNode) else None
            g = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            if actor is not None and isinstance(q.object, ox.NamedNode) and _project_graph(g):
                actor.known.add(q.object.value)
    related = rows(store.query(f"""SELECT DISTINCT ?a ?b WHERE {{ GRAPH ?g {{
          {{ ?a ?p ?b FILTER(isIRI(?b)) }} UNION {{ ?m <{ORG}member> ?a ; <{ORG}organization> ?b }} }}
          FILTER(STRSTARTS(STR(?g), "{GRAPH}triples/")) }}"""))
    for row in related:
        a, b = row["a"].value, row["b"].value
        if a in actors and b in actors and a != b:
            actors[a].related.add(b)
            actors[b].related.add(a)
    return {iri: a for iri, a in actors.items() if a.names}


def _role_key(text: str) -> str:
    k = names.key(text.replace("-", " "))
    for long, short in _ROLE_WORDS.items():
        k = re.sub(rf"\b{long}\b", short, k)
    return k


def _story_of(graph: str) -> str:
    return graph[len(GRAPH + "triples/"):].split("/", 1)[0]


def _our_kind(cls: str, supers: dict[str, list[str]], depth: int = 0) -> str | None:
    """The kind of one of our classes, through rdfs:subClassOf in the ontology (a court is a government body):
    "unnamed" for an unnamed group or person and their subclasses (checked first: an unnamed person is a person),
    None for classes that are not actors."""
    if cls in OUR_KINDS:
        return OUR_KINDS[cls] or "unnamed"
    if depth >= 8:
        return None
    found = [_our_kind(sup, supers, depth + 1) for sup in sorted(supers.get(cls, ()))]
    if "unnamed" in found:
        return "unnamed"
    return next((k for k in found if k is not None), None)


def story_years(store: StoreLike) -> dict[str, tuple[int, int]]:
    """The first and last year each story's own dates give (OWL-Time instants, a document's date), by story folder.
    Dates without a year ("13 April") give none.

    >>> s = ox.Store(); g = ox.NamedNode(GRAPH + "triples/x/acts.ttl")
    >>> s.add(ox.Quad(ox.BlankNode(), ox.NamedNode(TIME + "inXSDDate"), ox.Literal("2018-04-13"), g))
    >>> story_years(s)
    {'x': (2018, 2018)}
    """
    found: dict[str, tuple[int, int]] = {}
    for prop in STORY_DATE_PROPERTIES:
        for q in store.quads_for_pattern(None, ox.NamedNode(prop), None, None):
            g = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            year = _year(q.object) if _project_graph(g) else None
            if year is not None:
                story = _story_of(g)
                low, high = found.get(story, (year, year))
                found[story] = (min(low, year), max(high, year))
    return found


def _year(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> int | None:
    if not isinstance(term, ox.Literal):
        return None
    m = _YEAR.match(term.value)
    return int(m.group(1)) if m else None


def _out(store: StoreLike, graph: ox.NamedNode | None, subject: ox.NamedNode | ox.BlankNode
         ) -> dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]]:
    """Everything a node says, by property: one read per node (one request on a server). A blank node is read only
    from an embedded store: in a query sent to a server it would stand for any node."""
    edges: dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]] = defaultdict(list)
    if isinstance(subject, ox.BlankNode) and not isinstance(store, ox.Store):
        return edges
    for q in store.quads_for_pattern(subject, None, None, graph):
        if not isinstance(q.object, ox.Triple):
            edges[q.predicate.value].append(q.object)
    return edges


def _objects(store: StoreLike, graph: ox.NamedNode | None, subject: ox.NamedNode | ox.BlankNode,
             properties: Iterable[str]) -> list[tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
    """(property, value) of a subject for these properties; a Wikidata direct claim (``wdt:P17``) is also read in
    its statement form (``p:P17`` to a statement node, ``ps:P17`` from it)."""
    edges = _out(store, graph, subject)
    out: list[tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal]] = []
    for prop in properties:
        out += [(prop, o) for o in edges.get(prop, ())]
        if prop.startswith(WDT):
            pid = prop[len(WDT):]
            for st in edges.get(P + pid, ()):
                if isinstance(st, (ox.NamedNode, ox.BlankNode)):
                    out += [(prop, o) for o in _out(store, graph, st).get(PS + pid, ())]
    return sorted(out, key=lambda pv: (pv[0], str(pv[1])))


def _readable(literal: ox.Literal, languages: frozenset[str] | None) -> bool:
    """Whether a name is in one of the story's languages (or untagged): only such a name can disagree with it."""
    lang = (literal.language or "").split("-")[0].lower()
    return languages is None or not lang or lang in languages


def _value_names(store: StoreLike, value: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple,
                 graph: ox.NamedNode | None, languages: frozenset[str] | None = None) -> tuple[list[str], bool]:
    """The names of an attribute's value, and whether they are names in the story's languages (a literal, the
    value's labels) rather than a guess (a code, an IRI's last segment, names only in other languages): only
    names may contradict the story, a guess can only agree."""
    if isinstance(value, ox.Literal):
        return [value.value], not _CODE.fullmatch(value.value.strip()) and _readable(value, languages)
    if isinstance(value, ox.Triple):
        return [], False
    labels: list[str] = []
    edges = _out(store, graph, value)
    literals = [o for prop in NAME_PROPERTIES for o in edges.get(prop, ()) if isinstance(o, ox.Literal)]
    for prop in NAME_PROPERTIES:  # rdfs:label first, then the other names; each in its text order
        labels += sorted({o.value for o in edges.get(prop, ()) if isinstance(o, ox.Literal)} - set(labels))
    if labels:
        return labels, any(_readable(o, languages) for o in literals)
    if isinstance(value, ox.NamedNode):
        local = re.split(r"[/#]", value.value.rstrip("/"))[-1].replace("_", " ")
        if local and not _QID.fullmatch(local):
            return [local], False
    return [], False


def _kinds(store: StoreLike, graph: ox.NamedNode, entity: ox.NamedNode, cache: dict[str, frozenset[str]],
           table: dict[str, str]) -> set[str]:
    kinds: set[str] = set()
    for _, cls in _objects(store, graph, entity, _TYPE_PROPERTIES):
        if isinstance(cls, ox.NamedNode):
            kinds |= _class_kinds(store, graph, cls.value, cache, table, 0)
    return kinds


def _class_kinds(store: StoreLike, graph: ox.NamedNode, cls: str, cache: dict[str, frozenset[str]],
                 table: dict[str, str], depth: int) -> frozenset[str]:
    if cls in table:
        return frozenset({table[cls]})
    if cls in cache:
        return cache[cls]
    cache[cls] = frozenset()  # a cycle of subclasses ends here
    found: set[str] = set()
    if depth < 8:
        for _, sup in _objects(store, graph, ox.NamedNode(cls), _SUPER_PROPERTIES):
            if isinstance(sup, ox.NamedNode):
                found |= _class_kinds(store, graph, sup.value, cache, table, depth + 1)
    cache[cls] = frozenset(found)
    return cache[cls]


def kind_table(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The classes the matcher places, with a dataset's own mapping (``--kinds``) on top: class IRI -> kind.

    >>> kind_table({"https://e.org/Firm": "company"})["https://e.org/Firm"], kind_table()[SCHEMA_HTTPS + "Person"]
    ('company', 'person')
    """
    return {**KINDS, **(extra or {})}


@dataclass
class TypeReport:
    """How many of a dataset's named entities the matcher can place, and the classes it cannot."""

    entities: int = 0  # named entities (the classes, countries and places they point to left out)
    unknown: int = 0  # typed, but with no class the matcher places
    untyped: int = 0  # without any type
    classes: Counter[str] = field(default_factory=Counter)  # class it cannot place -> entities typed with it

    @property
    def many(self) -> bool:
        """At least one named entity in ten cannot be placed: worth saying."""
        return self.entities > 0 and (self.unknown + self.untyped) * 10 >= self.entities

    def message(self, top: int = 5) -> str:
        """One line: the counts and the most frequent classes the matcher does not know."""
        line = (f"{self.unknown + self.untyped} of {self.entities} named entities have a type the matcher does not "
                f"know ({self.unknown}) or none ({self.untyped}); they can only go to review as 'type: unknown'")
        if self.classes:
            common = sorted(self.classes.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
            line += "; most frequent unknown classes: " + ", ".join(f"{shorten(c)} ({n})" for c, n in common)
        return line + ("; map them with --kinds FILE (lines: CLASS KIND, the kind one of person, government, "
                       "company, news, organisation, other)")


def type_report(store: StoreLike, graph: str, kinds: dict[str, str] | None = None) -> TypeReport:
    """Count the named entities of ``graph`` whose types the matcher cannot place (one pass over the names and the
    types; classes through their superclasses inside the dataset, as :func:`match` does).

    >>> s = ox.Store(); g = ox.NamedNode("https://e.org/g"); a = ox.NamedNode("https://e.org/acme")
    >>> s.add(ox.Quad(a, ox.NamedNode(RDF + "type"), ox.NamedNode("https://e.org/Firm"), g))
    >>> s.add(ox.Quad(a, ox.NamedNode(RDFS + "label"), ox.Literal("Acme"), g))
    >>> r = type_report(s, g.value); (r.entities, r.unknown, dict(r.classes))
    (1, 1, {'https://e.org/Firm': 1})
    >>> type_report(s, g.value, {"https://e.org/Firm": "company"}).unknown
    0
    """
    g = ox.NamedNode(graph)
    table = kind_table(kinds)
    named: set[str] = set()
    for prop in NAME_PROPERTIES:
        named |= {q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(prop), None, g)
                  if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal)}
    types: dict[str, set[str]] = defaultdict(set)
    for prop in _TYPE_PROPERTIES:
        for q in store.quads_for_pattern(None, ox.NamedNode(prop), None, g):
            if isinstance(q.object, ox.NamedNode) and not isinstance(q.subject, ox.Triple):
                types[q.subject.value].add(q.object.value)
    statements: dict[ox.NamedNode | ox.BlankNode, set[str]] = defaultdict(set)  # p:P31 / ps:P31, joined in memory
    for q in store.quads_for_pattern(None, ox.NamedNode(PS + "P31"), None, g):
        if isinstance(q.object, ox.NamedNode) and isinstance(q.subject, (ox.NamedNode, ox.BlankNode)):
            statements[q.subject].add(q.object.value)
    for q in store.quads_for_pattern(None, ox.NamedNode(P + "P31"), None, g):
        if isinstance(q.object, (ox.NamedNode, ox.BlankNode)) and not isinstance(q.subject, ox.Triple):
            types[q.subject.value] |= statements.get(q.object, set())
    classes = {c for cs in types.values() for c in cs}
    for prop in COUNTRY_PROPERTIES + LOCATION_PROPERTIES:  # countries and places an entity points to
        classes |= {q.object.value for q in store.quads_for_pattern(None, ox.NamedNode(prop), None, g)
                    if isinstance(q.object, ox.NamedNode)}
    for prop in _SUPER_PROPERTIES:
        for q in store.quads_for_pattern(None, ox.NamedNode(prop), None, g):
            if not isinstance(q.subject, ox.Triple) and not isinstance(q.object, ox.Triple):
                classes |= {q.subject.value, q.object.value}
    report = TypeReport()
    cache: dict[str, frozenset[str]] = {}
    for e in named - classes:
        report.entities += 1
        mine = types.get(e, set())
        if not mine:
            report.untyped += 1
        elif not any(_class_kinds(store, g, c, cache, table, 0) for c in mine):
            report.unknown += 1
            report.classes.update(mine)
    return report


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


def match(store: StoreLike, graph: str, actors: dict[str, Actor] | None = None,
          threshold: float = DEFAULT_THRESHOLD, rejected: set[tuple[str, str]] | frozenset = frozenset(),
          kinds: dict[str, str] | None = None) -> list[Candidate]:
    """Every candidate from the story's actors to the entities of ``graph``, scored, with its evidence and status.

    The dataset is read once, name property by name property (an index of normalised names, no per-entity
    queries); only the entities that share a key or a word with an actor's names are looked at further.
    ``kinds`` maps the dataset's own classes to kinds (``--kinds``). Candidates ruled out by their type or an
    attribute are returned too, with the status "ruled out" and the reason, and those under the review floor with
    "too weak", so that a caller can say why an actor has no candidate (:data:`REVIEW_STATUSES` go to review).

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
    table = kind_table(kinds)
    entity_kinds = {e: _kinds(store, g, ox.NamedNode(e), cache, table) for e in {e for _, e in pairs}}
    fits = {(a, e): type_fit(actors[a].kind, entity_kinds[e]) for a, e in pairs}
    # Names of countries in the story's languages (or untagged) may disagree with it; others can only agree.
    languages = frozenset(a.language.split("-")[0].lower() for a in actors.values() if a.language) or None
    facts = {e: _facts(store, g, e, languages)
             for e in {e for (_, e), (factor, _) in fits.items() if factor is not None}}
    judged = {(a, e): _judge(actors[a], facts[e]) for (a, e), (factor, _) in fits.items() if factor is not None}
    known = {p for p in judged if _is_known(store, g, actors[p[0]], p[1])}
    for p in known & {p for p, v in judged.items() if v.against}:  # a verified identity stands; the data is noted
        judged[p].notes += [f"{why} (kept: a verified identifier)" for why in judged[p].against]
        judged[p].against = []
    compatible = {p for p, (factor, _) in fits.items() if factor is not None and not judged[p].against}

    candidates: dict[tuple[str, str], Candidate] = {}
    out: list[Candidate] = []
    for a, e in sorted(pairs):
        actor = actors[a]
        c = Candidate(a, e, actor_label=actor.label)
        weights: list[float] = []
        for k in actor.names:
            if e in exact.get(k, ()):
                count = max(1, sum(1 for other in exact[k] if (a, other) in compatible))
                worth = (GENERIC_WORTH if k in actor.generic else EXACT_WORTH) / count
                weights.append(worth)
                c.exact = True
                note = f"same name: {actor.names[k]!r} = {written[(e, k)]!r}"
                if count > 1:
                    note += f" (a name {count} compatible entities carry)"
                if k in actor.generic:
                    note += " (generic: the actor's longer names qualify it, or it is a description)"
                c.evidence.append(note)
        if not c.exact and (a, e) in similar:
            sim, ours, theirs = similar[(a, e)]
            weights.append(SIMILAR_WORTH * sim * (GENERIC_WORTH / EXACT_WORTH if ours in actor.generic else 1.0))
            c.evidence.append(f"similar name: {actor.names[ours]!r} ~ {theirs!r} (shared words {sim:.2f})")
        factor, why = fits[(a, e)]
        c.evidence.append(why)
        if factor is None or judged[(a, e)].against:
            if factor is not None:
                c.evidence += judged[(a, e)].against
            c.status, c.score = "ruled out", round(_noisy_or(weights), 4)
            if c.exact or c.score >= REVIEW_FLOOR:
                out.append(c)
            continue
        verdict = judged[(a, e)]
        c.evidence += verdict.notes
        if verdict.agrees and c.exact:
            c.agrees = True
            weights.append(COUNTRY_WORTH)
        if verdict.role and c.exact:
            c.agrees = True
            weights.append(ROLE_WORTH)
        c.doubt = "; ".join(verdict.doubts)
        c.evidence += verdict.doubts
        c.score = _noisy_or(weights) * factor
        if (a, e) in known:
            c.known, c.score = True, 1.0
            c.evidence.insert(0, "known identifier: the actor's verified link, or owl:sameAs one")
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
    _labels(store, g, [*candidates.values(), *out], actors)
    for c in candidates.values():
        if c.status != "linked" and c.score < REVIEW_FLOOR:
            c.status = "too weak"
    return sorted([*candidates.values(), *out], key=lambda c: (c.actor, c.status in ("ruled out", "too weak"),
                                                                -c.score, c.entity))


@dataclass
class Facts:
    """What a dataset says about an entity that can be compared with the story: countries and years."""

    countries: list[tuple[list[str], bool, str]] = field(default_factory=list)  # (names, names not a guess, via)
    ended: list[int] = field(default_factory=list)
    began: list[int] = field(default_factory=list)
    roles: list[tuple[str, str]] = field(default_factory=list)  # (a role, occupation or title, via)


@dataclass
class Verdict:
    """The attributes compared: for (agrees, notes), against (rules the candidate out), and doubts (review)."""

    agrees: bool = False
    role: bool = False  # a role, occupation or title agrees (a second piece of evidence, weaker than a country)
    notes: list[str] = field(default_factory=list)
    against: list[str] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)


def _facts(store: StoreLike, g: ox.NamedNode, entity: str, languages: frozenset[str] | None = None) -> Facts:
    facts = Facts()
    said = _objects(store, g, ox.NamedNode(entity), COUNTRY_PROPERTIES + LOCATION_PROPERTIES + ENDED_PROPERTIES
                    + BEGAN_PROPERTIES + ROLE_PROPERTIES)
    countries = [(prop, v) for prop, v in said if prop in COUNTRY_PROPERTIES]
    for prop, place in said:  # one step: a headquarters' or an address's country
        if prop in LOCATION_PROPERTIES and isinstance(place, (ox.NamedNode, ox.BlankNode)):
            countries += [(f"{shorten(prop)} of", v) for _, v in _objects(store, g, place, COUNTRY_PROPERTIES)]
    for prop, value in countries:
        found, sure = _value_names(store, value, g, languages)
        if found:
            facts.countries.append((found, sure, prop if prop.endswith(" of") else shorten(prop)))
    facts.ended = sorted(y for p, v in said if p in ENDED_PROPERTIES and (y := _year(v)) is not None)
    facts.began = sorted(y for p, v in said if p in BEGAN_PROPERTIES and (y := _year(v)) is not None)
    for prop, value in said:
        if prop in ROLE_PROPERTIES:
            facts.roles += [(n, shorten(prop)) for n in _value_names(store, value, g)[0]]
    return facts


def _judge(actor: Actor, facts: Facts) -> Verdict:
    """Compare what the story and the dataset say about the actor and the entity, where both say something.

    A country the entity has that is none of the actor's rules it out (when the entity's country is a name, not
    a code or a guess from an IRI); a shared one is a second piece of evidence. An end (dissolution, death)
    before the story's first dated event, or a beginning after its last, rules it out; an end when the story
    gives no year to compare casts a doubt: the candidate goes to review.
    """
    v = Verdict()
    if actor.roles and facts.roles:
        for theirs, via in facts.roles:
            words = names.tokens(_role_key(theirs))
            ours = next((shown for k, shown in sorted(actor.roles.items())
                         if words and (names.tokens(k) <= words or words <= names.tokens(k))), None)
            if ours is not None:
                v.role = True
                v.notes.append(f"role: {ours!r} = {via} {theirs!r}")
                break
    if actor.countries and facts.countries:
        our_keys = set(actor.countries)
        shared = [(found, via) for found, _, via in facts.countries if our_keys & {names.key(n) for n in found}]
        if shared:
            found, via = shared[0]
            mine = next(actor.countries[names.key(n)] for n in found if names.key(n) in our_keys)
            v.agrees = True
            v.notes.append(f"country: {mine!r} = {via} {found[0]!r}")
        else:
            sure = [found for found, certain, _ in facts.countries if certain]
            if sure:
                theirs = ", ".join(repr(f[0]) for f in sure)
                v.against.append(f"against: country {theirs}, not {', '.join(map(repr, actor.countries.values()))}")
    if facts.ended:
        end = facts.ended[0]
        if actor.years is None:
            v.doubts.append(f"doubt: ended (dissolved or died) in {end}; the story gives no year to compare")
        elif end < actor.years[0]:
            v.against.append(f"against: ended (dissolved or died) in {end}, before the story's events "
                             f"({actor.years[0]})")
        elif end <= actor.years[1]:
            v.doubts.append(f"doubt: ended (dissolved or died) in {end}, the years of the story's events")
    if facts.began and actor.years is not None and facts.began[0] > actor.years[1]:
        v.against.append(f"against: began (founded or born) in {facts.began[0]}, after the story's events "
                         f"({actor.years[1]})")
    return v


def _is_known(store: StoreLike, g: ox.NamedNode, actor: Actor, entity: str) -> bool:
    if entity in actor.known:
        return True
    same = ox.NamedNode(SAME_AS)
    node = ox.NamedNode(entity)
    return any(isinstance(q.object, ox.NamedNode) and q.object.value in actor.known
               for q in store.quads_for_pattern(node, same, None, g)) or any(
        isinstance(q.subject, ox.NamedNode) and q.subject.value in actor.known
        for q in store.quads_for_pattern(None, same, node, g))


def _relation(store: StoreLike, g: ox.NamedNode, entity: str, partner: str) -> str:
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
            elif c.doubt and not c.known:
                c.status = "doubtful"
            else:
                c.status = "linked"


def _labels(store: StoreLike, g: ox.NamedNode, candidates: Iterable[Candidate], actors: dict[str, Actor]) -> None:
    """The entity's name to show: in the actor's (the story's) language if it has one, else untagged, else any."""
    for c in candidates:
        lang = actors[c.actor].language
        for prop in NAME_PROPERTIES:
            found = [q.object for q in store.quads_for_pattern(ox.NamedNode(c.entity), ox.NamedNode(prop), None, g)
                     if isinstance(q.object, ox.Literal)]
            if found:
                best = min(found, key=lambda lit: (lit.language != lang if lang else False,
                                                   lit.language is not None and lit.language != lang, str(lit)))
                c.entity_label = best.value
                break


def explain(actors: dict[str, Actor], candidates: Iterable[Candidate]) -> list[str]:
    """One line per actor: linked (to what, with which predicate and score), in review (how many candidates, the
    best), or no candidate; and why, from the evidence.

    >>> a = Actor("https://e.org/acme", "company", "ACME", {"acme": "ACME"})
    >>> explain({a.iri: a}, [])
    ['<https://e.org/acme>  no candidate: no entity of the dataset carries one of its names (ACME)']
    """
    per_actor: dict[str, list[Candidate]] = defaultdict(list)
    for c in candidates:
        per_actor[c.actor].append(c)
    lines = []
    for iri in sorted(actors, key=shorten):
        cs = per_actor.get(iri, [])
        linked = [c for c in cs if c.status == "linked"]
        review = [c for c in cs if c.status in REVIEW_STATUSES]
        out = [c for c in cs if c.status == "ruled out"]
        weak = [c for c in cs if c.status == "too weak"]
        head = shorten(iri)
        if linked:
            c = linked[0]
            line = (f"{head}  linked: {shorten(c.predicate)} {shorten(c.entity)} {c.entity_label!r} ({c.score:.2f}): "
                    + "; ".join(c.evidence))
            if review:
                line += f" | {len(review)} other(s) to review"
        elif review:
            c = review[0]
            line = (f"{head}  in review: {len(review)} candidate(s), best {shorten(c.entity)} {c.entity_label!r} "
                    f"({c.score:.2f}, {c.status}): " + "; ".join(c.evidence))
        elif out or weak:
            parts = [f"{shorten(c.entity)} {c.entity_label!r} ruled out ({'; '.join(c.evidence[-1:])})"
                     for c in out[:3]] + ([f"and {len(out) - 3} more ruled out"] if len(out) > 3 else [])
            if weak:
                parts.append(f"{len(weak)} look-alike(s) too weak to review, best {shorten(weak[0].entity)} "
                             f"{weak[0].entity_label!r} ({weak[0].score:.2f}: {'; '.join(weak[0].evidence)})")
            line = f"{head}  no candidate: " + " | ".join(parts)
        else:
            shown = ", ".join(sorted(actors[iri].names.values())[:3])
            line = f"{head}  no candidate: no entity of the dataset carries one of its names ({shown})"
        lines.append(line)
    return lines
