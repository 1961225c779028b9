"""Linking the story to other datasets: add a dataset, discover links to it, review them, export the linksets.

Linked datasets and the links kept for them live beside the store, in ``<store>.links/`` (a copy of each
dataset file and ``manifest.json``), because ``kg build`` makes a fresh store every time: the build loads them
again (:func:`load_links`). In the store, a dataset is the graph ``…/graph/link/NAME`` and its links the graph
``…/graph/linkset/NAME``; the meta graph describes both with VoID (the linkset as the ``void:Linkset``
``https://w3id.org/standoff/linkset/NAME``). Each link carries its score and method as an SSSOM mapping: an
``owl:Axiom`` annotating the link triple with ``sssom:confidence``, ``sssom:mapping_justification`` (a
semapv term) and the evidence as ``rdfs:comment``. The curated links of the article (``links.ttl``) are
described the same way, one linkset per story and target (``<story folder>-wikidata``, ...).

With ``endpoint`` (``kg link ... --endpoint URL``) the same happens on a SPARQL 1.1 server (:mod:`kg.endpoint`):
the dataset and linkset graphs are replaced whole with Graph Store Protocol ``PUT`` (``DELETE`` to remove them),
and the meta graph is fetched, changed locally with the same code as the embedded store's and put back whole.
What rebuilds load is kept locally, per server, in :func:`remote_sidecar` (``.kg/links-HOST_PORT-PATH/`` by
default), which ``kg build --endpoint`` reads. Two link commands run at once against one server may lose one's
change to the meta graph: run them one after the other, as a build.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from kg import store as kgstore
from kg.config import store_path
from kg.endpoint import RemoteStore
from kg.errors import EndpointError, InputError, KgError, os_error
from kg.files import atomic_output, copy_atomic, read_text
from kg.match import (
    CLOSE,
    DEFAULT_THRESHOLD,
    KIND_NAMES,
    LINK_PREDICATES,
    MANUAL,
    REVIEW_STATUSES,
    SAME_AS,
    Candidate,
    TypeReport,
    explain,
    match,
    story_actors,
    type_report,
)
from kg.meta import TOOL
from kg.rdfio import format_of, load_file, parse_file
from kg.rows import rows
from kg.stories import known_prefixes
from kg.target import StoreLike
from kg.vocab import (
    DATA,
    DATASET,
    GRAPH,
    LINK_GRAPH,
    LINKSET,
    LINKSET_GRAPH,
    META_GRAPH,
    PREFIXES,
    SO,
    in_effect,
    shorten,
)
from kg.words import counted

RDF, RDFS, OWL, XSD = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["owl"], PREFIXES["xsd"]
VOID, DCT, FOAF, SSSOM = PREFIXES["void"], PREFIXES["dcterms"], PREFIXES["foaf"], PREFIXES["sssom"]
MANIFEST = "manifest.json"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_ACCEPT = {"accept", "accepted", "yes", "y", "x", "ok"}
_REJECT = {"reject", "rejected", "no", "n"}
REVIEW_COLUMNS = ["decision", "dataset", "actor", "actor_label", "entity", "entity_label", "score", "status",
                  "predicate", "method", "evidence"]
# Where the curated links of a story point to: target name -> (namespace of its entities, its home page).
TARGETS = {"wikidata": (PREFIXES["wd"], "https://www.wikidata.org/"),
           "dbpedia": (PREFIXES["dbr"], "https://dbpedia.org/")}
TARGET = "https://w3id.org/standoff/target/"
_TITLES = {"wikidata": "Wikidata", "dbpedia": "DBpedia"}


class LinkError(KgError):
    """A linked dataset or a linkset is unknown, already there, or misnamed."""

    exit_code = 1


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=_n(XSD + "integer"))


def sidecar(store: str | Path | None = None) -> Path:
    """The folder beside the store that keeps linked datasets and links across rebuilds.

    >>> sidecar("/tmp/x/store").as_posix()
    '/tmp/x/store.links'
    """
    path = store_path(store)
    return path.with_name(path.name + ".links")


def remote_sidecar(endpoint: str, store: str | os.PathLike[str] | None = None) -> Path:
    """The local folder that keeps a server's linked datasets and links for ``kg build --endpoint``: one per
    endpoint URL, beside the store (``--store`` only places it, the store itself is not used).

    >>> remote_sidecar("http://127.0.0.1:7878/query", "/tmp/x/store").as_posix()
    '/tmp/x/links-127.0.0.1_7878-query'
    """
    try:
        parts = urllib.parse.urlsplit(endpoint)
    except ValueError as err:
        raise EndpointError(f"{endpoint!r} is not an http(s) URL of a SPARQL endpoint ({err})") from None
    host = re.sub(r"[^A-Za-z0-9.]+", "_", parts.netloc).strip("_")
    path = re.sub(r"[^A-Za-z0-9.]+", "-", parts.path).rstrip("-")
    return store_path(store).parent / f"links-{host}{path}"


def _folder(store: str | Path | None, endpoint: str | None) -> Path:
    return remote_sidecar(endpoint, store) if endpoint else sidecar(store)


def check_name(name: str) -> str:
    """A dataset name is used in IRIs and file names: letters, digits, '-' and '_', at most 64.

    >>> check_name("wikidata-extract")
    'wikidata-extract'
    >>> check_name("a b")
    Traceback (most recent call last):
    ...
    kg.link.LinkError: 'a b' is not a valid dataset name: use letters, digits, '-' and '_' (at most 64)
    """
    if not _NAME.fullmatch(name):
        raise LinkError(f"{name!r} is not a valid dataset name: use letters, digits, '-' and '_' (at most 64)")
    return name


@dataclass
class Manifest:
    """What the sidecar keeps: datasets (file, source, sha256, triples, time) and links per dataset."""

    folder: Path
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)
    linksets: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST
        if not path.exists():
            return cls(folder)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise InputError(f"not valid JSON: {err.msg}", str(path), err.lineno, err.colno) from None
        return cls(folder, data.get("datasets", {}), data.get("linksets", {}))

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"datasets": self.datasets, "linksets": self.linksets}, indent=1, sort_keys=True)
        with atomic_output(self.folder / MANIFEST) as out:
            out.write((text + "\n").encode("utf-8"))

    def dataset(self, name: str) -> dict[str, Any]:
        if name not in self.datasets:
            known = ", ".join(sorted(self.datasets)) or "none (add one with `kg link add FILE --name NAME`)"
            raise LinkError(f"no linked dataset named {name!r}; known: {known}")
        return self.datasets[name]

    def linkset(self, name: str) -> dict[str, Any]:
        return self.linksets.setdefault(name, {"links": [], "rejected": []})


# --------------------------------------------------------------------------------------------------------------
# RDF for datasets and linksets
# --------------------------------------------------------------------------------------------------------------

def _load_dataset(db: ox.Store, path: Path, graph: ox.NamedNode) -> None:
    """One dataset file into one graph; the graphs a TriG or N-Quads file names are merged into it."""
    fmt = format_of(path)
    if fmt is not None and fmt.supports_datasets:
        db.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in parse_file(path))
    else:
        load_file(db, path, graph)


def dataset_void(name: str, info: dict[str, Any]) -> list[ox.Quad]:
    """The VoID description of a linked dataset (meta graph): source, sha256, triples, when it was added."""
    g, meta = _n(META_GRAPH), _n(LINK_GRAPH + name)
    return [ox.Quad(s, _n(p), o, g) for s, p, o in (
        (_n(DATASET), VOID + "subset", meta),
        (meta, RDF + "type", _n(VOID + "Dataset")),
        (meta, DCT + "title", ox.Literal(name)),
        (meta, DCT + "source", ox.Literal(info["source"])),
        (meta, SO + "sha256", ox.Literal(info["sha256"])),
        (meta, VOID + "triples", _int(info["triples"])),
        (meta, DCT + "created", ox.Literal(info["added"], datatype=_n(XSD + "dateTime"))),
    )]


def mapping_iri(name: str, actor: str, predicate: str, entity: str) -> str:
    """A stable IRI for the SSSOM mapping (``owl:Axiom``) that carries one link's score and method.

    >>> mapping_iri("kb", "https://a", "http://www.w3.org/2002/07/owl#sameAs", "https://b")
    'https://w3id.org/standoff/linkset/kb/mapping/8d43af5bdb'
    """
    digest = hashlib.sha1(f"{actor}\t{predicate}\t{entity}".encode()).hexdigest()[:10]
    return f"{LINKSET}{name}/mapping/{digest}"


def linkset_quads(name: str, links: list[dict[str, Any]]) -> list[ox.Quad]:
    """The linkset graph: each link triple and its SSSOM mapping (score, method, evidence, tool)."""
    g = _n(LINKSET_GRAPH + name)
    out: list[ox.Quad] = []
    for link in links:
        actor, pred, entity = _n(link["actor"]), _n(link["predicate"]), _n(link["entity"])
        m = _n(mapping_iri(name, link["actor"], link["predicate"], link["entity"]))
        out.append(ox.Quad(actor, pred, entity, g))
        for p, o in ((RDF + "type", _n(OWL + "Axiom")), (OWL + "annotatedSource", actor),
                     (OWL + "annotatedProperty", pred), (OWL + "annotatedTarget", entity),
                     (SSSOM + "confidence", ox.Literal(repr(float(link["score"])), datatype=_n(XSD + "double"))),
                     (SSSOM + "mapping_justification", _n(link["method"])),
                     (SSSOM + "mapping_tool", TOOL),
                     (RDFS + "comment", ox.Literal("; ".join(link["evidence"])))):
            out.append(ox.Quad(m, _n(p), o, g))
    return out


def _predicate_name(predicate: str) -> str:
    return predicate.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def linkset_void(name: str, title: str, objects_target: str, counts: dict[str, int], modified: str | None,
                 holder: str, source: str | None = None) -> list[ox.Quad]:
    """The VoID description of one linkset: ``void:Linkset`` with its targets, predicates and link count, and
    one sub-linkset per link predicate (VoID wants one predicate per linkset) with its own count."""
    g = _n(META_GRAPH)
    ls = _n(LINKSET + name)
    triples: list[tuple[ox.NamedNode, str, ox.NamedNode | ox.Literal]] = [
        (_n(DATASET), VOID + "subset", ls),
        (_n(holder), VOID + "subset", ls),
        (ls, RDF + "type", _n(VOID + "Linkset")),
        (ls, DCT + "title", ox.Literal(title, language="en")),
        (ls, VOID + "subjectsTarget", _n(DATASET)),
        (ls, VOID + "objectsTarget", _n(objects_target)),
        (ls, VOID + "triples", _int(sum(counts.values()))),
    ]
    if modified:
        triples.append((ls, DCT + "modified", ox.Literal(modified, datatype=_n(XSD + "dateTime"))))
    if source:
        triples.append((ls, DCT + "source", ox.Literal(source)))
    for predicate, n in sorted(counts.items()):
        part = _n(f"{LINKSET}{name}/{_predicate_name(predicate)}")
        triples += [(ls, VOID + "linkPredicate", _n(predicate)), (ls, VOID + "subset", part),
                    (part, RDF + "type", _n(VOID + "Linkset")), (part, VOID + "linkPredicate", _n(predicate)),
                    (part, VOID + "subjectsTarget", _n(DATASET)), (part, VOID + "objectsTarget", _n(objects_target)),
                    (part, VOID + "triples", _int(n))]
    return [ox.Quad(s, _n(p), o, g) for s, p, o in triples]


def _counts(links: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for link in links:
        counts[link["predicate"]] = counts.get(link["predicate"], 0) + 1
    return counts


def discovered_void(name: str, linkset: dict[str, Any]) -> list[ox.Quad]:
    """VoID for the links discovered or accepted for dataset ``name``."""
    return linkset_void(name, f"links from the story's actors to the linked dataset {name}", LINK_GRAPH + name,
                        _counts(linkset["links"]), linkset.get("modified") or _now(), LINKSET_GRAPH + name)


def curated_void(db: ox.Store) -> tuple[list[ox.Quad], int]:
    """VoID for the links the curators wrote in the story's files (``links.ttl``): one linkset per story and
    target dataset (Wikidata, DBpedia), described like the discovered ones; and the number of links."""
    found: dict[tuple[str, str, str], int] = {}
    for q in db.quads_for_pattern(None, _n(SAME_AS), None, None):
        g = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
        if not (g.startswith(GRAPH + "triples/") and isinstance(q.object, ox.NamedNode)
                and isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(DATA)):
            continue
        for target, (space, _) in TARGETS.items():
            if q.object.value.startswith(space):
                story = g[len(GRAPH + "triples/"):].split("/", 1)[0]
                found[(story, target, g)] = found.get((story, target, g), 0) + 1
    out: list[ox.Quad] = []
    meta = _n(META_GRAPH)
    for (story, target, g), n in sorted(found.items()):
        space, home = TARGETS[target]
        node = _n(TARGET + target)
        title = _TITLES[target]
        # No dcterms:modified: the linkset changes only with its file, which dcterms:source names.
        out += linkset_void(f"{story}-{target}", f"links from the story {story} to {title}, verified by its curators",
                            TARGET + target, {SAME_AS: n}, None, g, g[len(GRAPH):])
        out += [ox.Quad(node, _n(RDF + "type"), _n(VOID + "Dataset"), meta),
                ox.Quad(node, _n(DCT + "title"), ox.Literal(title), meta),
                ox.Quad(node, _n(VOID + "uriSpace"), ox.Literal(space), meta),
                ox.Quad(node, _n(FOAF + "homepage"), _n(home), meta)]
    return out, sum(found.values())


def _forget(db: ox.Store, subjects: Iterable[str]) -> None:
    """Remove the meta graph's statements about these nodes (and about the sub-linksets they list)."""
    meta = _n(META_GRAPH)
    todo = [_n(s) for s in subjects]
    for node in list(todo):
        todo += [q.object for q in db.quads_for_pattern(node, _n(VOID + "subset"), None, meta)
                 if isinstance(q.object, ox.NamedNode) and q.object.value.startswith(LINKSET)]
    for node in todo:
        for q in [*db.quads_for_pattern(node, None, None, meta), *db.quads_for_pattern(None, None, node, meta)]:
            db.remove(q)


