"""``kg draft``: propose a claim for each claim-making sentence of a story's texts, for a curator to accept or edit.

The drafter reads the text only: no network, no model. It splits sentences, finds the named actors, and for each
sentence picks a kind from cue words (demand, refusal, proposal, threat, consequence, justification, legal action,
report, statement, state), an agent and an addressee among the actors, a CAMEO code, FactBank-style certainty,
polarity and time from cues ("preparing to", "could", "would", "if", "reportedly", negation) and the attribution
from reporting cues ("according to", "X reported", quotation marks). Every quote is cut from the text itself,
so it is in the text by construction, and made unique with the shortest ``oa:prefix`` or ``oa:suffix`` when needed.

The drafts go to ``triples/<slug>/draft.ttl``, which the build never reads (:data:`kg.config.DRAFT_FILE`): drafted
claims stay out of the story's graphs, shapes and reasoning until a curator accepts them
(:func:`accept`, ``kg draft SLUG --accept ID``), which moves their blocks into ``claims.ttl``.

:class:`Drafter` is the interface: anything with ``draft(text) -> DraftedText`` can replace :class:`RuleDrafter`.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from kg.config import DRAFT_FILE
from kg.errors import KgError
from kg.hints import unique_context
from kg.rows import rows

# --- What a drafter returns -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftActor:
    """A named actor found in the text: its key (local name), its name as the text gives it, its kind."""

    key: str
    label: str
    kind: str  # a so: class local name: Person, Company, GovernmentBody, NewsOrganization, Court, UnnamedGroup
    start: int  # its first mention
    end: int


@dataclass(frozen=True)
class DraftClaim:
    """One proposed claim: the sentence, the exact quote (start..end in the text) and what the curator decides."""

    key: str
    kind: str  # demand refusal proposal threat consequence justification legal report statement state
    sentence: tuple[int, int]
    start: int
    end: int
    cls: str  # the so: class local name
    cameo: str | None
    certainty: str
    polarity: str
    time: str
    status: str | None = None
    agent: str | None = None  # actor keys
    addressee: str | None = None
    attribution: str | None = None  # an actor key, or None for the document's own voice
    refuses: str | None = None  # a claim key
    threatens: str | None = None  # a claim key
    asks: tuple[int, int] | None = None  # what a demand or proposal asks for (start, end in the text)
    cues: tuple[str, ...] = ()


@dataclass
class DraftedText:
    """What a drafter found in one text."""

    sentences: list[tuple[int, int]]
    actors: list[DraftActor] = field(default_factory=list)
    claims: list[DraftClaim] = field(default_factory=list)


class Drafter(Protocol):
    """Anything that proposes claims for a text; :class:`RuleDrafter` is the one shipped."""

    def draft(self, text: str) -> DraftedText: ...


class DraftError(KgError):
    """The story cannot be drafted or a draft cannot be accepted (no story, unknown draft id)."""

    exit_code = 2


# --- Sentences --------------------------------------------------------------------------------------------------

_ABBREV = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|Gen|Sen|Rep|Inc|Corp|Ltd|Co|vs|etc|No|Jr|Sr)|\b[A-Z])\.$")
_BOUNDARY = re.compile(r"[.!?]+[\"”’')\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence bounds (start, end) in reading order: each line split at sentence ends; headings are sentences.

    >>> t = "Dr. Smith said no. The firm refused!\\nA heading\\n"
    >>> [t[s:e] for s, e in sentences(t)]
    ['Dr. Smith said no.', 'The firm refused!', 'A heading']
    """
    found: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for boundary in _BOUNDARY.finditer(line[0]):
            cut = line.start() + boundary.end()
            piece = text[start:cut].rstrip()
            if _ABBREV.search(piece):
                continue
            found.append((start, start + len(piece)))
            start = cut
        piece = text[start:line.end()].rstrip()
        lead = len(piece) - len(piece.lstrip())
        if piece.strip():
            found.append((start + lead, start + len(piece)))
    return found


# --- Actors -----------------------------------------------------------------------------------------------------

_NOT_NAMES = {
    "The", "A", "An", "In", "On", "At", "By", "For", "From", "To", "Of", "And", "But", "Or", "If", "As", "After",
    "Before", "Despite", "According", "However", "With", "Without", "While", "When", "Why", "What", "How", "This",
    "That", "These", "Those", "It", "Its", "He", "She", "They", "We", "I", "Our", "Their", "His", "Her", "There",
    "Another", "Both", "Neither", "Some", "Many", "All", "Each", "Such", "Since", "Also",
    "Still", "Yet", "Then", "Now", "Here", "Other", "Over", "Under", "Until", "Later", "Earlier", "Meanwhile",
    "VPN", "AI", "US", "UK", "EU", "Monday", "Tuesday", "Wednesday",
    "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December", "Analysts", "Users", "Officials",
}
_ORG_WORDS = {"Department", "Ministry", "Service", "Agency", "Authority", "Government", "Council", "Commission",
              "Committee", "Office", "Parliament", "Senate", "Congress", "Police", "Army", "Navy", "Kremlin",
              "Administration", "Bureau", "Union", "Federation", "Watchdog"}
