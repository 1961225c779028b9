"""``kg build``: parse, check, reason and load the project into an on-disk Oxigraph store, atomically.

Every step works on a fresh directory; the store link is repointed only when all steps passed, so a
failure or an interrupt leaves the previous store as it was.
"""

from __future__ import annotations

import gc
import os
import time
import traceback
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg import lock, manifest, meta
from kg import store as kgstore
from kg.config import store_path
from kg.errors import ValidationError, Violation
from kg.inputs import Inputs, check_reasoner, find_inputs, require_inputs
from kg.manifest import Plan
from kg.steps import check, each_file, file_quads, infer, literal_problems, load_inputs, triples_per_graph
from kg.stories import Story, StoryFigures, batch_files, find_stories, story_folder, story_graphs, story_prefixes
from kg.vocab import (
    EVIDENCE_GRAPH,
    INFERRED_GRAPH,
    LINK_GRAPH,
    LINKSET_GRAPH,
    META_GRAPH,
    graph_iri,
    in_effect,
)
from kg.words import counted

if TYPE_CHECKING:
    from kg.rules import TBox

Progress = Callable[[str, str, float], None]
"""Called after each step with its name, a summary (counts) and the seconds it took."""


@dataclass
class BuildReport:
    """What a build did: where the store is, what went in, and how long each step took."""

    store: Path
    inputs: Inputs
    triples: dict[str, int] = field(default_factory=dict)  # graph IRI -> triples
    inferred: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[Violation] = field(default_factory=list)  # results of sh:Warning and sh:Info shapes
    stories: list[StoryFigures] = field(default_factory=list)  # one per story folder, in folder order
    plan: str = "full build"  # "unchanged", "incremental", or why a build was full
    index: dict[str, Any] = field(default_factory=dict, repr=False)  # each story's batch index (kg/batches.py)
    unsound: str | None = "not checked"  # why the stories cannot be derived batch by batch (kg.batches.unsound)
    figures: meta.Recorded | None = field(default=None, repr=False)  # the store's, as described
    parts: list[meta.Part] = field(default_factory=list, repr=False)  # the description in the meta graph
    described: meta.Described = field(default_factory=dict, repr=False)  # what kg.meta.write wrote of it
    linked: list[ox.Quad] = field(default_factory=list, repr=False)  # what the link step wrote there
    shared: str | None = field(default=None, repr=False)  # the graphs outside the stories (kg.batches.shared_text)


def quiet(step: str, summary: str, seconds: float) -> None:
    """The default progress callback: say nothing."""


class _Steps:
    """Times each step and reports it."""

    def __init__(self, report: BuildReport, progress: Progress) -> None:
        self.report, self.progress = report, progress

    def run(self, name: str, work: Callable[[], str]) -> None:
        began = time.perf_counter()
        summary = work()
        took = time.perf_counter() - began
        self.report.seconds[name] = took
        self.progress(name, summary, took)


