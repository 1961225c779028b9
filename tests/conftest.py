"""Shared fixtures: the real project, the installed `kg` command, and one store built from the project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from endpoints import browser, served  # noqa: F401 (fixtures: `kg serve` on free ports, headless chromium)

from kg.vocab import META_GRAPH, PREFIXES

ROOT = Path(__file__).resolve().parent.parent
# The identifiers the issue verified (local name of our actor, external IRI): the only owl:sameAs links allowed.
VERIFIED_LINKS = {
    ("anthropic", "http://www.wikidata.org/entity/Q116758847"),
    ("department-of-defense", "http://www.wikidata.org/entity/Q11209"),
    ("department-of-defense", "http://dbpedia.org/resource/United_States_Department_of_Defense"),
    ("cnn", "http://www.wikidata.org/entity/Q48340"),
    ("cnn", "http://dbpedia.org/resource/CNN"),
    ("pentagon-building", "http://dbpedia.org/resource/The_Pentagon"),
}
KG = Path(sys.executable).with_name("kg")
EXPECTED = ROOT / "tests" / "expected"
VANN = "http://purl.org/vocab/vann/"


@dataclass(frozen=True)
class StoryFile:
    """A story as its story.ttl declares it: folder name, so:Story IRI, prefix and namespace."""

    slug: str
    iri: str
    prefix: str
    namespace: str


def story_files(root: Path = ROOT) -> list[StoryFile]:
    """Every story of the project, read from its triples/<slug>/story.ttl (the tests know no story by name)."""
    found = []
    for path in sorted((root / "triples").glob("*/story.ttl")):
        triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        story = next(t.subject for t in triples if t.object == ox.NamedNode(
            "https://w3id.org/standoff/ontology#Story"))
        values = {t.predicate.value: t.object.value for t in triples if t.subject == story}
        found.append(StoryFile(path.parent.name, story.value, values[VANN + "preferredNamespacePrefix"],
                               values[VANN + "preferredNamespaceUri"]))
    return found


def story_prefixes(root: Path = ROOT) -> dict[str, str]:
    """The stories' prefixes, prefix -> namespace, from their story.ttl files."""
    return {s.prefix: s.namespace for s in story_files(root)}


@dataclass(frozen=True)
class Case:
    """One run of a canned query whose answer a story's expected file gives (tests/expected/<story>/<name>.csv)."""

    story: str  # the story's folder name
    name: str  # the expected file's name, and the case's
    query: str
    params: dict[str, str] = field(hash=False)

    @property
    def expected(self) -> Path:
        return EXPECTED / self.story / f"{self.name}.csv"

    @property
    def id(self) -> str:
        return f"{self.story}-{self.name}"


def story_cases(queries: list | None = None) -> list[Case]:
    """Every canned query, for every story with expected files, with the parameters of its params.yaml: `story` for
    every query, plus each case's own (a case named after another query runs that one, see params.yaml)."""
    import yaml

    from kg.queries import list_queries

    names = [q.name for q in (queries if queries is not None else list_queries(ROOT / "queries"))]
    cases = []
    for spec_file in sorted(EXPECTED.glob("*/params.yaml")):
        spec = yaml.safe_load(spec_file.read_text(encoding="utf-8")) or {}
        story, extra = spec_file.parent.name, spec.get("cases") or {}
        base = {"story": spec["story"]} if "story" in spec else {}
        for name in names:
            cases.append(Case(story, name, name, {**base, **{k: str(v) for k, v in (extra.get(name) or {}).items()
                                                             if k != "query"}}))
        for name, values in extra.items():
            if name not in names:
                params = {k: str(v) for k, v in values.items() if k != "query"}
                cases.append(Case(story, name, values["query"], {**base, **params}))
    return cases


def kg_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment `kg` runs in for a test: the caller's, without KG_STORE, with this checkout's code first on
    the path (whichever checkout the `kg` launcher was installed from), plus ``env``."""
    full_env = {k: v for k, v in os.environ.items() if k != "KG_STORE"}
    full_env.update({"COLUMNS": "200", "PYTHONPATH": str(ROOT), **(env or {})})
    return full_env


def run_kg_process(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None,
                   timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the installed `kg` command in a process of its own, as a user would, capturing its output: for what
    only a real process shows (start-up, signals, locks held by another process, servers, the last words of a
    crash)."""
    return subprocess.run([str(KG), *args], cwd=cwd, env=kg_env(env), capture_output=True, text=True,
                          timeout=timeout)


