"""`kg new`: a story folder from its texts, with the sha256, the story node and the prefix computed, and refusals."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.build import validate_project
from kg.cli import app

TEXT = "The union demanded higher wages. The company refused, according to the union’s leader.\n"


def kg(*args: str) -> object:
    """The real `kg` command, in process (the branch's code, not the installed one)."""
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "strike.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_new_makes_the_story_folder_with_texts_byte_for_byte(project_copy: Path, article: Path) -> None:
    result = kg("new", "dock-strike", "--article", str(article), "--title", "The dock strike",
                "--project", str(project_copy))
    assert result.exit_code == 0, result.output
    folder = project_copy / "triples" / "dock-strike"
    assert sorted(p.name for p in folder.iterdir()) == ["claims.ttl", "documents.ttl", "story.ttl", "strike.txt"]
    assert (folder / "strike.txt").read_bytes() == article.read_bytes()
    story = ox.Store()
    for name in ("story.ttl", "documents.ttl", "claims.ttl"):
        story.load(path=folder / name, format=ox.RdfFormat.TURTLE)
    ns = "https://w3id.org/standoff/id/dock-strike/"
    row = next(iter(story.query("""PREFIX so: <https://w3id.org/standoff/ontology#>
        PREFIX vann: <http://purl.org/vocab/vann/> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT * WHERE { ?s a so:Story ; dcterms:title ?t ; so:hasDocument ?d ; vann:preferredNamespacePrefix ?p ;
        vann:preferredNamespaceUri ?u . ?d so:sha256 ?sha ; a <http://schema.org/NewsArticle> }""")))
    assert (row["s"].value, row["t"].value, row["d"].value) == (ns + "story", "The dock strike", ns + "strike")
    assert (row["p"].value, row["u"].value) == ("ds", ns)
    assert row["sha"].value == hashlib.sha256(TEXT.encode()).hexdigest()
    unstated = {q.object.value.rsplit("/", 1)[1] for q in story.quads_for_pattern(
        None, ox.NamedNode("https://w3id.org/standoff/ontology#unstated"), None)}
    assert unstated == {"author", "datePublished", "headline", "publisher", "url"}
    assert validate_project(project_copy) == []


def test_several_texts_keep_the_order_given(project_copy: Path, tmp_path: Path) -> None:
    second, first = tmp_path / "a-later.txt", tmp_path / "b-earlier.txt"
    second.write_text("Later.", encoding="utf-8")
    first.write_text("Earlier.", encoding="utf-8")
    result = kg("new", "two-texts", "-a", str(first), "-a", str(second), "--project", str(project_copy))
    assert result.exit_code == 0, result.output
    folder = project_copy / "triples" / "two-texts"
    assert sorted(p.name for p in folder.glob("*.txt")) == ["1-b-earlier.txt", "2-a-later.txt"]
    assert "tt:1-b-earlier" not in (folder / "story.ttl").read_text()
    assert validate_project(project_copy) == []


@pytest.mark.parametrize(("case", "message"), [
    ("slug", "exists already"), ("prefix", "is taken by the story"), ("latin1", "not UTF-8"), ("empty", "is empty"),
    ("standard", "standard vocabulary")])
def test_new_refuses_and_says_why(project_copy: Path, tmp_path: Path, article: Path, case: str, message: str) -> None:
    taken = next(iter((project_copy / "triples").glob("*/story.ttl"))).parent
    prefix = next(line.split('"')[1] for line in (taken / "story.ttl").read_text().splitlines()
                  if "vann:preferredNamespacePrefix \"" in line)
    args = {"slug": [taken.name, "-a", str(article)],
            "prefix": ["fresh-story", "-a", str(article), "--prefix", prefix],
            "latin1": ["fresh-story", "-a", str(tmp_path / "latin1.txt")],
            "empty": ["fresh-story", "-a", str(tmp_path / "empty.txt")],
            "standard": ["fresh-story", "-a", str(article), "--prefix", "schema"]}[case]
    (tmp_path / "latin1.txt").write_bytes("Caf\u00e9 said no.".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    before = sorted(p.name for p in (project_copy / "triples").iterdir())
    result = kg("new", *args, "--project", str(project_copy))
    assert result.exit_code == 2
    assert message in result.output
    assert sorted(p.name for p in (project_copy / "triples").iterdir()) == before