def build(project: str | Path = ".", store: str | Path | None = None, *, reasoning: bool | str = True,
          progress: Progress = quiet, links: str | Path | None = None, allow_empty: bool = False,
          incremental: bool = False, in_memory: bool | None = None) -> BuildReport:
    """Build the project's graph into the store and swap it in only when every step passed.

    ``reasoning`` is False (no reasoning step), True (``rules``) or one of :data:`kg.inputs.REASONERS`. ``links`` is the
    folder of linked datasets to load (default: the store's own, see :func:`kg.link.sidecar`). A project without
    RDF files is refused unless ``allow_empty`` (an empty build would replace a good store).

    With ``incremental``, the previous build's record (kg/manifest.py) says what changed: nothing (the store is
    left as it is), only story files (the previous store is copied, those stories reloaded, checked and reasoned
    over story by story, see :func:`_rebuild_into`) or more (a full build; ``report.plan`` says why). The result
    is the store a full build makes. ``in_memory`` says whether a full build works in memory (default: when the
    project fits, see :func:`fits_in_memory`); the store is the same either way.

    >>> import tempfile, pathlib
    >>> report = build(pathlib.Path(__file__).parent.parent, pathlib.Path(tempfile.mkdtemp()) / "store")
    >>> report.inferred > 0 and sum(report.triples.values()) > 1000
    True
    """
    from kg.link import sidecar

    project = Path(project)
    target = store_path(store)
    check_reasoner(reasoning)
    # The previous build's hashes spare reading unchanged files. Its record is read before the lock is taken, and
    # read again under it only if another build has replaced it since (12 MB at 10^6 triples: 0.06 s a read).
    seen = manifest.identity(target) if incremental else None
    hint = manifest.read(target) if seen is not None else None
    inputs = find_inputs(project, *manifest.hashes(hint))
    require_inputs(inputs, allow_empty)
    report = BuildReport(target, inputs)
    links_folder = Path(links) if links is not None else sidecar(target)
    reasoner = (reasoning if isinstance(reasoning, str) else "rules") if reasoning else None
    options = {"reasoner": reasoner, "links": links_fingerprint(links_folder)}
    # One build at a time: a second one is refused, saying who builds.
    with lock.writer(target, "kg build", create=True):
        rebuilding = incremental and kgstore.exists(target)
        # The same record file as before the lock: what was read then is it (a swap in between changes the
        # identity, and then the hint only saved hashing, which it does whichever record it came from).
        same = seen is not None and manifest.identity(target) == seen
        previous = (hint if same else manifest.read(target)) if rebuilding else None
        read = manifest.record(inputs, options)
        plan = manifest.plan(previous, read)
        if previous is not None and plan.unchanged:
            report.plan = "unchanged"
            report.warnings = manifest.warnings_of(previous)
            kgstore.discard_unread(target)  # older builds a killed reader left pinned are free now, as after a swap
            return report
        report.plan = f"{plan.full}: full build" if plan.full else _summary(plan)
        if rebuilding:  # a first build needs no explanation
            progress("plan", report.plan, 0.0)
        build_dir = kgstore.new_build_dir(target)
        try:
            steps = _Steps(report, progress)
            if plan.full:
                _build_into(build_dir, report, steps, reasoning, links, in_memory)
            else:
                _rebuild_into(build_dir, target, plan, report, steps, reasoning, links, previous or {})
            described = meta.with_links(report.described, report.parts, report.linked)
            figures = report.figures.to_record() if report.figures is not None else None
            manifest.write(build_dir, manifest.outcome(read, report.warnings, report.index, described, figures,
                                                       report.unsound, report.shared))
            kgstore.swap_in(target, build_dir)
        except BaseException as err:
            # Drop every reference to the half-built store first: RocksDB's background threads must stop
            # writing into the directory before it can be deleted.
            traceback.clear_frames(err.__traceback__)
            gc.collect()
            kgstore.discard(build_dir)
            raise
    return report


def _summary(plan: Plan) -> str:
    """What an incremental build reloads, in a few words."""
    parts = [f"{counted(len(files), thing)} {what}" for files, thing, what in (
        (plan.reload, "file", "to reload"), (plan.drop, "file", "removed"), (plan.texts, "text", "changed")) if files]
    return "incremental: " + ", ".join(parts)


def links_fingerprint(folder: Path) -> list[list[object]]:
    """The linked datasets' folder as (file, size, modification time) rows: a change there means a full build."""
    if not folder.is_dir():
        return []
    return [[p.relative_to(folder).as_posix(), p.stat().st_size, p.stat().st_mtime_ns]
            for p in sorted(folder.rglob("*")) if p.is_file()]


