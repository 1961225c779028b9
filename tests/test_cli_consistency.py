"""One CLI: `kg --version` from the package's metadata, one meaning per short option, public names in every format."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import tomllib
import xml.etree.ElementTree as ET
from importlib.metadata import version
from pathlib import Path

import pyoxigraph as ox
import pytest
import typer.main
from conftest import ROOT, run_kg, story_cases

from kg.cli import app
from kg.queries import list_queries
from kg.results import RESULT_FORMATS, PublicNames

QUERIES = list_queries(ROOT / "queries")
# One case per canned query (the first story's parameters): every query, every parameter kind it projects.
CASES = list({c.query: c for c in reversed(story_cases(QUERIES)) if not c.query.endswith("-remote")}.values())


def test_version_is_the_installed_packages() -> None:
    result = run_kg("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"kg {version('standoff')}\n"
    # The metadata is pyproject.toml's: one place says what the version is.
    assert version("standoff") == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    # kg reads it from the package's metadata itself, faster than importlib.metadata: the same answer.
    from kg import _installed_version

    assert _installed_version() == version("standoff")


def _options(command: object, path: str = "kg") -> list[tuple[str, str, list[str]]]:
    """(command path, short option, the option's long names) for every short option of every command."""
    found = []
    for param in getattr(command, "params", []):
        names = [*param.opts, *param.secondary_opts]
        longs = sorted(n for n in names if n.startswith("--"))
        found += [(path, n, longs) for n in names if len(n) == 2 and n.startswith("-")]
    for name, sub in getattr(command, "commands", {}).items():
        found += _options(sub, f"{path} {name}")
    return found


def test_each_short_option_has_one_meaning_in_every_command() -> None:
    shorts = _options(typer.main.get_command(app))
    assert ("kg query", "-f", ["--format"]) in shorts  # the walk reaches the commands' options
    assert any(path.startswith("kg link ") for path, _, _ in shorts)  # and the sub-app's
    meanings: dict[str, set[str]] = {}
    for _, short, longs in shorts:
        meanings.setdefault(short, set()).add(" ".join(longs))
    assert {short: sorted(m) for short, m in meanings.items() if len(m) > 1} == {}
    assert meanings["-f"] == {"--format"}


def test_sparql_reads_a_query_file_with_the_long_option(built_store: Path, tmp_path: Path) -> None:
    query = tmp_path / "count.rq"
    query.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s a so:Story }", encoding="utf-8")
    # Through the installed command: queries run in a child process that writes to the real stdout.
    result = run_kg("sparql", "--file", str(query), "-f", "csv", "--store", str(built_store))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["n", "2"]  # the two stories of triples/


def _header(fmt: str, data: str) -> list[str]:
    if fmt == "csv":
        return next(csv.reader(io.StringIO(data)))
    if fmt == "tsv":  # SPARQL 1.1 TSV: the header names each variable with its "?"
        return [name.removeprefix("?") for name in data.splitlines()[0].split("\t")]
    if fmt == "json":
        return json.loads(data)["head"]["vars"]
    ns = "{http://www.w3.org/2005/sparql-results#}"
    return [v.get("name", "") for v in ET.fromstring(data).iter(f"{ns}variable")]


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_every_format_heads_its_columns_with_public_names(built_store: Path, fmt: str) -> None:
    for case in CASES:
        flags = [x for k, v in case.params.items() for x in ("--param", f"{k}={v}")]
        result = run_kg("query", case.query, *flags, "--format", fmt, "--store", str(built_store))
        assert result.returncode == 0, (case.query, result.stderr)
        names = _header(fmt, result.stdout)
        assert names and not [n for n in names if n.startswith("_")], (case.query, names)
        # Each parameter the query projects is headed by the name it is given with (`--param story=...`).
        query = next(q for q in QUERIES if q.name == case.query)
        assert {p.name for p in query.params} <= set(names), (case.query, names)


def test_pyshacl_is_a_test_dependency_only() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not [r for r in project["dependencies"] if r.lower().startswith("pyshacl")]
    assert [r for r in project["optional-dependencies"]["test"] if r.lower().startswith("pyshacl")]
    # Nothing under kg/ imports it, so the installed command runs without it.
    assert not [p.name for p in (ROOT / "kg").rglob("*.py")
                if re.search(r"^\s*(import|from) pyshacl\b", p.read_text(encoding="utf-8"), re.M)]


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_renaming_keeps_values_that_look_like_names_whatever_the_pieces(fmt: str) -> None:
    # Values that imitate each format's markup for a name are data and stay as they are, however the engine cuts
    # its output into pieces.
    store = ox.Store()
    tricky = ['__story_iri', '"__story_iri":', '<binding name="__story_iri">', ',"__story_iri"', "a\n__story_iri,b"]
    for n, text in enumerate(tricky):
        store.add(ox.Quad(ox.NamedNode(f"http://e/{n}"), ox.NamedNode("http://e/p"), ox.Literal(text)))
    query = "SELECT ?__story_iri ?v WHERE { ?__story_iri <http://e/p> ?v } ORDER BY ?v"
    whole = io.BytesIO()
    store.query(query).serialize(whole, format=RESULT_FORMATS[fmt])
    for seed in range(50):
        rng, out, data = random.Random(seed), io.BytesIO(), whole.getvalue()
        writer = PublicNames(out, fmt, {"__story_iri": "story"})
        at = 0
        while at < len(data):
            step = rng.randint(1, 30)
            writer.write(data[at:at + step])
            at += step
        writer.close()
        text = out.getvalue().decode()
        assert _header(fmt, text) == ["story", "v"], seed
        values = ([row["v"]["value"] for row in json.loads(text)["results"]["bindings"]] if fmt == "json" else
                  [lit.text for lit in ET.fromstring(text).iter("{http://www.w3.org/2005/sparql-results#}literal")]
                  if fmt == "xml" else None)
        if values is not None:
            assert values == sorted(tricky), seed
        else:
            assert text.count("__story_iri") == data.decode().count("__story_iri") - 1, seed
