"""Curating a story's files: a claim made from a selected quote becomes triples, is checked as ``kg build`` checks,
and is written into ``triples/<slug>/``, formatted as ``kg export`` formats, only when it passes.

The files stay the source of truth. Every read of a file gives its version (the SHA-256 of its bytes, "" for a file
not yet written); a write names the versions it read and is refused when a file changed since ("changed since you
opened it"), so two editors never overwrite each other's work. A write returns what it replaced, and :func:`undo`
puts those bytes back, refused too when the file changed after the write. File names come from outside (a
browser): every one is checked to stay directly inside ``triples/<slug>/``, links out and ``..`` refused.

The quote is never typed: a claim names a document and the code-point offsets of the selected words, and the
quote selector (``oa:exact``, with the shortest ``oa:prefix`` or ``oa:suffix`` that makes it unique, as ``kg draft``
writes it) is cut from the text. Drafted claims (``draft.ttl``, see :mod:`kg.draft`) are accepted, edited or
rejected here too. Used by ``kg serve --curate`` (:mod:`kg.curate_web`); needs no server.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.authoring import STORIES_DIR
from kg.config import DRAFT_FILE
from kg.errors import KgError, Violation
from kg.evidence import sha256_file
from kg.files import atomic_output
from kg.rows import rows
from kg.vocab import CAMEO, EVIDENCE_GRAPH, PREFIXES, SO, graph_iri, in_effect

CLAIMS_FILE = "claims.ttl"
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LOCAL = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_CODE = re.compile(r"[0-9]{2,4}")
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
RDFS_LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")
OA = PREFIXES["oa"]
# The claim's fields that name another node, and the property each becomes (a consequence's agent and addressee
# are who imposes it and on whom it would fall).
LINKS = {"agent": "hasAgent", "addressee": "directedAt", "demands": "demands", "refuses": "refuses",
         "threatens": "threatens", "justifies": "justifies", "attributedTo": "attributedTo",
         "certainty": "certainty", "polarity": "polarity", "timeReference": "timeReference", "status": "status",
         "after": "after", "respondsTo": "respondsTo", "escalates": "escalates", "mentionOf": "mentionOf"}
CONSEQUENCE_LINKS = {"agent": "imposedBy", "addressee": "affects"}
_WRITING = threading.Lock()  # one check-then-write at a time in this process


class CurateError(KgError):
    """A curation request that cannot be done as asked (a bad file name, an unknown story, a malformed claim)."""

    exit_code = 2


class ChangedError(CurateError):
    """A file changed since the version the request read: nothing was written."""


class NoStoryError(CurateError):
    """No story folder of that name in the project."""


@dataclass(frozen=True)
class Change:
    """One file a save wrote: its bytes before (None: it did not exist) and the version it has now."""

    path: Path
    before: bytes | None
    after: str


@dataclass(frozen=True)
class Saved:
    """What one save did, enough to undo it."""

    slug: str
    changes: tuple[Change, ...]
    subjects: tuple[str, ...] = ()


@dataclass
class Outcome:
    """A save's result: what was written, or the violations that stopped it (``kg build``'s words)."""

    saved: Saved | None = None
    violations: list[str] = field(default_factory=list)


# --- Where a story's files are ----------------------------------------------------------------------------------

def story_path(project: str | Path, slug: str) -> Path:
    """``triples/<slug>/`` resolved, refused unless it is a story folder of the project (not a link out of it)."""
    if not _SLUG.fullmatch(slug or ""):
        raise CurateError(f"{slug!r}: not a story folder name (lower-case words joined by hyphens)")
    root = (Path(project) / STORIES_DIR).resolve()
    folder = (root / slug).resolve()
    if folder.parent != root or not (folder / "story.ttl").is_file():
        raise NoStoryError(f"no story {slug!r} in {STORIES_DIR}/: start one with `kg new {slug} --article FILE`")
    return folder


def story_file(project: str | Path, slug: str, name: str) -> Path:
    """The file ``name`` directly in the story's folder; a path, ``..``, a hidden name, a link or a name that is
    not ``.ttl`` is refused.

    >>> story_file(".", "a", "../x.ttl")
    Traceback (most recent call last):
    ...
    kg.curate.CurateError: '../x.ttl': give the name of a .ttl file directly in triples/a/ (no folders, no ..)
    """
    if (not name or "/" in name or "\\" in name or "\x00" in name or name.startswith(".")
            or not name.endswith(".ttl")):
        raise CurateError(f"{name!r}: give the name of a .ttl file directly in {STORIES_DIR}/{slug}/ "
                          "(no folders, no ..)")
    folder = story_path(project, slug)
    path = folder / name
    if path.is_symlink() or path.resolve().parent != folder:
        raise CurateError(f"{name!r}: a link out of {STORIES_DIR}/{slug}/; only the story's own files are written")
    return path


def version(path: Path) -> str:
    """A file's version: the SHA-256 of its bytes, "" when it does not exist."""
    try:
        return sha256_file(path)
    except FileNotFoundError:
        return ""