def _build_into(folder: Path, report: BuildReport, steps: _Steps, reasoning: bool | str,
                links: str | Path | None = None, in_memory: bool | None = None) -> None:
    """The build's steps in order, into a fresh store in ``folder``; it is flushed and closed at the end.

    The project's graphs are loaded, checked, reasoned over and described in an in-memory store when they fit
    (:func:`fits_in_memory`; ``in_memory`` decides instead when given): it answers the build's many queries 3 to
    5 times as fast as a store on disk (ENGINE-NOTES), and the result is written to ``folder`` in one bulk write.
    Otherwise every step works on the store on disk. The linked datasets, which can be far larger than the
    project, always go straight to disk. Either way the store is the same."""
    db = ox.Store(str(folder))
    if in_memory if in_memory is not None else fits_in_memory(report.inputs):
        _write(db, _derived(ox.Store(), report, steps, reasoning), steps)
    else:
        _derived(db, report, steps, reasoning)
    _link(db, report, steps, links)

    def compact() -> str:
        # Bulk writes (large files, the evidence, the inferred graph) leave the store in many unmerged files that
        # every later read must search. Merging them once took 2 s at 10^6 triples, and afterwards a heavy canned
        # query ran 2.3x and a full dump 1.6x faster (BENCHMARKS.md). An incremental build leaves it to the
        # engine's own background merging: it writes little.
        db.optimize()
        return "store compacted for reading"

    steps.run("compact", compact)
    db.flush()


# Memory a build in memory took at its peak, per byte of RDF input: 2.0 GB for the 57 MB of Turtle of the
# 10^6-triple corpus (BENCHMARKS.md), rounded up.
MEMORY_PER_INPUT_BYTE = 40


def fits_in_memory(inputs: Inputs) -> bool:
    """Whether a full build of ``inputs`` can work in memory: when its expected peak is under half the memory
    the system has available now (so a large project builds on disk, slower, rather than exhausting memory)."""
    need = MEMORY_PER_INPUT_BYTE * sum(f.path.stat().st_size for f in inputs.rdf)
    return need <= _available_memory() // 2


def _available_memory() -> int:
    """Bytes of memory available to start new work (Linux's MemAvailable); 0 when unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _derived(db: ox.Store, report: BuildReport, steps: _Steps, reasoning: bool | str) -> ox.Store:
    """The project's graphs loaded into ``db`` (empty), checked, reasoned over and described; returns ``db``."""
    def load() -> str:
        report.triples = load_inputs(db, report.inputs)
        _index(db, report)
        return f"{counted(len(report.inputs.rdf), 'file')}, {sum(report.triples.values()):,} triples"

    steps.run("load", load)
    stories = _derive(db, report, steps, reasoning)
    _describe(db, report, steps, stories)
    return db


def _write(db: ox.Store, memory: ox.Store, steps: _Steps) -> None:
    """Everything in ``memory`` written to ``db`` at once (not in a transaction: a failed build's store is deleted)."""
    def write() -> str:
        db.bulk_extend(memory)
        return f"{len(memory):,} quads"

    steps.run("write", write)


def _rebuild_into(folder: Path, previous: Path, plan: Plan, report: BuildReport, steps: _Steps,
                  reasoning: bool | str, links: str | Path | None, record: dict[str, Any]) -> None:
    """An incremental build: a copy of the previous store (RocksDB's checkpoint, hard links to its immutable
    files), the changed story files' graphs replaced, and what they derive replaced: batch by batch when the data
    allow it (:func:`_rebuild_batches`), else every derived graph computed again as a full build computes it."""
    inputs = report.inputs
    folder.rmdir()  # the checkpoint makes the directory itself
    source = kgstore.open_store(previous)
    try:
        source.backup(str(folder))
    finally:
        del source
        lock.unpin(Path(os.path.realpath(previous)))  # once replaced, the previous build may be deleted
    db = ox.Store(str(folder))
    why = "HermiT reasons over the whole store" if reasoning == "hermit" else (
        _rebuild_batches(db, plan, report, steps, reasoning, links, record))
    if why is None:
        db.flush()
        return
    steps.progress("plan", f"{why}: everything derived again", 0.0)
    reload = set(plan.reload)

    def load() -> str:
        stale = [graph_iri(f) for f in plan.drop + sorted(reload)]
        for graph in stale + _derived_graphs(db):
            db.remove_graph(ox.NamedNode(graph))
        load_inputs(db, Inputs(inputs.project, [f for f in inputs.rdf if f.relative in reload], inputs.texts))
        report.triples = triples_per_graph(db)
        _index(db, report)
        return f"{counted(len(reload), 'file')} reloaded, {sum(report.triples.values()):,} triples"

    steps.run("load", load)
    stories = _derive(db, report, steps, reasoning)
    _describe(db, report, steps, stories)
    _link(db, report, steps, links)
    db.flush()


