"""A full disk, a read-only location and a damaged store (issue 17): one line, a documented exit code, nothing half
written, and reads (and `kg serve`) still working on a read-only store.

The disk is a real one: a small tmpfs, or a read-only bind mount, made in a private mount namespace
(`unshare -m`), so the engine and the kernel give the errors they give on a real machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import KG, ROOT, run_kg
from endpoints import Served
from test_lifecycle import served_count

SCRIPT_ENV = {**os.environ, "PYTHONPATH": str(ROOT), "KG": str(KG), "COLUMNS": "200"}


def in_namespace(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a bash script in a private mount namespace (its mounts vanish with it)."""
    return subprocess.run(["unshare", "-m", "--propagation", "private", "bash", "-euc", script], cwd=cwd,
                          env={k: v for k, v in SCRIPT_ENV.items() if k != "KG_STORE"}, capture_output=True,
                          text=True, timeout=600)


def step(folder: Path, name: str) -> tuple[int, str]:
    """The exit code and stderr a script's step saved (`run NAME kg ...`)."""
    return int((folder / f"{name}.rc").read_text()), (folder / f"{name}.err").read_text()


RUN = ('run() { name=$1; shift; set +e; "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"; '
       'echo $? > "$OUT/$name.rc"; set -e; }')


def assert_one_line(rc_err: tuple[int, str], code: int, *words: str) -> None:
    rc, err = rc_err
    assert rc == code, (rc, err)
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1 and err.startswith("kg: error: "), err
    for word in words:
        assert word in err, err


@pytest.fixture
def copied(built_store: Path, tmp_path: Path) -> Path:
    """A copy of the built store (link and build) in a folder of its own, to mount read-only or fill."""
    folder = tmp_path / "disk"
    folder.mkdir()
    build = built_store.resolve()
    shutil.copytree(build, folder / "store.builds" / build.name)
    os.symlink(f"store.builds/{build.name}", folder / "store")
    # Opened once for writing, the engine deletes the files it no longer needs (old logs): done here, so that the
    # room the tests leave on the small disk is the room the commands under test find.
    import pyoxigraph as ox

    ox.Store(str(folder / "store.builds" / build.name)).flush()
    return folder


def ntriples(path: Path, lines: int, width: int) -> Path:
    """An N-Triples file of ``lines`` distinct triples, each with a literal about ``width`` characters long."""
    with path.open("w") as handle:
        for i in range(lines):
            handle.write(f'<http://e/{i}> <http://e/p> "{"x" * width} {i}" .\n')
    return path


