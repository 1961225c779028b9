"""The ``kg`` command: a thin layer over the library. Each command parses options and calls one function.

Exit codes (stable, for scripts): 0 ok; 1 other error; 2 bad input file (syntax) or option value; 3 validation failed;
4 ontology plus data inconsistent; 5 bad query or parameters (or an update without --update);
6 no store; 7 store in use by another process; 8 a remote SPARQL endpoint failed (unreachable, timed out,
refused or answered with an error); 9 cannot write (disk full, read-only location, no permission; nothing half
written); 10 store damaged (rebuild it); 11 query timed out (--timeout); 130 interrupted (Ctrl-C, a signal).
"""

# No `from __future__ import annotations` here: typer reads every command's annotations at each start-up, and
# string annotations cost it an eval each (about 5 ms of `kg`'s start-up for the two CLI modules).
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from kg.errors import KgError, OptionError
from kg.guard import GuardedTyper
from kg.options import EndpointOpt, StoreOpt

if TYPE_CHECKING:  # not at run time: kg.build imports the engine, which `kg --help` does without
    from kg.build import BuildReport

app = GuardedTyper(
    name="kg",
    help="standoff: build a knowledge graph of a dispute story, every claim tied to the words that support it, "
    "and query, validate, reason over and export it.\n\nExit codes: 0 ok, 1 error, 2 bad input file or option, "
    "3 validation failed, 4 inconsistent, 5 bad query, 6 no store, 7 store in use, 8 endpoint failed, 9 cannot write, "
    "10 store damaged, 11 timed out, 130 interrupted.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: with rich importable typer renders help (and option errors) through it, which alone costs
    # `kg --help` about 0.1 s of imports. None is typer's supported way to use click's plain formatter.
    rich_markup_mode=None,
)

TimeoutOpt = Annotated[float | None, typer.Option(
    "--timeout", help="Stop the query after this many seconds (exit 11). Ctrl-C stops it at any time (exit 130).",
    show_default=False)]
# A build prints each story's figures, up to this many (a generated corpus may hold thousands of stories).
_STORIES_SHOWN = 20

ProjectOpt = Annotated[Path, typer.Option(
    "--project", help="Project folder holding ontology/, triples/ and queries/.")]


def _version(shown: bool) -> None:
    if shown:
        from kg import __version__

        typer.echo(f"kg {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: Annotated[bool, typer.Option(
        "--version", help="Print kg's version (the installed package's) and exit.", callback=_version,
        is_eager=True)] = False) -> None:
    """Options for every command come after its name (kg COMMAND --help)."""


def _fail(err: KgError) -> NoReturn:
    typer.echo(f"kg: error: {err}", err=True)
    raise typer.Exit(code=err.exit_code)


def _stopping(work: Callable[[], None], timeout: float | None = None) -> None:
    """Run ``work`` in a child process (kg.worker), which Ctrl-C or ``--timeout`` stops wherever the engine is; a
    child that failed (it said why in one line) makes this command exit with its code."""
    from kg.worker import run_stoppable

    code = run_stoppable(work, timeout)
    if code:
        raise typer.Exit(code=code)


def _out(data: bytes) -> None:
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