_COURT_WORDS = {"Court", "Tribunal"}
_COMPANY_WORDS = {"Inc", "Corp", "Ltd", "Company", "Group", "Bank", "Technologies", "Labs"}
_NEWS = {"CNN", "Bloomberg", "Reuters", "BBC", "AP", "AFP", "TASS", "Interfax", "Guardian", "Times", "Post",
         "Journal", "News", "RIA", "Politico", "Axios", "Forbes", "Courier", "Herald", "Gazette", "Tribune",
         "Daily", "Observer", "Chronicle", "Express", "Inquirer", "Press", "Radio", "Television", "Broadcasting",
         "Telegraph", "Independent", "Economist", "Bulletin", "Review", "Monitor"}
_INSTITUTION_WORDS = {"Hospital", "University", "School", "College", "Institute", "Foundation", "Association",
                      "Federation", "Society", "Club", "Party", "Church", "Centre", "Center", "Trust", "Fund",
                      "Organisation", "Organization", "Alliance", "Coalition", "Network", "Movement"}
_COUNTRIES = {"Russia", "China", "Ukraine", "Iran", "France", "Germany", "Washington", "Moscow", "Beijing", "Kyiv",
              "Britain", "America", "Israel", "India", "Japan"}
# Actors the texts name by a common noun ("the port authority", "the company", "officials"), by head noun.
_ROLE_HEADS = {
    "authority": "GovernmentBody", "authorities": "GovernmentBody", "ministry": "GovernmentBody",
    "government": "GovernmentBody", "regulator": "GovernmentBody", "watchdog": "GovernmentBody",
    "agency": "GovernmentBody", "department": "GovernmentBody", "service": "GovernmentBody",
    "police": "GovernmentBody", "army": "GovernmentBody", "administration": "GovernmentBody",
    "court": "Court", "judge": "UnnamedPerson", "company": "Company", "firm": "Company", "messenger": "Company",
    "union": "UnnamedGroup", "officials": "UnnamedGroup", "analysts": "UnnamedGroup", "users": "UnnamedGroup",
    "lawyers": "UnnamedGroup", "members": "UnnamedGroup", "workers": "UnnamedGroup", "protesters": "UnnamedGroup",
    "representatives": "UnnamedGroup", "experts": "UnnamedGroup", "critics": "UnnamedGroup",
    "council": "GovernmentBody", "commission": "GovernmentBody", "parliament": "GovernmentBody",
    "prosecutor": "UnnamedPerson", "prosecutors": "UnnamedGroup", "board": "Company", "operator": "Company",
    "contractor": "Company", "supplier": "Company", "carrier": "Company", "employer": "Company",
    "airline": "Company", "platform": "Company", "provider": "Company", "developer": "Company",
    "manufacturer": "Company", "owner": "UnnamedPerson", "landlord": "UnnamedPerson", "mayor": "UnnamedPerson",
    "minister": "UnnamedPerson", "president": "UnnamedPerson", "spokesperson": "UnnamedPerson",
    "spokesman": "UnnamedPerson", "spokeswoman": "UnnamedPerson", "regulators": "UnnamedGroup",
    "residents": "UnnamedGroup", "citizens": "UnnamedGroup", "drivers": "UnnamedGroup", "employees": "UnnamedGroup",
    "staff": "UnnamedGroup", "teachers": "UnnamedGroup", "doctors": "UnnamedGroup", "nurses": "UnnamedGroup",
    "students": "UnnamedGroup", "farmers": "UnnamedGroup", "tenants": "UnnamedGroup", "investors": "UnnamedGroup",
    "shareholders": "UnnamedGroup", "customers": "UnnamedGroup", "activists": "UnnamedGroup",
}
_HEADS = "|".join(sorted(_ROLE_HEADS, key=len, reverse=True))
_ROLE = re.compile(r"\b(?:(?:[Tt]he|[Ii]ts|[Tt]heir|[A-Z]\w*['’]s)\s+"
                   r"(?P<mods>(?:(?!(?:" + _HEADS + r")\b)[\w’'-]+\s+){0,2}?)"
                   r"|(?P<bare>(?:[A-Z][\w-]*\s+)?))(?P<head>(?i:" + _HEADS + r"))\b")
_NAME = re.compile(r"(?<![\w’'])(?:[A-Z][\w’'\-]*|[A-Z]{2,})(?:\s+(?:of\s+(?:the\s+)?)?(?:[A-Z][\w’'\-]*))*")
# Titles before a person's name: "Mayor Petra Olsen" is Petra Olsen.
_TITLES = {"Mayor", "Judge", "President", "Minister", "Senator", "Governor", "Chief", "CEO", "Founder", "Leader",
           "General", "Prime", "Secretary", "Chairman", "Chairwoman", "Director", "Dr", "Mr", "Mrs", "Ms", "Prof"}
_GROUP_BARE = {h for h, kind in _ROLE_HEADS.items() if kind == "UnnamedGroup" and h.endswith("s")}


