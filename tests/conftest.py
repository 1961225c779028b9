"""Shared fixtures: the real project, the installed `kg` command, and one store built from the project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from endpoints import browser, served  # noqa: F401 (fixtures: `kg serve` on free ports, headless chromium)

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


def run_kg(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None,
           timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the `kg` command of this checkout (``python -m kg``) as a user would, capturing its output."""
    full_env = {k: v for k, v in os.environ.items() if k != "KG_STORE"}
    full_env.update({"COLUMNS": "200", "PYTHONPATH": str(ROOT), **(env or {})})
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=cwd, env=full_env, capture_output=True, text=True,
                          timeout=timeout)


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
