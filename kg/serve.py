"""``kg serve``: the real Oxigraph server over the built store, and a page of our canned queries beside it.

Two listeners, both on loopback unless told otherwise:

- the SPARQL endpoint is the ``oxigraph`` binary itself (``serve-read-only``, or ``serve`` with
  ``--writable``), started with ``--union-default-graph`` so that, as with ``kg sparql``, a query sees all graphs:
  ``/query`` and ``/update`` (SPARQL 1.1 Protocol), ``/store`` (Graph Store Protocol), YASGUI at ``/``;
- the canned-query page is served by a small stdlib HTTP server on the next port: ``/`` the page (static
  HTML and JS from ``kg/static``), ``/queries.json`` the queries read from ``queries/`` at each request with the
  prefixes of the stories in the store (asked of the endpoint), and
  ``/query`` forwarded to the endpoint's ``/query`` so that the page talks to its own origin (no CORS needed,
  and the endpoint needs no ``--cors`` for it). Only ``/query`` is forwarded: the page can never write.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, TYPE_CHECKING

from kg import lock
from kg.config import QUERIES_DIR
from kg.errors import KgError, OptionError, StoreLockedError, StoreMissingError
from kg.queries import bound_text, find_query, list_queries
from kg.reader import BuildCache, route, warm
from kg.store import discard, exists
from kg.vocab import PREFIXES

if TYPE_CHECKING:
    from kg.curate_web import CurateSite

STATIC = Path(__file__).parent / "static"
_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8"}
MAX_BODY = 1 << 20
"""The largest request body the page server forwards (a query, URL-encoded): it holds the body in memory."""


def oxigraph_binary() -> str:
    """The ``oxigraph`` server binary installed beside this Python (the PyPI package), else on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise KgError("the oxigraph server is not installed: pip install oxigraph")
    return found


