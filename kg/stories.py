"""Stories: each folder ``triples/<slug>/`` is one story, described by the one ``so:Story`` node of its files.

The tool knows no story by name. It learns each story's prefix and namespace from the data
(``vann:preferredNamespacePrefix`` / ``vann:preferredNamespaceUri`` on the ``so:Story`` node): from the store,
with one small query, when a prefixed name must be expanded or an IRI shortened; from the loaded files when a
build checks that every folder has exactly one story and that no two stories claim one prefix or namespace.
A node belongs to the story whose folder holds the file that types it; the build records which graphs make up
each story, and the story's figures, in the meta graph (:mod:`kg.meta`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.errors import Violation
from kg.inputs import InputFile, Inputs
from kg.rows import rows
from kg.vocab import PREFIXES, SO, STORY_DATASET, show

VANN = PREFIXES["vann"]
_STORY = ox.NamedNode(SO + "Story")
_RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_PREFIX, _NAMESPACE = ox.NamedNode(VANN + "preferredNamespacePrefix"), ox.NamedNode(VANN + "preferredNamespaceUri")
_TITLE, _DOCUMENT = ox.NamedNode(PREFIXES["dcterms"] + "title"), ox.NamedNode(SO + "hasDocument")
_PREFIXES_QUERY = f"""SELECT ?prefix ?namespace WHERE {{
  ?story <{VANN}preferredNamespacePrefix> ?prefix ; <{VANN}preferredNamespaceUri> ?namespace .
  ?story a <{SO}Story> }}"""
# What a story's figures count: the distinct nodes its own files type so (the ontology's graphs give the classes).
_COUNTED = {
    "events": f"GRAPH ?g {{ ?x a ?c }} ?c <{PREFIXES['rdfs']}subClassOf>* <{SO}Eventuality>",
    "mentions": f"GRAPH ?g {{ ?x a <{SO}Mention> }}",
    "spans": f"GRAPH ?g {{ ?x a <{PREFIXES['oa']}SpecificResource> }}",
}


def story_prefixes(store: Any) -> dict[str, str]:
    """The prefixes the stories in a store declare, prefix -> namespace (one small query; {} when none).

    ``store`` is a ``pyoxigraph.Store`` or a :class:`kg.endpoint.RemoteStore`. A prefix two stories claim, or a
    namespace two prefixes name, is left out (a build refuses them; until then, no name would be trustworthy).

    >>> s = ox.Store()
    >>> s.add(ox.Quad(ox.NamedNode("http://e/story"), _RDF_TYPE, _STORY))
    >>> s.add(ox.Quad(ox.NamedNode("http://e/story"), _PREFIX, ox.Literal("ex")))
    >>> s.add(ox.Quad(ox.NamedNode("http://e/story"), _NAMESPACE, ox.Literal("http://e/")))
    >>> story_prefixes(s)
    {'ex': 'http://e/'}
    """
    pairs = {(row["prefix"].value, row["namespace"].value)
             for row in store.query(_PREFIXES_QUERY, use_default_graph_as_union=True)}
    # Counted once (a list's count() per pair took time in the square of the stories: 0.1 s for 1,000 stories).
    prefixes = Counter(p for p, _ in pairs)
    namespaces = Counter(ns for _, ns in pairs)
    return dict(sorted((p, ns) for p, ns in pairs if prefixes[p] == 1 and namespaces[ns] == 1))


def known_prefixes(store: Any) -> dict[str, str]:
    """Our own prefixes and those of the stories in ``store``: every prefix the tool expands and shortens with."""
    return {**PREFIXES, **story_prefixes(store)}


@dataclass(frozen=True)
class Story:
    """One story folder and its ``so:Story`` node, as the build found them."""

    folder: str  # "triples/<slug>"
    iri: str
    file: str  # the file that types the so:Story node
    prefix: str | None
    namespace: str | None
    title: str
    graphs: tuple[str, ...]  # the named graphs of the folder's files
    documents: tuple[str, ...]  # so:hasDocument

    @property
    def slug(self) -> str:
        """The folder's name."""
        return self.folder.rsplit("/", 1)[-1]

    @property
    def dataset(self) -> str:
        """The IRI of the story's own void:Dataset in the meta graph."""
        return STORY_DATASET + self.slug

    def to_record(self) -> dict[str, Any]:
        """What a build record keeps of the story (its folder and graphs follow from the project's files), for
        :func:`find_stories` in the next build."""
        return {"iri": self.iri, "file": self.file, "prefix": self.prefix, "namespace": self.namespace,
                "title": self.title, "documents": list(self.documents)}