@app.command()
def build(store: StoreOpt = None, project: ProjectOpt = Path("."),
          no_reason: Annotated[bool, typer.Option("--no-reason", help="Skip the reasoning step.")] = False,
          quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines.")] = False,
          endpoint: EndpointOpt = None,
          reasoner: Annotated[str, typer.Option(
              "--reasoner", help="rules (the ontology's axioms compiled to SPARQL, at every size) or hermit (the "
              "rules, then HermiT as a cross-check: any triple they disagree on is an error).")] = "rules",
          allow_empty: Annotated[bool, typer.Option(
              "--allow-empty", help="Build even when the project has no RDF input (otherwise an error: an empty "
              "build would replace a good store).")] = False,
          full: Annotated[bool, typer.Option(
              "--full", help="Build everything again, even when only story files changed or nothing did.")] = False,
          watch: Annotated[bool, typer.Option(
              "--watch", help="After building, keep watching ontology/, triples/ and the linked datasets, and build "
              "again (incrementally) each time a file changes, until Ctrl-C (exit 130). A build that fails says "
              "why in one line and leaves the store as it was; the next change builds again.")] = False,
          interval: Annotated[float, typer.Option(
              "--interval", min=0.01, help="With --watch: seconds between looks at the files.")] = 0.5,
          ) -> None:
    """Parse, check, reason over and load ontology/ and triples/ into the store, atomically.

    Incremental: when nothing changed since the last build, nothing is done; when only story files changed,
    the previous store is copied and only those stories are reloaded, checked and reasoned over (the store is
    the one a full build makes); a changed ontology, shapes file, check, shared file, option or tool version
    means a full build, and the first line says why. --full builds everything. The store is replaced only when
    every step passed; after any failure the previous store is untouched.
    With --endpoint the graphs go to a SPARQL server instead, graph by graph (Graph Store Protocol), with the
    datasets `kg link add --endpoint` keeps for that server.
    """
    from kg.build import build as run_build
    from kg.inputs import check_reasoner
    from kg.remote import build_remote

    def progress(step: str, summary: str, seconds: float) -> None:
        if quiet:
            return
        typer.echo(f"  {summary}" if step == "plan" else f"  {step:<9} {summary}  ({seconds:.2f} s)", err=True)

    def run(everything: bool) -> "BuildReport":
        check_reasoner(reasoner)
        return (build_remote(project, endpoint, reasoning=not no_reason, progress=progress, store=store,
                             allow_empty=allow_empty) if endpoint
                else run_build(project, store, reasoning=not no_reason and reasoner, progress=progress,
                               allow_empty=allow_empty, incremental=not everything))

    if not watch:
        try:
            report = run(full)
        except KgError as err:
            _fail(err)
        _tell(report, endpoint)
        return
    from kg.config import store_path
    from kg.guard import explain
    from kg.link import sidecar
    from kg.watch import changes

    try:
        links = None if endpoint else sidecar(store_path(store))
    except KgError as err:
        _fail(err)
    for n, _ in enumerate(changes(project, links, interval)):
        try:
            _tell(run(full and n == 0), endpoint)
        except OptionError as err:  # no edit mends an option: stop
            _fail(err)
        except (KgError, OSError) as err:  # said in one line; the store is as it was, and the next change builds
            typer.echo(explain(err)[0], err=True)
        if n == 0:
            typer.echo(f"watching {project / 'ontology'}/, {project / 'triples'}/"
                       f"{f' and {links}/' if links is not None else ''} for changes (Ctrl-C stops)", err=True)


def _tell(report: "BuildReport", endpoint: str | None) -> None:
    """What a build did, on stderr: its warnings, the store's size and the stories' figures."""
    if report.plan == "unchanged":
        typer.echo(f"unchanged since the last build: {report.store} (kg build --full builds it again)", err=True)
        return
    for warning in report.warnings:
        typer.echo(f"  {warning}", err=True)
    total = sum(report.triples.values())
    typer.echo(f"built {endpoint or report.store}: {total:,} triples in {len(report.triples)} graphs "
               f"({sum(report.seconds.values()):.2f} s)", err=True)
    shown = report.stories if len(report.stories) <= _STORIES_SHOWN else report.stories[:_STORIES_SHOWN - 1]
    for figures in shown:
        typer.echo(f"  story {figures.story.folder}/ ({figures.story.prefix}:): {figures.summary()}", err=True)
    if len(shown) < len(report.stories):
        typer.echo(f"  ... and {len(report.stories) - len(shown):,} more stories (kg stats lists every one)", err=True)