def _derived_graphs(db: ox.Store) -> list[str]:
    """The graphs a build derives (evidence, inferred, meta, linked datasets): an incremental build makes them again."""
    return [g.value for g in db.named_graphs() if isinstance(g, ox.NamedNode) and (
        g.value in _DERIVED or g.value.startswith((LINK_GRAPH, LINKSET_GRAPH)))]


def _index(db: ox.Store, report: BuildReport) -> None:
    """Each story's batch index (kg/batches.py), from its graphs in ``db``, why the stories cannot be derived
    batch by batch (None when they can) and the shared graphs, into ``report``: the next build checks only the
    stories it reloads, and only if they could."""
    from kg import batches

    shared = batches.common(db, report.inputs)
    graphs = story_graphs(report.inputs.rdf)
    report.index = {folder: batches.index((q for g in gs for q in db.quads_for_pattern(None, None, None,
                                                                                        ox.NamedNode(g))), shared)
                    for folder, gs in sorted(graphs.items())}
    report.unsound, report.shared = batches.unsound(report.index, shared), batches.shared_text(shared)


def _rebuild_batches(db: ox.Store, plan: Plan, report: BuildReport, steps: _Steps, reasoning: bool | str,
                     links: str | Path | None, record: dict[str, Any]) -> str | None:
    """Replace the changed stories' files and what their batches derive; returns why it cannot (then ``db`` is
    untouched), or None when done. docs/design.md ("Per-story batches") says why the result is the full build's."""
    from kg import batches
    from kg.rules import type_nodes

    inputs = report.inputs
    if "index" not in record:
        return "no story index in the previous build's record"
    found = record.get("unsound", "its stories were not checked")
    if found is not None:
        return f"{found} (in the previous build)"
    recorded = record.get("shared")
    shared = batches.common(db, inputs, recorded if isinstance(recorded, str) else None)
    files = record["files"]
    changed = sorted({s for s in map(story_folder, plan.reload + plan.drop + plan.texts) if s is not None})
    old = {s: [q for info in files.values() if info["story"] == s
               for q in db.quads_for_pattern(None, None, None, ox.NamedNode(info["graph"]))] for s in changed}
    new: dict[str, list[ox.Quad]] = {s: [] for s in changed}
    mine = {s: [f for f in inputs.rdf if story_folder(f.relative) == s] for s in changed}
    each_file([f for s in changed for f in mine[s]], lambda f: new[str(story_folder(f.relative))].extend(file_quads(f)))
    indexes = {s: ix for s, ix in record["index"].items() if s not in changed}
    fresh = {s: batches.index(new[s], shared) for s in changed if mine[s]}
    graph_story = {info["graph"]: info["story"] for info in files.values() if info["story"] not in changed}
    why = batches.unsound_after(fresh, indexes, shared, lambda nodes: _described_in(db, nodes, graph_story))
    if why is not None:
        return why
    indexes |= fresh
    report.index, report.unsound, report.shared = indexes, None, batches.shared_text(shared)
    every = [record["index"], indexes]
    # The store's figures are updated from the previous build's (kept in its record, as in its meta graph) rather
    # than counted again (kg/meta.py): every change to the graphs they cover goes through ``change``, which keeps
    # what was removed and added.
    before = meta.Recorded.from_record(record.get("figures")) or meta.recorded(db)
    change = meta.Change(db)
    touched: set[str] = set()  # nodes the shared files or other stories mention too: their defined types are redone
    # The meta graph stays, to be rewritten by difference (kg.meta.write), unless a rule run over the whole store
    # could read it; it is made again after the figures either way.
    keep_meta = _unread_by_rules(db, shared.tbox)

    def load() -> str:
        stale: set[ox.Quad] = set()
        for s in changed:
            foreign = shared.terms | shared.nodes | {x for ixs in every for o, ix in ixs.items() if o != s
                                                     for x in ix["refs"]}
            stale.update(batches.derived_from(db, old[s], foreign))
            touched.update(x for ixs in every if s in ixs for x in ixs[s]["refs"] if x in foreign)
        defined = [ox.NamedNode(c.value) for c in shared.tbox.defined]
        inferred = ox.NamedNode(INFERRED_GRAPH)
        stale.update(q for x in touched for c in defined
                     for q in db.quads_for_pattern(ox.NamedNode(x), _RDF_TYPE, c, inferred))
        change.remove(stale)
        # Every file of a changed story is loaded again, from the quads its batch was checked with.
        for graph in [info["graph"] for info in files.values() if info["story"] in changed]:
            change.remove_graph(ox.NamedNode(graph))
        for graph in _derived_graphs(db):  # the meta graph and the linked datasets: made again after the figures
            if graph not in (EVIDENCE_GRAPH, INFERRED_GRAPH) and not (graph == META_GRAPH and keep_meta):
                db.remove_graph(ox.NamedNode(graph))
        change.extend(q for s in changed for q in new[s])
        files_read = counted(sum(len(fs) for fs in mine.values()), "file")
        return f"{files_read} of {counted(len(changed), 'story', 'stories')} reloaded"

    checked: list[batches.Batch] = []
    stories: list[Story] = []

    def validate() -> str:
        with in_effect(story_prefixes(db)):  # messages name the stories' nodes with their prefixes
            return check_batches()

    def check_batches() -> str:
        kept = [w for w in report.warnings if not any(w.path.startswith(s + "/") for s in changed)]
        problems = set(kept)
        for s in changed:
            if mine[s]:
                scope = batch_files(inputs.rdf, s)
                checked.append(batches.validate(shared, new[s], Inputs(inputs.project, scope, inputs.texts)))
                problems.update(checked[-1].problems)
        known = {folder: ix["story"] for folder, ix in indexes.items() if folder not in changed and "story" in ix}
        found, story_problems = find_stories(db, inputs, known)
        problems.update(story_problems)
        if any(p.fails for p in problems):
            raise ValidationError(sorted(problems))
        report.warnings = sorted(problems)
        stories.extend(found)
        change.extend(q for b in checked for q in b.evidence)
        return f"{len(checked)} of {len(found)} stories checked again, shapes pass"

    def reason() -> str:
        change.extend(q for b in checked for q in batches.reason(shared, b))
        change.extend(type_nodes(db, shared.tbox, [ox.NamedNode(x) for x in sorted(touched)],
                                 ox.NamedNode(INFERRED_GRAPH)))
        return f"{counted(len(checked), 'story', 'stories')} reasoned over again, consistent"

    report.warnings = manifest.warnings_of(record)
    steps.run("load", load)
    steps.run("validate", validate)
    if reasoning:
        steps.run("reason", reason)
    # Every change to the inputs' graphs, the evidence and the inferred graph went through ``change``.
    report.triples = meta.graph_triples(before, change, [f.graph for f in inputs.rdf] + [EVIDENCE_GRAPH, INFERRED_GRAPH]
                                        ) if before is not None else triples_per_graph(db)
    report.inferred = report.triples.get(INFERRED_GRAPH, 0)
    _describe(db, report, steps, stories, unchanged=set(indexes) - set(changed),
              delta=(before, change) if before is not None else None, known=record.get("void") if keep_meta else None)
    _link(db, report, steps, links)
    return None


