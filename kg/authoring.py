"""``kg new``: start a story folder from its text(s), with nothing typed by hand that a program can compute.

The folder ``triples/<slug>/`` gets the texts byte for byte, ``story.ttl`` (the ``so:Story`` node with its
title, documents and prefix), ``documents.ttl`` (each text a ``so:SourceDocument``, its sha256 computed, what the
text does not say listed as ``so:unstated``) and ``claims.ttl``, a short commented starting file.

Reading order: the build reads a story's documents in the order of their text files' names (see
:mod:`kg.order`); when the texts given are not already in name order, their copies are named ``1-…``, ``2-…``
so that the order given is the order read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError
from kg.evidence import sha256_file
from kg.vocab import DATA, PREFIXES

STORIES_DIR = Path("triples")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
# Metadata a bare text never states: recorded as unknown, not guessed.
UNSTATED = ("schema:author", "schema:datePublished", "schema:headline", "schema:publisher", "schema:url")


class AuthoringError(KgError):
    """A story cannot be started as asked (slug taken, text unreadable, prefix in use); the message says why."""

    exit_code = 2


@dataclass(frozen=True)
class NewStory:
    """What :func:`new_story` wrote: the folder, the prefix and the files."""

    folder: Path
    prefix: str
    files: list[Path]


def story_prefixes(project: Path) -> dict[str, str]:
    """The prefix each existing story declares in its ``story.ttl`` (prefix -> folder name).

    >>> import pathlib
    >>> sorted(story_prefixes(pathlib.Path(__file__).parent.parent).values())[:1] != []
    True
    """
    import pyoxigraph as ox

    found: dict[str, str] = {}
    pred = ox.NamedNode("http://purl.org/vocab/vann/preferredNamespacePrefix")
    for story in sorted((project / STORIES_DIR).glob("*/story.ttl")):
        try:
            triples = ox.parse(path=story, format=ox.RdfFormat.TURTLE)
            for quad in triples:
                if quad.predicate == pred:
                    found[quad.object.value] = story.parent.name
        except SyntaxError:
            continue  # the build reports it; a broken neighbour does not stop a new story
    return found


def default_prefix(slug: str) -> str:
    """The initials of the slug's words (``harbour-strike`` -> ``hs``); a one-word slug gives its first three letters.

    >>> default_prefix("harbour-strike"), default_prefix("strike")
    ('hs', 'str')
    """
    words = slug.split("-")
    return "".join(w[0] for w in words) if len(words) > 1 else slug[:3]


def _read_text(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise AuthoringError(f"{path}: cannot read the text ({err.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise AuthoringError(f"{path}: not UTF-8 (byte {err.start} is {data[err.start:err.start + 1]!r}); "
                             "convert it, e.g. `iconv -f latin1 -t utf-8`, and check the result") from None
    if not text.strip():
        raise AuthoringError(f"{path}: the text is empty; a story needs the words its claims quote")
    return data


def _local(stem: str) -> str:
    """A document's local name from its file name: lower case, words joined by hyphens."""
    name = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    return name if name and name[0].isalpha() else f"doc-{name}"