def _params(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise typer.BadParameter(f"{pair!r}: write parameters as name=value", param_hint="--param")
        values[name.strip()] = value
    return values


@app.command()
def query(name: Annotated[str | None, typer.Argument(help="Canned query name (a file in queries/).")] = None,
          param: Annotated[list[str] | None, typer.Option(
              "--param", "-p", help="Parameter as name=value; IRIs may be prefixed names, with our prefixes or a "
              "story's (the one its so:Story declares), or full IRIs in angle brackets.")] = None,
          fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv, tsv, json or xml.")] = "table",
          list_: Annotated[bool, typer.Option("--list", help="List the canned queries and their parameters.")] = False,
          all_: Annotated[bool, typer.Option("--all", help="Run every canned query that needs no parameter, "
                                             "each under its summary: the story's answers.")] = False,
          store: StoreOpt = None,
          queries: Annotated[Path, typer.Option("--queries", help="Folder of .rq files.")] = Path("queries"),
          endpoint: EndpointOpt = None, timeout: TimeoutOpt = None) -> None:
    """Run a canned query with its parameters bound as RDF terms (never pasted into the text)."""
    from kg import queries as canned
    from kg.results import write
    from kg.target import open_target

    def known_prefixes(db: object) -> dict[str, str]:  # imported only when a table or a parameter needs them
        from kg.stories import known_prefixes as read

        return read(db)

    try:
        if list_ or (name is None and not all_):
            for q in canned.list_queries(queries):
                args = " ".join(f"--param {p.name}=<{p.type}>" for p in q.params)
                typer.echo(f"{q.name}  {args}".rstrip())
                typer.echo(f"    {q.summary}")
                for p in q.params:
                    typer.echo(f"    {p.name}: {p.description or p.type}")
            return
        if all_:
            def every() -> None:
                db = open_target(store, endpoint)
                prefixes = known_prefixes(db) if fmt == "table" else None
                for q in canned.list_queries(queries):
                    if not any(p.required for p in q.params):
                        typer.echo(f"\n## {q.name}: {q.summary}\n")
                        write(canned.run_canned(db, q.name, {}, queries), fmt, sys.stdout.buffer, prefixes)

            _stopping(every, timeout)
        elif name is not None:  # (no name and no --all was answered with the list above)
            values = _params(param or [])
            chosen = canned.find_query(name, queries)
            canned.check_names(chosen, values)  # parameter errors before opening the store

            def one() -> None:
                db = open_target(store, endpoint)
                # The stories' prefixes (one small query), when a parameter or the table needs them.
                wanted = fmt == "table" or canned.needs_story_prefixes(chosen, values)
                prefixes = known_prefixes(db) if wanted else None
                write(canned.run_canned(db, name, values, queries, prefixes), fmt, sys.stdout.buffer, prefixes)

            _stopping(one, timeout)
    except KgError as err:
        _fail(err)


@app.command()
def sparql(text: Annotated[str | None, typer.Argument(help="The query text (or use --file FILE).")] = None,
           file: Annotated[Path | None, typer.Option(
               "--file", help="Read the query from a file (no short form: -f is --format in every command).")] = None,
           fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv, tsv, json, xml; for CONSTRUCT/DESCRIBE "
                                            "turtle, ntriples, jsonld, rdfxml.")] = "table",
           graph: Annotated[list[str] | None, typer.Option(
               "--graph", "-g", help="Query only these graphs (IRIs); default: the union of all.")] = None,
           update: Annotated[bool, typer.Option("--update", help="Allow a SPARQL Update to change the store.")] = False,
           store: StoreOpt = None, endpoint: EndpointOpt = None, timeout: TimeoutOpt = None) -> None:
    """Run an ad-hoc SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) over the store.

    Updates are refused unless --update is given.
    """
    import contextlib

    from kg.config import store_path
    from kg.errors import QueryError
    from kg.files import BOM, read_text
    from kg.lock import writer
    from kg.results import shows_prefixes, write
    from kg.sparql import graph_names, is_update, run_query, run_update
    from kg.stories import known_prefixes
    from kg.target import open_target

    try:
        if (text is None) == (file is None):
            raise QueryError("give the query as an argument or with --file FILE (one of them)")
        body = read_text(file) if file else str(text).removeprefix(BOM)
        source = str(file) if file else "query"
        if is_update(body):
            if not update:
                raise QueryError(f"{source}: this is a SPARQL Update; it changes the store, so it runs only "
                                 "with --update")
            with contextlib.ExitStack() as held:
                if not endpoint:  # no build may swap the store away under the update
                    held.enter_context(writer(store_path(store), "kg sparql --update"))
                run_update(open_target(store, endpoint, writable=True), body, source)
            typer.echo("update applied", err=True)
            return
        if graph:
            graph_names(graph)  # checked here, before any work: one line, exit 5

        def answer() -> None:
            db = open_target(store, endpoint)
            result = run_query(db, body, graphs=graph, source=source)
            write(result, fmt, sys.stdout.buffer, known_prefixes(db) if shows_prefixes(result, fmt) else None)

        _stopping(answer, timeout)
    except KgError as err:
        _fail(err)