def _described_in(db: ox.Store, nodes: set[str], graph_story: dict[str, str]) -> dict[str, str]:
    """Of ``nodes`` (IRIs), those a story's files describe, with the story: one whose graph (``graph_story``: graph
    IRI -> story folder) holds a triple with the node as subject."""
    from kg.binding import term_text
    from kg.rows import rows

    if not nodes:
        return {}
    values = " ".join(term_text(ox.NamedNode(x)) for x in sorted(nodes))
    found: dict[str, str] = {}
    for row in rows(db.query(f"SELECT DISTINCT ?x ?g WHERE {{ VALUES ?x {{ {values} }} GRAPH ?g {{ ?x ?p ?o }} }}")):
        story = graph_story.get(row["g"].value)
        if story is not None:
            found.setdefault(row["x"].value, story)
    return found


_DERIVED = (EVIDENCE_GRAPH, INFERRED_GRAPH, META_GRAPH)
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _unread_by_rules(db: ox.Store, tbox: TBox) -> bool:
    """Whether no rule an incremental build runs over the whole store (:func:`kg.rules.type_nodes`) can match a
    quad of the meta graph: none names a property the meta graph uses, nor a class it types something with. (Its
    other terms, such as the classes a partition counts, are objects of those properties.) A full build reasons
    before describing, so its rules never see the meta graph; this keeps an incremental build's the same."""
    import re

    from kg.rules import type_rule_set

    # A lookup or two for each IRI the rules name: listing the meta graph's properties and classes instead took
    # 0.05 s for 1,000 stories (a scan of its 48,782 quads).
    meta = ox.NamedNode(META_GRAPH)
    named = {iri for rule in type_rule_set(tbox) for iri in re.findall(r"<([^<>\s]+)>", rule.where)}
    for term in map(ox.NamedNode, sorted(named)):
        if next(iter(db.quads_for_pattern(None, _RDF_TYPE, term, meta)), None) is not None:
            return False  # a class the meta graph types something with
        if term != _RDF_TYPE and next(iter(db.quads_for_pattern(None, term, None, meta)), None) is not None:
            return False  # a property the meta graph uses
    return True


