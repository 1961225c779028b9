"""Incremental `kg build`: after random edits, additions and deletions of story files, the incremental build makes
exactly the store a full build makes; a changed ontology means a full build and says so; nothing changed means
no build; an interrupted incremental build leaves the previous store."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ROOT, copy_store, run_kg
from conftest import built_quads as quads

from benchmarks.corpus import generate
from kg import lock
from kg.build import build
from kg.config import MANIFEST_FILE
from kg.meta import Figures, Recorded, recorded
from kg.vocab import PREFIXES

pytestmark = pytest.mark.heavy  # scheduled first (tests/conftest.py)

CORPUS_STORIES = 4  # generated stories: the first two start in the project, the others wait to be added


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated stories sharing an actors file, beside which the project's own stories are built."""
    folder = tmp_path_factory.mktemp("corpus")
    generate(folder, 1000 * CORPUS_STORIES)
    return folder


def _project(target: Path, corpus: Path) -> Path:
    """The ontology, the project's stories, the shared actors and two generated stories, at ``target``."""
    shutil.copytree(ROOT / "ontology", target / "ontology")
    shutil.copytree(ROOT / "triples", target / "triples")
    shutil.copy(corpus / "triples" / "actors.ttl", target / "triples" / "actors.ttl")
    for k in range(1, 3):
        shutil.copytree(corpus / "triples" / f"story-{k:05d}", target / "triples" / f"story-{k:05d}")
    return target


@pytest.fixture
def project(tmp_path: Path, corpus: Path) -> Path:
    return _project(tmp_path / "project", corpus)


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    """The store a build of the untouched project makes (with its record), built once: each seed starts from a
    copy of it, as from its own first build."""
    folder = tmp_path_factory.mktemp("first")
    store = folder / "store"
    build(_project(folder / "project", corpus), store, incremental=True)
    return store


def _edit(rng: random.Random, project: Path, corpus: Path) -> str:
    """One random change of story files that keeps the project valid; returns what it did."""
    stories = sorted(p for p in (project / "triples").iterdir() if p.is_dir())
    waiting = [p for p in sorted((corpus / "triples").iterdir())
               if p.is_dir() and not (project / "triples" / p.name).exists()]
    kind = rng.choice(["label", "triple", "add", "delete", "delete-file"])
    story = rng.choice(stories)
    if kind == "add" and waiting:
        shutil.copytree(waiting[0], project / "triples" / waiting[0].name)
        return f"added {waiting[0].name}"
    if kind == "delete" and len(stories) > 1 and story.name.startswith("story-"):
        shutil.rmtree(story)
        return f"deleted {story.name}"
    if kind == "delete-file" and (story / "links.ttl").exists():
        (story / "links.ttl").unlink()
        return f"deleted {story.name}/links.ttl"
    file = rng.choice(sorted(story.glob("*.ttl")))
    text = file.read_text(encoding="utf-8")
    if kind == "label" and "rdfs:label \"" in text:
        # A label is never a quote (quotes are oa:exact), so the evidence still anchors.
        text = text.replace("rdfs:label \"", f"rdfs:label \"edited {rng.randrange(10**6)} ", 1)
    else:
        first = next(iter(ox.parse(path=str(file), format=ox.RdfFormat.TURTLE)), None)  # None: an empty file
        subject = first.subject if first is not None else ox.NamedNode("https://example.org/edited")
        if isinstance(subject, ox.NamedNode):
            text += f'\n<{subject.value}> <{PREFIXES["rdfs"]}comment> "edit {rng.randrange(10**6)}" .\n'
        else:
            text += "\n# edited\n"
    file.write_text(text, encoding="utf-8")
    return f"{kind} in {file.relative_to(project)}"


@pytest.mark.parametrize("seed", range(20))
def test_incremental_build_makes_the_store_a_full_build_makes(project: Path, corpus: Path, tmp_path: Path,
                                                              first_build: Path, seed: int) -> None:
    rng = random.Random(seed)
    store = copy_store(first_build, tmp_path / "incremental" / "store")
    done = [_edit(rng, project, corpus) for _ in range(rng.randint(1, 3))]
    said: list[str] = []
    report = build(project, store, incremental=True, progress=lambda step, summary, _: said.append(summary))
    assert not any("everything derived again" in line for line in said), said  # story by story
    full = build(project, tmp_path / "full" / "store")
    if report.plan != "unchanged":  # a story deleted and added back is the same project
        assert report.plan.startswith("incremental"), (done, report.plan)
        assert report.triples == full.triples, done
        # The store's figures were updated from the previous build's, not counted: the meta graphs compared
        # below hold them (every figure is a literal there), so one that is off makes the stores differ.
        assert any("store figures updated" in line for line in said), said
    assert quads(store) == quads(tmp_path / "full" / "store"), done


