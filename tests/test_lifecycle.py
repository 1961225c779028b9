"""One writer at a time, readers never stranded, no child outliving `kg` (issue 17): the build lock, `kg serve`
across a rebuild, and what is left after signals (kill -9 included) end `kg serve` or a build during HermiT."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import KG, ROOT, run_kg
from endpoints import start_kg_serve, stop
from processes import children, freeze, gone, unlocked

pytestmark = pytest.mark.heavy  # scheduled first (tests/conftest.py)

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
NEW = "SELECT (COUNT(*) AS ?n) WHERE { <http://example.org/after-rebuild> ?p ?o }"


def served_count(endpoint: str, query: str = COUNT) -> int:
    url = f"{endpoint}?{urllib.parse.urlencode({'query': query})}"
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return int(json.loads(answer.read())["results"]["bindings"][0]["n"]["value"])


def add_triple(project: Path, name: str) -> None:
    (project / "triples" / "pentagon-anthropic" / f"{name}.nt").write_text(
        f"<http://example.org/{name}> <http://www.w3.org/2000/01/rdf-schema#label> \"{name}\" .\n")


def test_concurrent_builds_one_builds_the_others_say_who_holds_the_store(project_store: Path) -> None:
    project = project_store.parent.parent
    add_triple(project, "extra")
    builds = [subprocess.Popen([str(KG), "build", "--store", str(project_store), "--no-reason", "-q"], cwd=project,
                               env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE, text=True)
              for _ in range(3)]
    results = [(b.wait(120), b.stderr.read() if b.stderr else "") for b in builds]
    codes = sorted(code for code, _ in results)
    assert codes[0] == 0 and set(codes[1:]) <= {0, 7}, results
    for code, err in results:
        if code == 7:
            assert "is being changed by pid" in err and "kg build" in err and len(err.strip().splitlines()) == 1
    # The link points at a build that exists, and it holds the new triple; no build is left but that one.
    target = project_store.resolve()
    assert target.is_dir() and (target / "CURRENT").exists()
    assert [p for p in (project_store.parent / "store.builds").iterdir()] == [target]
    ask = run_kg("sparql", "ASK { <http://example.org/extra> ?p ?o }", "--store", str(project_store))
    assert ask.stdout == "true\n", ask.stderr


def test_serve_moves_to_the_new_build_and_frees_the_old_one(project_store: Path) -> None:
    project = project_store.parent.parent
    served = start_kg_serve(project_store)
    try:
        first_build = project_store.resolve()
        assert served_count(served.endpoint, NEW) == 0
        add_triple(project, "after-rebuild")
        # The server is frozen during the rebuild, so that it cannot move to the new build before the rebuild looks
        # at the old one (then the old one is no longer read, and freeing it at once is right).
        assert freeze(served.process.pid)
        try:
            result = run_kg("build", "--store", str(project_store), "--no-reason", "-q", cwd=project)
        finally:
            os.kill(served.process.pid, signal.SIGCONT)
        assert result.returncode == 0, result.stderr
        assert first_build.exists()  # still served: the rebuild left it in place
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if served_count(served.endpoint, NEW) == 1 and not first_build.exists():
                    break
            except OSError:
                pass  # the endpoint restarting on the new build
            time.sleep(0.2)
        assert served_count(served.endpoint, NEW) == 1
        assert not first_build.exists()  # the disk is freed once the server let go
        assert [p for p in (project_store.parent / "store.builds").iterdir()] == [project_store.resolve()]
    finally:
        assert stop(served.process) == 0


def test_rebuild_under_a_writable_server_is_refused(project_store: Path) -> None:
    project = project_store.parent.parent
    served = start_kg_serve(project_store, "--writable")
    try:
        before = project_store.resolve()
        result = run_kg("build", "--store", str(project_store), "--no-reason", "-q", cwd=project)
        assert result.returncode == 7, result.stderr
        assert "kg serve --writable" in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert project_store.resolve() == before
        update = run_kg("sparql", "INSERT DATA { <http://e/a> <http://e/b> 1 }", "--update",
                        "--store", str(project_store))
        assert update.returncode == 7 and "Traceback" not in update.stderr
    finally:
        assert stop(served.process) == 0
    assert run_kg("build", "--store", str(project_store), "--no-reason", "-q", cwd=project).returncode == 0


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGHUP], ids=["SIGKILL", "SIGHUP"])
def test_no_oxigraph_outlives_kg_serve(built_store: Path, sig: int) -> None:
    served = start_kg_serve(built_store)
    engines = children(served.process.pid)
    assert engines, "kg serve runs the oxigraph server as its child"
    served.process.send_signal(sig)
    code = served.process.wait(30)
    assert code == (-signal.SIGKILL if sig == signal.SIGKILL else 0)
    for engine in engines:
        assert gone(engine), f"the oxigraph server {engine} outlived kg serve"
    with pytest.raises(OSError):
        served_count(served.endpoint)


def hermit_running(process: subprocess.Popen, within: float = 60) -> int:
    """The pid of the JVM `kg` started for HermiT, once it runs."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and process.poll() is None:
        for child in children(process.pid):
            try:
                if "java" in Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")[0].decode():
                    return child
            except OSError:
                continue
        time.sleep(0.01)
    raise AssertionError("HermiT never started")


