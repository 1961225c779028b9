"""Every command and option with hostile arguments and broken files (issue 17).

Fails on any traceback (or a one-line "internal error", which is a traceback in disguise), on any exit code
outside the documented ones, and on any change to a good store after a failed command. The commands and options
come from the CLI itself, so a new option is fuzzed without touching this file.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import typer
from conftest import KG, ROOT, copy_store
from in_process import run_in_process

from kg.cli import app

DOCUMENTED = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 130}
UNREACHABLE = "http://127.0.0.1:9/query"  # the discard port: nothing listens, the connection is refused


@dataclass
class Files:
    """The hostile material: a good store, broken files, a broken project."""

    cwd: Path
    good: Path
    values: dict[str, list[str]]


# The digest of a store's quads by the digest of the files that hold them: RocksDB's data is a function of its
# files' bytes (CURRENT, MANIFEST, OPTIONS, the tables and the write-ahead log; not its text LOGs or LOCK), so files
# seen before hold the quads seen then, and reading them again (about 0.1 s) is needed only when a byte changed.
_QUADS_BY_FILES: dict[str, str] = {}


def _files_digest(build: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(build.iterdir()):
        if not path.name.startswith(("LOG", "LOCK")):
            digest.update(f"{path.name}\0{path.stat().st_size}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _snapshot(store: Path) -> tuple[str, str, str]:
    """What a failed command must not change: the build the link points to, its quads, and the linked datasets."""
    files = _files_digest(store.resolve())
    digest = _QUADS_BY_FILES.get(files)
    if digest is None:
        db = ox.Store.read_only(str(store))
        digest = hashlib.sha256("".join(sorted(str(q) + "\n" for q in db)).encode()).hexdigest()
        del db
        _QUADS_BY_FILES[files] = digest
    sidecar = store.with_name(store.name + ".links") / "manifest.json"
    return os.readlink(store), digest, sidecar.read_text() if sidecar.exists() else ""


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, built_store: Path) -> Files:
    root = tmp_path_factory.mktemp("fuzz")
    project = root / "project"
    for folder in ("ontology", "triples", "queries"):
        shutil.copytree(ROOT / folder, project / folder)
    good = copy_store(built_store, root / "good" / "store")
    hostile = root / "hostile"
    hostile.mkdir()
    (hostile / "folder").mkdir()
    (hostile / "bad-utf8.rq").write_bytes(b"SELECT * WHERE { ?s ?p \xff\xfe }")
    (hostile / "broken.ttl").write_text('<http://e/a> <http://e/b> "open .\n')
    (hostile / "empty.ttl").write_text("")
    (hostile / "ill-typed.ttl").write_text(
        '<http://e/a> <http://e/b> "not-a-date"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n')
    (hostile / "data.ttl").write_text('<http://e/a> <http://www.w3.org/2000/01/rdf-schema#label> "A" .\n')
    (hostile / "review.csv").write_bytes(b"decision,dataset,actor,entity,predicate\naccept,ds,\xff,x,y\n")
    (hostile / "bom.csv").write_bytes("\ufeffdecision,dataset\naccept,nope\n".encode())
    (hostile / "not-a-store").mkdir()
    (hostile / "file-store").write_text("not a store\n")
    damaged = hostile / "damaged"
    shutil.copytree(good.resolve(), damaged)
    (damaged / "CURRENT").write_text("")
    broken_project = hostile / "broken-project"
    shutil.copytree(project, broken_project)
    (broken_project / "triples" / "broken.ttl").write_text('<http://e/a> <http://e/b> "open .\n')
    h = str(hostile)
    strings = ["", " ", "not an iri", "x" * 3000, "\u202e\ufeffü", "'; DROP ALL; #", "-1", "%s%n{}",
               "../../../etc/passwd", "http://e/a b"]
    missing = f"{h}/missing/deep"  # not there (inside the test folder: a build may create it)
    paths = ["", f"{missing}/x", f"{h}/folder", f"{h}/bad-utf8.rq", f"{h}/broken.ttl", f"{h}/empty.ttl",
             "/dev/null", f"{h}/review.csv", f"{h}/bom.csv", f"{h}/ill-typed.ttl", "/proc/self/mem"]
    values = {
        "string": strings,
        "path": paths,
        "store": ["", f"{missing}/s", f"{h}/not-a-store", f"{h}/file-store", f"{h}/damaged", "/", "/proc"],
        "project": ["", missing, f"{h}/folder", f"{h}/broken-project", f"{h}/empty.ttl", "/proc"],
        "float": ["-1", "nan", "inf", "0", "1e309", "x", ""],
        "endpoint": [UNREACHABLE, "not a url", "ftp://example.org/", "http://[::1", ""],
        "bind": ["", "nohost", "127.0.0.1:99999", "127.0.0.1:-1", "[::1", "256.0.0.1:0", "127.0.0.1:1"],
        "format": ["", "bogus", "TABLE", "turtle", "csv"],
        "query": ["SELEC", "LOAD <file:///etc/passwd>", "CLEAR ALL", "PREFIX a: <x> PREFIX b: <y> DROP ALL",
                  "\ufeffASK {", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/q> { ?s ?p ?o } }",
                  "SELECT (1/0 AS ?x) {}", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1", *strings[:4]],
    }
    return Files(project, good, values)


# Arguments a command needs besides the one fuzzed (a dataset name, a file), so that the fuzzed one is reached.
REQUIRED = {
    ("link", "add"): ["{data}", "--name", "ds"],
    ("link", "remove"): ["ds"],
    ("link", "discover"): ["--with", "ds"],
    ("link", "accept"): ["{review}"],
}
# What each command is run with, the fuzzed option aside (the good store, so that a failure could damage it).
BASE = ["--store", "{good}"]


def _kind(command: tuple[str, ...], param: Any) -> str:
    name = param.name or ""
    if name in ("store", "endpoint", "project", "bind"):
        return name
    if name == "page_bind":
        return "bind"
    if name in ("fmt",):
        return "format"
    if name == "text":
        return "query"
    kind = str(param.type)
    if kind == "FLOAT":
        return "float"
    if "Path" in kind:
        return "path"
    return "string"


def cases() -> Iterator[tuple[tuple[str, ...], str, str, int]]:
    """(command, option, kind, index of the value): every option of every command, a few values each."""
    root = typer.main.get_command(app)

    def walk(group: Any, prefix: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...],
                                                                                       Any]]:
        for name, sub in getattr(group, "commands", {}).items():
            if getattr(sub, "commands", None):
                yield from walk(sub, (*prefix, name))
            else:
                yield (*prefix, name), sub

    for command, click_command in walk(root, ()):
        for param in click_command.params:
            if getattr(param, "is_flag", False):
                continue
            kind = _kind(command, param)
            opt = next((o for o in param.opts if o.startswith("--")), param.opts[0])
            for index in range(3):
                yield command, opt if param.param_type_name == "option" else "", kind, index


CASES = list(cases())


def _argv(files: Files, command: tuple[str, ...], opt: str, kind: str, index: int) -> list[str]:
    values = files.values[kind]
    # Spread the values over the options: each option gets three, and every value is used somewhere.
    start = (sum(map(ord, "".join(command) + opt)) * 7) % len(values)
    value = values[(start + index) % len(values)]
    fill = {"good": str(files.good), "data": str(files.good.parent.parent / "hostile" / "data.ttl"),
            "review": str(files.good.parent.parent / "hostile" / "review.csv")}
    args = [a.format(**fill) for a in REQUIRED.get(command, [])]
    if opt in ("--name", "--with") and command in (("link", "add"), ("link", "discover")):
        args = [a for a in args if a not in ("--name", "--with", "ds")]
    if not opt and command in REQUIRED and kind in ("path", "string"):
        args = args[1:] if command[1] in ("add", "accept", "remove") else args
    base = [] if opt == "--store" or command in (("validate",), ("reason",)) else [a.format(**fill) for a in BASE]
    if command == ("serve",):
        base += [] if opt == "--bind" else ["--bind", "127.0.0.1:0"]
    if command in (("build",),) and opt != "--project":
        base += ["--project", files.values["project"][3]]  # a broken project: the build must fail, store untouched
    fuzzed = [opt, value] if opt else [value]
    return [*command, *args, *fuzzed, *base]


def _serves(argv: list[str], cwd: Path, env: dict[str, str]) -> bool:
    """Whether `kg serve` with these arguments starts serving (it prints "Press Ctrl-C" once it listens; it is
    then stopped). False when it exits first: the caller runs it again to look at how it failed."""
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               errors="replace")
    hung = threading.Timer(120, process.kill)  # neither serving nor failing: end it (the rerun then says so)
    hung.start()
    try:
        assert process.stdout is not None
        return any(line.startswith("Press Ctrl-C") for line in process.stdout)  # the pipe ends when it exits
    finally:
        hung.cancel()
        process.kill()
        process.wait(60)


@pytest.mark.parametrize("command,opt,kind,index", CASES,
                         ids=[f"{' '.join(c)} {o or 'ARG'} {k}{i}" for c, o, k, i in CASES])
def test_hostile_arguments(files: Files, command: tuple[str, ...], opt: str, kind: str, index: int) -> None:
    argv = _argv(files, command, opt, kind, index)
    before = _snapshot(files.good)
    env = {k: v for k, v in os.environ.items() if k not in ("KG_STORE", "KG_ENDPOINT")}
    env.update({"PYTHONPATH": str(ROOT), "COLUMNS": "120"})
    if command == ("serve",) and _serves([str(KG), *argv], files.cwd, env):
        return  # it started serving: a valid invocation (killed; its child dies with it)
    result = run_in_process(argv, files.cwd, env)  # the command's behaviour; the launcher has tests of its own
    shown = f"kg {' '.join(a[:80] for a in argv)}\n{result.stderr[-2000:]}"
    assert "Traceback" not in result.stderr, shown
    assert "internal error" not in result.stderr, shown
    assert result.returncode in DOCUMENTED, shown
    if result.returncode != 0:
        assert result.stderr.strip(), shown  # a failure says why
        assert _snapshot(files.good) == before, f"a failed command changed the good store: {shown}"