@pytest.mark.parametrize("seed", range(3))
def test_incremental_builds_one_after_another_make_the_full_builds_stores(project: Path, corpus: Path,
                                                                          tmp_path: Path, first_build: Path,
                                                                          seed: int) -> None:
    """Each build starts from what the one before recorded: its figures (which must be those its meta graph
    says) and the parts of the description it did not make again (kg.meta.write)."""
    from kg import manifest

    rng = random.Random(100 + seed)
    store = copy_store(first_build, tmp_path / "incremental" / "store")
    done: list[str] = []
    for step in range(4):
        done += [_edit(rng, project, corpus) for _ in range(rng.randint(1, 2))]
        build(project, store, incremental=True)
        full = tmp_path / f"full-{step}" / "store"
        build(project, full)
        assert quads(store) == quads(full), done
        kept = Recorded.from_record((manifest.read(store) or {}).get("figures"))
        db = ox.Store.read_only(str(store))
        described = recorded(db)
        del db
        assert kept is not None and described is not None
        assert (kept.figures, kept.triples) == (described.figures, described.triples)
        assert kept.graphs.items() <= described.graphs.items()


def test_changed_ontology_means_a_full_build_and_says_so_in_one_line(project: Path, tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    assert run_kg("build", "--store", store, cwd=project).returncode == 0
    with (project / "ontology" / "standoff.ttl").open("a", encoding="utf-8") as out:
        out.write("\n# a comment changes the file, hence a full build\n")
    result = run_kg("build", "--store", store, cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == "  ontology changed (ontology/standoff.ttl): full build"
    assert "compact" in result.stderr  # the full build's last step


def test_nothing_changed_means_no_build(project: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert run_kg("build", "--store", str(store), cwd=project).returncode == 0
    before = os.path.realpath(store)
    result = run_kg("build", "--store", str(store), cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"unchanged since the last build: {store} (kg build --full builds it again)\n"
    assert os.path.realpath(store) == before
    forced = run_kg("build", "--full", "--store", str(store), cwd=project)
    assert forced.returncode == 0 and "load      " in forced.stderr and os.path.realpath(store) != before


def test_a_story_edit_rebuilds_incrementally_with_the_same_figures(project: Path, tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    first = run_kg("build", "--store", store, cwd=project)
    story = project / "triples" / "story-00002" / "acts.ttl"
    story.write_text(story.read_text(encoding="utf-8").replace("rdfs:label \"", "rdfs:label \"new ", 1),
                     encoding="utf-8")
    again = run_kg("build", "--store", store, cwd=project)
    assert again.returncode == 0, again.stderr
    assert again.stderr.splitlines()[0] == "  incremental: 1 file to reload"
    assert re.match(r"  load +4 files of 1 story reloaded", again.stderr.splitlines()[1])  # the story's files
    assert re.match(r"  validate +1 of 4 stories checked again", again.stderr.splitlines()[2])
    # Same triples, graphs and story figures as before: a label changed, nothing was added.
    assert first.stderr.split("built ")[1].split("(")[0] == again.stderr.split("built ")[1].split("(")[0]


def test_an_interrupted_incremental_build_leaves_the_previous_store(project: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    build(project, store)
    before, content = os.path.realpath(store), quads(store)
    shutil.rmtree(project / "triples" / "story-00001")

    def interrupt(step: str, summary: str, seconds: float) -> None:
        if step == "validate":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build(project, store, incremental=True, progress=interrupt)
    assert os.path.realpath(store) == before and quads(store) == content
    assert [p.name for p in (tmp_path / "store.builds").iterdir()] == [Path(before).name]  # no partial copy left


def test_another_writer_means_the_next_build_is_full(project: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    build(project, store)
    assert (store / MANIFEST_FILE).exists()
    with lock.writer(store, "kg sparql --update"):  # it may change the store: the record no longer describes it
        pass
    assert build(project, store, incremental=True).plan == "no record of the previous build: full build"


def test_a_build_in_memory_and_one_on_disk_make_the_same_store(project: Path, tmp_path: Path) -> None:
    said: list[str] = []
    in_memory = build(project, tmp_path / "memory" / "store", in_memory=True,
                      progress=lambda step, summary, _: said.append(step))
    on_disk = build(project, tmp_path / "disk" / "store", in_memory=False)
    assert "write" in said  # the in-memory store was written to disk in one step
    assert "write" not in on_disk.seconds and "write" in in_memory.seconds
    assert in_memory.triples == on_disk.triples
    assert quads(tmp_path / "memory" / "store") == quads(tmp_path / "disk" / "store")


def test_a_project_too_big_for_the_memory_available_builds_on_disk(project: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from kg import build as building
    from kg.inputs import find_inputs

    inputs = find_inputs(project)
    assert building.fits_in_memory(inputs)  # a few stories: a few MB at most
    size = sum(f.path.stat().st_size for f in inputs.rdf)
    available = building._available_memory()
    assert available > 0
    monkeypatch.setattr(building, "MEMORY_PER_INPUT_BYTE", available // size + 1)  # needs all of it: too much
    assert not building.fits_in_memory(inputs)
    report = build(project, tmp_path / "store")
    assert "write" not in report.seconds and "load" in report.seconds


_GADGETS = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix g: <https://example.org/gadget/> .
g:{Class} a owl:Class .
g:{property} a owl:DatatypeProperty .
{things}
"""


def test_an_edit_that_ends_and_starts_terms_gives_a_full_builds_figures(project: Path, tmp_path: Path) -> None:
    # The file holds the only uses of its class, its property, its subjects and its objects. One is an integer
    # the engine's lookup by object gets wrong once it is gone (its last byte is 0xFF; see kg.meta.updated).
    gadgets = project / "triples" / "story-00001" / "gadgets.ttl"
    only = "g:gadget-1 a g:Gadget ; g:size 1048575 ."
    gadgets.write_text(_GADGETS.format(Class="Gadget", property="size", things=only), encoding="utf-8")
    store = tmp_path / "store"
    build(project, store, incremental=True)
    before = _figures(store)
    gadgets.write_text(_GADGETS.format(Class="Widget", property="weight", things=(
        "g:widget-1 a g:Widget ; g:weight 1048576 .\ng:widget-2 a g:Widget ; g:weight 1048576 .")),
        encoding="utf-8")
    said: list[str] = []
    build(project, store, incremental=True, progress=lambda step, summary, _: said.append(summary))
    assert any("store figures updated" in line for line in said), said
    build(project, tmp_path / "full" / "store")
    after = _figures(store)
    assert after == _figures(tmp_path / "full" / "store")
    gadget = "https://example.org/gadget/"
    assert (ox.NamedNode(gadget + "Gadget") in before.classes, ox.NamedNode(gadget + "Gadget") in after.classes,
            after.classes.get(ox.NamedNode(gadget + "Widget"))) == (True, False, 2)
    assert (ox.NamedNode(gadget + "size") in before.properties, ox.NamedNode(gadget + "size") in after.properties,
            after.properties.get(ox.NamedNode(gadget + "weight"))) == (True, False, 2)
    assert (after.subjects - before.subjects, after.objects - before.objects) == (1, 0)


def _figures(store: Path) -> Figures:
    db = ox.Store.read_only(str(store))
    found = recorded(db)
    del db
    assert found is not None
    return found.figures


def test_the_meta_graph_stays_through_the_rules_only_when_none_can_read_it(tmp_path: Path) -> None:
    """An incremental build keeps the previous meta graph while it reasons (to rewrite it by difference) only when
    no whole-store rule names a property or class the meta graph uses; a full build never shows it to the rules."""
    from kg.build import _unread_by_rules
    from kg.rules import read_tbox

    store = tmp_path / "store"
    build(ROOT, store)
    db = ox.Store.read_only(str(store))
    ontology = [q for name in ("standoff.ttl", "alignments.ttl", "cameo.ttl")
                for q in ox.parse(path=str(ROOT / "ontology" / name), format=ox.RdfFormat.TURTLE)]
    assert _unread_by_rules(db, read_tbox(ontology))
    # void:triples (a meta property) given the domain so:Actor: RefusingParty's rule tests Actor membership with it.
    domain = ox.Triple(ox.NamedNode(PREFIXES["void"] + "triples"), ox.NamedNode(PREFIXES["rdfs"] + "domain"),
                       ox.NamedNode(PREFIXES["so"] + "Actor"))
    assert not _unread_by_rules(db, read_tbox([*ontology, domain]))
    # void:Dataset (the class of the meta graph's datasets) made a kind of actor: the same test names it.
    kind = ox.Triple(ox.NamedNode(PREFIXES["void"] + "Dataset"), ox.NamedNode(PREFIXES["rdfs"] + "subClassOf"),
                     ox.NamedNode(PREFIXES["so"] + "Actor"))
    assert not _unread_by_rules(db, read_tbox([*ontology, kind]))


def test_an_edit_that_keeps_size_and_modification_time_is_still_seen(project: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The previous build's hashes are reused only for files whose size, times and inode are unchanged: content
    changed in place, same length, its modification time put back (as some tools do), is hashed again and
    reloaded (the change time gives it away), while the untouched files are not read."""
    import kg.inputs
    from kg import manifest

    # Hashes count even for files changed just before they were hashed (the margin is 2 s), so that reuse happens.
    monkeypatch.setattr(kg.inputs, "_RACY_NS", 0)
    store = tmp_path / "store"
    build(project, store)
    story = project / "triples" / "story-00002" / "acts.ttl"
    stamp = os.stat(story)
    text = story.read_text(encoding="utf-8")
    at = text.index('rdfs:label "') + len('rdfs:label "')
    story.write_text(text[:at] + ("Z" if text[at] != "Z" else "Y") + text[at + 1:], encoding="utf-8")
    os.utime(story, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert (os.stat(story).st_size, os.stat(story).st_mtime_ns) == (stamp.st_size, stamp.st_mtime_ns)
    hashed: list[Path] = []
    real = kg.inputs.sha256_file
    monkeypatch.setattr(kg.inputs, "sha256_file", lambda path: hashed.append(path) or real(path))
    kg.inputs.find_inputs(project, *manifest.hashes(manifest.read(store)))
    assert hashed == [story]
    assert build(project, store, incremental=True).plan == "incremental: 1 file to reload"


def test_a_hash_is_reused_only_for_a_file_unchanged_since_well_before_it_was_hashed(tmp_path: Path) -> None:
    from kg.evidence import sha256_file
    from kg.inputs import _sha256

    f = tmp_path / "a.ttl"
    f.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    st = os.stat(f)
    stat = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    later = max(st.st_mtime_ns, st.st_ctime_ns) + 3 * 10**9
    assert _sha256(f, (stat, "recorded"), later) == ("recorded", stat)  # unchanged, hashed 3 s after: reused
    soon = max(st.st_mtime_ns, st.st_ctime_ns) + 10**9
    assert _sha256(f, (stat, "recorded"), soon) == (sha256_file(f), stat)  # hashed 1 s after its change: again
    other = [stat[0] + 1, *stat[1:]]
    assert _sha256(f, (other, "recorded"), later) == (sha256_file(f), stat)  # another size: hashed


def test_a_quote_in_the_shared_files_is_anchored_once(project: Path, tmp_path: Path) -> None:
    """Every rebuilt story's batch anchors the shared files' blank span again: its selector is named after the span
    (kg.evidence.position_quads), so the rebuild, story by story, makes the full build's store (with a new blank
    selector each time it held one more after every rebuild)."""
    import hashlib

    text = "A shared press release says something.\n"
    (project / "triples" / "release.txt").write_text(text, encoding="utf-8")
    (project / "triples" / "release.ttl").write_text(f"""
@prefix so: <https://w3id.org/standoff/ontology#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <http://schema.org/> .
<https://example.org/release> a so:SourceDocument ; rdfs:label "A shared press release"@en ;
    so:sha256 "{hashlib.sha256(text.encode()).hexdigest()}" ;
    so:unstated schema:author, schema:datePublished, schema:headline, schema:publisher, schema:url .
<https://example.org/statement> rdfs:label "a shared statement"@en ;
    so:hasEvidence [ a oa:SpecificResource ; oa:hasSource <https://example.org/release> ;
                     oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "press release" ] ] .
""", encoding="utf-8")
    store = tmp_path / "store"
    build(project, store)
    # The record keeps the shared graphs for the next build (kg.batches.shared_text), blank nodes named as stored.
    db = ox.Store.read_only(str(store))
    shared = {q for q in db if q.graph_name.value.endswith(("/triples/release.ttl", "/triples/actors.ttl"))
              or "/graph/ontology/" in q.graph_name.value}
    del db
    recorded = json.loads((store / MANIFEST_FILE).read_text(encoding="utf-8"))["shared"]
    assert set(ox.parse(recorded.encode(), format=ox.RdfFormat.N_QUADS)) == shared
    assert any(isinstance(q.subject, ox.BlankNode) for q in shared)
    acts = project / "triples" / "story-00002" / "acts.ttl"
    acts.write_text(acts.read_text(encoding="utf-8").replace('rdfs:label "', 'rdfs:label "new ', 1), encoding="utf-8")
    said: list[str] = []
    build(project, store, incremental=True, progress=lambda step, summary, _: said.append(summary))
    assert not any("derived again" in line for line in said), said
    # The rebuild passes the text it read on to the next build: the same quads, still the store's.
    again = json.loads((store / MANIFEST_FILE).read_text(encoding="utf-8"))["shared"]
    db = ox.Store.read_only(str(store))
    assert set(ox.parse(again.encode(), format=ox.RdfFormat.N_QUADS)) == shared == {q for q in db if q in shared}
    del db
    build(project, tmp_path / "full")
    assert quads(store) == quads(tmp_path / "full")


@pytest.mark.parametrize("recorded", ["not N-Quads", "<https://example.org/s> <https://example.org/p> "
                                      "<https://example.org/o> <https://example.org/elsewhere> .\n"])
def test_shared_graphs_the_record_cannot_give_are_read_from_the_store(project: Path, tmp_path: Path,
                                                                       recorded: str) -> None:
    """A record whose shared graphs do not parse, or name a graph no shared file has, is not believed."""
    store = tmp_path / "store"
    build(project, store)
    record = json.loads((store / MANIFEST_FILE).read_text(encoding="utf-8"))
    (store / MANIFEST_FILE).write_text(json.dumps(record | {"shared": recorded}), encoding="utf-8")
    acts = project / "triples" / "story-00001" / "acts.ttl"
    acts.write_text(acts.read_text(encoding="utf-8").replace('rdfs:label "', 'rdfs:label "new ', 1), encoding="utf-8")
    assert build(project, store, incremental=True).plan.startswith("incremental")
    build(project, tmp_path / "full")
    assert quads(store) == quads(tmp_path / "full")


def test_stories_that_meet_mean_deriving_everything_until_they_part(project: Path, tmp_path: Path) -> None:
    """The record keeps no list of what each story describes: an edited story is checked against the others by
    asking the store (kg.batches.unsound_after). A story that comes to describe, or to point at, a node another
    describes makes the build derive everything (and say why) until the stories part again; every store is the
    full build's."""
    store = tmp_path / "store"
    build(project, store)
    acts = project / "triples" / "story-00002" / "acts.ttl"
    original = acts.read_text(encoding="utf-8")
    other = "https://w3id.org/standoff/id/bench-00001/demand-1"

    def rebuilt(text: str) -> list[str]:
        acts.write_text(text, encoding="utf-8")
        said: list[str] = []
        build(project, store, incremental=True, progress=lambda step, summary, _: said.append(summary))
        full = tmp_path / f"full-{len(list(tmp_path.glob('full-*')))}"
        build(project, full)
        assert quads(store) == quads(full), said
        return said

    said = rebuilt(original + f'\n<{other}> rdfs:comment "described by a second story" .\n')
    assert (f"triples/story-00002 and triples/story-00001 both describe {other}: everything derived again"
            in said), said
    said = rebuilt(original.replace('rdfs:label "', 'rdfs:label "still ', 1) +
                   f'\n<{other}> rdfs:comment "described by a second story" .\n')
    assert (f"triples/story-00002 and triples/story-00001 both describe {other} (in the previous build): "
            "everything derived again" in said), said
    said = rebuilt(original)  # parted: derived in full once more, and found sound
    assert any("everything derived again" in line for line in said)
    said = rebuilt(original.replace('rdfs:label "', 'rdfs:label "alone ', 1))
    assert not any("everything derived again" in line for line in said), said
    said = rebuilt(original + f'\ns:demand-1 rdfs:seeAlso <{other}> .\n')
    assert (f"triples/story-00002 points at {other}, which triples/story-00001 describes: everything derived again"
            in said), said


def test_blank_node_labels_belong_to_their_file(project: Path, tmp_path: Path) -> None:
    """Two stories that both write ``_:note`` mean two nodes, in a full build and when both are reloaded."""
    store = tmp_path / "store"
    build(project, store)
    for k in (1, 2):
        acts = project / "triples" / f"story-{k:05d}" / "acts.ttl"
        with acts.open("a", encoding="utf-8") as out:
            out.write(f'\ns:demand-1 rdfs:seeAlso _:note .\n_:note rdfs:label "a note of story {k}"@en .\n')
    report = build(project, store, incremental=True)
    assert report.plan.startswith("incremental"), report.plan
    build(project, tmp_path / "full")
    assert quads(store) == quads(tmp_path / "full")
    db = ox.Store.read_only(str(store))
    notes = {q.subject for q in db.quads_for_pattern(None, ox.NamedNode(PREFIXES["rdfs"] + "label"), None)
             if isinstance(q.subject, ox.BlankNode)}
    del db
    assert len(notes) == 2