def versions(project: str | Path, slug: str) -> dict[str, str]:
    """The version of each Turtle file of the story (draft.ttl included), and of claims.ttl even before it exists."""
    folder = story_path(project, slug)
    found = {p.name: version(p) for p in sorted(folder.glob("*.ttl")) if not p.is_symlink()}
    found.setdefault(CLAIMS_FILE, "")
    return found


def read_file(project: str | Path, slug: str, name: str) -> tuple[str, str]:
    """A story file's text and its version."""
    path = story_file(project, slug, name)
    with _WRITING:  # not between a save's check and its write: the text and its version agree
        return (path.read_bytes().decode("utf-8", "replace") if path.exists() else ""), version(path)


# --- Checking a story as the build does ----------------------------------------------------------------------------

def check_story(project: str | Path, slug: str, replaced: dict[str, bytes] | None = None,
                draft: bool = False) -> tuple[ox.Store, list[Violation], dict[str, Path]]:
    """The story's graph (what the build reads but the other stories' folders: the ontology, the story's files and
    any shared data) in a store, checked by :func:`kg.steps.check` (evidence, order, shapes, report checks): the
    store, every violation and warning, and the texts by sha256.

    ``replaced`` gives the Turtle of some of the story's files (name -> bytes) instead of what is on disk: what
    a save would write is checked before it is written. With ``draft``, draft.ttl is loaded after the check, its
    quotes anchored, so the drafted claims can be shown beside the story's own.
    """
    from kg.evidence import anchor
    from kg.inputs import InputFile, Inputs, find_inputs
    from kg.rdfio import add_quads
    from kg.steps import check, load_inputs
    from kg.stories import batch_files, story_prefixes

    project = Path(project)
    folder = story_path(project, slug)
    replaced = replaced or {}
    found = find_inputs(project)
    inside = f"{STORIES_DIR.as_posix()}/{slug}/"
    mine = batch_files(found.rdf, inside.rstrip("/"))  # the other stories' folders left out; shared actors stay in
    kept = [f for f in mine if f.relative.removeprefix(inside) not in replaced]
    written = [InputFile(folder / name, inside + name, "") for name in sorted(replaced)]
    store = ox.Store()
    load_inputs(store, Inputs(project, kept, found.texts))
    for item in written:
        _load(store, replaced[Path(item.relative).name], item.relative)
    inputs = Inputs(project, sorted(kept + written, key=lambda f: f.relative), found.texts)
    with in_effect(story_prefixes(store)):  # messages name the story's nodes with its prefix, as the build's do
        _, problems, _ = check(store, inputs)
    if draft and (folder / DRAFT_FILE).is_file():
        _load(store, (folder / DRAFT_FILE).read_bytes(), inside + DRAFT_FILE)
        quads, _ = anchor(store, found.texts, ox.NamedNode(EVIDENCE_GRAPH), {})
        add_quads(store, quads)
    return store, problems, found.texts


def _load(store: ox.Store, data: bytes, relative: str) -> None:
    try:
        store.load(data, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph_iri(relative)))
    except SyntaxError as err:
        raise CurateError(f"{relative}: {err}") from None


def failures(problems: Iterable[Violation]) -> list[str]:
    """The violations that fail a build, each line as ``kg build`` prints it."""
    return [str(v) for v in sorted(problems) if v.fails]


