"""``kg build``: parse, check, reason and load the project into an on-disk Oxigraph store, atomically.

Every step works on a fresh directory; the store link is repointed only when all steps passed, so a
failure or an interrupt leaves the previous store as it was.
"""

from __future__ import annotations

import gc
import re
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg import hints, lock
from kg import store as kgstore
from kg.config import CHECKS_DIR, SHAPES_FILE, store_path
from kg.errors import InputError, ValidationError, Violation
from kg.evidence import anchor
from kg.inputs import REASONERS as _REASONERS
from kg.inputs import Inputs, check_reasoner, find_inputs, require_inputs
from kg.literals import ill_typed, out_of_range
from kg.order import derive, span_types
from kg.rdfio import add_quads, format_of, load_file, parse_file
from kg.stories import Story, StoryFigures, find_stories, story_prefixes
from kg.vocab import EVIDENCE_GRAPH, GRAPH, INFERRED_GRAPH, META_GRAPH, in_effect, show

_SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
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


def _quiet(step: str, summary: str, seconds: float) -> None:
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


def load_inputs(store: ox.Store, inputs: Inputs) -> dict[str, int]:
    """Bulk-load every input file into its own named graph; every syntax error is reported, not only the first.

    Dataset formats (TriG, N-Quads, JSON-LD) keep the graphs they name; their default graph goes to the file's graph.
    """
    errors: list[InputError] = []
    for item in inputs.rdf:
        try:
            graph = ox.NamedNode(item.graph)
            if format_of(item.path).supports_datasets:
                store.bulk_extend(
                    ox.Quad(q.subject, q.predicate, q.object,
                            graph if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name)
                    for q in parse_file(item.path)
                )
            else:
                load_file(store, item.path, graph)
        except InputError as err:
            errors.append(err)
    if errors:
        if len(errors) == 1:
            raise errors[0]
        raise InputError(f"{len(errors)} files do not parse:\n" + "\n".join(f"  {e}" for e in errors))
    return triples_per_graph(store)


def triples_per_graph(store: ox.Store) -> dict[str, int]:
    """Triples in each named graph, by graph IRI."""
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
    return {row["g"].value: int(row["n"].value) for row in rows}


def check(store: ox.Store, inputs: Inputs) -> tuple[list[ox.Quad], list[Violation], list[Story]]:
    """Find the stories, anchor evidence and run the SHACL shapes; returns the evidence quads, every violation
    found and the stories (one per ``triples/<slug>/`` folder that has exactly one ``so:Story``)."""
    from kg import shacl

    graph = ox.NamedNode(EVIDENCE_GRAPH)
    types = span_types(store, graph)  # blank-node spans need no type; add it before anything reads them
    add_quads(store, types)
    stories, problems = find_stories(store, inputs)
    evidence, unanchored = anchor(store, inputs.texts, graph, inputs.file_of())
    problems.extend(unanchored)
    # Shapes see the computed offsets too (start < end, non-negative), so add them before validating.
    add_quads(store, evidence)
    derived, disorder = derive(store, inputs.texts, graph, inputs.file_of())  # narrative order, derivation
    add_quads(store, derived)
    evidence, problems = types + evidence + derived, problems + disorder
    problems.extend(report_checks(store, inputs))
    problems.extend(literal_problems(store, inputs))
    shapes_path = inputs.project / SHAPES_FILE
    if shapes_path.exists():
        checks = shacl.compile_shapes(ox.Triple(q.subject, q.predicate, q.object) for q in parse_file(shapes_path))
        file_of = inputs.file_of()
        for result in shacl.validate(store, checks):
            problems.append(result.to_violation(_file_holding(store, result.focus, file_of)))
    return evidence, hints.teach(store, problems, inputs.project / CHECKS_DIR), stories


def literal_problems(store: ox.Store, inputs: Inputs) -> list[Violation]:
    """Every ill-typed literal of the inputs: those the store shows, and the integers out of their range."""
    return ill_typed(store, inputs.file_of()) + out_of_range((f.path, f.relative) for f in inputs.rdf)