def _derive(db: ox.Store, report: BuildReport, steps: _Steps, reasoning: bool | str) -> list[Story]:
    """The steps after loading: validate, then reason; returns the stories found."""
    inputs = report.inputs
    stories: list[Story] = []

    def validate() -> str:
        evidence, problems, found = check(db, inputs)
        if any(p.fails for p in problems):  # only violations fail; warnings and infos are reported
            raise ValidationError(problems)
        report.warnings = sorted(problems)
        stories.extend(found)
        report.triples[EVIDENCE_GRAPH] = len(evidence)
        spans = sum(1 for q in evidence if q.predicate.value.endswith("#start"))
        return f"{counted(len(found), 'story', 'stories')}, {spans:,} spans anchored, shapes pass" + (
            f" ({len(problems)} warning(s))" if problems else "")

    def reason() -> str:
        inferred = infer(db, reasoning if isinstance(reasoning, str) else "rules")
        report.inferred = report.triples[INFERRED_GRAPH] = len(inferred)
        return f"consistent, {len(inferred):,} triples inferred"

    with in_effect(story_prefixes(db)):  # messages name the stories' nodes with their prefixes
        steps.run("validate", validate)
        if reasoning:
            steps.run("reason", reason)
    return stories


def _describe(db: ox.Store, report: BuildReport, steps: _Steps, stories: list[Story],
              unchanged: Collection[str] = (), delta: tuple[meta.Recorded, meta.Change] | None = None,
              known: meta.Described | None = None) -> None:
    """The store's VoID description. The figures of the stories in ``unchanged`` (folders) are the previous
    build's, kept in their index (counting them again costs a query each); with ``delta`` (what the previous
    build's meta graph said, and every change since), the store-wide figures are updated rather than counted
    (:func:`kg.meta.updated`), unless it cannot be sure of them. ``known``: what the previous build wrote into the
    meta graph in ``db`` (:func:`kg.meta.write`)."""
    def describe() -> str:
        from kg.stories import figures

        def counted(story: Story) -> StoryFigures:
            kept = report.index.get(story.folder, {}).get("figures") if story.folder in unchanged else None
            if kept is None:
                return figures(db, story, report.triples)
            events, mentions, spans = kept
            return StoryFigures(story, sum(report.triples.get(g, 0) for g in story.graphs), events, mentions, spans,
                                len(story.documents))

        report.stories = [counted(story) for story in stories]
        for f in report.stories:
            if f.story.folder in report.index:
                report.index[f.story.folder]["figures"] = [f.events, f.mentions, f.spans]
                report.index[f.story.folder]["story"] = f.story.to_record()  # the next build need not read it
        # An incremental build has just worked out every graph's triples (its report's counts are the store's).
        counts = dict(report.triples) if unchanged else _recounted(db, report.triples)
        report.triples, report.inferred = dict(counts), counts.get(INFERRED_GRAPH, 0)
        store_wide = meta.updated(*delta) if delta is not None else None
        report.figures = meta.Recorded(store_wide or meta.store_figures(db), sum(counts.values()), counts)
        report.parts = meta.describe(report.inputs, report.seconds, report.stories, report.figures)
        report.described = meta.write(db, report.parts, known)
        report.triples[META_GRAPH] = meta.quads_in(report.described)
        updated = ", store figures updated from the last build's" if store_wide is not None else ""
        return f"{report.triples[META_GRAPH]:,} VoID triples{updated}"

    steps.run("describe", describe)