def _forget_dataset(db: ox.Store, name: str) -> None:
    """Undo a dataset's load into an embedded store (its graph and its VoID description)."""
    graph = _n(LINK_GRAPH + name)
    if db.contains_named_graph(graph):
        db.remove_graph(graph)
    _forget(db, [LINK_GRAPH + name])
    db.flush()


def _write_linkset(db: ox.Store, name: str, linkset: dict[str, Any]) -> None:
    """Replace the linkset graph of ``name`` and its VoID description in an open, writable store."""
    g = _n(LINKSET_GRAPH + name)
    if db.contains_named_graph(g):
        db.remove_graph(g)
    _forget(db, [LINKSET + name, LINKSET_GRAPH + name])
    quads = linkset_quads(name, linkset["links"])
    db.extend(quads)
    db.extend(discovered_void(name, linkset))
    db.extend([ox.Quad(_n(DATASET), _n(VOID + "subset"), g, _n(META_GRAPH)),
               ox.Quad(g, _n(RDF + "type"), _n(VOID + "Dataset"), _n(META_GRAPH)),
               ox.Quad(g, _n(VOID + "triples"), _int(len(quads)), _n(META_GRAPH))])


def load_links(db: ox.Store, store: str | Path | None, triples: dict[str, int] | None = None,
               folder: str | Path | None = None, described: list[ox.Quad] | None = None) -> str:
    """The build's last step: load the sidecar's datasets and linksets (or those of ``folder``), and describe them
    and every linkset (the curated ones of links.ttl too) in the meta graph, adding those quads to ``described``
    when given. Returns a one-line summary.

    It runs after the store's own description, so the figures of the story (classes, properties, totals) stay
    the story's, and linked data never reaches the shapes or the reasoner."""
    manifest = Manifest.load(Path(folder) if folder is not None else sidecar(store))
    quads: list[ox.Quad] = []
    for name, info in sorted(manifest.datasets.items()):
        path = manifest.folder / info["file"]
        if not path.exists():
            raise InputError("a linked dataset's copy is missing; `kg link remove` it or add it again", str(path))
        _load_dataset(db, path, _n(LINK_GRAPH + name))
        quads += dataset_void(name, info)
    links = 0
    for name, linkset in sorted(manifest.linksets.items()):
        if name in manifest.datasets:
            db.extend(linkset_quads(name, linkset["links"]))
            quads += discovered_void(name, linkset)
            links += len(linkset["links"])
    curated, n = curated_void(db)
    meta = _n(META_GRAPH)
    # One pass over the graphs (thousands of them with many stories: 0.02 s each pass at 10^6 triples).
    linked = [g for g in db.named_graphs() if isinstance(g, ox.NamedNode) and g.value.startswith((LINK_GRAPH,
                                                                                                   LINKSET_GRAPH))]
    for graph in linked:
        if graph.value.startswith(LINKSET_GRAPH):
            count = sum(1 for _ in db.quads_for_pattern(None, None, None, graph))
            quads += [ox.Quad(_n(DATASET), _n(VOID + "subset"), graph, meta),
                      ox.Quad(graph, _n(RDF + "type"), _n(VOID + "Dataset"), meta),
                      ox.Quad(graph, _n(VOID + "triples"), _int(count), meta)]
    db.extend(quads + curated)
    if described is not None:
        described += quads + curated
    if triples is not None:
        for graph in linked:
            triples[graph.value] = sum(1 for _ in db.quads_for_pattern(None, None, None, graph))
        if quads or curated:  # their description went into the meta graph, after the store's own
            triples[META_GRAPH] = triples.get(META_GRAPH, 0) + len(set(quads + curated))
    sets = {q.object for q in curated if q.predicate.value == VOID + "subset" and q.subject == _n(DATASET)}
    return (f"{counted(len(manifest.datasets), 'linked dataset')}, {counted(links, 'discovered link')}, "
            f"{counted(n, 'curated link')} in {counted(len(sets), 'linkset')}")


