"""``kg build``: parse, check, reason and load the project into an on-disk Oxigraph store, atomically.

Every step works on a fresh directory; the store link is repointed only when all steps passed, so a
failure or an interrupt leaves the previous store as it was.
"""

from __future__ import annotations

import gc
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg import store as kgstore
from kg.config import SHAPES_FILE, store_path
from kg.errors import InputError, ValidationError, Violation
from kg.evidence import anchor
from kg.inputs import Inputs, find_inputs
from kg.rdfio import format_of, load_file, parse_file
from kg.vocab import EVIDENCE_GRAPH, INFERRED_GRAPH, META_GRAPH

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


def check(store: ox.Store, inputs: Inputs) -> tuple[list[ox.Quad], list[Violation]]:
    """Anchor evidence and run the SHACL shapes; returns the evidence quads and every violation found."""
    from kg import shacl

    evidence, problems = anchor(store, inputs.texts, ox.NamedNode(EVIDENCE_GRAPH), inputs.file_of())
    # Shapes see the computed offsets too (start < end, non-negative), so add them before validating.
    store.extend(evidence)
    shapes_path = inputs.project / SHAPES_FILE
    if shapes_path.exists():
        checks = shacl.compile_shapes(ox.Triple(q.subject, q.predicate, q.object) for q in parse_file(shapes_path))
        file_of = inputs.file_of()
        for result in shacl.validate(store, checks):
            problems.append(result.to_violation(_file_holding(store, result.focus, file_of)))
    return evidence, problems


def _file_holding(store: ox.Store, focus: ox.NamedNode | ox.BlankNode | ox.Literal, file_of: dict[str, str]) -> str:
    """The input file that says most about ``focus`` (the one a curator would open to fix it)."""
    if isinstance(focus, ox.Literal):
        return "?"
    counts: dict[str, int] = {}
    for quad in store.quads_for_pattern(focus, None, None):
        if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value in file_of:
            counts[file_of[quad.graph_name.value]] = counts.get(file_of[quad.graph_name.value], 0) + 1
    return max(sorted(counts), key=lambda f: counts[f]) if counts else "?"


def infer(store: ox.Store) -> list[ox.Quad]:
    """Run HermiT over everything asserted (ontology, data, evidence) and return the inferred quads."""
    from kg import reason

    skip = {META_GRAPH, INFERRED_GRAPH}
    # Links out (owl:sameAs to Wikidata, DBpedia...) stay out of reasoning: otherwise HermiT copies every
    # fact about an actor onto its external aliases, and the inferred graph fills with them.
    triples = (
        ox.Triple(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None)
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value not in skip and q.predicate != _SAME_AS
    )
    graph = ox.NamedNode(INFERRED_GRAPH)
    return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in reason.infer(triples)]


def build(project: str | Path = ".", store: str | Path | None = None, *, reasoning: bool = True,
          progress: Progress = _quiet) -> BuildReport:
    """Build the project's graph into the store and swap it in only when every step passed.

    >>> import tempfile, pathlib
    >>> report = build(pathlib.Path(__file__).parent.parent, pathlib.Path(tempfile.mkdtemp()) / "store")
    >>> report.inferred > 0 and sum(report.triples.values()) > 1000
    True
    """
    project = Path(project)
    target = store_path(store)
    inputs = find_inputs(project)
    report = BuildReport(target, inputs)
    build_dir = kgstore.new_build_dir(target)
    try:
        _build_into(build_dir, report, _Steps(report, progress), reasoning)
        kgstore.swap_in(target, build_dir)
    except BaseException as err:
        # Drop every reference to the half-built store first: RocksDB's background threads must stop
        # writing into the directory before it can be deleted.
        traceback.clear_frames(err.__traceback__)
        gc.collect()
        kgstore.discard(build_dir)
        raise
    return report


def _build_into(folder: Path, report: BuildReport, steps: _Steps, reasoning: bool) -> None:
    """The build's steps in order, on a fresh store in ``folder``; the store is flushed and closed at the end."""
    inputs = report.inputs
    db = ox.Store(str(folder))

    def load() -> str:
        report.triples = load_inputs(db, inputs)
        return f"{len(inputs.rdf)} files, {sum(report.triples.values()):,} triples"

    def validate() -> str:
        evidence, problems = check(db, inputs)
        if problems:
            raise ValidationError(problems)
        report.triples[EVIDENCE_GRAPH] = len(evidence)
        return f"{len(evidence) // 4:,} spans anchored, shapes pass"

    def reason() -> str:
        inferred = infer(db)
        db.extend(inferred)
        report.inferred = report.triples[INFERRED_GRAPH] = len(inferred)
        return f"consistent, {len(inferred):,} triples inferred"

    def describe() -> str:
        from kg.meta import describe as void

        meta = void(db, inputs, report.seconds)
        db.extend(meta)
        report.triples[META_GRAPH] = len(meta)
        return f"{len(meta):,} VoID triples"

    steps.run("load", load)
    steps.run("validate", validate)
    if reasoning:
        steps.run("reason", reason)
    steps.run("describe", describe)
    db.flush()


def _scratch(inputs: Inputs, work: Callable[[ox.Store], object]) -> object:
    """Load the inputs into a throwaway on-disk store beside nothing, run ``work`` on it, delete it."""
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="kg-scratch-")
    try:
        db = ox.Store(folder)
        load_inputs(db, inputs)
        return work(db)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def validate_project(project: str | Path = ".") -> list[Violation]:
    """Parse and check the project's files (evidence, shapes) without touching any store; every violation.

    >>> import pathlib
    >>> validate_project(pathlib.Path(__file__).parent.parent)
    []
    """
    inputs = find_inputs(Path(project))
    return _scratch(inputs, lambda db: check(db, inputs)[1])  # type: ignore[return-value]


def reason_project(project: str | Path = ".") -> list[ox.Quad]:
    """Run the reasoner over the project's files without touching any store; the inferred quads."""
    return _scratch(find_inputs(Path(project)), infer)  # type: ignore[return-value]
