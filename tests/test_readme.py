"""The README tells the truth: its console examples print what the commands print today, and it
documents every command and every canned query."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from conftest import ROOT, run_kg

from kg.cli import app
from kg.queries import list_queries

README = (ROOT / "README.md").read_text(encoding="utf-8")
# A console example: "$ kg ..." then the exact output, up to the closing fence.
EXAMPLES = re.findall(r"```console\n\$ (kg [^\n]+)\n(.*?)```", README, re.S)


def test_readme_has_console_examples() -> None:
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("command,output", EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_readme_example_prints_what_the_command_prints(built_store: Path, command: str, output: str) -> None:
    result = run_kg(*shlex.split(command)[1:], env={"KG_STORE": str(built_store), "COLUMNS": "110"})
    assert result.returncode == 0, result.stderr
    assert result.stdout == output


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