@pytest.mark.parametrize("command", ["reason", "build"])
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killing_kg_during_hermit_leaves_no_java_and_no_temp_file(project_copy: Path, tmp_path: Path,
                                                                  sig: int, command: str) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(scratch)}
    args = ([command, "--hermit"] if command == "reason"
            else [command, "--reasoner", "hermit", "--store", str(tmp_path / "s")])
    process = subprocess.Popen([str(KG), *args], cwd=project_copy, env=env, stderr=subprocess.PIPE, text=True)
    java = hermit_running(process)
    process.send_signal(sig)
    code = process.wait(30)
    assert gone(java), "the JVM outlived kg"
    builds = tmp_path / "s.builds"
    if sig == signal.SIGTERM:  # it cleaned up after itself: no temporary file, no half-built store
        assert code == 130 and "interrupted (SIGTERM)" in (process.stderr.read() if process.stderr else "")
        assert list(scratch.iterdir()) == []
        assert not builds.exists() or list(builds.iterdir()) == []
        return
    assert code == -signal.SIGKILL
    # What a killed run could not clean up is removed by the next one (a build's partial directory too), here on a
    # project of the ontology alone: HermiT's next run in the same TMPDIR, or the next build of the same store.
    nothing_but_the_ontology = tmp_path / "next"
    shutil.copytree(project_copy / "ontology", nothing_but_the_ontology / "ontology")
    again = subprocess.run([str(KG), *args], cwd=nothing_but_the_ontology, env=env, capture_output=True, text=True,
                           timeout=300)
    assert again.returncode == 0, again.stderr
    assert list(scratch.iterdir()) == []
    if command == "build":
        assert [p.name.endswith(".partial") for p in builds.iterdir()] == [False]


def test_every_writer_waits_its_turn_and_says_who_holds_the_store(project_store: Path) -> None:
    from kg import lock

    project = project_store.parent.parent
    held = lock.acquire(project_store, "a test holding the store")
    try:
        data = project / "triples" / "pentagon-anthropic" / "actors.ttl"
        for args in (["build", "--no-reason", "-q"], ["link", "add", str(data), "--name", "actors"],
                     ["link", "remove", "actors"], ["sparql", "INSERT DATA { <http://e/a> <http://e/b> 1 }",
                                                    "--update"]):
            result = run_kg(*args, "--store", str(project_store), cwd=project)
            assert result.returncode == 7, (args, result.stderr)
            assert f"is being changed by pid {os.getpid()} (a test holding the store" in result.stderr
            assert len(result.stderr.strip().splitlines()) == 1
        # Reading goes on meanwhile.
        assert run_kg("sparql", "ASK { ?s ?p ?o }", "--store", str(project_store)).stdout == "true\n"
    finally:
        lock.release(held)
    assert run_kg("link", "add", str(project / "triples" / "pentagon-anthropic" / "actors.ttl"), "--name", "actors",
                  "--store", str(project_store), cwd=project).returncode == 0