def _recounted(db: ox.Store, triples: dict[str, int]) -> dict[str, int]:
    """The triples of each graph of ``db`` after a full derivation, from ``triples``, the counts its load step made:
    the inputs' graphs are as loaded, and only the evidence and inferred graphs are counted again (their quads were
    listed with repeats; counting every graph again took 1.2 s at 10^6 triples, these two take 0.26 s)."""
    from kg.rows import rows

    out = {g: n for g, n in triples.items() if g not in _DERIVED}
    for graph in (EVIDENCE_GRAPH, INFERRED_GRAPH):
        found = rows(db.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"))
        if n := int(next(found)["n"].value):
            out[graph] = n
    return dict(sorted(out.items()))


def _link(db: ox.Store, report: BuildReport, steps: _Steps, links: str | Path | None) -> None:
    """The linked datasets and their description. Last, so that linked datasets never reach the shapes, HermiT or
    the store's own figures; kg/link.py explains."""
    from kg.link import load_links

    steps.run("link", lambda: load_links(db, report.store, report.triples, folder=links, described=report.linked))


def _scratch(inputs: Inputs, work: Callable[[ox.Store], object]) -> object:
    """Load the inputs into a throwaway on-disk store beside nothing, run ``work`` on it, delete it."""
    from kg.files import scratch_folder

    with scratch_folder("kg-scratch-") as folder:
        db = ox.Store(str(folder))
        try:
            load_inputs(db, inputs)
            with in_effect(story_prefixes(db)):
                return work(db)
        finally:
            del db
            gc.collect()


def validate_project(project: str | Path = ".") -> list[Violation]:
    """Parse and check the project's files (evidence, shapes) without touching any store; every violation.

    >>> import pathlib
    >>> validate_project(pathlib.Path(__file__).parent.parent)
    []
    """
    inputs = find_inputs(Path(project))
    require_inputs(inputs, allow_empty=True)
    return _scratch(inputs, lambda db: check(db, inputs)[1])  # type: ignore[return-value]


def reason_project(project: str | Path = ".", reasoner: str = "rules") -> tuple[list[ox.Quad], dict[str, str]]:
    """Run the reasoner over the project's files without touching any store; the inferred quads, and the prefixes
    to show them with (ours and the stories'). ``reasoner`` as for :func:`infer`."""
    from kg.stories import known_prefixes

    inputs = find_inputs(Path(project))
    require_inputs(inputs, allow_empty=True)

    def checked(db: ox.Store) -> tuple[list[ox.Quad], dict[str, str]]:
        problems = literal_problems(db, inputs)  # the reasoner would trip over them, with a traceback
        if problems:
            raise ValidationError(problems)
        return infer(db, reasoner), known_prefixes(db)

    return _scratch(inputs, checked)  # type: ignore[return-value]