def report_checks(store: ox.Store, inputs: Inputs) -> list[Violation]:
    """Run the ontology's own report checks (``ontology/checks/*.rq``, ROBOT-style: every row is a defect).

    Each file opens with ``# problem:`` and ``# solution:`` lines; the problem's first sentence is the message.
    """
    found: list[Violation] = []
    file_of = inputs.file_of()
    for query in sorted((inputs.project / CHECKS_DIR).glob("*.rq")):
        text = query.read_text(encoding="utf-8")
        problem = re.search(r"^# problem: (.*?)(?:\.\s|\n[^#])", text, re.M | re.S)
        message = " ".join(problem[1].replace("#", " ").split()) if problem else query.stem
        for row in store.query(text, use_default_graph_as_union=True):
            entity = row["entity"]
            detail = f" ({show(row['property'])} {show(row['value'])})" if row["value"] is not None else ""
            where = _file_holding(store, entity, file_of)
            if where == "?":  # a term used but never described: name the first file that uses it
                where = _file_using(store, entity, file_of)
            found.append(Violation(where, show(entity), query.stem, message + detail))
    return found


def _file_using(store: ox.Store, term: ox.NamedNode | ox.BlankNode | ox.Literal, file_of: dict[str, str]) -> str:
    """The first input file (in path order) that uses ``term`` as a predicate or an object."""
    files = set()
    if isinstance(term, ox.NamedNode):
        files |= {file_of.get(q.graph_name.value) for q in store.quads_for_pattern(None, term, None)}
    files |= {file_of.get(q.graph_name.value) for q in store.quads_for_pattern(None, None, term)}
    return min((f for f in files if f), default="?")


def _file_holding(store: ox.Store, focus: ox.NamedNode | ox.BlankNode | ox.Literal, file_of: dict[str, str]) -> str:
    """The input file that says most about ``focus`` (the one a curator would open to fix it)."""
    if isinstance(focus, ox.Literal):
        return "?"
    counts: dict[str, int] = {}
    for quad in store.quads_for_pattern(focus, None, None):
        if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value in file_of:
            counts[file_of[quad.graph_name.value]] = counts.get(file_of[quad.graph_name.value], 0) + 1
    return max(sorted(counts), key=lambda f: counts[f]) if counts else "?"


# Above this many asserted triples `auto` reasons with rules compiled to SPARQL (kg/rules.py) instead of HermiT,
# which holds everything in memory and grows faster than the data (BENCHMARKS.md).
HERMIT_LIMIT = 50_000
REASONERS = _REASONERS  # defined beside the check that refuses others (kg.inputs)


def infer(store: ox.Store, reasoner: str = "auto") -> list[ox.Quad]:
    """Reason over everything asserted (ontology, data, evidence); add the inferred quads to the store and return them.

    ``reasoner`` is ``hermit`` (complete for OWL 2 DL, in memory), ``rules`` (the ontology's OWL RL axioms as
    SPARQL over the store, linear in the data; same results on our ontology) or ``auto`` (HermiT up to
    :data:`HERMIT_LIMIT` triples, rules beyond).
    """
    from kg import reason

    graph = ox.NamedNode(INFERRED_GRAPH)
    if reasoner == "rules" or (reasoner == "auto" and len(store) > HERMIT_LIMIT):
        from kg.rules import reason_store

        # The ontology's own graphs, read graph by graph: filtering every quad of a large store costs seconds.
        ontology = (q for g in store.named_graphs()
                    if isinstance(g, ox.NamedNode) and g.value.startswith(GRAPH + "ontology/")
                    for q in store.quads_for_pattern(None, None, None, g))
        return reason_store(store, ontology, graph)
    skip = {META_GRAPH, INFERRED_GRAPH}
    # Links out (owl:sameAs to Wikidata, DBpedia...) stay out of reasoning: otherwise HermiT copies every
    # fact about an actor onto its external aliases, and the inferred graph fills with them.
    triples = (
        ox.Triple(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None)
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value not in skip and q.predicate != _SAME_AS
    )
    inferred = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in reason.infer(triples)]
    add_quads(store, inferred)
    return inferred