# --------------------------------------------------------------------------------------------------------------
# add, list, remove
# --------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LinkedDataset:
    """A dataset added with ``kg link add``: its name, where it came from, and how many links it has."""

    name: str
    source: str
    sha256: str
    triples: int
    added: str
    links: int
    in_store: bool = False
    types: TypeReport | None = None  # how many named entities have types the matcher cannot place
    kinds: int = 0  # classes mapped with --kinds


def _open_if_built(store: str | Path | None, endpoint: str | None = None) -> ox.Store | RemoteStore | None:
    """The store to change: the embedded one, or the server when a ``kg build --endpoint`` loaded it; None when
    nothing is built yet (the sidecar alone then keeps the change for the first build)."""
    if endpoint:
        remote = RemoteStore(endpoint)
        return remote if remote.our_graphs() else None
    path = store_path(store)
    return kgstore.open_store(path, writable=True) if kgstore.exists(path) else None


def _change(db: ox.Store | RemoteStore, graphs: list[str], work: Callable[[ox.Store], None]) -> None:
    """Run ``work`` on the store, which changes the meta graph and replaces ``graphs`` whole.

    An embedded store is changed in place. For a server, ``work`` runs on a local copy of its meta graph (the
    other graphs start empty there); then each of ``graphs`` is put back whole, or deleted when ``work`` left it
    empty, and the meta graph last (Graph Store Protocol), so a server never describes a graph it lacks."""
    if not isinstance(db, RemoteStore):
        work(db)
        db.flush()
        return
    meta = _n(META_GRAPH)
    local = db.copy([meta])
    work(local)
    for graph in [_n(g) for g in graphs]:
        if next(iter(local.quads_for_pattern(None, None, None, graph)), None) is None:
            db.delete_graph(graph)
        else:
            db.put_graph(graph, local.dump(format=ox.RdfFormat.TURTLE, from_graph=graph) or b"")
    db.put_graph(meta, local.dump(format=ox.RdfFormat.TURTLE, from_graph=meta) or b"")


