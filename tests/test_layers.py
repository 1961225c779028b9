"""The modules of kg/ form layers: no import cycle, and the library never imports the command line.

Imports are read from the source with ``ast``, at module level and inside functions alike (a function-level
import is still a dependency, only a later one).
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

KG = ROOT / "kg"
# The command line: typer apps and what only they use. `kg serve` and the worker are started from here too.
COMMAND_LINE = {"__main__", "launch", "cli", "link_cli", "options", "guard", "worker", "serve"}


def imports(path: Path, modules: set[str]) -> set[str]:
    """The kg modules one file imports, wherever in the file the import statement is."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("kg.")}
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 0 and module.startswith("kg."):
                found.add(module.split(".")[1])
            elif node.level == 1 and module:
                found.add(module.split(".")[0])
            elif (node.level == 0 and module == "kg") or (node.level == 1 and not module):
                found |= {a.name for a in node.names}
    return found & modules


def import_graph() -> dict[str, set[str]]:
    files = {p.stem: p for p in KG.glob("*.py")}
    return {name: imports(path, set(files)) - {name} for name, path in files.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path that ends where it starts, or None (depth-first search, three colours)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return [*path[path.index(dep):], dep]
            if dep not in state and (cycle := visit(dep)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_reader_sees_every_kind_of_import(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("import kg.a\nfrom kg.b import x\nfrom kg import c\nfrom . import d\nfrom .e import y\n"
                      "def f():\n    from kg.g import z\n")
    assert imports(source, set("abcdefgh")) == set("abcdeg")


def test_the_cycle_finder_finds_a_cycle_and_only_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycle_in_kg() -> None:
    graph = import_graph()
    assert {"build", "link", "remote", "endpoint", "target"} <= set(graph)  # the graph is the real one
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_build_link_and_remote_depend_downward() -> None:
    graph = import_graph()
    assert "remote" not in graph["build"] | graph["link"]
    assert {"build", "link"} <= graph["remote"]


def test_the_library_never_imports_the_command_line() -> None:
    graph = import_graph()
    assert set(graph) >= COMMAND_LINE
    wrong = {f"{name} imports {dep}" for name, deps in graph.items() if name not in COMMAND_LINE
             for dep in deps & COMMAND_LINE}
    assert not wrong, sorted(wrong)