def build(project: str | Path = ".", store: str | Path | None = None, *, reasoning: bool | str = True,
          progress: Progress = _quiet, links: str | Path | None = None, allow_empty: bool = False) -> BuildReport:
    """Build the project's graph into the store and swap it in only when every step passed.

    ``reasoning`` is False (no reasoning step), True (``auto``) or one of :data:`REASONERS`. ``links`` is the
    folder of linked datasets to load (default: the store's own, see :func:`kg.link.sidecar`). A project without
    RDF files is refused unless ``allow_empty`` (an empty build would replace a good store).

    >>> import tempfile, pathlib
    >>> report = build(pathlib.Path(__file__).parent.parent, pathlib.Path(tempfile.mkdtemp()) / "store")
    >>> report.inferred > 0 and sum(report.triples.values()) > 1000
    True
    """
    project = Path(project)
    target = store_path(store)
    check_reasoner(reasoning)
    inputs = find_inputs(project)
    require_inputs(inputs, allow_empty)
    report = BuildReport(target, inputs)
    # One build at a time: a second one is refused, saying who builds.
    with lock.writer(target, "kg build", create=True):
        build_dir = kgstore.new_build_dir(target)
        try:
            _build_into(build_dir, report, _Steps(report, progress), reasoning, links)
            kgstore.swap_in(target, build_dir)
        except BaseException as err:
            # Drop every reference to the half-built store first: RocksDB's background threads must stop
            # writing into the directory before it can be deleted.
            traceback.clear_frames(err.__traceback__)
            gc.collect()
            kgstore.discard(build_dir)
            raise
    return report


def _build_into(folder: Path, report: BuildReport, steps: _Steps, reasoning: bool | str,
                links: str | Path | None = None) -> None:
    """The build's steps in order, on a fresh store in ``folder``; the store is flushed and closed at the end."""
    inputs = report.inputs
    db = ox.Store(str(folder))

    def load() -> str:
        report.triples = load_inputs(db, inputs)
        return f"{len(inputs.rdf)} files, {sum(report.triples.values()):,} triples"

    stories: list[Story] = []

    def validate() -> str:
        evidence, problems, found = check(db, inputs)
        if any(p.fails for p in problems):  # only violations fail; warnings and infos are reported
            raise ValidationError(problems)
        report.warnings = sorted(problems)
        stories.extend(found)
        report.triples[EVIDENCE_GRAPH] = len(evidence)
        spans = sum(1 for q in evidence if q.predicate.value.endswith("#start"))
        told = f"{len(found)} stor{'y' if len(found) == 1 else 'ies'}"
        return f"{told}, {spans:,} spans anchored, shapes pass" + (
            f" ({len(problems)} warning(s))" if problems else "")

    def reason() -> str:
        inferred = infer(db, reasoning if isinstance(reasoning, str) else "auto")
        report.inferred = report.triples[INFERRED_GRAPH] = len(inferred)
        return f"consistent, {len(inferred):,} triples inferred"

    def describe() -> str:
        from kg.meta import describe as void
        from kg.stories import figures

        report.stories = [figures(db, story, report.triples) for story in stories]
        meta = void(db, inputs, report.seconds, report.stories)
        add_quads(db, meta)
        report.triples[META_GRAPH] = len(meta)
        return f"{len(meta):,} VoID triples"

    steps.run("load", load)
    with in_effect(story_prefixes(db)):  # messages name the stories' nodes with their prefixes
        steps.run("validate", validate)
        if reasoning:
            steps.run("reason", reason)
    steps.run("describe", describe)
    # Last, so linked datasets never reach the shapes, HermiT or the store's own figures; kg/link.py explains.
    from kg.link import load_links

    steps.run("link", lambda: load_links(db, report.store, report.triples, folder=links))

    def compact() -> str:
        # Bulk writes (large files, the evidence, the inferred graph) leave the store in many unmerged files that
        # every later read must search. Merging them once took 2 s at 10^6 triples, and afterwards a heavy canned
        # query ran 2.3x and a full dump 1.6x faster (BENCHMARKS.md).
        db.optimize()
        return "store compacted for reading"

    steps.run("compact", compact)
    db.flush()


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


def reason_project(project: str | Path = ".") -> tuple[list[ox.Quad], dict[str, str]]:
    """Run the reasoner over the project's files without touching any store; the inferred quads, and the prefixes
    to show them with (ours and the stories')."""
    from kg.stories import known_prefixes

    inputs = find_inputs(Path(project))
    require_inputs(inputs, allow_empty=True)

    def checked(db: ox.Store) -> tuple[list[ox.Quad], dict[str, str]]:
        problems = literal_problems(db, inputs)  # the reasoner would trip over them, with a traceback
        if problems:
            raise ValidationError(problems)
        return infer(db), known_prefixes(db)

    return _scratch(inputs, checked)  # type: ignore[return-value]