@app.command()
def export(fmt: Annotated[str, typer.Option("--format", "-f", help="turtle, trig, ntriples, nquads, jsonld, "
                                            "rdfxml.")] = "turtle",
           graph: Annotated[list[str] | None, typer.Option(
               "--graph", "-g", help="Export only these graphs (IRIs).")] = None,
           inferred: Annotated[bool, typer.Option("--inferred", help="Include the reasoner's graph.")] = False,
           output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
           store: StoreOpt = None, endpoint: EndpointOpt = None) -> None:
    """Export the graph: Turtle for people (sorted, our prefixes and the stories'), or any RDF format; stdout by
    default. Ctrl-C stops it at once and leaves no file behind."""
    from typing import BinaryIO

    from kg.endpoint import RemoteStore
    from kg.export import default_graphs, turtle_prefixes
    from kg.export import export as run_export
    from kg.files import atomic_output, scratch_folder
    from kg.sparql import graph_names
    from kg.target import open_target

    def into(handle: BinaryIO, scratch: Path) -> Callable[[], None]:
        def work() -> None:  # in a child process (kg.worker), which Ctrl-C kills wherever it is in the engine
            db = open_target(store, endpoint)
            graphs = chosen if chosen is not None else default_graphs(db, inferred)
            # The stories' prefixes come from the whole store, not only from the graphs exported.
            prefixes = turtle_prefixes(db) if fmt in ("turtle", "trig", "rdfxml") else None
            if isinstance(db, RemoteStore):
                db = db.copy(graphs)
            run_export(db, handle, fmt, graphs, prefixes, scratch)
            handle.flush()

        return work

    try:
        # Checked here, before any work (one line, exit 5); the child uses what this parsed.
        chosen = graph_names(graph) if graph else None
        # The parent owns the sort's temporary folder, so that it goes even when the child is killed.
        with scratch_folder("kg-export-") as scratch:
            if output is None:
                _stopping(into(sys.stdout.buffer, scratch))
            else:
                with atomic_output(output) as handle:  # a child's failure leaves no half-written file
                    _stopping(into(handle, scratch))
    except KgError as err:
        _fail(err)


@app.command()
def validate(project: ProjectOpt = Path(".")) -> None:
    """Check evidence (quotes against the text) and SHACL shapes; list every violation, per file and node."""
    from kg.build import validate_project

    try:
        problems = validate_project(project)
    except KgError as err:
        _fail(err)
    for problem in problems:
        typer.echo(str(problem))
    errors = sum(p.fails for p in problems)
    if errors:
        typer.echo(f"{errors} violation(s)" + (f", {len(problems) - errors} warning(s)" if errors < len(problems)
                                               else ""), err=True)
        raise typer.Exit(code=3)
    typer.echo("valid: evidence anchored, shapes pass" + (f"; {len(problems)} warning(s)" if problems else ""),
               err=True)


@app.command()
def reason(project: ProjectOpt = Path("."),
           show: Annotated[bool, typer.Option("--show", help="Print the inferred triples as Turtle.")] = False,
           hermit: Annotated[bool, typer.Option("--hermit", help="Run HermiT as well and fail on any triple it "
                                                "and the rules disagree on.")] = False) -> None:
    """Reason over ontology and data with the rules: report consistency and what they infer (no store is
    touched)."""
    import io

    import pyoxigraph as ox

    from kg.build import reason_project
    from kg.export import write_turtle

    try:
        inferred, prefixes = reason_project(project, "hermit" if hermit else "rules")
    except KgError as err:
        _fail(err)
    typer.echo(f"consistent; {len(inferred):,} triples inferred", err=True)
    if show:
        scratch = ox.Store()
        scratch.extend(inferred)
        out = io.BytesIO()
        graphs = sorted({q.graph_name for q in inferred if isinstance(q.graph_name, ox.NamedNode)}, key=str)
        write_turtle(scratch, out, graphs, prefixes)
        _out(out.getvalue())


@app.command()
def stats(store: StoreOpt = None) -> None:
    """Print the store's VoID figures: triples per graph, classes and properties used."""
    from kg.config import store_path
    from kg.info import stats as run_stats
    from kg.store import open_store

    try:
        typer.echo(run_stats(open_store(store_path(store))), nl=False)
    except KgError as err:
        _fail(err)


@app.command()
def info(store: StoreOpt = None) -> None:
    """Say where the store is, when and from which inputs (with their sha256) it was built."""
    from kg.config import store_path
    from kg.info import info as run_info
    from kg.store import open_store

    try:
        path = store_path(store)
        typer.echo(run_info(open_store(path), path), nl=False)
    except KgError as err:
        _fail(err)