def run_kg(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None,
           timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `kg` with these arguments in this process, through the same entry point as the launcher (the guarded
    app, so errors are the one line a user sees), with ``cwd`` and ``env`` in force only meanwhile; returns what
    :func:`run_kg_process` would. ``timeout`` is the subprocess variant's (a command here runs to its end)."""
    from in_process import run_in_process

    return run_in_process(list(args), cwd, kg_env(env))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives headless chromium (deselect with -m 'not browser')")
    config.addinivalue_line("markers", "second_engine: needs Virtuoso, the second SPARQL server")
    config.addinivalue_line("markers", "heavy: a module of long tests (HermiT, builds, corpora), scheduled first")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by the slow real components it uses, found from its fixtures (direct or indirect), so the
    groups can be deselected: `-m "not browser and not second_engine"`."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "browser" in fixtures:
            item.add_marker(pytest.mark.browser)
        if "virtuoso" in fixtures:
            item.add_marker(pytest.mark.second_engine)
    # pytest-xdist (`make test`: --dist loadscope --no-loadscope-reorder) hands each worker one module at a time in
    # this order. The modules marked heavy go first, so that no long module starts last while the other workers
    # have nothing left to do; the rest keep their order (the sort is stable).
    items.sort(key=lambda item: item.get_closest_marker("heavy") is None)



def canonical_quads(quads: Iterable[ox.Quad]) -> set[ox.Quad]:
    """The quads with blank nodes renamed canonically (RDFC-1.0, through pyoxigraph): two datasets are isomorphic
    when these sets are equal."""
    data = ox.Dataset(quads)
    data.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(data)


# The meta graph's clock readings and step durations differ between any two builds; everything else must not.
_VOLATILE = {PREFIXES["dcterms"] + "modified", PREFIXES["prov"] + "endedAtTime", PREFIXES["rdfs"] + "comment"}


def built_quads(store: Path) -> set[ox.Quad]:
    """Every quad of the built store, blank nodes renamed canonically, the meta graph's timings left out: what two
    builds that must make the same store are compared by."""
    db = ox.Store.read_only(str(store))
    try:
        return canonical_quads([q for q in db if not (q.graph_name == ox.NamedNode(META_GRAPH)
                                                      and q.predicate.value in _VOLATILE)])
    finally:
        del db


def canonical(graph: rdflib.Graph) -> set[ox.Quad]:
    """An rdflib graph's triples, canonically (:func:`canonical_quads`). rdflib's own isomorphism test took 15 to
    40 s on the built store."""
    return canonical_quads(ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(
        graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES))

@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project built once, through the real command, into a temporary store."""
    store = tmp_path_factory.mktemp("kg") / "store"
    result = run_kg("build", "--store", str(store))
    assert result.returncode == 0, result.stderr
    return store


@pytest.fixture(scope="session")
def store(built_store: Path) -> ox.Store:
    """The built store, opened read-only."""
    return ox.Store.read_only(str(built_store))


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the project's data folders, for tests that break or change files."""
    for folder in ("ontology", "triples", "queries"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def copy_store(source: Path, target: Path) -> Path:
    """A copy of the built store ``source`` at ``target``, laid out as `kg build` leaves a store (a link to the
    build's folder in ``<target>.builds/``): what a build of the same project would give, without building."""
    build = Path(os.path.realpath(source))
    builds = target.with_name(target.name + ".builds")
    builds.mkdir(parents=True)
    shutil.copytree(build, builds / build.name)
    target.symlink_to(Path(builds.name) / build.name)
    return target


@pytest.fixture
def project_store(project_copy: Path, built_store: Path) -> Path:
    """The project's store in the copy of the project (``.kg/store``), as a build of it leaves it: for tests whose
    failed commands must leave it as it was, or that change it."""
    return copy_store(built_store, project_copy / ".kg" / "store")