def read_kinds(file: str | Path) -> dict[str, str]:
    """A ``--kinds`` file: which kind of actor each of a dataset's classes holds, one ``CLASS KIND`` a line
    (separated by spaces, a tab or a comma; ``#`` starts a comment). CLASS is an IRI, in ``<…>`` or not, or a
    prefixed name with the project's prefixes; KIND is person, government, company, news, organisation or other
    (not an actor).

    >>> import tempfile; f = Path(tempfile.mkdtemp()) / "kinds.txt"
    >>> _ = f.write_text("# ours\\n<https://e.org/Firm>  company\\nfoaf:Agent, person\\n")
    >>> read_kinds(f)
    {'https://e.org/Firm': 'company', 'http://xmlns.com/foaf/0.1/Agent': 'person'}
    """
    path = Path(file)
    if not path.is_file():
        raise InputError("no such file", str(path))
    kinds: dict[str, str] = {}
    for line, text in enumerate(read_text(path).splitlines(), start=1):
        text = text.split("#", 1)[0] if not text.lstrip().startswith("<") else re.sub(r"\s#.*$", "", text)
        parts = [p for p in re.split(r"[\s,]+", text.strip()) if p]
        if not parts:
            continue
        if len(parts) != 2:
            raise InputError(f"write one class and one kind a line, not {text.strip()!r}", str(path), line)
        cls, kind = parts
        if kind.lower() not in KIND_NAMES:
            raise InputError(f"kind {kind!r}: use one of {', '.join(sorted(KIND_NAMES))}", str(path), line)
        kinds[_iri(cls, path, line, "class", PREFIXES)] = KIND_NAMES[kind.lower()]
    return kinds