# --- Claims as triples -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StoryNames:
    """What making a claim's triples needs to know of a story: its namespace, its texts, the names taken."""

    slug: str
    prefix: str
    namespace: str
    texts: dict[str, str]  # document IRI -> its text
    taken: set[str]  # local names the story's files (and drafts) already use
    consequences: set[str]  # the IRIs of so:Consequence and its subclasses

    @classmethod
    def read(cls, project: str | Path, slug: str) -> StoryNames:
        from kg.draft import story_texts

        story_path(project, slug)
        story = story_texts(project, slug)
        taken: set[str] = set()
        ontology = ox.Store()
        ontology.load(path=Path(project) / "ontology" / "standoff.ttl", format=ox.RdfFormat.TURTLE)
        for path in sorted(story.folder.glob("*.ttl")):
            try:
                taken |= {q.subject.value[len(story.namespace):] for q in ox.parse(path=path,
                          format=ox.RdfFormat.TURTLE) if q.subject.value.startswith(story.namespace)}
            except SyntaxError as err:
                raise CurateError(f"{path.name}: {err}") from None
        kinds = rows(ontology.query(f"SELECT ?c WHERE {{ ?c <{PREFIXES['rdfs']}subClassOf>* <{SO}Consequence> }}"))
        return cls(slug, story.prefix, story.namespace,
                   {story.namespace + doc: path.read_text(encoding="utf-8") for doc, path in story.documents},
                   taken, {r["c"].value for r in kinds})


def claim_triples(story: StoryNames, claim: dict[str, Any]) -> tuple[ox.NamedNode, list[ox.Triple]]:
    """The triples of a claim made in the form: a new event (``mode`` ``event``), a new mention of an existing
    event (``mention``, with ``mentionOf``) or a new actor (``actor``), quoting ``doc`` from ``start`` to ``end``
    (code points). Its local name is ``key`` when given, else made from the kind and the quote.
    """
    from kg.draft import local_name, selector, unique

    mode = claim.get("mode") or "event"
    if mode not in ("event", "mention", "actor"):
        raise CurateError(f"mode {mode!r}: make an event, a mention or an actor")
    doc = str(claim.get("doc") or "")
    text = story.texts.get(doc)
    if text is None:
        raise CurateError(f"{doc!r} is not a document of the story {story.slug}")
    start, end = claim.get("start"), claim.get("end")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        raise CurateError(f"select the words in the text: offsets {start}..{end} are not within 0..{len(text)}")
    while start < end and text[start].isspace():  # a selection's edges often catch a space
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise CurateError("select some words, not only spaces")
    kind = ox.NamedNode(SO + "Mention") if mode == "mention" else _iri(claim.get("kind"), "kind")
    if kind is None:
        raise CurateError("choose the kind")
    if mode == "mention" and not claim.get("mentionOf"):
        raise CurateError("choose the event these words report")
    quote = " ".join(text[start:end].split())
    key = str(claim.get("key") or "")
    if key:
        if not _LOCAL.fullmatch(key):
            raise CurateError(f"{key!r}: a name starts with a letter and has letters, digits, - and _ only")
        if key in story.taken:
            raise CurateError(f"{story.prefix}:{key} exists already; give another name or leave it empty")
    else:
        kind_name = kind.value.rsplit("#", 1)[-1].lower()
        words = re.findall(r"[A-Za-z]{3,}", quote)[:4]
        key = unique(f"{kind_name}-" + "-".join(local_name(w) for w in words) if mode != "actor"
                     else local_name(quote)[:40], set(story.taken))
    subject = ox.NamedNode(story.namespace + key)
    label = " ".join(str(claim.get("label") or "").split()) or quote
    out = [ox.Triple(subject, RDF_TYPE, kind), ox.Triple(subject, RDFS_LABEL, ox.Literal(label, language="en"))]
    span, where = ox.BlankNode(), ox.BlankNode()
    exact, prefix, suffix = selector(text, start, end)
    out += [ox.Triple(subject, ox.NamedNode(SO + "hasEvidence"), span),
            ox.Triple(span, ox.NamedNode(OA + "hasSource"), ox.NamedNode(doc)),
            ox.Triple(span, ox.NamedNode(OA + "hasSelector"), where),
            ox.Triple(where, RDF_TYPE, ox.NamedNode(OA + "TextQuoteSelector")),
            ox.Triple(where, ox.NamedNode(OA + "exact"), ox.Literal(exact))]
    out += [ox.Triple(where, ox.NamedNode(OA + name), ox.Literal(value))
            for name, value in (("prefix", prefix), ("suffix", suffix)) if value]
    if mode == "actor":
        return subject, out
    consequence = kind.value in story.consequences
    for name, prop in LINKS.items():
        value = _iri(claim.get(name), name)
        if value is not None:
            prop = CONSEQUENCE_LINKS.get(name, prop) if consequence else prop
            out.append(ox.Triple(subject, ox.NamedNode(SO + prop), value))
    code = str(claim.get("cameo") or "").split(" ", 1)[0].removeprefix("cameo:")
    if code:
        if not _CODE.fullmatch(code):
            raise CurateError(f"CAMEO {code!r}: give a code's number, e.g. 1014")
        out.append(ox.Triple(subject, ox.NamedNode(SO + "cameoCode"), ox.NamedNode(CAMEO + code)))
    return subject, out


