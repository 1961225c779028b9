"""The steps of a build that work on a store: load the input files, check them (evidence, stories, shapes, the
ontology's checks) and reason. :mod:`kg.build` runs them on a whole store, :mod:`kg.batches` on one story's batch.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg import hints
from kg.config import CHECKS_DIR, SHAPES_FILE
from kg.errors import InputError, ReasonersDisagreeError, Violation
from kg.evidence import anchor
from kg.inputs import InputFile, Inputs
from kg.literals import ill_typed, out_of_range
from kg.order import derive, span_types
from kg.rdfio import add_quads, format_of, load_file, parse_bytes, parse_file
from kg.rows import rows
from kg.stories import Story, find_stories
from kg.vocab import EVIDENCE_GRAPH, GRAPH, INFERRED_GRAPH, META_GRAPH, show

if TYPE_CHECKING:
    from kg.shacl import CompiledCheck

_SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")


def load_inputs(store: ox.Store, inputs: Inputs) -> dict[str, int]:
    """Bulk-load every input file into its own named graph; every syntax error is reported, not only the first.

    Dataset formats (TriG, N-Quads, JSON-LD) keep the graphs they name; their default graph goes to the file's graph.
    """
    def load(item: InputFile) -> None:
        if (fmt := format_of(item.path)) is not None and fmt.supports_datasets:
            store.bulk_extend(file_quads(item))
        else:
            load_file(store, item.path, ox.NamedNode(item.graph))

    each_file(inputs.rdf, load)
    return triples_per_graph(store)


def file_quads(item: InputFile) -> list[ox.Quad]:
    """The quads one input file gives, in its graph (a dataset's own graphs kept), as :func:`load_inputs` loads them."""
    graph = ox.NamedNode(item.graph)
    return [ox.Quad(q.subject, q.predicate, q.object, graph if isinstance(q.graph_name, ox.DefaultGraph)
                    else q.graph_name) for q in parse_file(item.path)]


def each_file(files: list[InputFile], work: Callable[[InputFile], object]) -> None:
    """Run ``work`` on every file; then raise every syntax error found, in one :class:`InputError`."""
    errors: list[InputError] = []
    for item in files:
        try:
            work(item)
        except InputError as err:
            errors.append(err)
    if errors:
        if len(errors) == 1:
            raise errors[0]
        raise InputError(f"{len(errors)} files do not parse:\n" + "\n".join(f"  {e}" for e in errors))


def triples_per_graph(store: ox.Store) -> dict[str, int]:
    """Triples in each named graph, by graph IRI."""
    found = rows(store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"))
    return {row["g"].value: int(row["n"].value) for row in found}


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
        checks = compiled_shapes(shapes_path)
        file_of = inputs.file_of()
        for result in shacl.validate(store, checks):
            problems.append(result.to_violation(_file_holding(store, result.focus, file_of)))
    return evidence, hints.teach(store, problems, inputs.project / CHECKS_DIR), stories


# The shapes compiled, by the SHA-256 of the file's bytes: an incremental build checks one batch per changed story
# with the same shapes, and compiling them costs about 50 ms each time.
_COMPILED: dict[bytes, list[CompiledCheck]] = {}


def compiled_shapes(path: Path) -> list[CompiledCheck]:
    """The checks of the shapes file ``path`` (kg.shacl), compiled once per content of the file."""
    from kg import shacl

    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(str(err), str(path)) from None
    key = hashlib.sha256(data).digest()
    if key not in _COMPILED:
        checks = shacl.compile_shapes(ox.Triple(q.subject, q.predicate, q.object) for q in parse_bytes(data, path))
        _COMPILED.clear()  # one version is enough: a process checks one project at a time
        _COMPILED[key] = checks
    return _COMPILED[key]


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
        for row in rows(store.query(text, use_default_graph_as_union=True)):
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
        files |= {file_of.get(q.graph_name.value) for q in store.quads_for_pattern(None, term, None)
                  if isinstance(q.graph_name, ox.NamedNode)}
    files |= {file_of.get(q.graph_name.value) for q in store.quads_for_pattern(None, None, term)
              if isinstance(q.graph_name, ox.NamedNode)}
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


def infer(store: ox.Store, reasoner: str = "rules") -> list[ox.Quad]:
    """Reason over everything asserted (ontology, data, evidence); add the inferred quads to the store and return them.

    ``rules`` (the default) runs the ontology's OWL RL axioms as SPARQL over the store (kg/rules.py), linear in
    the data. ``hermit`` runs the rules and then HermiT (complete for OWL 2 DL, in memory) over the same triples
    as a cross-check: any triple one infers and the other does not is a :class:`ReasonersDisagreeError`.
    """
    from kg.rules import reason_store

    graph = ox.NamedNode(INFERRED_GRAPH)
    # The ontology's own graphs, read graph by graph: filtering every quad of a large store costs seconds.
    ontology = (q for g in store.named_graphs()
                if isinstance(g, ox.NamedNode) and g.value.startswith(GRAPH + "ontology/")
                for q in store.quads_for_pattern(None, None, None, g))
    inferred = reason_store(store, ontology, graph)
    if reasoner == "hermit":
        compare(inferred, hermit(store))
    return inferred


def hermit(store: ox.Store) -> list[ox.Triple]:
    """What HermiT infers from the store's asserted triples (its inferred and meta graphs left out)."""
    from kg import reason

    skip = {META_GRAPH, INFERRED_GRAPH}
    # Links out (owl:sameAs to Wikidata, DBpedia...) stay out of reasoning: otherwise HermiT copies every
    # fact about an actor onto its external aliases, and the inferred graph fills with them.
    return reason.infer(
        ox.Triple(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None)
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value not in skip and q.predicate != _SAME_AS
    )


def compare(rules: list[ox.Quad], hermit: list[ox.Triple]) -> None:
    """Raise :class:`ReasonersDisagreeError` listing each triple only one of the two reasoners inferred.

    >>> t = ox.Triple(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.NamedNode("urn:b"))
    >>> compare([ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode("urn:g"))], [])
    Traceback (most recent call last):
    ...
    kg.errors.ReasonersDisagreeError: the rules and HermiT disagree on 1 triple(s):
      only the rules infer: <urn:a> <urn:p> <urn:b>
    """
    ours = {ox.Triple(q.subject, q.predicate, q.object) for q in rules}
    theirs = set(hermit)
    lines = [f"  only {who} infer: {show(t.subject)} {show(t.predicate)} {show(t.object)}"
             for who, found in (("the rules", ours - theirs), ("HermiT", theirs - ours))
             for t in sorted(found, key=str)]
    if lines:
        raise ReasonersDisagreeError(f"the rules and HermiT disagree on {len(lines)} triple(s):\n" + "\n".join(lines))