def _set_kinds(info: dict[str, Any], kinds: str | Path | None) -> None:
    if kinds is not None:
        info["kinds"] = dict(sorted(read_kinds(kinds).items()))
        info["kinds_source"] = str(kinds)


def _report(db: StoreLike | None, name: str, kinds: dict[str, str] | None) -> TypeReport | None:
    if db is None:
        return None
    return type_report(db, LINK_GRAPH + name, kinds)


def add_dataset(file: str | Path, name: str, store: str | Path | None = None,
                endpoint: str | None = None, kinds: str | Path | None = None) -> LinkedDataset:
    """Add an RDF file (any format pyoxigraph reads) as the linked dataset ``name``: kept beside the store for
    every rebuild, and loaded into the current store's graph ``…/graph/link/NAME`` when there is one (with
    ``endpoint``: kept for that server's rebuilds, and loaded into the server when a build is there)."""
    from kg.evidence import sha256_file

    check_name(name)
    path = Path(file)
    if not path.is_file():
        raise InputError("no such file", str(path))
    if format_of(path) is None:
        raise InputError("not an RDF file we read (use .ttl, .nt, .nq, .trig, .n3, .jsonld, .rdf or .owl)", str(path))
    manifest = Manifest.load(_folder(store, endpoint))
    if name in manifest.datasets:
        raise LinkError(f"a linked dataset named {name!r} is there already; `kg link remove {name}` first")
    count = sum(1 for _ in parse_file(path))  # checks the syntax before anything is kept
    db = _open_if_built(store, endpoint)
    info: dict[str, Any] = {"file": name + path.suffix.lower(), "source": str(file), "sha256": sha256_file(path),
                            "triples": count, "added": _now()}
    _set_kinds(info, kinds)
    kept = manifest.folder / info["file"]
    try:
        manifest.folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise os_error(err, manifest.folder, "create the folder") from None
    # The copy, the store and the manifest change together: a failure at any step (a full disk) undoes the others.
    copy_atomic(path, kept)
    loaded = False
    folder = store_path(store).resolve() if isinstance(db, ox.Store) else None
    bulk_before = set(folder.glob("bulk-*.sst")) if folder else set()
    try:
        if db is not None:
            def load(s: ox.Store) -> None:
                _load_dataset(s, kept, _n(LINK_GRAPH + name))
                s.extend(dataset_void(name, info))

            loaded = True
            _change(db, [LINK_GRAPH + name], load)
        manifest.datasets[name] = info
        manifest.save()
    except BaseException as err:
        kept.unlink(missing_ok=True)
        if folder is not None:  # a bulk load that failed half-way leaves its file in the store (ENGINE-NOTES)
            for orphan in set(folder.glob("bulk-*.sst")) - bulk_before:
                orphan.unlink(missing_ok=True)
        if loaded and isinstance(db, ox.Store):
            with contextlib.suppress(OSError):
                _forget_dataset(db, name)
        if isinstance(err, OSError):
            raise os_error(err, None, "add the dataset") from None  # the cause names the file that failed
        raise
    if db is None:  # not loaded yet: count the types on the file itself
        scratch = ox.Store()
        _load_dataset(scratch, path, _n(LINK_GRAPH + name))
        types = _report(scratch, name, info.get("kinds"))
    else:
        types = _report(db, name, info.get("kinds"))
    return LinkedDataset(name, info["source"], info["sha256"], count, info["added"], 0, db is not None, types,
                         len(info.get("kinds", {})))