@dataclass(frozen=True)
class StoryFigures:
    """How much one story holds: triples of its files, events (eventualities), mentions, evidence spans and
    source documents."""

    story: Story
    triples: int
    events: int
    mentions: int
    spans: int
    documents: int

    def summary(self) -> str:
        """The figures in one line, as `kg build` prints them.

        >>> story = Story("triples/x", "http://e/story", "triples/x/story.ttl", "ex", "http://e/", "X", (), ())
        >>> StoryFigures(story, 1200, 42, 4, 80, 1).summary()
        '42 events, 4 mentions, 80 spans, 1 document, 1,200 triples'
        """
        return (f"{self.events:,} events, {self.mentions:,} mentions, {self.spans:,} spans, "
                f"{self.documents:,} document{'' if self.documents == 1 else 's'}, {self.triples:,} triples")


def story_folder(relative: str) -> str | None:
    """The story folder (``triples/<slug>``) of a project file, or None for a file outside every story folder.

    >>> story_folder("triples/my-story/acts.ttl"), story_folder("ontology/standoff.ttl"), story_folder("triples/x.ttl")
    ('triples/my-story', None, None)
    """
    parts = relative.split("/")
    return "/".join(parts[:2]) if len(parts) >= 3 and parts[0] == "triples" else None


def batch_files(files: Sequence[InputFile], folder: str) -> list[InputFile]:
    """A story's batch of files: those of its folder (``triples/<slug>``) and those outside every story folder
    (the ontology, shared actors), as the incremental build and the curation check read them.

    >>> from pathlib import Path
    >>> [f.relative for f in batch_files([InputFile(Path(p), p, "") for p in
    ...  ("ontology/a.ttl", "triples/s/x.ttl", "triples/t/y.ttl", "triples/actors.ttl")], "triples/s")]
    ['ontology/a.ttl', 'triples/s/x.ttl', 'triples/actors.ttl']
    """
    return [f for f in files if story_folder(f.relative) in (None, folder)]


def story_graphs(files: Sequence[InputFile]) -> dict[str, list[str]]:
    """The named graphs of each story folder's files, by folder, in the files' order."""
    graphs: dict[str, list[str]] = {}
    for item in files:
        if (folder := story_folder(item.relative)) is not None:
            graphs.setdefault(folder, []).append(item.graph)
    return graphs