def _iri(value: object, name: str) -> ox.NamedNode | None:
    if not value:
        return None
    try:
        return ox.NamedNode(str(value))
    except ValueError:
        raise CurateError(f"{name}: {value!r} is not an IRI") from None


# --- Writing ---------------------------------------------------------------------------------------------------

def turtle(triples: Iterable[ox.Triple], prefix: str, namespace: str) -> bytes:
    """Triples as ``kg export`` writes Turtle: our prefixes and the story's, sorted blocks, blank nodes nested."""
    from kg.export import write_turtle

    graph = ox.NamedNode(graph_iri("curate"))
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    out = io.BytesIO()
    write_turtle(store, out, [graph], {**PREFIXES, prefix: namespace})
    return out.getvalue()


def _parsed(path: Path) -> list[ox.Triple]:
    if not path.exists():
        return []
    try:
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(path=path, format=ox.RdfFormat.TURTLE)]
    except SyntaxError as err:
        raise CurateError(f"{path.name}: {err}") from None


def _check_versions(slug: str, paths: list[Path], read: dict[str, str]) -> None:
    for path in paths:
        if path.name not in read:
            raise CurateError(f"say which version of {path.name} you read (its sha256, \"\" for a new file)")
        if read[path.name] != version(path):
            raise ChangedError(f"{STORIES_DIR}/{slug}/{path.name} changed since you opened it: reload it and make "
                               "your change again")


def _write(path: Path, data: bytes | None) -> None:
    if data is None:
        path.unlink(missing_ok=True)
        return
    with atomic_output(path) as out:
        out.write(data)


def _commit(project: str | Path, story: StoryNames, file: str, added: list[ox.Triple], read: dict[str, str],
            consumed: frozenset[str] | set[str] = frozenset(), subjects: tuple[str, ...] = ()) -> Outcome:
    """Add ``added`` to ``file``, drop the drafted blocks ``consumed`` from draft.ttl; check the story as it would
    be, and write both only when the versions read are current and nothing fails."""
    from kg.draft import blocks_of, remaining

    if file == DRAFT_FILE:
        raise CurateError(f"{DRAFT_FILE} holds proposals the build never reads: save claims to another file")
    target = story_file(project, story.slug, file)
    draft = target.parent / DRAFT_FILE
    with _WRITING:
        _check_versions(story.slug, [target] + ([draft] if consumed else []), read)
        before = target.read_bytes() if target.exists() else None
        data = turtle(_parsed(target) + added, story.prefix, story.namespace)
        _, problems, _ = check_story(project, story.slug, {file: data})
        failed = failures(problems)
        if failed:
            return Outcome(None, failed)
        changes = [(target, before, data)]
        if consumed:
            draft_before = draft.read_bytes()
            header, blocks = blocks_of(draft_before.decode("utf-8"))
            changes.append((draft, draft_before, remaining(header, blocks, consumed).encode("utf-8")))
        for path, _, new in changes:
            _write(path, new)
        return Outcome(Saved(story.slug, tuple(Change(p, old, hashlib.sha256(new).hexdigest())
                                               for p, old, new in changes), subjects))