def list_datasets(store: str | Path | None = None, endpoint: str | None = None) -> list[LinkedDataset]:
    """The linked datasets kept for this store (or server), by name, with their number of links.

    >>> list_datasets("/nonexistent/store")
    []
    """
    manifest = Manifest.load(_folder(store, endpoint))
    path = store_path(store)
    loaded: set[str] = set()
    if endpoint:  # a server that does not answer is an error here, not an empty list
        remote = RemoteStore(endpoint)
        if remote.our_graphs():
            loaded = {g.value[len(LINK_GRAPH):] for g in remote.our_graphs() if g.value.startswith(LINK_GRAPH)}
    elif kgstore.exists(path):
        try:
            db = kgstore.open_store(path)
            loaded = {g.value[len(LINK_GRAPH):] for g in db.named_graphs() if g.value.startswith(LINK_GRAPH)}
        except KgError:
            pass
    return [LinkedDataset(name, i["source"], i["sha256"], i["triples"], i["added"],
                          len(manifest.linksets.get(name, {}).get("links", [])), name in loaded)
            for name, i in sorted(manifest.datasets.items())]


def remove_dataset(name: str, store: str | Path | None = None, endpoint: str | None = None) -> None:
    """Remove a linked dataset and the links to it, from the sidecar and from the current store (or server)."""
    manifest = Manifest.load(_folder(store, endpoint))
    info = manifest.dataset(name)
    db = _open_if_built(store, endpoint)
    if db is not None:
        graphs = [LINK_GRAPH + name, LINKSET_GRAPH + name]

        def drop(s: ox.Store) -> None:
            for g in graphs:
                if s.contains_named_graph(_n(g)):
                    s.remove_graph(_n(g))
            _forget(s, [*graphs, LINKSET + name])

        _change(db, graphs, drop)
    (manifest.folder / info["file"]).unlink(missing_ok=True)
    del manifest.datasets[name]
    manifest.linksets.pop(name, None)
    manifest.save()


# --------------------------------------------------------------------------------------------------------------
# discover, review, accept
# --------------------------------------------------------------------------------------------------------------

@dataclass
class Discovery:
    """What ``kg link discover`` did: the links written, and the candidates left for review (and where)."""

    dataset: str
    threshold: float
    linked: list[Candidate]
    review: list[Candidate]
    review_file: Path | None
    kept: int = 0  # links accepted in earlier reviews, kept
    actors: list[str] = field(default_factory=list)  # one line per actor: linked, in review or no candidate, why
    types: TypeReport | None = None
    ruled_out: list[Candidate] = field(default_factory=list)
    prefixes: dict[str, str] = field(default_factory=lambda: dict(PREFIXES))  # ours and the stories', to show IRIs


def _record(c: Candidate) -> dict[str, Any]:
    return {"actor": c.actor, "entity": c.entity, "predicate": c.predicate, "score": c.score, "method": c.method,
            "evidence": list(c.evidence), "origin": "discover"}


def discover(name: str, store: str | Path | None = None, threshold: float = DEFAULT_THRESHOLD,
             review: str | Path | None = None, endpoint: str | None = None,
             kinds: str | Path | None = None) -> Discovery:
    """Match the story's actors against the linked dataset ``name``; write the links above ``threshold`` to its
    linkset (replacing the links an earlier discover wrote, keeping the ones accepted in review), and the
    ambiguous and weaker candidates to a review file (default ``<store>.links/NAME.review.csv``).

    ``kinds`` (a ``--kinds`` file, see :func:`read_kinds`) maps the dataset's own classes to kinds; it is kept in
    the manifest with the dataset, so later runs use it too. Candidates an attribute or their type rules out are
    neither linked nor reviewed; ``actors`` says, per actor, what became of it and why.

    With ``endpoint`` the matcher reads the server through SPARQL queries (:class:`kg.endpoint.RemoteStore`)."""
    if not 0 < threshold <= 1:
        raise LinkError(f"the threshold must be above 0 and at most 1, not {threshold}")
    manifest = Manifest.load(_folder(store, endpoint))
    info = manifest.dataset(name)
    _set_kinds(info, kinds)
    db: ox.Store | RemoteStore = (RemoteStore(endpoint) if endpoint
                                  else kgstore.open_store(store_path(store), writable=True))
    if not db.contains_named_graph(_n(LINK_GRAPH + name)):
        where = "the server" if endpoint else "the store"
        build = "kg build --endpoint URL" if endpoint else "kg build"
        raise LinkError(f"{where} has no graph for {name!r}; run `{build}` to load the linked datasets")
    linkset = manifest.linkset(name)
    rejected = {(a, e) for a, e in linkset["rejected"]}
    manual = [link for link in linkset["links"] if link.get("origin") == "review"]
    decided = {(link["actor"], link["entity"]) for link in manual}
    prefixes = known_prefixes(db)
    actors = story_actors(db)
    for other in manifest.linksets.values():  # identities a person confirmed count as verified identifiers
        for link in other["links"]:
            if link.get("origin") == "review" and link["predicate"] != CLOSE and link["actor"] in actors:
                actors[link["actor"]].known.add(link["entity"])
    with in_effect(prefixes):  # the evidence of a candidate names nodes with the stories' prefixes
        found = match(db, LINK_GRAPH + name, actors, threshold, rejected, info.get("kinds"))
    candidates = [c for c in found if (c.actor, c.entity) not in decided]
    linked = [c for c in candidates if c.status == "linked"]
    pending = [c for c in candidates if c.status in REVIEW_STATUSES]
    ruled_out = [c for c in candidates if c.status == "ruled out"]
    linkset["links"] = sorted(manual + [_record(c) for c in linked], key=lambda r: (r["actor"], r["entity"]))
    linkset["modified"] = _now()
    linkset["threshold"] = threshold
    _change(db, [LINKSET_GRAPH + name], lambda s: _write_linkset(s, name, linkset))
    manifest.save()
    review_path = Path(review) if review is not None else manifest.folder / f"{name}.review.csv"
    write_review(review_path, name, pending, prefixes)
    with in_effect(prefixes):
        lines = explain(actors, candidates)
        for link in manual:  # a link accepted in review stands, whatever discover finds now
            head = shorten(link["actor"])
            lines = [f"{head}  linked: {shorten(link['predicate'])} {shorten(link['entity'])} (accepted in review)"
                     if line.split("  ", 1)[0] == head else line for line in lines]
    return Discovery(name, threshold, linked, pending, review_path, len(manual), lines,
                     _report(db, name, info.get("kinds")), ruled_out, prefixes)