def test_a_query_running_across_a_rebuild_is_not_stranded(project_store: Path) -> None:
    project = project_store.parent.parent
    first_build = project_store.resolve()
    # A long streaming query (every pair of triples) holds the build it started on.
    query = subprocess.Popen([str(KG), "sparql", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", "--format", "csv",
                              "--store", str(project_store)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert query.stdout is not None
        assert len(query.stdout.read(1 << 16)) == 1 << 16
        add_triple(project, "during-query")
        result = run_kg("build", "--store", str(project_store), "--no-reason", "-q", cwd=project)
        assert result.returncode == 0, result.stderr
        assert project_store.resolve() != first_build
        assert first_build.exists()  # still read: not deleted under the query
        assert len(query.stdout.read(1 << 20)) == 1 << 20  # and the query goes on reading it
        assert query.poll() is None
    finally:
        workers = children(query.pid)  # the query runs in a child of kg (kg.worker), which pins the build too
        query.kill()
        query.wait()
    # The worker dies with kg (it asked the kernel for SIGKILL when its parent dies), a moment later, and the
    # kernel drops a dead process's locks: then no one pins the old build.
    assert workers and all(gone(worker) for worker in workers)
    assert unlocked(first_build) == [], f"still pinned (this test is pid {os.getpid()})"
    # Once no one reads it, the next build deletes it.
    assert run_kg("build", "--store", str(project_store), "--no-reason", "-q", cwd=project).returncode == 0
    assert not first_build.exists()
    assert [p for p in (project_store.parent / "store.builds").iterdir()] == [project_store.resolve()]


def story_title(served: object) -> str:
    url = served.page + "reader/story.json?story=pentagon-anthropic"  # type: ignore[attr-defined]
    with urllib.request.urlopen(url, timeout=60) as answer:
        return json.loads(answer.read())["story"]["title"]


def test_the_readers_story_is_the_served_builds(project_store: Path) -> None:
    # A read-only server keeps the reader's answers for the build it serves: a rebuild must not leave them stale.
    project = project_store.parent.parent
    served = start_kg_serve(project_store, cwd=project)
    story = project / "triples" / "pentagon-anthropic" / "story.ttl"
    try:
        assert story_title(served) == story_title(served) == "The Pentagon's planned ban on Anthropic"
        story.write_text(story.read_text().replace("planned ban on Anthropic", "ban, rebuilt"))
        result = run_kg("build", "--store", str(project_store), "--no-reason", "-q", cwd=project)
        assert result.returncode == 0, result.stderr
        deadline, title = time.monotonic() + 30, ""
        while time.monotonic() < deadline and title != "The Pentagon's ban, rebuilt":
            with contextlib.suppress(OSError):  # the endpoint restarting on the new build
                title = story_title(served)
            time.sleep(0.2)
        assert title == "The Pentagon's ban, rebuilt"
    finally:
        assert stop(served.process) == 0


def test_a_writable_servers_reader_sees_each_update(project_store: Path) -> None:
    project = project_store.parent.parent
    served = start_kg_serve(project_store, "--writable", cwd=project)
    try:
        assert story_title(served) == "The Pentagon's planned ban on Anthropic"
        update = ("PREFIX dcterms: <http://purl.org/dc/terms/> DELETE { GRAPH ?g { ?s dcterms:title ?t } } "
                  "INSERT { GRAPH ?g { ?s dcterms:title \"Updated in place\"@en } } "
                  "WHERE { GRAPH ?g { ?s dcterms:title ?t } FILTER(STRSTARTS(STR(?t), \"The Pentagon\")) }")
        request = urllib.request.Request(served.root + "update", data=update.encode(),
                                         headers={"Content-Type": "application/sparql-update"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status in (200, 204)
        assert story_title(served) == "Updated in place"
    finally:
        assert stop(served.process) == 0


def test_ctrl_c_while_kg_starts_prints_one_line_and_no_traceback() -> None:
    # Ctrl-C arrives while the command line is being imported (the process sends it to itself as the import
    # begins: the window in which Python's own handler used to print a KeyboardInterrupt traceback).
    script = ("import builtins, os, signal, sys\n"
              "real = builtins.__import__\n"
              "def importing(name, *args, **kwargs):\n"
              "    if name == 'kg.cli':\n"
              "        os.kill(os.getpid(), signal.SIGINT)\n"
              "    return real(name, *args, **kwargs)\n"
              "builtins.__import__ = importing\n"
              "sys.argv = ['kg', '--version']\n"
              "from kg.launch import main\n"
              "sys.exit(main())\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert (done.returncode, done.stderr) == (130, "kg: interrupted (SIGINT); nothing was left half done\n")
    assert done.stdout == ""  # it stopped there: no version printed
