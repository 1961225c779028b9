"""The README tells the truth: its console examples print what the commands print today, and it
documents every command and every canned query."""

from __future__ import annotations

import contextlib
import os
import pty
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from conftest import KG, ROOT, run_kg

from kg.cli import app
from kg.queries import list_queries

README = (ROOT / "README.md").read_text(encoding="utf-8")
# A console example: "$ kg ..." then the exact output, up to the closing fence.
EXAMPLES = re.findall(r"```console\n\$ (kg [^\n]+)\n(.*?)```", README, re.S)


def test_readme_has_console_examples() -> None:
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("columns", ["80", "200"])
@pytest.mark.parametrize("command,output", EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_readme_example_prints_what_the_command_prints(built_store: Path, command: str, output: str,
                                                       columns: str) -> None:
    """Whatever the terminal's width says, output to a pipe is laid out the same way."""
    result = run_kg(*shlex.split(command)[1:], env={"KG_STORE": str(built_store), "COLUMNS": columns})
    assert result.returncode == 0, result.stderr
    assert result.stdout == output


@pytest.mark.parametrize("columns,same", [("200", True), ("60", False)])
def test_a_terminal_as_wide_as_the_readme_prints_it_as_written(built_store: Path, columns: str, same: bool) -> None:
    """On a real terminal (a pseudo-terminal here) at least as wide as the README's examples, they print as
    written; a narrower one gets a narrower layout."""
    command, output = next((c, o) for c, o in EXAMPLES if max(map(len, o.splitlines())) > 60)
    primary, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "KG_STORE"}
    env |= {"KG_STORE": str(built_store), "COLUMNS": columns, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen([str(KG), *shlex.split(command)[1:]], stdout=secondary, stderr=subprocess.DEVNULL,
                          env=env) as process:
        os.close(secondary)
        chunks = []
        with contextlib.suppress(OSError):  # EIO once the process has closed its end
            while chunk := os.read(primary, 65536):
                chunks.append(chunk)
        os.close(primary)
    assert process.returncode == 0
    printed = b"".join(chunks).decode().replace("\r\n", "\n")
    assert (printed == output) is same
    assert max(map(len, printed.splitlines())) <= int(columns)


def test_readme_documents_every_command() -> None:
    for command in app.registered_commands:
        name = command.name or command.callback.__name__  # type: ignore[union-attr]
        assert f"kg {name}" in README, name


def test_readme_documents_every_canned_query() -> None:
    for query in list_queries(ROOT / "queries"):
        assert f"`{query.name}`" in README, query.name


def test_quick_start_is_two_commands() -> None:
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^(?:\$ )?(make \w+)$", quick, re.M)
    assert commands == ["make run", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()


# A path into the project: a top-level folder of it, then at least two characters of a name.
PROJECT_PATH = re.compile(r"(?<![\w./<…-])((?:\.ci|benchmarks|docs|kg|ontology|queries|tests|triples)/[\w./-]{2,})")
# Paths that are not the project's: placeholders (`triples/SLUG/`) and the walkthrough's story, which it creates.
NOT_YET = re.compile(r"SLUG|night-buses")


def test_every_path_the_readme_names_exists() -> None:
    paths = {p.rstrip(".") for p in PROJECT_PATH.findall(README) if not NOT_YET.search(p)}
    assert {"tests/link/wikidata-extract.ttl", "ontology/shapes.ttl", ".ci/run"} <= paths  # code blocks count too
    assert [p for p in sorted(paths) if not (ROOT / p).exists()] == []


def test_every_file_an_example_loads_is_where_it_says() -> None:
    """Run from the project's folder, as the quick start does, `kg link add FILE` finds its file."""
    named = re.findall(r"^(?:\$ )?kg link add (\S+)", README, re.M)
    assert named
    assert [f for f in named if not (ROOT / f).is_file()] == []