def write_review(path: Path, dataset: str, candidates: list[Candidate], prefixes: dict[str, str] | None = None) -> None:
    """The review file: one CSV row per candidate, with an empty ``decision`` for a person to fill in
    (``accept`` or ``reject``; the ``predicate`` may be changed to owl:sameAs, skos:exactMatch or skos:closeMatch).
    IRIs are shortened with ``prefixes`` (default ours; the stories' too from :func:`discover`)."""
    path.parent.mkdir(parents=True, exist_ok=True)

    def short(iri: str) -> str:
        return shorten(iri, prefixes)

    handle = io.StringIO(newline="")
    writer = csv.writer(handle)
    writer.writerow(REVIEW_COLUMNS)
    for c in candidates:
        writer.writerow(["", dataset, short(c.actor).strip("<>"), c.actor_label, short(c.entity).strip("<>"),
                         c.entity_label, f"{c.score:.4f}", c.status, short(c.predicate), short(c.method),
                         "; ".join(c.evidence)])
    with atomic_output(path) as out:  # a full disk leaves the previous review file, not half of a new one
        out.write(handle.getvalue().encode("utf-8"))


@dataclass
class Review:
    """What ``kg link accept`` did with a review file."""

    accepted: int = 0
    rejected: int = 0
    undecided: int = 0
    datasets: set[str] = field(default_factory=set)


def _iri(value: str, path: Path, line: int, column: str, prefixes: dict[str, str]) -> str:
    from kg.queries import to_term

    value = value.strip()
    try:
        term = to_term(value, "iri", prefixes)
    except KgError as err:
        why = str(err).partition(": ")[2] if "unknown prefix" in str(err) else "not an IRI"
        raise InputError(f"{column}: {value!r}: {why}", str(path), line) from None
    if not re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", term.value):
        raise InputError(f"{column}: {value!r} is not an IRI", str(path), line)
    return term.value


def accept(review_file: str | Path, store: str | Path | None = None, endpoint: str | None = None) -> Review:
    """Apply a review file: rows marked ``accept`` become links (method semapv:ManualMappingCuration, with the
    row's predicate and score), rows marked ``reject`` are remembered so discover never proposes them again (and
    a link already written for them is removed). Rows without a decision stay pending."""
    path = Path(review_file)
    if not path.is_file():
        raise InputError("no such file", str(path))
    manifest = Manifest.load(_folder(store, endpoint))
    result = Review()
    with io.StringIO(read_text(path), newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ("decision", "dataset", "actor", "entity", "predicate") if c not in (reader.fieldnames
                                                                                                     or [])]
        if missing:
            raise InputError(f"not a review file: missing column(s) {', '.join(missing)}", str(path), 1)
        rows = list(enumerate(reader, start=2))
    changes: list[tuple[str, str, dict[str, Any]]] = []
    db = _open_if_built(store, endpoint)
    prefixes = known_prefixes(db) if db is not None else PREFIXES  # the review file names nodes with them
    for line, row in rows:
        decision = (row.get("decision") or "").strip().lower()
        if not decision:
            result.undecided += 1
            continue
        if decision not in _ACCEPT | _REJECT:
            raise InputError(f"decision {decision!r}: write accept or reject (or leave it empty)", str(path), line)
        name = (row.get("dataset") or "").strip()
        manifest.dataset(name)
        actor = _iri(row["actor"], path, line, "actor", prefixes)
        entity = _iri(row["entity"], path, line, "entity", prefixes)
        predicate = _iri(row["predicate"], path, line, "predicate", prefixes)
        if predicate not in LINK_PREDICATES:
            raise InputError(f"predicate {row['predicate']!r}: use owl:sameAs, skos:exactMatch or skos:closeMatch",
                             str(path), line)
        try:
            score = float(row.get("score") or 1.0)
        except ValueError:
            raise InputError(f"score {row.get('score')!r} is not a number", str(path), line) from None
        evidence = [e for e in (row.get("evidence") or "").split("; ") if e]
        evidence.append(f"accepted in review ({path.name}, {_now()[:10]})")
        changes.append((decision, name, {"actor": actor, "entity": entity, "predicate": predicate,
                                         "score": round(score, 4), "method": MANUAL, "evidence": evidence,
                                         "origin": "review"}))
    for decision, name, link in changes:
        linkset = manifest.linkset(name)
        pair = (link["actor"], link["entity"])
        linkset["links"] = [x for x in linkset["links"] if (x["actor"], x["entity"]) != pair]
        if decision in _ACCEPT:
            linkset["links"].append(link)
            linkset["rejected"] = [r for r in linkset["rejected"] if tuple(r) != pair]
            result.accepted += 1
        else:
            if list(pair) not in linkset["rejected"]:
                linkset["rejected"].append(list(pair))
            result.rejected += 1
        linkset["links"].sort(key=lambda r: (r["actor"], r["entity"]))
        linkset["modified"] = _now()
        result.datasets.add(name)
    if result.datasets:
        if db is not None:
            def write(s: ox.Store) -> None:
                for name in sorted(result.datasets):
                    _write_linkset(s, name, manifest.linksets[name])

            _change(db, [LINKSET_GRAPH + name for name in sorted(result.datasets)], write)
        manifest.save()
    return result