@app.command()
def serve(store: StoreOpt = None,
          bind: Annotated[str, typer.Option("--bind", help="Host and port of the SPARQL endpoint (port 0: any free "
                                            "port).")] = "127.0.0.1:7878",
          page_bind: Annotated[str | None, typer.Option(
              "--page-bind", help="Host and port of the canned-query page (default: the endpoint's port + 1).",
              show_default=False)] = None,
          cors: Annotated[bool, typer.Option("--cors", help="Let pages of other origins query the endpoint.")] = False,
          writable: Annotated[bool, typer.Option("--writable", help="Accept SPARQL Update and Graph Store writes.")]
          = False,
          queries: Annotated[Path, typer.Option("--queries", help="Folder of .rq files.")] = Path("queries"),
          curate: Annotated[bool, typer.Option("--curate", help="Also serve /curate: make claims by selecting words "
                                               "and write them to triples/ (loopback only).")] = False) -> None:
    """Serve the store over HTTP: the Oxigraph SPARQL endpoint (YASGUI at /) and a page of the canned queries.

    Read-only unless --writable; on loopback unless --bind says otherwise. Stops cleanly on Ctrl-C or SIGTERM.
    With --curate the page also writes the story files under ./triples/, and only a loopback --bind is accepted.
    """
    from kg.config import store_path
    from kg.serve import run

    try:
        code = run(store_path(store), bind, page_bind=page_bind, cors=cors, writable=writable, queries=queries,
                   say=typer.echo, curate=curate)  # click's echo flushes each line
    except KgError as err:
        _fail(err)
    raise typer.Exit(code=code)


@app.command()
def new(slug: Annotated[str, typer.Argument(help="The story's folder name under triples/, e.g. dock-strike.")],
        article: Annotated[list[Path], typer.Option(
            "--article", "-a", help="A source text (UTF-8), copied byte for byte; repeat for several, in reading "
            "order.")],
        prefix: Annotated[str | None, typer.Option("--prefix", help="The story's prefix (default: the slug's "
                                                   "initials).")] = None,
        title: Annotated[str | None, typer.Option("--title", help="The story's title.")] = None,
        project: ProjectOpt = Path(".")) -> None:
    """Start a story: triples/SLUG/ with the texts, story.ttl, documents.ttl (sha256 computed) and claims.ttl."""
    from kg.authoring import new_story

    try:
        made = new_story(project, slug, article, prefix=prefix, title=title)
    except KgError as err:
        _fail(err)
    for path in made.files:
        typer.echo(str(path))
    typer.echo(f"new story {slug} (prefix {made.prefix}:); next: kg draft {slug}", err=True)


@app.command()
def draft(slug: Annotated[str, typer.Argument(help="The story's folder name under triples/.")],
          accept: Annotated[list[str] | None, typer.Option(
              "--accept", help="Move this drafted claim (a `# draft: ID` of draft.ttl), with the drafted actors and "
              "claims it names, into claims.ttl; repeat for several.")] = None,
          force: Annotated[bool, typer.Option("--force", help="Replace an existing draft.ttl.")] = False,
          project: ProjectOpt = Path(".")) -> None:
    """Propose claims from the story's texts into triples/SLUG/draft.ttl (never built), or accept drafted ones."""
    from kg.draft import accept as accept_drafts
    from kg.draft import draft_story

    try:
        if accept:
            for key in accept_drafts(project, slug, accept):
                typer.echo(key)
            typer.echo(f"accepted into triples/{slug}/claims.ttl; next: kg build", err=True)
            return
        path = draft_story(project, slug, force=force)
    except KgError as err:
        _fail(err)
    drafted = path.read_text(encoding="utf-8").count("\n# draft: ")
    typer.echo(str(path))
    typer.echo(f"{drafted} drafted blocks (claims and actors); accept with kg draft {slug} --accept ID", err=True)


@app.command()
def report(story: Annotated[str, typer.Argument(help="The story: its IRI, prefixed name (pfx:story) or folder name.")],
           output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")],
           store: StoreOpt = None, project: ProjectOpt = Path(".")) -> None:
    """Write one self-contained HTML file: the story's texts with every claim highlighted, the dispute diagram
    and the timeline. It requests nothing from any host (opens from file:// offline); same store, same bytes."""
    from kg.config import store_path
    from kg.report import write_report
    from kg.store import open_store

    try:
        size = write_report(open_store(store_path(store)), story, output, project)
    except KgError as err:
        _fail(err)
    typer.echo(f"wrote {output} ({size:,} bytes)")


from kg.link_cli import link_app  # noqa: E402  (a sub-app of its own module; light to import)

app.add_typer(link_app, name="link")
