"""`kg report STORY -o FILE.html`: one file that opens from file:// with every request refused, and the same bytes
for the same store."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ROOT, run_kg

SO = "https://w3id.org/standoff/ontology#"
READER_FILES = ["kg/reader.py", "kg/diagram.py", "kg/report.py", "kg/static/reader.html", "kg/static/reader.js",
                "kg/static/reader.css"]


def story_names() -> set[str]:
    """Every story's folder name, prefix and namespace, read from its story.ttl."""
    names = set()
    for story in (ROOT / "triples").glob("*/story.ttl"):
        names.add(story.parent.name)
        text = story.read_text()
        names |= set(re.findall(r'preferredNamespace(?:Prefix|Uri) "([^"]+)"', text))
    return names


@pytest.fixture(scope="module")
def report(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "telegram.html"
    result = run_kg("report", "telegram-russia", "-o", str(out), "--store", str(built_store))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote {out}")
    return out


def test_same_store_same_bytes_and_any_story_name(report: Path, built_store: Path, tmp_path: Path) -> None:
    story = (ROOT / "triples" / "telegram-russia" / "story.ttl").read_text()
    prefix = re.search(r'preferredNamespacePrefix "([^"]+)"', story).group(1)  # type: ignore[union-attr]
    base = re.search(r'preferredNamespaceUri "([^"]+)"', story).group(1)  # type: ignore[union-attr]
    for name in (f"{prefix}:story", base + "story"):
        again = tmp_path / "again.html"
        assert run_kg("report", name, "-o", str(again), "--store", str(built_store)).returncode == 0
        assert again.read_bytes() == report.read_bytes()


def test_an_unknown_story_is_refused_with_the_known_ones(built_store: Path, tmp_path: Path) -> None:
    result = run_kg("report", "no-such-story", "-o", str(tmp_path / "x.html"), "--store", str(built_store))
    assert result.returncode == 1
    assert "telegram-russia" in result.stderr and "pentagon-anthropic" in result.stderr
    assert not (tmp_path / "x.html").exists()


def test_the_report_asks_no_host_for_anything(report: Path) -> None:
    html = report.read_text()
    assert not re.search(r'<(?:script|link|img|iframe)[^>]+(?:src|href)=', html)
    assert "default-src 'none'" in html


def test_opens_from_file_with_the_network_off(report: Path, browser: object, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, offline=True)  # type: ignore
    page = context.new_page()
    asked: list[str] = []
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))

    def refuse(route: object) -> None:
        asked.append(route.request.url)  # type: ignore[attr-defined]
        if route.request.url == report.as_uri():  # type: ignore[attr-defined]
            route.continue_()  # type: ignore[attr-defined]
        else:
            route.abort()  # type: ignore[attr-defined]

    page.route("**/*", refuse)
    page.goto(report.as_uri())
    page.wait_for_selector("body[data-ready]")
    assert asked == [report.as_uri()] and errors == []
    # Both texts, every span of the story's files that the build anchored, the diagram and the timeline.
    graph = ox.Store()
    for file in sorted((ROOT / "triples" / "telegram-russia").glob("*.ttl")):
        graph.load(path=str(file), format=ox.RdfFormat.TURTLE)
    documents = {q.object for q in graph.quads_for_pattern(None, ox.NamedNode(SO + "hasDocument"), None)}
    assert page.locator("article.doc").count() == len(documents) == 2
    assert page.locator("#diagram svg g.node").count() > 5
    assert page.locator("#phases > li").count() >= 2
    refusal = ox.NamedNode("https://w3id.org/standoff/id/telegram-russia/refusal-keys")
    label = next(graph.quads_for_pattern(refusal, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                                         None)).object.value
    page.locator("mark.hl[data-kind='Refusal'][data-span]").first.click()
    assert page.inner_text("#panel-label") == label
    page.screenshot(path=str(tmp_path / "report-offline.png"))
    context.close()


def test_no_story_is_named_in_the_reader_code() -> None:
    names = story_names()
    assert names
    for file in READER_FILES:
        text = (ROOT / file).read_text()
        for name in names:
            assert not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text), (file, name)


def test_without_the_texts_no_report_is_written(built_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.html"
    result = run_kg("report", "telegram-russia", "-o", str(out), "--store", str(built_store), cwd=tmp_path)
    assert result.returncode == 1 and not out.exists()
    assert "no text with the SHA-256" in result.stderr and "--project" in result.stderr