# --------------------------------------------------------------------------------------------------------------
# export
# --------------------------------------------------------------------------------------------------------------

def linkset_names(db: StoreLike) -> list[str]:
    """The linksets the store describes (discovered and curated), by name."""
    found = rows(db.query(f"""SELECT DISTINCT ?ls WHERE {{ GRAPH <{META_GRAPH}> {{
        ?ls a <{VOID}Linkset> ; <{VOID}subjectsTarget> <{DATASET}> }} }}"""))
    return sorted({row["ls"].value[len(LINKSET):] for row in found
                   if row["ls"].value.startswith(LINKSET) and "/" not in row["ls"].value[len(LINKSET):]})


def linkset_store(db: StoreLike, name: str | None = None) -> ox.Store:
    """An in-memory store holding the chosen linksets (all when ``name`` is None): the links, their SSSOM
    mappings and the VoID description of each linkset and of its targets."""
    known = linkset_names(db)
    if name is not None and name not in known:
        raise LinkError(f"no linkset named {name!r}; known: {', '.join(known) or 'none'}")
    meta = _n(META_GRAPH)
    out = ox.Store()
    g = _n(GRAPH + "export")
    for ls_name in [name] if name else known:
        ls = _n(LINKSET + ls_name)
        subjects: set[ox.NamedNode | ox.BlankNode] = {ls}
        for p in ("subset", "objectsTarget"):
            subjects |= {q.object for q in db.quads_for_pattern(ls, _n(VOID + p), None, meta)
                         if isinstance(q.object, ox.NamedNode | ox.BlankNode)}
        for s in subjects:
            out.extend(ox.Quad(q.subject, q.predicate, q.object, g) for q in db.quads_for_pattern(s, None, None, meta))
        for p in (RDF + "type", DCT + "title", VOID + "uriSpace"):
            out.extend(ox.Quad(q.subject, q.predicate, q.object, g)
                       for q in db.quads_for_pattern(_n(DATASET), _n(p), None, meta))
        holders = [q.subject for q in db.quads_for_pattern(None, _n(VOID + "subset"), ls, meta)
                   if isinstance(q.subject, ox.NamedNode) and q.subject.value != DATASET]
        for holder in holders:
            if holder.value.startswith(LINKSET_GRAPH):
                out.extend(ox.Quad(q.subject, q.predicate, q.object, g)
                           for q in db.quads_for_pattern(None, None, None, holder))
            else:  # a curated file: its owl:sameAs links into the target's namespace
                targets = [t.object for t in db.quads_for_pattern(ls, _n(VOID + "objectsTarget"), None, meta)
                           if isinstance(t.object, ox.NamedNode | ox.BlankNode)]
                space = next((q.object.value for target in targets
                              for q in db.quads_for_pattern(target, _n(VOID + "uriSpace"), None, meta)
                              if isinstance(q.object, ox.Literal)), "")
                out.extend(ox.Quad(q.subject, q.predicate, q.object, g)
                           for q in db.quads_for_pattern(None, _n(SAME_AS), None, holder)
                           if isinstance(q.object, ox.NamedNode) and space and q.object.value.startswith(space))
    return out


def export_links(db: StoreLike, output: BinaryIO, name: str | None = None, fmt: str = "turtle") -> None:
    """Write the linksets (or the one named) with their VoID description, as readable Turtle or N-Triples
    (sorted lines): a file others can load beside their copy of the target dataset."""
    from kg.export import write_turtle

    scratch = linkset_store(db, name)
    if fmt == "turtle":
        write_turtle(scratch, output, [_n(GRAPH + "export")], known_prefixes(db))
    elif fmt == "ntriples":
        lines = sorted({f"{q.subject} {q.predicate} {q.object} .\n" for q in scratch})
        output.write("".join(lines).encode("utf-8"))
    else:
        raise LinkError(f"unknown linkset format {fmt!r}; use turtle or ntriples")