def find_stories(store: ox.Store, inputs: Inputs, kept: dict[str, dict[str, Any]] | None = None
                 ) -> tuple[list[Story], list[Violation]]:
    """The stories of the loaded project, one per folder, and what is wrong with them: a folder without a
    ``so:Story`` or with more than one, a prefix or namespace two stories claim, a prefix that is one of ours.

    ``kept``: stories known from the previous build (:meth:`Story.to_record`), by folder, not read again (an
    incremental build's unchanged stories: only their own files describe their node, and those did not change;
    1,000 stories took 0.16 s to read). Their prefixes and namespaces are still checked against the others'."""
    kept = kept or {}
    graphs = story_graphs(inputs.rdf)
    file_of = inputs.file_of()
    found: dict[str, list[Story]] = {folder: [] for folder in graphs}
    for quad in store.quads_for_pattern(None, _RDF_TYPE, _STORY, None):
        graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        file = file_of.get(graph)
        folder = story_folder(file) if file else None
        if folder is None or not isinstance(quad.subject, ox.NamedNode) or folder in kept:
            continue
        found[folder].append(_story(store, quad.subject, folder, file or "", graphs[folder]))
    for folder, known in kept.items():
        if folder in found:
            found[folder] = [Story(folder, known["iri"], known["file"], known["prefix"], known["namespace"],
                                   known["title"], tuple(sorted(graphs[folder])), tuple(known["documents"]))]
    problems: list[Violation] = []
    stories: list[Story] = []
    for folder, here in sorted(found.items()):
        here.sort(key=lambda s: (s.file, s.iri))
        if not here:
            problems.append(Violation(f"{folder}/", "so:Story", "story-count",
                                      "no so:Story node: a story folder holds exactly one, in its story.ttl "
                                      "(docs/design.md, Stories)"))
        elif len(here) > 1:
            for s in here:
                others = ", ".join(f"{show(ox.NamedNode(o.iri))} in {o.file}" for o in here if o is not s)
                problems.append(Violation(s.file, show(ox.NamedNode(s.iri)), "story-count",
                                          f"{folder}/ has {len(here)} so:Story nodes (also {others}); "
                                          "a story folder holds exactly one"))
        else:
            stories.append(here[0])
    problems += _clashes(stories)
    return stories, problems


def _story(store: ox.Store, node: ox.NamedNode, folder: str, file: str, graphs: list[str]) -> Story:
    def values(predicate: ox.NamedNode) -> list[str]:
        return sorted({q.object.value for q in store.quads_for_pattern(node, predicate, None, None)
                       if not isinstance(q.object, ox.Triple)})

    prefix, namespace, title = values(_PREFIX), values(_NAMESPACE), values(_TITLE)
    return Story(folder, node.value, file, prefix[0] if len(prefix) == 1 else None,
                 namespace[0] if len(namespace) == 1 else None, title[0] if title else "",
                 tuple(sorted(graphs)), tuple(values(_DOCUMENT)))


def _clashes(stories: list[Story]) -> list[Violation]:
    """A prefix or namespace claimed by two stories, or one of the tool's own."""
    problems = []
    # For each kind, the tool's own values and how to name each (a prefix by its namespace, a namespace by its prefix).
    ours = {"prefix": dict(PREFIXES), "namespace": {ns: f"{p}:" for p, ns in PREFIXES.items()}}
    seen: dict[str, dict[str, Story]] = {"prefix": {}, "namespace": {}}
    for s in stories:
        focus = show(ox.NamedNode(s.iri))
        for kind, value in (("prefix", s.prefix), ("namespace", s.namespace)):
            if value is None:
                continue
            shown = repr(value) if kind == "prefix" else value
            if value in ours[kind]:
                problems.append(Violation(s.file, focus, f"story-{kind}", f"the {kind} {shown} is one of the tool's "
                                          f"own ({ours[kind][value]}); give the story its own"))
            elif value in seen[kind]:
                problems.append(Violation(s.file, focus, f"story-{kind}", f"the {kind} {shown} is already the {kind} "
                                          f"of the story in {seen[kind][value].file}; each story needs its own"))
            seen[kind].setdefault(value, s)
    return problems


def figures(store: ox.Store, story: Story, triples: dict[str, int]) -> StoryFigures:
    """A story's figures, counted with SPARQL over its own graphs (``triples``: the triples of each graph)."""
    values = " ".join(f"<{g}>" for g in story.graphs)
    counts = {}
    for name, pattern in _COUNTED.items():
        query = f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ VALUES ?g {{ {values} }} {pattern} }}"
        counts[name] = int(next(rows(store.query(query, use_default_graph_as_union=True)))["n"].value)
    return StoryFigures(story, sum(triples.get(g, 0) for g in story.graphs), counts["events"], counts["mentions"],
                        counts["spans"], len(story.documents))
