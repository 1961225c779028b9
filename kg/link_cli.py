"""``kg link ...``: link the story's actors to other datasets. Each command parses its options and calls one
function of :mod:`kg.link`."""

# No `from __future__ import annotations` here: typer reads every command's annotations at each start-up, and
# string annotations cost it an eval each (about 5 ms of `kg`'s start-up for the two CLI modules).
import contextlib
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from kg.errors import KgError
from kg.options import EndpointOpt, StoreOpt

link_app = typer.Typer(
    name="link",
    help="Link the story's actors to other datasets (Wikidata or DBpedia extracts, lists of companies, another "
    "story's graph): add a dataset, discover links, review them, export the linksets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help, as `kg` (kg.cli says why)
)

def _writing(store: Path | None, endpoint: str | None, what: str) -> contextlib.AbstractContextManager[object]:
    """Hold the embedded store's writer lock while a command changes it (no build swaps it away meanwhile)."""
    if endpoint:
        return contextlib.nullcontext()
    from kg.config import store_path
    from kg.lock import writer

    return writer(store_path(store), what, create=True)  # the datasets are kept beside a store not built yet


KindsOpt = Annotated[Path | None, typer.Option(
    "--kinds", help="A file mapping the dataset's own classes to kinds, one 'CLASS KIND' a line (KIND: person, "
    "government, company, news, organisation, other); kept with the dataset for later runs.")]


def _fail(err: KgError) -> NoReturn:
    typer.echo(f"kg: error: {err}", err=True)
    raise typer.Exit(code=err.exit_code)


@link_app.command("add")
def add(file: Annotated[Path, typer.Argument(help="An RDF file (Turtle, N-Triples, N-Quads, TriG, N3, JSON-LD, "
                                             "RDF/XML), read by its extension.")],
        name: Annotated[str, typer.Option("--name", help="Name of the dataset (letters, digits, - and _).")],
        kinds: KindsOpt = None, store: StoreOpt = None, endpoint: EndpointOpt = None) -> None:
    """Add a dataset to link to: kept beside the store for every rebuild, loaded into its own graph."""
    from kg.link import add_dataset

    try:
        with _writing(store, endpoint, "kg link add"):
            info = add_dataset(file, name, store, endpoint, kinds)
    except KgError as err:
        _fail(err)
    build = "kg build --endpoint URL" if endpoint else "kg build"
    where = f"loaded into the {'server' if endpoint else 'store'}" if info.in_store else f"kept; `{build}` loads it"
    typer.echo(f"added {info.name}: {info.triples:,} triples, sha256 {info.sha256[:12]}… ({where})", err=True)
    if info.kinds:
        typer.echo(f"{info.kinds} classes mapped to kinds with {kinds}, kept with the dataset", err=True)
    if info.types is not None and info.types.many:
        typer.echo(f"warning: {info.types.message()}", err=True)


@link_app.command("list")
def list_(store: StoreOpt = None, endpoint: EndpointOpt = None) -> None:
    """List the linked datasets: name, triples, links, sha256, when added, source file."""
    from kg.link import list_datasets

    try:
        datasets = list_datasets(store, endpoint)
    except KgError as err:
        _fail(err)
    where, build = ("server", "kg build --endpoint URL") if endpoint else ("store", "kg build")
    for d in datasets:
        state = "" if d.in_store else f"  (not in the {where} yet: run `{build}`)"
        typer.echo(f"{d.name}  {d.triples:,} triples  {d.links} links  sha256 {d.sha256[:12]}  added {d.added}  "
                   f"{d.source}{state}")
    if not datasets:
        typer.echo("no linked datasets; add one with `kg link add FILE --name NAME`", err=True)


@link_app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="The dataset's name.")], store: StoreOpt = None,
           endpoint: EndpointOpt = None) -> None:
    """Remove a linked dataset and its links (from the store and from what rebuilds load)."""
    from kg.link import remove_dataset

    try:
        with _writing(store, endpoint, "kg link remove"):
            remove_dataset(name, store, endpoint)
    except KgError as err:
        _fail(err)
    typer.echo(f"removed {name} and its links", err=True)


@link_app.command("discover")
def discover(with_: Annotated[str, typer.Option("--with", help="The linked dataset to match against.")],
             threshold: Annotated[float, typer.Option("--threshold", help="Lowest score linked without review.")]
             = 0.8,
             review: Annotated[Path | None, typer.Option(
                 "--review", help="Where to write the candidates left for review (CSV); default "
                 "<store>.links/NAME.review.csv, or with --endpoint links-HOST_PORT-PATH/NAME.review.csv beside "
                 "the store.")] = None,
             kinds: KindsOpt = None, store: StoreOpt = None, endpoint: EndpointOpt = None) -> None:
    """Match the story's actors against a linked dataset; link the sure ones, list the others for review.
    Prints one line per actor: linked, in review or no candidate, and why."""
    from kg.link import discover as run

    try:
        with _writing(store, endpoint, "kg link discover"):
            found = run(with_, store, threshold, review, endpoint, kinds)
    except KgError as err:
        _fail(err)
    if found.types is not None and found.types.many:
        typer.echo(f"warning: {found.types.message()}", err=True)
    for line in found.actors:
        typer.echo(line)
    typer.echo(f"{len(found.linked)} links written to linkset {found.dataset} ({found.kept} accepted earlier kept); "
               f"{len(found.review)} candidates to review in {found.review_file}", err=True)


@link_app.command("accept")
def accept(file: Annotated[Path, typer.Argument(help="A review file with its decision column filled in.")],
           store: StoreOpt = None, endpoint: EndpointOpt = None) -> None:
    """Apply a review file: rows marked accept become links, rows marked reject are never proposed again."""
    from kg.link import accept as run

    try:
        with _writing(store, endpoint, "kg link accept"):
            result = run(file, store, endpoint)
    except KgError as err:
        _fail(err)
    typer.echo(f"{result.accepted} accepted, {result.rejected} rejected, {result.undecided} left undecided",
               err=True)


@link_app.command("export")
def export(name: Annotated[str | None, typer.Option("--name", help="Only this linkset (default: all).")] = None,
           fmt: Annotated[str, typer.Option("--format", "-f", help="turtle or ntriples.")] = "turtle",
           output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
           store: StoreOpt = None, endpoint: EndpointOpt = None) -> None:
    """Export the linksets (links, scores, methods) with their VoID description."""
    from kg.files import atomic_output
    from kg.link import export_links
    from kg.target import open_target

    try:
        db = open_target(store, endpoint)
        if output is None:
            export_links(db, sys.stdout.buffer, name, fmt)
            sys.stdout.buffer.flush()
        else:
            with atomic_output(output) as handle:
                export_links(db, handle, name, fmt)
    except KgError as err:
        _fail(err)