def parse_bind(bind: str) -> tuple[str, int]:
    """``host:port`` as a pair; port 0 means any free port.

    >>> parse_bind("127.0.0.1:7878"), parse_bind("[::1]:80"), parse_bind("localhost:0")
    (('127.0.0.1', 7878), ('::1', 80), ('localhost', 0))
    """
    host, sep, port = bind.rpartition(":")
    if not sep or not port.isdigit() or not host or int(port) > 65535:
        raise KgError(f"--bind {bind!r}: write it as host:port, e.g. 127.0.0.1:7878")
    return host.strip("[]"), int(port)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _reserve(host: str, port: int, what: str) -> int:
    """Check that ``host:port`` can be listened on (a free port when 0) and return the port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As the servers themselves do: a port whose last connections are closing is free, a listened one is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise KgError(f"cannot serve {what} on {_url_host(host)}:{port}: the port is already in use "
                              "(another `kg serve` or server?); choose another with --bind") from None
            raise KgError(f"cannot serve {what} on {_url_host(host)}:{port}: {err.strerror}") from None
        return int(probe.getsockname()[1])


def check_unlocked(path: Path) -> None:
    """Refuse a store another process holds open for writing (the engine keeps a POSIX lock on ``LOCK``)."""
    if lock.engine_locked(path):
        raise StoreLockedError(
            f"the store at {path} is in use by another process (a running `kg serve --writable`, "
            "`kg sparql --update` or a notebook holds it for writing); stop that process first")


def queries_document(folder: Path, prefixes: dict[str, str] | None = None) -> dict:
    """The canned queries as the page reads them: name, summary, parameters and text, plus the prefixes the page
    expands parameters and shortens IRIs with (``prefixes``, default ours; :func:`store_prefixes` adds the
    stories')."""
    return {
        "prefixes": PREFIXES if prefixes is None else prefixes,
        "queries": [{"name": q.name, "summary": q.summary, "tags": q.tags, "text": q.text,
                     "params": [{"name": p.name, "variable": p.variable, "type": p.type, "required": p.required,
                                 "description": p.description} for p in q.params]}
                    for q in list_queries(folder)],
    }


def store_prefixes(endpoint: str) -> dict[str, str]:
    """Our prefixes and those of the stories the endpoint's store holds (asked at each load of the page, so a
    rebuilt store's new story is known without restarting)."""
    from kg.endpoint import RemoteStore
    from kg.stories import known_prefixes

    return known_prefixes(RemoteStore(endpoint))


def _page_handler(endpoint: str, folder: Path, yasgui: str, cache: BuildCache,
                  curating: CurateSite | None = None) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "kg-serve"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet: the endpoint logs nothing either
            pass

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            # Nothing but this origin: the page cannot load anything from the internet.
            self.send_header("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if curating is not None and (answer := _curate_route(curating, self, None)) is not None:
                self._send(*answer)
            elif path == "/query":
                self._forward()
            elif path == "/queries.json":
                try:
                    doc = {**queries_document(folder, store_prefixes(endpoint)), "yasgui": yasgui}
                except KgError as err:
                    self._send(500, str(err).encode(), "text/plain; charset=utf-8")
                    return
                self._send(200, json.dumps(doc).encode(), "application/json")
            elif (reader := _reader(path, self.path.partition("?")[2], endpoint, cache)) is not None:
                self._send(*reader)
            elif path == "/favicon.ico":
                self._send(204, b"", "image/x-icon")
            else:
                name = "index.html" if path in ("/", "/index.html") else path.lstrip("/")
                file = STATIC / name
                if "/" in name or file.suffix not in _TYPES or not file.is_file():
                    self._send(404, b"not found", "text/plain; charset=utf-8")
                    return
                self._send(200, file.read_bytes(), _TYPES[file.suffix])

        do_HEAD = do_GET

        def do_POST(self) -> None:
            if curating is not None and self.path.startswith("/curate/"):
                body = self._body()
                if body is not None:
                    self._send(*(_curate_route(curating, self, body) or (404, b"not found", "text/plain")))
                return
            path = self.path.split("?", 1)[0]
            if path == "/run":
                self._run()
                return
            if path != "/query":
                self._send(405, b"only /query is forwarded and /run runs a canned query; this page server is "
                                b"read-only", "text/plain")
                return
            self._forward()

        def _body(self) -> bytes | None:
            """The request's body; None (the answer already sent) when its size is missing or too large."""
            raw = (self.headers.get("Content-Length") or "0").strip()
            if not raw.isdigit():
                self.close_connection = True
                self._send(400, b"bad Content-Length: give the body's size in bytes", "text/plain; charset=utf-8")
                return None
            length = int(raw)
            if length > MAX_BODY:
                self.close_connection = True
                self._send(413, f"request body too large: at most {MAX_BODY} bytes; send a shorter query".encode(),
                           "text/plain; charset=utf-8")
                return None
            return self.rfile.read(length) if length else b""

        def _run(self) -> None:
            """Run a canned query for the page: ``{"name": ..., "params": {name: value}}`` in; the query text with
            the parameters bound as RDF terms (kg.queries.bound_text) and the endpoint's results out, as JSON
            ``{"query", "results"}``, or ``{"error"}`` with one line to show."""
            body = self._body()
            if body is None:
                return
            try:
                asked = json.loads(body or b"{}")
                name, values = asked["name"], asked.get("params") or {}
                if not isinstance(name, str) or not isinstance(values, dict) or not all(
                        isinstance(v, str) for v in values.values()):
                    raise TypeError(name)
                text = bound_text(find_query(name, folder), values, store_prefixes(endpoint))
            except (ValueError, KeyError, TypeError):
                self._answer(400, {"error": 'send JSON: {"name": a canned query, "params": {name: value}}'})
                return
            except KgError as err:
                self._answer(400, {"error": str(err)})
                return
            request = urllib.request.Request(endpoint, data=urllib.parse.urlencode({"query": text}).encode(), headers={
                "Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded"})
            try:
                with urllib.request.urlopen(request, timeout=300) as answer:
                    self._answer(200, {"query": text, "results": json.load(answer)})
            except urllib.error.HTTPError as err:
                said = err.read().decode("utf-8", "replace").strip()
                self._answer(err.code, {"query": text,
                                        "error": f"The endpoint answered {err.code} {err.reason}: {said}"})
            except (OSError, ValueError) as err:
                self._answer(502, {"query": text, "error": f"The endpoint did not answer: {err}"})

        def _answer(self, status: int, doc: dict[str, object]) -> None:
            self._send(status, json.dumps(doc).encode(), "application/json")

        def _forward(self) -> None:
            """Pass a SPARQL Protocol query to the endpoint's /query and its answer back, as they are."""
            body = self._body()
            if body is None:
                return
            query_string = self.path.partition("?")[2]
            headers = {k: v for k, v in self.headers.items() if k.lower() in ("accept", "content-type")}
            request = urllib.request.Request(endpoint + (f"?{query_string}" if query_string else ""), data=body or None,
                                             method=self.command, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=300) as answer:
                    status, data, kind = answer.status, answer.read(), answer.headers.get("Content-Type", "")
            except urllib.error.HTTPError as err:
                status, data, kind = err.code, err.read(), err.headers.get("Content-Type", "text/plain")
            except OSError as err:
                status, data, kind = 502, f"the SPARQL endpoint did not answer: {err}".encode(), "text/plain"
            self._send(status, data, kind or "application/octet-stream")

    return Handler


def _curate_route(site: CurateSite, handler: BaseHTTPRequestHandler, body: bytes | None
                  ) -> tuple[int, bytes, str] | None:
    """``kg serve --curate``'s routes (kg/curate_web.py). Every request must name this machine in its Host (a page
    of another site whose name was pointed at 127.0.0.1 cannot read the files), and a write must come from this
    page: its Origin, when the browser sends one, is this server, and its body is JSON (another site's form
    cannot send that without a preflight, which is never granted)."""
    path, _, query = handler.path.partition("?")
    if not path.startswith("/curate"):
        return None
    host = handler.headers.get("Host", "")
    origin = handler.headers.get("Origin")
    local = _loopback(host.rpartition(":")[0].strip("[]") if ":" in host else host)
    from_page = origin in (None, f"http://{host}") and (
        handler.headers.get("Content-Type", "").split(";")[0].strip() == "application/json")
    if not local or (body is not None and not from_page):
        return 403, b'{"error": "only this page, on this machine, may curate (and it sends JSON)"}', "application/json"
    return site.route("POST" if body is not None else "GET", path, query, body)


def _curate_site(curate: bool) -> CurateSite | None:
    """The curate routes over the project in the working directory, when asked for."""
    from kg.curate_web import CurateSite

    return CurateSite(Path.cwd()) if curate else None


def _loopback(host: str) -> bool:
    """True for a name or address of this machine only (127.0.0.0/8, ::1, localhost).

    >>> _loopback("127.0.0.2"), _loopback("::1"), _loopback("localhost"), _loopback("0.0.0.0"), _loopback("10.0.0.1")
    (True, True, True, False, False)
    """
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refuse_public(*hosts: str) -> None:
    """``--curate`` writes the project's files: refuse any bind address other than loopback."""
    for host in hosts:
        if not _loopback(host):
            raise OptionError(f"--curate writes your files, so it serves only this machine: {host} is not a "
                              "loopback address; bind to 127.0.0.1 (the default) or ::1")


def _warm_reader(endpoint: str, cache: BuildCache) -> None:
    """Have the reader's first stories ready before a page asks (in the background; only for a build kept)."""
    if cache.build is not None:
        threading.Thread(target=warm, args=(endpoint, Path.cwd(), cache), name="kg-reader-warm", daemon=True).start()


def _reader(path: str, query: str, endpoint: str, cache: BuildCache) -> tuple[int, bytes, str] | None:
    """The story reader's routes (kg/reader.py), over the texts of the project we run in."""
    if not path.startswith("/reader"):
        return None
    return route(path, query, endpoint, Path.cwd(), cache)


@dataclass
class Serving:
    """A running ``kg serve``: the Oxigraph process and the page server; :meth:`stop` ends both."""

    endpoint: str
    page: str
    process: subprocess.Popen
    page_server: ThreadingHTTPServer
    log: IO[bytes]
    stopped: bool = field(default=False)
    command: list[str] = field(default_factory=list)
    store: Path | None = None  # the store link, followed to each new build (read-only serving)
    location: Path | None = None  # the build directory served now
    writer_lock: int | None = None  # held for the server's life with --writable: no rebuild under it
    reader_cache: BuildCache | None = None  # the reader's answers for the build served (read-only serving)

    def follow(self) -> bool:
        """After a rebuild swapped a new build in, serve that one: restart the endpoint on it (same port), let go of
        the old build and delete it when no other reader has it. True when it moved."""
        if self.store is None or self.location is None or self.writer_lock is not None:
            return False
        current = Path(os.path.realpath(self.store))
        if current == self.location or not exists(current):
            return False
        lock.pin(current)
        old, self.location = self.location, current
        _end(self.process)
        command = [str(current) if part == str(old) else part for part in self.command]
        self.log.seek(0)
        self.log.truncate()
        self.process = _launch(command, self.log)
        self.command = command
        _wait_until_up(self.process, self.log, self.endpoint + "?query=ASK%7B%7D", current)
        if self.reader_cache is not None:
            self.reader_cache.serve(str(current))  # the reader's answers were the old build's
            _warm_reader(self.endpoint, self.reader_cache)
        lock.unpin(old)
        with lock.exclusive(old) as free:
            if free and Path(os.path.realpath(self.store)) != old:
                discard(old)
        return True

    @property
    def root(self) -> str:
        """The Oxigraph server's own root (YASGUI)."""
        return self.endpoint.removesuffix("query")

    def stop(self) -> None:
        """Stop the page server and the endpoint (SIGTERM, then SIGKILL after 10 s)."""
        if self.stopped:
            return
        self.stopped = True
        self.page_server.shutdown()
        self.page_server.server_close()
        _end(self.process)
        self.log.close()
        if self.writer_lock is not None:
            lock.release(self.writer_lock)
            self.writer_lock = None


def _end(process: subprocess.Popen) -> None:
    """Stop the endpoint: SIGTERM, then SIGKILL after 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to send it SIGTERM when ``kg`` dies, however it dies (kill -9 too)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before the call: do not outlive it
            os.kill(os.getpid(), signal.SIGTERM)


def _launch(command: list[str], log: IO[bytes]) -> subprocess.Popen:
    """Start the oxigraph server as a child that cannot outlive ``kg``; its messages go to ``log``."""
    return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
                            preexec_fn=_die_with_parent)


def start(store: Path, bind: str = "127.0.0.1:7878", *, page_bind: str | None = None, cors: bool = False,
          writable: bool = False, queries: Path = QUERIES_DIR, timeout_s: int | None = None,
          curate: bool = False) -> Serving:
    """Start the endpoint over ``store`` and the page beside it; returns when both answer. With ``curate`` the page
    also serves ``/curate`` (writing the working directory's story files), and only on loopback."""
    if curate:
        refuse_public(parse_bind(bind)[0], *([parse_bind(page_bind)[0]] if page_bind else []))
    path = Path(store)
    if not exists(path):
        raise StoreMissingError(f"no store at {path}: run `kg build` first (or pass --store / set KG_STORE)")
    location = lock.pin(path)  # the build served: a rebuild leaves it in place until we move to the new one
    check_unlocked(location)
    writer_lock = lock.acquire(path, "kg serve --writable") if writable else None
    host, asked = parse_bind(bind)
    port = _reserve(host, asked, "the SPARQL endpoint")
    page_host, page_port = parse_bind(page_bind) if page_bind else (host, port + 1 if 0 < asked < 65535 else 0)
    page_port = _reserve(page_host, page_port, "the query page")
    command = [oxigraph_binary(), "serve" if writable else "serve-read-only", "--location", str(location),
               "--bind", f"{_url_host(host)}:{port}", "--union-default-graph"]
    if cors:
        command.append("--cors")
    if timeout_s:
        command += ["--timeout-s", str(timeout_s)]
    # Its messages go to a file, not a pipe nobody reads (a full pipe would block the server).
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by Serving.stop)
    base = f"http://{_url_host(host)}:{port}/"
    try:
        process = _launch(command, log)
    except BaseException:
        if writer_lock is not None:
            lock.release(writer_lock)
        raise
    try:
        _wait_until_up(process, log, base + "query?query=ASK%7B%7D", location)
        cache = BuildCache()
        cache.serve(None if writable else str(location))  # a writable store changes under us: nothing kept
        _warm_reader(base + "query", cache)
        page_server = ThreadingHTTPServer((page_host, page_port),
                                          _page_handler(base + "query", Path(queries), base, cache,
                                                        _curate_site(curate)))
    except BaseException:
        _end(process)
        if writer_lock is not None:
            lock.release(writer_lock)
        raise
    page_server.daemon_threads = True
    threading.Thread(target=page_server.serve_forever, name="kg-page", daemon=True).start()
    return Serving(base + "query", f"http://{_url_host(page_host)}:{page_server.server_address[1]}/", process,
                   page_server, log, command=command, store=path, location=location, writer_lock=writer_lock,
                   reader_cache=cache)


def _read(log: IO[bytes]) -> str:
    log.seek(0)
    return log.read().decode("utf-8", "replace").strip()


def _wait_until_up(process: subprocess.Popen, log: IO[bytes], probe: str, location: Path, limit: float = 30) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            message = _read(log)
            if lock.engine_locked(location):
                raise StoreLockedError(f"the store at {location} is in use by another process: {message}")
            if "in use" in message.lower():
                raise KgError(f"the port is already in use: {message}")
            raise KgError(f"the oxigraph server stopped at start: {message or f'exit {process.returncode}'}")
        with contextlib.suppress(OSError), urllib.request.urlopen(probe, timeout=2):
            return
        time.sleep(0.05)
    raise KgError(f"the oxigraph server did not answer within {limit:g} s")


def run(store: Path, bind: str = "127.0.0.1:7878", *, page_bind: str | None = None, cors: bool = False,
        writable: bool = False, queries: Path = QUERIES_DIR, say: Callable[[str], None] = print,
        curate: bool = False) -> int:
    """Serve until Ctrl-C or SIGTERM (then stop cleanly and return 0), or until the endpoint dies (return 1)."""
    serving = start(store, bind, page_bind=page_bind, cors=cors, writable=writable, queries=queries, curate=curate)
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        host = serving.endpoint.split("//")[1].split(":")[0].strip("[]")
        say(f"SPARQL endpoint  {serving.endpoint}  ({'read-write' if writable else 'read-only'}"
            f"{', CORS allowed' if cors else ''})")
        say(f"YASGUI           {serving.root}")
        say(f"Canned queries   {serving.page}")
        say(f"Story reader     {serving.page}reader")
        if curate:
            say(f"Curate           {serving.page}curate  (writes {Path.cwd() / 'triples'})")
        say(f"Graph Store      {serving.root}store")
        if not _loopback(host):
            say(f"warning: listening on {host}, not only this machine: anyone who can reach it can query"
                + (" and change" if writable else "") + " the store")
        say("Press Ctrl-C to stop.")
        while not stop.wait(0.2):
            if serving.follow():
                say(f"serving the new build {serving.location}")
            elif serving.process.poll() is not None:
                say(f"the oxigraph server stopped (exit {serving.process.returncode}): {_read(serving.log)}")
                return 1
        return 0
    finally:
        serving.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
