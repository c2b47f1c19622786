"""``provrag index``: sync, rebuild or check the vector + BM25 index against the graph."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from provrag.commands.common import console, open_graph, settings_of
from provrag.commands.progress import counted
from provrag.exit_codes import ExitCode

if TYPE_CHECKING:
    from retrieval.index_sync import CheckReport, SyncReport

#: how many IRIs of each kind ``--check`` prints before "... and N more"
SHOW = 20

HELP = (
    "Bring the search index in step with the graph's current samples.\n\n"
    "Embeds only samples whose text is not cached yet, removes the vectors of deleted or "
    "revised samples and rebuilds BM25. --rebuild starts from an empty index (cached "
    "vectors are reused). --check compares index and graph without changing anything: it "
    "lists current samples missing from the index and indexed samples that are gone or "
    "invalidated.\n\n"
    "Exit codes: 0 in step; 1 error; 2 --check found missing or stale entries."
)


def register(app: typer.Typer) -> None:
    app.command("index", help=HELP)(index)


def index(
    ctx: typer.Context,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="rebuild from the graph (cached vectors reused)")
    ] = False,
    check: Annotated[
        bool,
        typer.Option("--check", help="report missing/stale entries; exit 2 if there are any"),
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    from provrag.services.indexing import update

    settings = settings_of(ctx)
    with open_graph(ctx) as kg, counted("embedding", quiet=json_out) as progress:
        outcome = update(settings, kg, rebuild=rebuild, verify=check, progress=progress)
    if json_out:
        typer.echo(json.dumps(outcome.to_dict(), indent=2))
    else:
        if outcome.sync is not None:
            _print_sync(outcome.sync)
        if outcome.check is not None:
            _print_check(outcome.check)
    if not outcome.ok:
        raise typer.Exit(ExitCode.CHECK_FAILED)


def _print_sync(report: SyncReport) -> None:
    what = (
        "nothing to embed (all texts cached or already indexed)"
        if report.embedded == 0
        else f"embedded {report.embedded} text(s)"
    )
    console.print(
        f"index: {report.total} current sample(s), {report.index_type} index; {what}; "
        f"added {report.added} ({report.reused} from cache), removed {report.removed}, "
        f"unchanged {report.unchanged} in {report.seconds:.2f}s"
        + (f" [dim](full build: {report.reason})[/]" if report.rebuilt and report.reason else ""),
        highlight=False,
    )


def _print_check(report: CheckReport) -> None:
    if report.ok:
        console.print(
            f"[green]index OK[/]: {report.current} current sample(s), all indexed, nothing stale",
            highlight=False,
        )
        return
    for title, iris in (
        ("missing from the index", report.missing),
        ("stale (gone or invalidated)", report.stale),
    ):
        if not iris:
            continue
        console.print(f"[bold red]{len(iris)} {title}[/]:", highlight=False)
        for iri in iris[:SHOW]:
            console.print(f"  {iri}", highlight=False, markup=False)
        if len(iris) > SHOW:
            console.print(f"  ... and {len(iris) - SHOW} more (use --json for all)")
    for note in report.notes[:SHOW]:
        console.print(f"[dim]note: {note}[/]", highlight=False)
    console.print("run `provrag index` to bring the index in step")