def _kind_of(name: str) -> str:
    words = set(re.findall(r"[\w’'-]+", name))
    if words & _NEWS:
        return "NewsOrganization"
    if words & _COURT_WORDS:
        return "Court"
    if words & _ORG_WORDS or name in _COUNTRIES:
        return "GovernmentBody"
    if words & _COMPANY_WORDS:
        return "Company"
    if words & _INSTITUTION_WORDS:
        return "Organization"
    if name.isupper() and len(name) <= 6:
        return "GovernmentBody"
    if len(name.split()) in (2, 3) and all(w[0].isupper() for w in name.split()):
        return "Person"
    return "Organization"  # a name and nothing more: the curator says which kind of organisation, or a person


def local_name(words: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", words.lower().replace("’", "").replace("'", "")).strip("-")


def find_actors(text: str) -> tuple[list[DraftActor], list[tuple[int, int, str]]]:
    """The actors a text names and every mention of them (start, end, actor key), in text order.

    A capitalised name (possibly "X of Y") that is not a sentence-opening function word is an actor; so is a
    role phrase ("the port authority", "officials"). A later mention by the last word of a person's name
    ("Lee") or by the head noun of a role phrase ("the authority") is the same actor.

    >>> actors, mentions = find_actors("Judge Ann Lee ruled. The port authority objected. Lee left the authority.")
    >>> [(a.label, a.kind) for a in actors]
    [('Ann Lee', 'Person'), ('port authority', 'GovernmentBody')]
    >>> [key for *_, key in mentions]
    ['ann-lee', 'port-authority', 'ann-lee', 'port-authority']
    """
    actors: dict[str, DraftActor] = {}
    mentions: list[tuple[int, int, str]] = []
    by_head: dict[str, str] = {}
    for match in _ROLE.finditer(text):
        head = match["head"].lower()
        if match["bare"] is not None and match.start("head") == match.start() and head not in _GROUP_BARE:
            continue  # a bare singular noun ("union leader") is not an actor on its own
        mods = (match["mods"] or match["bare"] or "").strip()
        start = match.start("mods") if match["mods"] else match.start("bare") if match["bare"] else match.start("head")
        label = f"{mods} {head}".strip()
        key = by_head.get(head) if not mods or head in by_head else None
        if key is None:
            key = local_name(label)
            by_head.setdefault(head, key)
            actors.setdefault(key, DraftActor(key, label, _ROLE_HEADS[head], start, match.end()))
        mentions.append((start, match.end(), key))
    taken = [(s, e) for s, e, _ in mentions]
    surnames: dict[str, str] = {}
    for match in _NAME.finditer(text):
        words = match[0].split()
        start = match.start()
        while words and (words[0] in _NOT_NAMES or words[0].lower() in ("of", "the")  # "The Ministry" -> "Ministry"
                         or (words[0].rstrip(".") in _TITLES and len(words) > 2)):
            start = text.index(words[0], start) + len(words[0])
            start += len(text[start:]) - len(text[start:].lstrip())
            words = words[1:]
        while words and words[-1] in ("of", "the"):
            words = words[:-1]
        if not words or words[0] in _NOT_NAMES:
            continue
        name = " ".join(words)
        if name.endswith(("’s", "'s")):
            name = name[:-2]
        if len(name) < 2:
            continue
        end = start + len(name)
        if any(s < end and start < e for s, e in taken):
            continue
        if name.lower() in by_head:  # "Union leader ..." after "the union"
            mentions.append((start, end, by_head[name.lower()]))
            continue
        if len(words) == 1 and name in surnames:
            mentions.append((start, end, surnames[name]))
            continue
        if len(words) == 1 and (re.search(r"(?:ish|ian|ese|ern)$", name) or all(
                re.search(r"(?:^|[.!?:][\"”’')]*\s+|\n[\"“‘(]?)$", text[:m.start()])
                for m in re.finditer(r"(?<![\w’'])" + re.escape(name) + r"(?![\w])", text))):
            continue  # a demonym ("Scottish"), or a word only ever capitalised at a sentence's start ("Talks")
        key = local_name(name)
        if key not in actors:
            actors[key] = DraftActor(key, name, _kind_of(name), start, end)
            if actors[key].kind == "Person":
                surnames[name.split()[-1]] = key
        mentions.append((start, end, key))
    # "the federation" after "the Scottish Fishermen's Federation": the last word of a longer name, lower case.
    last_words = {a.label.split()[-1].lower(): a.key for a in actors.values() if len(a.label.split()) > 1
                  and a.kind != "Person" and a.label.split()[-1].lower() not in _ROLE_HEADS}
    taken = [(s, e) for s, e, _ in mentions]
    for hit in re.finditer(r"\b[Tt]he\s+([a-z]+)\b", text):
        if hit[1] in last_words and not any(s < hit.end() and hit.start() < e for s, e in taken):
            mentions.append((hit.start(), hit.end(), last_words[hit[1]]))
    mentions.sort()
    return sorted(actors.values(), key=lambda a: a.start), mentions


# --- Cues ---------------------------------------------------------------------------------------------------------

def _words(*cues: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(cues) + r")\b", re.I)


# Kinds in the order they are tried: the first whose cue the sentence has wins.
KIND_CUES: list[tuple[str, re.Pattern[str]]] = [
    ("refusal", _words(r"refus\w*", r"declin\w*", r"reject\w*", r"did not agree", r"not agree", r"won[’']t comply",
                       r"will not comply", r"boycott\w*", r"forbade", r"not to (?:comply|participate)",
                       r"can not be fulfil\w*", r"cannot be fulfil\w*")),
    ("threat", _words(r"threat\w*", r"warn\w*", r"ultimatum")),  # CAMEO 139 "Give ultimatum" is a threat
    ("demand", _words(r"demand\w*", r"(?<!in )order(?:ed|s|ing)?", r"want(?:s|ed)?", r"told\s+(?:\S+\s+){1,3}?to",
                      r"insist\w*", r"urg(?:e|es|ed|ing)", r"called on", r"calls on", r"asked", r"asking",
                      r"request\w*", r"requir(?:e|es|ed|ing)", r"oblig\w*", r"deadline", r"must")),
    ("proposal", _words(r"propos\w*", r"offer\w*", r"suggest\w*", r"compromise")),
    ("legal", _words(r"lawsuit", r"sued", r"appeal\w*", r"court", r"judge", r"hearing", r"ruling", r"ruled",
                     r"judicial", r"verdict", r"sentenced", r"prosecut\w*", r"indict\w*")),
    ("consequence", _words(r"ban\w*", r"block\w*", r"bar(?:red)?", r"exclu\w*", r"blacklist\w*", r"sanction\w*",
                           r"fine[ds]?", r"shut\w*", r"cut off", r"restrict\w*", r"precedent", r"fallout",
                           r"cancel\w*", r"revok\w*", r"suspen\w*", r"terminat\w*", r"withdraw\w*", r"evict\w*",
                           r"seiz\w*", r"confiscat\w*", r"arrest\w*", r"detain\w*", r"expel\w*", r"deport\w*")),
    ("justification", _words(r"because", r"argu\w*", r"reason\w*", r"in order to", r"justif\w*", r"citing",
                             r"views?", r"concern\w*")),
    ("report", _words(r"according to", r"reports?", r"reported", r"notes", r"noted", r"highlights?")),
    ("statement", _words(r"said", r"says", r"stated?", r"states", r"wrote", r"writes", r"announced?", r"explained",
                         r"told", r"claim\w*", r"promis\w*", r"letter", r"message", r"post\w*", r"conveys")),
]
KIND_CLASS = {"demand": "Demand", "refusal": "Refusal", "proposal": "Proposal", "threat": "Threat",
              "consequence": "Consequence", "justification": "Justification", "legal": "LegalAction",
              "report": "NewsReport", "statement": "Statement", "state": "State"}
KIND_CAMEO = {"demand": "100", "refusal": "120", "proposal": "037", "threat": "130", "consequence": "172",
              "justification": "010", "legal": "115", "report": "010", "statement": "010", "state": None}

POSSIBLE = _words(r"could", r"might", r"may", r"possibly", r"potentially", r"perhaps", r"if", r"unless", r"can",
                  r"possibilit\w*")
PROBABLE = _words(r"would", r"likely", r"preparing to", r"prepares to", r"expected to", r"reportedly",
                  r"on the brink", r"poised to", r"plans? to", r"set to", r"appears? to", r"seems? to",
                  r"probabl\w*", r"hope\w*")
FUTURE = _words(r"will", r"would", r"could", r"might", r"may", r"going to", r"preparing to", r"prepares to",
                r"plans? to", r"expected to", r"set to", r"poised to", r"next", r"future", r"promis\w*", r"hope\w*")
NEGATION = _words(r"not", r"n[’']t", r"never", r"no", r"neither", r"nor", r"without", r"hasn[’']t", r"didn[’']t")
# Reporting frames: the source they name is who asserts the rest of the sentence.
FRAMES = [
    re.compile(r"^(?:According to (?P<src>[^,]+)),\s*", re.I),
    re.compile(r"^(?P<src>(?:(?!\bthat\b)[^,.;:])+?)\s+(?:reports?|reported|notes|noted|says|said|stated|states|"
               r"argues|argued|highlights|wrote|writes|conveys|claims|claimed|explained)\s+(?:that\s+)?",
               re.I),
]
# What a refusal may name as the thing refused, when it is an offer rather than a demand.
_OFFER = re.compile(r"\b(?:an?|the|its|their|his|her)\s+(?:[\w’'-]+\s+){0,2}?(?:offer|proposal|compromise|deal|"
                    r"plan)s?\b(?:\s+(?:from|by|of)\s+(?:the\s+)?(?:[\w’'-]+\s+)?[\w’'-]+)?", re.I)
TRAILING_SPEAKER = re.compile(r",\s+(?:the\s+)?(?P<src>[^,\"”]+?)\s+(?:said|says|reported|told\s+\S+|stated|added)"
                              r"(?:\s+on\s+\w+)?[.!]?$", re.I)
QUOTED_SPEAKER = re.compile(r"[”\"],?\s+(?:the\s+)?(?P<src>[^,.]+?)\s+(?:said|explained|wrote|stated|added|noted)"
                            r"\b", re.I)


class RuleDrafter:
    """Cue lexicons and a few patterns: the drafter ``kg draft`` runs (see the module docstring)."""

    def draft(self, text: str) -> DraftedText:
        """Propose claims for every sentence of ``text`` that makes one.

        >>> d = RuleDrafter().draft("The Ministry demanded that Acme hand over its keys. Acme refused.")
        >>> [(c.kind, c.agent, c.addressee, c.cameo) for c in d.claims]
        [('demand', 'ministry', 'acme', '100'), ('refusal', 'acme', None, '120')]
        """
        bounds = sentences(text)
        actors, mentions = find_actors(text)
        kinds = {a.key: a.kind for a in actors}
        out = DraftedText(bounds, actors)
        last_asked: str | None = None
        last_of_kind: dict[str, str] = {}
        used: set[str] = set()
        announced: str | None = None  # who speaks in the quotation a sentence ending in ":" introduces
        last_speaker: str | None = None  # who last said something: "He highlights that" is them again
        speaking: str | None = None  # who speaks in the quotation still open
        for s_start, s_end in bounds:
            sentence = text[s_start:s_end]
            if sentence.rstrip().endswith("?") or len(sentence.split()) < 2:
                continue
            inside = [(a, b, k) for a, b, k in mentions if s_start <= a < s_end]
            claims: list[tuple[str, int, int, str | None]] = []  # kind, start, end, attribution
            # Quotation marks: sentences of a quotation an earlier sentence introduced ("X wrote:") are X's words.
            if speaking is None and announced and sentence[:1] in "\"“":
                speaking = announced
            announced = None
            attribution = speaking
            if speaking and re.search(r"[”\"]\W*$", sentence):
                speaking = None
            body = s_start
            frame = next((m for f in FRAMES if (m := f.match(sentence))), None)
            if frame and frame.end() < len(sentence) - 10 and not sentence.rstrip().endswith(":"):
                source = _subject(text, [m for m in inside if s_start + frame.start("src") <= m[0]
                                         and m[1] <= s_start + frame.end("src")], kinds)
                if source is None and re.fullmatch(r"(?:He|She|They|It|We)", frame["src"].strip()):
                    source = last_speaker
                told = re.search(r"\b(?:analysis|report|reports|study|statement|letter|message|update|note|survey|"
                                 r"filing|memo|document)\b", frame["src"], re.I)
                if source is not None or told or frame.re is FRAMES[0]:
                    frame_end = s_start + len(sentence[:frame.end()].rstrip(", "))
                    claims.append(("report" if kinds.get(source or "") == "NewsOrganization" else "statement",
                                   s_start, frame_end, None))
                    attribution = source
                    body = s_start + frame.end()
            speaker = QUOTED_SPEAKER.search(sentence) or TRAILING_SPEAKER.search(sentence)
            if speaker and attribution is None:
                attribution = _subject(text, [m for m in inside if s_start + speaker.start("src") <= m[0]
                                              and m[1] <= s_start + speaker.end("src")], kinds)
            rest = text[body:s_end]
            # A leading temporal clause ("After the court's decision was announced, X made a statement") tells an
            # earlier event: the kind is read in the main clause after it.
            lead = re.match(r"(?:After|Before|When|Once|Following)\b[^,]{0,120},\s*", rest)
            main_clause = rest[lead.end():] if lead else rest
            # The kind whose cue comes first (the main verb usually precedes what it governs); ties by KIND_CUES order.
            found = [(m.start(), n, k) for n, (k, cue) in enumerate(KIND_CUES) if (m := cue.search(main_clause))]
            kind = min(found)[2] if found else "state"  # no act named: a situation the text describes
            claims.append((kind, body, s_end - (1 if text[s_end - 1] in ".!" else 0), attribution))
            for kind, start, end, source in claims:
                claim = self._claim(text, kind, start, end, (s_start, s_end), inside, kinds, source, used,
                                    last_asked, last_of_kind)
                offered = _OFFER.search(text, claim.start, claim.end) if claim.kind == "refusal" else None
                if offered and not (last_asked and last_asked.startswith("proposal-")):
                    # "rejected a pay offer from the trust": the offer is a proposal of its own, the one refused
                    offer = self._claim(text, "proposal", offered.start(), offered.end(), (s_start, s_end), inside,
                                        kinds, source, used, None, last_of_kind)
                    by = [k for a, _, k in inside if offered.start() <= a < offered.end()]
                    offer = replace(offer, agent=by[-1] if by else None, addressee=claim.agent, status="rejected")
                    out.claims.append(offer)
                    claim = replace(claim, refuses=offer.key)
                if claim.kind == "threat" and claim.asks:  # what is threatened is a consequence of its own
                    a, b = claim.asks
                    warned = self._claim(text, "consequence", a, b, (s_start, s_end), inside, kinds, source, used,
                                         None, last_of_kind)
                    status = "threatened" if warned.time == "future" or warned.certainty != "certain" else None
                    warned = replace(warned, status=status, agent=warned.agent or claim.agent)
                    out.claims.extend([replace(claim, threatens=warned.key, asks=None), warned])
                else:
                    out.claims.append(claim)
                last_of_kind[claim.kind] = claim.key
                if claim.kind in ("demand", "proposal"):
                    last_asked = claim.key
            if sentence.rstrip().endswith(":"):
                announced = claim.agent or attribution
            last_speaker = attribution or last_speaker
        return out

    def _claim(self, text: str, kind: str, start: int, end: int, sentence: tuple[int, int],
               inside: list[tuple[int, int, str]], kinds: dict[str, str], source: str | None, used: set[str],
               last_asked: str | None, last_of_kind: dict[str, str]) -> DraftClaim:
        words = text[start:end]
        cue = next((m for k, c in KIND_CUES if k == kind and (m := c.search(words))), None)
        at = start + (cue.start() if cue else 0)
        before = [m for m in inside if start <= m[0] < at] or [m for m in inside if m[0] < at][-1:]
        after = [k for a, _, k in inside if at < a < end]
        agent = _subject(text, before, kinds) if before else (after[0] if after else None)
        if kind == "state":
            agent = None
        addressee = next((k for k in after if k != agent), None) if kind in (
            "demand", "threat", "proposal", "legal", "consequence") else None
        asks = None
        if cue is not None and kind in ("demand", "threat", "proposal"):
            clause = re.search(r"\b(?:that|to|of)\s+(\S.*)$", text[start + cue.end():end])
            if clause and clause[1].strip(" .,;"):
                asks = (start + cue.end() + clause.start(1), end)
        certainty, time = "certain", "pastOrPresent"
        if asks is not None and kind == "threat":  # a warning happened; its hedge belongs to what it warns of
            words = text[start:asks[0]]
        # Cues count in the main clause only (FactBank: a hedge or a negation in a complement or a condition belongs
        # to the event there): "cancel the licence if services are not restored" is positive; "declined, arguing
        # they would interfere" is certain. A condition ("if", "unless") makes the main event possible.
        main = re.split(r"\b(?:if|unless|because|since|although|while|whether|that|arguing|saying|citing)\b|, ",
                        words, maxsplit=1)[0]
        hedge = POSSIBLE.search(main)
        if PROBABLE.search(main):
            certainty = "probable"
        elif hedge or re.search(r"\b(?:if|unless)\b", words, re.I):
            certainty = "possible"
            hedge = hedge or re.search(r"\b(?:if|unless)\b", words, re.I)
        if FUTURE.search(main):
            time = "future"
        negated = NEGATION.search(main) is not None and kind != "refusal"
        cls = KIND_CLASS[kind]
        if kind == "report" and kinds.get(agent or "") != "NewsOrganization":
            cls = "Statement"
        if kind == "consequence":
            lowered = words.lower()
            cls = "Ban" if re.search(r"\bban|block", lowered) else "Exclusion" if re.search(
                r"exclu|barred", lowered) else "Blacklisting" if "blacklist" in lowered else "Consequence"
        status = None
        if kind == "consequence":
            status = "enacted" if time == "pastOrPresent" and certainty == "certain" else (
                "pending" if certainty == "probable" else "expected")
        elif kind == "threat":
            status = None
        elif kind == "proposal":
            status = "proposed"
        key = unique(f"{kind}-" + "-".join(local_name(w) for w in re.findall(r"[A-Za-z]{4,}", words)[:3]), used)
        return DraftClaim(
            key=key, kind=kind, sentence=sentence, start=start, end=end, cls=cls, cameo=KIND_CAMEO[kind],
            certainty=certainty, polarity="negative" if negated else "positive", time=time, status=status,
            agent=agent, addressee=addressee, attribution=source,
            refuses=last_asked if kind == "refusal" else None, asks=asks,
            cues=tuple(m[0] for m in (cue, hedge) if m))


def _subject(text: str, mentions: list[tuple[int, int, str]], kinds: dict[str, str]) -> str | None:
    """The actor a phrase is about: its first actor ("the authority of X" is the authority), unless a person's
    name follows within two words ("Union leader Maria Jansen" is Maria Jansen)."""
    if not mentions:
        return None
    first = mentions[0]
    for later in mentions[1:]:
        if kinds.get(later[2]) == "Person" and len(text[first[1]:later[0]].split()) <= 2:
            return later[2]
    return first[2]


def unique(key: str, used: set[str]) -> str:
    key = key.strip("-") or "claim"
    candidate, n = key, 2
    while candidate in used:
        candidate, n = f"{key}-{n}", n + 1
    used.add(candidate)
    return candidate


# --- The story's files --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StoryTexts:
    """A story's prefix, namespace and documents (local name, text file) in reading order."""

    folder: Path
    prefix: str
    namespace: str
    documents: list[tuple[str, Path]]


def story_texts(project: str | Path, slug: str) -> StoryTexts:
    """Read ``triples/<slug>/``: the prefix from story.ttl, the documents and their texts (found by sha256)."""
    import pyoxigraph as ox

    from kg.evidence import sha256_file

    folder = Path(project) / "triples" / slug
    if not (folder / "story.ttl").exists():
        raise DraftError(f"{folder}: no story.ttl; start the story with `kg new {slug} --article FILE`")
    store = ox.Store()
    for path in sorted(folder.glob("*.ttl")):
        if path.name != DRAFT_FILE:
            try:
                store.load(path=path, format=ox.RdfFormat.TURTLE)
            except SyntaxError as err:
                raise DraftError(f"{path}: {err}") from None
    row = next(rows(store.query("""PREFIX vann: <http://purl.org/vocab/vann/>
        SELECT ?p ?u WHERE { ?s a <https://w3id.org/standoff/ontology#Story> ;
        vann:preferredNamespacePrefix ?p ; vann:preferredNamespaceUri ?u }""")), None)
    if row is None:
        raise DraftError(f"{folder / 'story.ttl'}: no so:Story with its prefix and namespace")
    texts = {sha256_file(p): p for p in folder.glob("*.txt")}
    documents = []
    for doc in rows(store.query("""SELECT ?d ?sha WHERE { ?s <https://w3id.org/standoff/ontology#hasDocument> ?d .
                                    ?d <https://w3id.org/standoff/ontology#sha256> ?sha }""")):
        text = texts.get(doc["sha"].value)
        if text is None:
            raise DraftError(f"{doc['d'].value}: no text in {folder} has its sha256")
        documents.append((doc["d"].value.removeprefix(row["u"].value), text))
    documents.sort(key=lambda d: d[1].name)  # the reading order (kg/order.py)
    return StoryTexts(folder, row["p"].value, row["u"].value, documents)


def _lit(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def selector(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The quote selector (exact, prefix, suffix) for ``text[start:end]``: a prefix or suffix only when needed.

    >>> selector("a cat and a cat sat", 12, 15)
    ('cat', '', ' s')
    """
    exact = text[start:end]
    if text.count(exact) == 1:
        return exact, "", ""
    prefix, suffix = unique_context(text, start, end)
    if prefix and (not suffix or len(prefix) <= len(suffix)):
        return exact, prefix, ""
    return exact, "", suffix


def _selector(text: str, start: int, end: int) -> str:
    exact, prefix, suffix = selector(text, start, end)
    return f"oa:exact {_lit(exact)}" + (f" ; oa:prefix {_lit(prefix)}" if prefix else "") + (
        f" ; oa:suffix {_lit(suffix)}" if suffix else "")


def render(story: StoryTexts, drafted: list[tuple[str, str, DraftedText]]) -> str:
    """draft.ttl for the drafted documents: (document local name, text, what was drafted) in reading order."""
    p = story.prefix
    out = [f"""# DRAFT claims proposed by `kg draft` from the story's texts. The build never reads this file.
# Accept a claim with `kg draft <slug> --accept ID` (its block, and the blocks of the actors it names, move to
# claims.ttl), or copy and edit it there. Check every value: kind, agent, addressee, attribution, certainty,
# polarity, time, status, CAMEO code. Blocks are separated by a line "# draft: ID".

@prefix so:      <https://w3id.org/standoff/ontology#> .
@prefix cameo:   <https://w3id.org/standoff/cameo/> .
@prefix {p}: <{story.namespace}> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oa:      <http://www.w3.org/ns/oa#> .
"""]
    seen: set[str] = set()
    for doc, text, found in drafted:
        for actor in found.actors:
            if actor.key in seen:
                continue
            seen.add(actor.key)
            out.append(f"""# draft: {actor.key}
# {doc}: "{actor.label}"
{p}:{actor.key} a so:{actor.kind} ;
    rdfs:label {_lit(actor.label)}@en ;
    so:hasEvidence [ oa:hasSource {p}:{doc} ;
        oa:hasSelector [ a oa:TextQuoteSelector ; {_selector(text, actor.start, actor.end)} ] ] .
""")
        for c in found.claims:
            sentence = " ".join(text[c.sentence[0]:c.sentence[1]].split())
            lines = [f"# draft: {c.key}", f"# {doc}: {_lit(sentence)}" + (f"  (cues: {', '.join(c.cues)})"
                                                                             if c.cues else ""),
                     f"{p}:{c.key} a so:{c.cls} ;",
                     f"    rdfs:label {_lit(c.kind.capitalize() + ': ' + ' '.join(text[c.start:c.end].split()))}@en ;"]
            consequence = c.cls in ("Consequence", "Ban", "Exclusion", "Blacklisting")
            if c.agent:
                lines.append(f"    so:{'imposedBy' if consequence else 'hasAgent'} {p}:{c.agent} ;")
            if c.addressee:
                lines.append(f"    so:{'affects' if consequence else 'directedAt'} {p}:{c.addressee} ;")
            if c.refuses:
                lines.append(f"    so:refuses {p}:{c.refuses} ;")
            if c.threatens:
                lines.append(f"    so:threatens {p}:{c.threatens} ;")
            if c.asks:
                lines.append(f"    so:demands {p}:{c.key}-change ;")
            lines.append(f"    so:hasEvidence [ oa:hasSource {p}:{doc} ;\n"
                         f"        oa:hasSelector [ a oa:TextQuoteSelector ; {_selector(text, c.start, c.end)} ] ] ;")
            lines.append(f"    so:attributedTo {p}:{c.attribution or doc} ;")
            lines.append(f"    so:certainty so:{c.certainty} ; so:polarity so:{c.polarity} ; "
                         f"so:timeReference so:{c.time} ;")
            if c.status:
                lines.append(f"    so:status so:{c.status} ;")
            if c.cameo:
                lines.append(f"    so:cameoCode cameo:{c.cameo} ;")
            lines[-1] = lines[-1][:-2] + " ."
            if c.kind == "demand" and not c.asks:
                lines.append("# TO DO: add so:demands (a so:RequestedChange: what is asked); the shapes require it.")
            if c.kind == "threat" and not c.threatens:
                lines.append("# TO DO: add so:threatens (the so:Consequence warned of); the shapes require it.")
            out.append("\n".join(lines) + "\n")
            if c.asks:
                asked = " ".join(text[c.asks[0]:c.asks[1]].split())
                out.append(f"""# draft: {c.key}-change
# {doc}: what {p}:{c.key} asks: {_lit(asked)}
{p}:{c.key}-change a so:RequestedChange ;
    rdfs:label {_lit(asked)}@en ;
    so:hasEvidence [ oa:hasSource {p}:{doc} ;
        oa:hasSelector [ a oa:TextQuoteSelector ; {_selector(text, c.asks[0], c.asks[1])} ] ] .
""")
    return "\n".join(out)


def draft_story(project: str | Path, slug: str, drafter: Drafter | None = None, *, force: bool = False) -> Path:
    """Draft every text of the story into ``triples/<slug>/draft.ttl`` and return its path.

    Claims and actors already in the story's files (same local name) are not drafted again. An existing
    draft.ttl (which may hold a curator's edits) is replaced only with ``force``.
    """
    story = story_texts(project, slug)
    if (story.folder / DRAFT_FILE).exists() and not force:
        raise DraftError(f"{story.folder / DRAFT_FILE} exists and may hold your edits: accept what you want from "
                         "it, then delete it or draft again with --force")
    drafter = drafter or RuleDrafter()
    existing = _defined(story)
    drafted = []
    for doc, path in story.documents:
        text = path.read_text(encoding="utf-8")
        found = drafter.draft(text)
        found.actors = [a for a in found.actors if a.key not in existing]
        found.claims = [c for c in found.claims if c.key not in existing]
        drafted.append((doc, text, found))
    target = story.folder / DRAFT_FILE
    target.write_text(render(story, drafted), encoding="utf-8")
    return target


def _defined(story: StoryTexts) -> set[str]:
    """Local names the story's own files already define (subjects in its namespace)."""
    names: set[str] = set()
    pattern = re.compile(r"^" + re.escape(story.prefix) + r":([\w\-]+)\s+a\s", re.M)
    for path in story.folder.glob("*.ttl"):
        if path.name != DRAFT_FILE:
            names |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return names


def blocks_of(text: str) -> tuple[str, dict[str, str]]:
    """draft.ttl split into its header and its blocks by id, in file order."""
    parts = re.split(r"(?m)^(?=# draft: )", text)
    blocks = {}
    for part in parts[1:]:
        key = part.split("\n", 1)[0].removeprefix("# draft: ").strip()
        blocks[key] = part.rstrip("\n") + "\n"
    return parts[0], blocks


def closure(blocks: dict[str, str], prefix: str, ids: list[str]) -> set[str]:
    """The drafted blocks ``ids`` and every drafted block they name, however deep: what an accepted block names
    must come along, or the build would find it undeclared."""
    wanted: set[str] = set()
    todo = [i for i in ids if i in blocks]
    while todo:
        key = todo.pop()
        if key in wanted:
            continue
        wanted.add(key)
        body = "\n".join(line for line in blocks[key].splitlines() if not line.startswith("#"))
        todo.extend(k for k in re.findall(re.escape(prefix) + r":([\w\-]+)", body) if k in blocks and k != key)
    return wanted


def remaining(header: str, blocks: dict[str, str], taken: AbstractSet[str]) -> str:
    """draft.ttl without the blocks ``taken`` (accepted or rejected)."""
    return header.rstrip("\n") + "\n\n" + "\n".join(v for k, v in blocks.items() if k not in taken)


def accept(project: str | Path, slug: str, ids: list[str], target: str = "claims.ttl") -> list[str]:
    """Move the drafted blocks ``ids`` (and the drafted actors and claims they name) from draft.ttl to ``target``.

    Returns the ids moved, in file order. The target file gets the draft's prefixes when it is new.
    """
    story = story_texts(project, slug)
    draft = story.folder / DRAFT_FILE
    if not draft.exists():
        raise DraftError(f"{draft}: no drafts; run `kg draft {slug}` first")
    header, blocks = blocks_of(draft.read_text(encoding="utf-8"))
    unknown = [i for i in ids if i not in blocks]
    if unknown:
        raise DraftError(f"no draft {', '.join(unknown)} in {draft}; the ids are the `# draft: ID` lines")
    wanted = closure(blocks, story.prefix, ids)
    moved = [k for k in blocks if k in wanted]
    out = story.folder / target
    existing = out.read_text(encoding="utf-8") if out.exists() else re.sub(r"(?s)^.*?(?=@prefix)", "", header)
    out.write_text(existing.rstrip("\n") + "\n\n" + "\n".join(blocks[k] for k in moved), encoding="utf-8")
    draft.write_text(remaining(header, blocks, wanted), encoding="utf-8")
    return moved