def save_claim(project: str | Path, slug: str, claim: dict[str, Any], read: dict[str, str],
               file: str = CLAIMS_FILE, draft: str | None = None) -> Outcome:
    """Make the claim's triples and add them to ``file`` (see :func:`_commit`). The drafted actors and claims it
    names come along from draft.ttl (as ``kg draft --accept`` brings them). With ``draft``, the claim is the
    curator's version of that drafted claim, which leaves draft.ttl."""
    from kg.draft import closure

    story = StoryNames.read(project, slug)
    has_drafts = (story_path(project, slug) / DRAFT_FILE).is_file()
    header, blocks = _draft_blocks(project, slug) if has_drafts or draft else ("", {})
    if draft:
        if draft not in blocks:
            raise CurateError(f"no draft {draft} in {DRAFT_FILE}: it was accepted or rejected meanwhile; reload")
        story.taken.discard(draft)  # the edited draft's name is free for the claim that replaces it
    subject, triples = claim_triples(story, claim)
    named = [t.object.value[len(story.namespace):] for t in triples
             if isinstance(t.object, ox.NamedNode) and t.object.value.startswith(story.namespace)]
    along = closure(blocks, story.prefix, [k for k in named if k != draft]) - {draft}
    consumed = along | ({draft} if draft else set())
    return _commit(project, story, file, triples + _block_triples(header, blocks, along), read, consumed,
                   (subject.value,))


def accept_drafts(project: str | Path, slug: str, ids: list[str], read: dict[str, str],
                  file: str = CLAIMS_FILE) -> Outcome:
    """Move the drafted blocks ``ids`` (and the drafted blocks they name) into ``file``, checked first."""
    from kg.draft import closure

    story = StoryNames.read(project, slug)
    header, blocks = _draft_blocks(project, slug)
    unknown = [i for i in ids if i not in blocks]
    if unknown or not ids:
        raise CurateError(f"no draft {', '.join(unknown) or '(none given)'} in {DRAFT_FILE}; reload the story")
    wanted = closure(blocks, story.prefix, ids)
    return _commit(project, story, file, _block_triples(header, blocks, wanted), read, wanted,
                   tuple(story.namespace + i for i in ids))


def reject_drafts(project: str | Path, slug: str, ids: list[str], read: dict[str, str]) -> Saved:
    """Remove the drafted blocks ``ids`` from draft.ttl (a proposal the curator turned down)."""
    from kg.draft import remaining

    header, blocks = _draft_blocks(project, slug)
    unknown = [i for i in ids if i not in blocks]
    if unknown or not ids:
        raise CurateError(f"no draft {', '.join(unknown) or '(none given)'} in {DRAFT_FILE}; reload the story")
    draft = story_file(project, slug, DRAFT_FILE)
    with _WRITING:
        _check_versions(slug, [draft], read)
        before = draft.read_bytes()
        after = remaining(header, blocks, set(ids)).encode("utf-8")
        _write(draft, after)
    return Saved(slug, (Change(draft, before, hashlib.sha256(after).hexdigest()),))


def undo(project: str | Path, saved: Saved) -> None:
    """Put back the bytes a save replaced; refused when any file it wrote changed since."""
    with _WRITING:
        paths = [story_file(project, saved.slug, c.path.name) for c in saved.changes]
        _check_versions(saved.slug, paths, {c.path.name: c.after for c in saved.changes})
        for path, change in zip(paths, saved.changes, strict=True):
            _write(path, change.before)


def _draft_blocks(project: str | Path, slug: str) -> tuple[str, dict[str, str]]:
    from kg.draft import blocks_of

    path = story_file(project, slug, DRAFT_FILE)
    if not path.is_file():
        raise CurateError(f"{STORIES_DIR}/{slug}/{DRAFT_FILE}: no drafts; run `kg draft {slug}` first")
    return blocks_of(path.read_text(encoding="utf-8"))


def _block_triples(header: str, blocks: dict[str, str], keys: set[str]) -> list[ox.Triple]:
    text = header + "\n".join(blocks[k] for k in blocks if k in keys)
    try:
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(text, format=ox.RdfFormat.TURTLE)]
    except SyntaxError as err:
        raise CurateError(f"{DRAFT_FILE}: {err}") from None
