"""Per-story batches (kg/batches.py): on the project's stories and on a generated corpus, checking and reasoning
story by story (each story's files, the shared files and the ontology) finds exactly what the whole store gives;
and data that would make batches differ from the whole store are recognised."""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from conftest import ROOT, canonical_quads

from benchmarks.corpus import generate
from kg import batches
from kg.build import build
from kg.inputs import find_inputs
from kg.stories import batch_files, story_folder
from kg.vocab import EVIDENCE_GRAPH, INFERRED_GRAPH, PREFIXES


def _canonical(quads: list[ox.Quad]) -> set[ox.Quad]:
    """The quads as a store holds them (Oxigraph keeps an xsd:nonNegativeInteger as an xsd:integer), blank nodes
    renamed canonically."""
    store = ox.Store()
    store.extend(quads)
    return canonical_quads(store)


@pytest.fixture(scope="module", params=["project", "corpus"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A project (ours, or a generated corpus of four stories sharing actors) and its full build."""
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "project":
        for name in ("ontology", "triples"):
            shutil.copytree(ROOT / name, folder / name)
    else:
        generate(folder, 4000)
    build(folder, folder / "store")
    return folder, folder / "store"


def test_batches_derive_what_the_whole_store_derives(built: tuple[Path, Path]) -> None:
    project, store = built
    inputs = find_inputs(project)
    db = ox.Store.read_only(str(store))
    shared = batches.common(db, inputs)
    folders = sorted({f for f in (story_folder(i.relative) for i in inputs.rdf) if f is not None})
    assert len(folders) >= 2
    derived: list[ox.Quad] = []
    problems = set()
    for folder in folders:
        story = [q for i in inputs.rdf if story_folder(i.relative) == folder
                 for q in db.quads_for_pattern(None, None, None, ox.NamedNode(i.graph))]
        scope = batch_files(inputs.rdf, folder)
        batch = batches.validate(shared, story, type(inputs)(project, scope, inputs.texts))
        problems.update(str(p) for p in batch.problems)
        derived += batch.evidence + batches.reason(shared, batch)
    whole = [q for g in (EVIDENCE_GRAPH, INFERRED_GRAPH) for q in db.quads_for_pattern(None, None, None,
                                                                                     ox.NamedNode(g))]
    assert _canonical(derived) == _canonical(whole)
    assert problems == set()  # the whole store passes without warnings: so does every batch
    # And what makes that sound holds on these data (docs/design.md, "Per-story batches").
    assert batches.unsound(build(project, project / "again").index, shared) is None


def test_two_stories_describing_one_node_cannot_be_batched(built: tuple[Path, Path]) -> None:
    project, store = built
    db = ox.Store.read_only(str(store))
    shared = batches.common(db, find_inputs(project))
    one = {"subjects": ["https://example.org/x"], "refs": {}}
    assert batches.unsound({"triples/a": one, "triples/b": one}, shared) == (
        "triples/b and triples/a both describe https://example.org/x")
    pointing = {"subjects": [], "refs": {"https://example.org/x": True}}
    assert batches.unsound({"triples/a": one, "triples/b": pointing}, shared) == (
        "triples/b points at https://example.org/x, which triples/a describes")


def test_pointing_at_a_shared_node_with_a_range_it_lacks_cannot_be_batched(built: tuple[Path, Path]) -> None:
    # Two stories each making an untyped shared node the agent of an act: each batch alone would type it an
    # actor (so:hasAgent's range), and the classes two stories imply could clash only in the whole store.
    project, store = built
    db = ox.Store.read_only(str(store))
    shared = batches.common(db, find_inputs(project))
    agent = ox.NamedNode(PREFIXES["so"] + "hasAgent")
    act = ox.NamedNode("https://example.org/act")
    story = [ox.Quad(act, agent, ox.NamedNode("https://example.org/nobody"), ox.NamedNode("urn:g"))]
    index = batches.index(story, shared)
    assert index["refs"] == {"https://example.org/nobody": False}
    other = {"subjects": [], "refs": {"https://example.org/nobody": False}}
    assert "https://example.org/nobody" in (batches.unsound({"triples/a": index, "triples/b": other}, shared) or "")


def test_inputs_are_the_files_in_the_order_of_their_paths(tmp_path: Path) -> None:
    # The definition, against a tree with what the scan must get right: a folder and a file that sort around each
    # other ("a" and "a.ttl"), case, a text file, a hidden ".txt" (no extension), skipped folders at any depth, a
    # draft, a file in no RDF format, and a link to a folder (not followed) beside a link to a file (read).
    files = ["ontology/standoff.ttl", "triples/a/x.ttl", "triples/a.ttl", "triples/A.ttl", "triples/a/b/c.nt",
             "triples/a/examples/skip.ttl", "triples/checks/skip.ttl", "triples/s/draft.ttl", "triples/s/text.txt",
             "triples/s/.txt", "triples/s/notes.md", "triples/s/z.trig", "triples/a-b/y.jsonld"]
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name, encoding="utf-8")
    (tmp_path / "triples" / "linked").symlink_to(tmp_path / "triples" / "a")
    (tmp_path / "triples" / "s" / "linked.ttl").symlink_to(tmp_path / "triples" / "a.ttl")
    found = find_inputs(tmp_path)
    assert [f.relative for f in found.rdf] == [
        "ontology/standoff.ttl", "triples/A.ttl", "triples/a/b/c.nt", "triples/a/x.ttl", "triples/a-b/y.jsonld",
        "triples/a.ttl", "triples/s/linked.ttl", "triples/s/z.trig"]
    assert sorted(found.rdf, key=lambda f: Path(f.relative)) == found.rdf  # as sorted paths are
    assert [p.name for p in found.texts.values()] == ["text.txt"]


def _shared(built: tuple[Path, Path]) -> batches.Common:
    project, store = built
    db = ox.Store.read_only(str(store))
    return batches.common(db, find_inputs(project))


def test_an_edited_story_is_checked_against_the_others_without_their_subjects(built: tuple[Path, Path]) -> None:
    shared = _shared(built)
    x = "https://example.org/x"

    def described(found: dict[str, str]) -> Any:  # what the store would say of those IRIs
        return lambda nodes: {n: s for n, s in found.items() if n in nodes}

    one, pointing = {"subjects": [x], "refs": {}}, {"subjects": [], "refs": {x: True}}
    after = batches.unsound_after
    assert after({"triples/b": one}, {"triples/a": {"refs": {}}}, shared, described({x: "triples/a"})) == (
        f"triples/b and triples/a both describe {x}")
    assert after({"triples/a": one, "triples/b": one}, {}, shared, described({})) == (
        f"triples/b and triples/a both describe {x}")
    assert after({"triples/b": one}, {"triples/a": {"refs": {x: True}}}, shared, described({})) == (
        f"triples/a points at {x}, which triples/b describes")
    assert after({"triples/b": pointing}, {"triples/a": {"refs": {}}}, shared, described({x: "triples/a"})) == (
        f"triples/b points at {x}, which triples/a describes")
    unclean = {"subjects": [], "refs": {x: False}}
    assert x in (after({"triples/b": unclean}, {"triples/a": {"refs": {x: False}}}, shared, described({})) or "")
    assert after({"triples/b": pointing}, {"triples/a": {"refs": {x: True}}}, shared, described({})) is None


@pytest.mark.parametrize("seed", range(5))
def test_checking_the_edited_stories_says_what_checking_them_all_says(built: tuple[Path, Path], seed: int) -> None:
    """On random stories over a few IRIs, sound before one or two of them change: checking only the changed ones
    against the others' refs and the store's answer finds a reason exactly when checking every story does."""
    rng = random.Random(seed)
    shared = _shared(built)
    pool = [f"https://example.org/n{i}" for i in range(12)]
    agreed = 0
    while agreed < 200:
        stories = {f"triples/s{k}": _random_index(rng, pool) for k in range(rng.randint(2, 5))}
        before = {folder: ix for folder, ix in stories.items() if rng.random() < 0.8}
        if batches.unsound(before, shared) is not None or len(before) < 1:
            continue
        changed = {folder: _random_index(rng, pool) for folder in rng.sample(sorted(before), 1)}
        changed |= {folder: ix for folder, ix in stories.items() if folder not in before and rng.random() < 0.5}
        others = {folder: ix for folder, ix in before.items() if folder not in changed}
        owners = {s: folder for folder, ix in others.items() for s in ix["subjects"]}
        now = {**others, **changed}
        whole = batches.unsound(now, shared)
        part = batches.unsound_after(changed, {f: {"refs": ix["refs"]} for f, ix in others.items()}, shared,
                                     lambda nodes, owners=owners: {n: owners[n] for n in nodes if n in owners})
        assert (whole is None) == (part is None), (now, changed, whole, part)
        agreed += 1


def _random_index(rng: random.Random, pool: list[str]) -> dict[str, Any]:
    subjects = sorted(rng.sample(pool, rng.randint(0, 3)))
    refs = {x: rng.random() < 0.7 for x in rng.sample([p for p in pool if p not in subjects], rng.randint(0, 3))}
    return {"subjects": subjects, "refs": dict(sorted(refs.items()))}
