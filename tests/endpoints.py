"""Real servers for the tests, on free loopback ports: `kg serve`, a plain `oxigraph serve`, and Virtuoso 7."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KG = Path(sys.executable).with_name("kg")

OXIGRAPH = Path(sys.executable).with_name("oxigraph")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen, limit: float = 90) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {limit} s")


@dataclass
class Served:
    """A running `kg serve`: its process and the URLs it printed."""

    process: subprocess.Popen
    endpoint: str
    root: str
    page: str
    lines: list[str]


def start_kg_serve(store: Path, *args: str, bind: str = "127.0.0.1:0", cwd: Path = ROOT) -> Served:
    """Run `kg serve` as a user would and read the URLs it prints."""
    env = {k: v for k, v in os.environ.items() if k != "KG_STORE"}
    env["PYTHONPATH"] = str(ROOT)  # this checkout's code, whichever checkout the launcher was installed from
    process = subprocess.Popen([str(KG), "serve", "--store", str(store), "--bind", bind, *args], cwd=cwd, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("Press Ctrl-C"):
            break
    else:
        raise RuntimeError(f"kg serve did not start: {process.stderr.read() if process.stderr else ''}")
    found = {line.split()[0] + (" " + line.split()[1] if line.startswith("Canned") else ""): line for line in lines}
    endpoint = found["SPARQL"].split()[2]
    return Served(process, endpoint, found["YASGUI"].split()[1], found["Canned queries"].split()[2], lines)


@contextlib.contextmanager
def oxigraph_server() -> Iterator[str]:
    """A plain `oxigraph serve` (in memory, writable) on a free loopback port, as a remote store: its query URL."""
    port = free_port()
    process = subprocess.Popen([str(OXIGRAPH), "serve", "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", process)
        yield f"http://127.0.0.1:{port}/query"
    finally:
        stop(process)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> int:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            return process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
    return process.returncode


@pytest.fixture(scope="module")
def served(built_store: Path) -> Iterator[Served]:
    """`kg serve` over the built store, read-only, on free loopback ports; stopped with SIGTERM at the end."""
    running = start_kg_serve(built_store)
    yield running
    assert stop(running.process) == 0


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's headless chromium driven by Playwright; requests to anything but loopback are refused."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def local_only(page: object) -> list[str]:
    """Abort every request that leaves the machine (YASGUI asks prefix.cc for prefixes); returns their URLs."""
    refused: list[str] = []

    def route(r: object) -> None:
        url = r.request.url  # type: ignore[attr-defined]
        if url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:")):
            r.continue_()  # type: ignore[attr-defined]
        else:
            refused.append(url)
            r.abort()  # type: ignore[attr-defined]

    page.route("**/*", route)  # type: ignore[attr-defined]
    return refused


# --- Virtuoso ------------------------------------------------------------------------------------------

VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 20
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}/vsp
MaxClientConnections = 20
ServerThreads = 20
Charset = UTF-8
EnabledDavVSP = 0
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


@dataclass
class Virtuoso:
    process: subprocess.Popen
    endpoint: str
    user: str = "dba"
    password: str = "dba"  # a fresh database's administrator; the server listens on loopback only


def start_virtuoso(folder: Path) -> Virtuoso:
    """A fresh Virtuoso database in ``folder``, started in the foreground on free loopback ports."""
    binary = shutil.which("virtuoso-t")
    assert binary, "virtuoso-t is missing: apt-get install virtuoso-opensource (.ci/run does)"
    (folder / "vsp").mkdir(parents=True, exist_ok=True)
    http_port = free_port()
    (folder / "virtuoso.ini").write_text(VIRTUOSO_INI.format(dir=folder, sql_port=free_port(), http_port=http_port))
    log = (folder / "stdout.log").open("wb")
    process = subprocess.Popen([binary, "+foreground", "+configfile", str(folder / "virtuoso.ini")], cwd=folder,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    endpoint = f"http://127.0.0.1:{http_port}/sparql"
    wait_for(endpoint + "?query=ASK%7B%7D", process, limit=120)
    return Virtuoso(process, endpoint)