def _ttl(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def new_story(project: str | Path, slug: str, articles: list[Path], *, prefix: str | None = None,
              title: str | None = None) -> NewStory:
    """Make ``triples/<slug>/`` from the given texts: the texts, ``story.ttl``, ``documents.ttl``, ``claims.ttl``.

    Refuses a slug that exists, a text that is empty or not UTF-8, and a prefix another story (or a standard
    vocabulary) uses. Nothing is written unless every check passed.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()); _ = (p / "a.txt").write_text("Bob said hi.", encoding="utf-8")
    >>> made = new_story(p, "bob-speaks", [p / "a.txt"])
    >>> made.prefix, sorted(f.name for f in made.files)
    ('bs', ['a.txt', 'claims.ttl', 'documents.ttl', 'story.ttl'])
    """
    project = Path(project)
    if not _SLUG.fullmatch(slug):
        raise AuthoringError(f"{slug!r}: a slug is lower-case words joined by hyphens, e.g. dock-strike")
    folder = project / STORIES_DIR / slug
    if folder.exists():
        raise AuthoringError(f"{folder}: this story exists already; choose another slug or edit its files")
    if not articles:
        raise AuthoringError("give at least one text with --article FILE")
    prefix = prefix or default_prefix(slug)
    if not _PREFIX.fullmatch(prefix):
        raise AuthoringError(f"{prefix!r}: a prefix starts with a letter and has only letters, digits, - and _")
    taken = story_prefixes(project)
    if prefix in taken:
        raise AuthoringError(f"prefix {prefix!r} is taken by the story {taken[prefix]} "
                             f"(triples/{taken[prefix]}/story.ttl); give another with --prefix")
    if prefix in PREFIXES and not PREFIXES[prefix].startswith(DATA):
        raise AuthoringError(f"prefix {prefix!r} names a standard vocabulary ({PREFIXES[prefix]}); "
                             "give another with --prefix")
    texts = [(path, _read_text(path)) for path in articles]
    names = [path.name for path in articles]
    if len(set(names)) != len(names):
        raise AuthoringError(f"two texts have the same file name: {names}; rename one")
    if names != sorted(names):  # keep the order given as the reading order (documents are read by file name)
        names = [f"{n}-{name}" for n, name in enumerate(names, 1)]
    namespace = f"{DATA}{slug}/"
    documents = [_local(Path(name).stem) for name in names]
    if len(set(documents)) != len(documents):
        raise AuthoringError(f"two texts give the same document name: {documents}; rename one")
    title = title or slug.replace("-", " ").capitalize()

    folder.mkdir(parents=True)
    written: list[Path] = []
    for name, (_, data) in zip(names, texts, strict=True):
        (folder / name).write_bytes(data)
        written.append(folder / name)
    heads = {"story.ttl": _story_ttl(prefix, namespace, title, documents, names),
             "documents.ttl": _documents_ttl(prefix, namespace, documents, names, folder),
             "claims.ttl": _claims_ttl(prefix, namespace, documents[0])}
    for name, body in heads.items():
        (folder / name).write_text(body, encoding="utf-8")
        written.append(folder / name)
    return NewStory(folder, prefix, written)


def _story_ttl(prefix: str, namespace: str, title: str, documents: list[str], names: list[str]) -> str:
    order = ", then ".join(f"{prefix}:{d} ({n})" for d, n in zip(documents, names, strict=True))
    docs = ", ".join(f"{prefix}:{d}" for d in documents)
    return f"""# The story: its title, its documents and the prefix its files use (the tool reads the prefix from here).
# Reading order (the order of the text files' names): {order}.

@prefix so:      <https://w3id.org/standoff/ontology#> .
@prefix {prefix}: <{namespace}> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix vann:    <http://purl.org/vocab/vann/> .

{prefix}:story a so:Story ;
    dcterms:title "{_ttl(title)}"@en ;
    rdfs:label "{_ttl(title)}"@en ;
    so:hasDocument {docs} ;
    vann:preferredNamespacePrefix "{prefix}" ;
    vann:preferredNamespaceUri "{namespace}" .
"""


def _documents_ttl(prefix: str, namespace: str, documents: list[str], names: list[str], folder: Path) -> str:
    blocks = []
    for doc, name in zip(documents, names, strict=True):
        blocks.append(f"""# The whole text of {name} (found by its SHA-256).
# Add schema:headline, schema:publisher, ... only when known, and take them out of so:unstated.
{prefix}:{doc} a so:SourceDocument, schema:NewsArticle ;
    rdfs:label "{_ttl(name)}"@en ;
    so:sha256 "{sha256_file(folder / name)}" ;
    so:unstated {", ".join(UNSTATED)} .
""")
    return f"""# The source texts. Their metadata is unknown unless stated here: so:unstated lists what is not given.

@prefix so:      <https://w3id.org/standoff/ontology#> .
@prefix {prefix}: <{namespace}> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema:  <http://schema.org/> .

""" + "\n".join(blocks)


def _claims_ttl(prefix: str, namespace: str, document: str) -> str:
    return f"""# Claims of the story. One block per claim, a comment above it quoting the sentence it comes from.
# `kg draft <slug>` proposes claims in draft.ttl (kept out of the build); `kg draft <slug> --accept ID` moves one
# here. What a curator decides stays explicit: the kind, agent, addressee, attribution, certainty, polarity, time,
# status and CAMEO code. What a program can compute is not written: offsets, so:narrativeOrder (the order of
# first mention) and prov:wasDerivedFrom (the documents the spans quote) are derived by `kg build`.

@prefix so:      <https://w3id.org/standoff/ontology#> .
@prefix cameo:   <https://w3id.org/standoff/cameo/> .
@prefix {prefix}: <{namespace}> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oa:      <http://www.w3.org/ns/oa#> .

# An example to copy (remove the leading "# "):
# # S1: "The Ministry demanded that the company hand over its keys."
# {prefix}:ministry a so:GovernmentBody ;
#     rdfs:label "the Ministry"@en .
#
# {prefix}:demand-keys a so:Demand ;
#     rdfs:label "The Ministry demands the company's keys"@en ;
#     so:hasAgent {prefix}:ministry ;
#     so:directedAt {prefix}:company ;
#     so:demands {prefix}:change-keys ;
#     so:hasEvidence [ oa:hasSource {prefix}:{document} ;
#                      oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "demanded that the company hand over" ] ] ;
#     so:attributedTo {prefix}:{document} ;
#     so:certainty so:certain ; so:polarity so:positive ; so:timeReference so:pastOrPresent ;
#     so:cameoCode cameo:10 .
"""