def test_full_disk_one_line_and_nothing_half_written(copied: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    big = ntriples(tmp_path / "big.nt", 40_000, 100)  # 5 MB of N-Triples: more than the disk has left
    size = sum(f.stat().st_size for f in copied.rglob("*") if f.is_file()) // 1024 + 600
    script = f"""
{RUN}
OUT={out}
mount -t tmpfs -o size={size}k tmpfs {mnt}
cp -a {copied}/. {mnt}/
run before $KG export --format nquads --inferred --store {mnt}/store
run add $KG link add {big} --name big --store {mnt}/store
run build $KG build --project {ROOT} --store {mnt}/store -q
cat /dev/zero > {mnt}/filler 2>/dev/null || true  # the disk is now full to the last block
run export $KG export --store {mnt}/store -o {mnt}/export.ttl
run review $KG link export --store {mnt}/store -o {mnt}/links.ttl
run after $KG export --format nquads --inferred --store {mnt}/store
ls -A {mnt} > $OUT/top.txt
ls -A {mnt}/store/ > $OUT/store.txt
ls -A {mnt}/store.builds > $OUT/builds.txt
ls -A {mnt}/store.links 2>/dev/null > $OUT/links.txt || true
"""
    result = in_namespace(script, tmp_path)
    assert result.returncode == 0, result.stderr
    assert_one_line(step(out, "add"), 9, "the disk is full", "free some space")
    assert_one_line(step(out, "build"), 9, "the disk is full")
    assert_one_line(step(out, "export"), 9, "the disk is full")
    assert_one_line(step(out, "review"), 9, "the disk is full")
    # Nothing half written: no copy and no manifest entry for the dataset, no bulk file in the store, no partial
    # build, no temporary export; the store answers as before.
    assert (out / "links.txt").read_text().split() == []
    assert not [f for f in (out / "store.txt").read_text().split() if f.startswith("bulk-")]
    assert len((out / "builds.txt").read_text().split()) == 1
    assert not [f for f in (out / "top.txt").read_text().split() if ".tmp-" in f or f.endswith(".ttl")]
    assert (out / "before.out").read_text() == (out / "after.out").read_text() != ""


def test_link_add_is_undone_when_the_copy_fits_but_the_store_does_not(copied: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    # about 600 KB: its copy fits in the 900 KB left, the store's log then does not
    data = ntriples(tmp_path / "mid.nt", 6000, 60)
    size = sum(f.stat().st_size for f in copied.rglob("*") if f.is_file()) // 1024 + 20_000
    # The room is made after the copy (exactly 900 KB left), whatever room the copied store itself takes.
    script = f"""
{RUN}
OUT={out}
mount -t tmpfs -o size={size}k tmpfs {mnt}
cp -a {copied}/. {mnt}/
avail=$(df --output=avail -k {mnt} | tail -n 1); head -c $(( (avail - 900) * 1024 )) /dev/zero > {mnt}/padding
run before $KG export --format nquads --inferred --store {mnt}/store
run add $KG link add {data} --name mid --store {mnt}/store
run list $KG link list --store {mnt}/store
run after $KG export --format nquads --inferred --store {mnt}/store
ls -A {mnt}/store.links > $OUT/links.txt
ls -A {mnt}/store/ > $OUT/store.txt
"""
    result = in_namespace(script, tmp_path)
    assert result.returncode == 0, result.stderr
    assert_one_line(step(out, "add"), 9, "cannot add the dataset: the disk is full")
    assert (out / "links.txt").read_text().split() == []  # the copy was made, then removed; no manifest
    assert not [f for f in (out / "store.txt").read_text().split() if f.startswith("bulk-")]
    assert (out / "list.err").read_text().startswith("no linked datasets")
    assert (out / "before.out").read_text() == (out / "after.out").read_text() != ""


def test_read_only_store_reads_work_writes_say_so(copied: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    script = f"""
{RUN}
OUT={out}
mount --bind {copied} {copied}
mount -o remount,ro,bind {copied}
run query $KG query demands --queries {ROOT}/queries --store {copied}/store
run sparql $KG sparql "ASK {{ pa:anthropic a so:Company }}" --store {copied}/store
run stats $KG stats --store {copied}/store
run update $KG sparql "INSERT DATA {{ <http://e/a> <http://e/b> 1 }}" --update --store {copied}/store
run build $KG build --project {ROOT} --store {copied}/store -q
run add $KG link add {ROOT}/triples/pentagon-anthropic/actors.ttl --name a --store {copied}/store
run export $KG export --store {copied}/store -o {copied}/out.ttl
"""
    result = in_namespace(script, tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("query", "sparql", "stats"):
        assert step(out, name)[0] == 0, step(out, name)
    assert (out / "sparql.out").read_text() == "true\n"
    for name in ("update", "build", "add", "export"):
        assert_one_line(step(out, name), 9, "read-only")


def test_serve_works_on_a_read_only_store(copied: Path, tmp_path: Path) -> None:
    script = f"""
mount --bind {copied} {copied}
mount -o remount,ro,bind {copied}
exec $KG serve --store {copied}/store --bind 127.0.0.1:0
"""
    process = subprocess.Popen(["unshare", "-m", "--propagation", "private", "bash", "-euc", script],
                               env=SCRIPT_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        endpoint = next(line.split()[2] for line in lines if line.startswith("SPARQL"))
        served = Served(process, endpoint, "", "", lines)
        assert served_count(served.endpoint) > 1000
    finally:
        process.terminate()
        assert process.wait(30) == 0, process.stderr.read() if process.stderr else ""


@pytest.mark.parametrize("damage", ["empty CURRENT", "missing MANIFEST", "bad tables"])
def test_damaged_store_is_one_line_saying_rebuild(copied: Path, damage: str) -> None:
    build = (copied / "store").resolve()
    if damage == "empty CURRENT":
        (build / "CURRENT").write_text("")
    elif damage == "missing MANIFEST":
        for manifest in build.glob("MANIFEST-*"):
            manifest.unlink()
    else:
        for table in build.glob("*.sst"):
            table.write_bytes(b"garbage")
    for args in (["query", "demands", "--queries", str(ROOT / "queries")], ["stats"],
                 ["sparql", "INSERT DATA { <http://e/a> <http://e/b> 1 }", "--update"]):
        result = run_kg(*args, "--store", str(copied / "store"))
        assert result.returncode == 10, (args, result.stderr)
        assert "is damaged" in result.stderr and "rebuild it with `kg build`" in result.stderr
        assert "run `kg build` first" not in result.stderr  # not "no store": it is there, broken
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
