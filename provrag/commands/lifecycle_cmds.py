"""``provrag retention apply`` and ``provrag erase``: the end of a sample's life."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.markup import escape

from provrag.commands.common import R, console, echo_outcome, fail, open_session
from provrag.commands.progress import stages
from provrag.exit_codes import ExitCode

if TYPE_CHECKING:
    from provrag.services.erasing import EraseOutcome
    from provrag.services.retention import RetentionOutcome
    from provrag.services.session import Session

RETENTION_HELP = (
    "Retention periods per dataset ([retention] in provrag.toml, e.g. "
    '"support-kb" = "365d"; units s, m, h, d, w, y).'
)
APPLY_HELP = (
    "Invalidate the current samples of every dataset with a retention period whose ingest "
    "time is older than the period (one pr:RetentionExpiry activity per dataset, with the "
    "reason and cut-off), then take them out of the index. --dry-run lists them only."
)

ERASE_HELP = (
    "Erase a sample (admin; on the command line, the local user): its text, labels, "
    "metadata and mentions, in every revision, and those of every sample derived from it, "
    "leave the graph, the vector and BM25 indexes, the embedding cache, the quarantine "
    "files and every other file under the home (exports, runs, releases; a file that "
    "cannot be rewritten is deleted and listed). The embedded store is rewritten. A "
    "provenance skeleton stays: ids, content hashes, derivations, and a pr:Erasure "
    "activity with who, when and why."
)

JsonReport = Annotated[bool, typer.Option("--json", help="print only the JSON report on stdout")]


def register(app: typer.Typer) -> None:
    retention_app = typer.Typer(help=RETENTION_HELP, no_args_is_help=True)
    retention_app.command("apply", help=APPLY_HELP)(retention_apply)
    app.add_typer(retention_app, name="retention")
    app.command("erase", help=ERASE_HELP)(erase)


# ------------------------------------------------------------------ retention


def retention_apply(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="report what would expire, change nothing")
    ] = False,
    no_index: Annotated[
        bool, typer.Option("--no-index", help="do not update the search index afterwards")
    ] = False,
    json_out: JsonReport = False,
) -> None:
    from provrag.services.retention import apply

    _run(
        ctx,
        json_out,
        lambda session, progress: apply(
            session, dry_run=dry_run, index=not no_index, index_progress=progress
        ),
        _print_retention,
    )


def _print_retention(outcome: RetentionOutcome) -> None:
    report = outcome.report
    if not report.datasets:
        console.print(
            'no retention period set: add [retention] to provrag.toml, e.g. "support-kb" = "365d"',
            highlight=False,
            markup=False,
        )
        return
    verb = "would expire" if report.dry_run else "expired"
    for row in report.datasets:
        shown = ", ".join(row.samples[:10])
        more = f" and {row.expired - 10} more" if row.expired > 10 else ""
        console.print(
            f"{row.dataset} (keeps {row.period}, ingested before {row.cutoff:%Y-%m-%d %H:%M} "
            f"UTC): {verb} {row.expired} sample(s){': ' + shown + more if shown else ''}",
            highlight=False,
            markup=False,
        )
    if outcome.index is not None:
        console.print(
            f"index: {outcome.index.removed} vector(s) removed, "
            f"{outcome.index.total} current sample(s)",
            highlight=False,
        )


# ---------------------------------------------------------------------- erase


def erase(
    ctx: typer.Context,
    external_id: Annotated[str, typer.Option("--id", help="external id of the sample")],
    dataset: Annotated[str, typer.Option("--dataset", help="its dataset")],
    reason: Annotated[str, typer.Option("--reason", help="why; recorded on the erasure")],
    json_out: JsonReport = False,
) -> None:
    import getpass

    from provrag.services.erasing import erase as erase_service

    _run(
        ctx,
        json_out,
        lambda session, progress: erase_service(
            session,
            external_id=external_id,
            dataset=dataset,
            reason=reason,
            who=getpass.getuser(),
            index_progress=progress,
        ),
        _print_erase,
    )


def _print_erase(outcome: EraseOutcome) -> None:
    report = outcome.report
    derived = [s.external_id for s in report.samples if s.derived]
    named = sum(1 for s in report.samples if not s.derived)
    console.print(
        f"erased {report.selector['dataset']}/{report.selector['id']} ({named} revision(s))"
        + (f" and {len(derived)} derived revision(s): {', '.join(derived)}" if derived else "")
        + f" in {report.erasure}",
        highlight=False,
        markup=False,
    )
    console.print(
        f"graph: {report.entities_removed} entit(ies) removed, {report.literals_scrubbed} "
        f"other literal(s) scrubbed; store rewritten: {outcome.store_rewritten}",
        highlight=False,
    )
    if outcome.index is not None:
        console.print(
            f"index: rebuilt over {outcome.index.total} current sample(s); "
            f"{outcome.cache_rows_removed} cached vector(s) removed",
            highlight=False,
        )
    files = outcome.files
    console.print(
        f"files: {files.scanned} scanned, {len(files.rewritten)} rewritten, "
        f"{len(files.vacuumed)} database(s) vacuumed, {len(files.removed)} removed",
        highlight=False,
    )
    for name in files.removed:
        console.print(
            f"  removed {name}: it held the erased text and cannot be rewritten; rebuild it",
            highlight=False,
            markup=False,
        )


def _run(
    ctx: typer.Context,
    json_out: bool,
    action: Callable[[Session, Callable[[int, int], None]], R],
    show: Callable[[R], None],
) -> NoReturn:
    """Run ``action`` on a session, with the embedding progress (none with --json), print
    its outcome (JSON with --json) and exit 0; a ProvragError is reported (also as JSON
    with --json) and exits 1."""
    from provrag.errors import ProvragError

    try:
        with open_session(ctx) as session, stages(quiet=json_out) as bar:
            outcome = action(session, bar.counted("embedding"))
    except ProvragError as exc:
        _fail(str(exc), json_out)
    echo_outcome(outcome, json_out, show)
    raise typer.Exit(ExitCode.OK)


def _fail(message: str, json_out: bool, code: ExitCode = ExitCode.ERROR) -> NoReturn:
    if json_out:
        typer.echo(json.dumps({"error": message, "exit_code": int(code)}))
    fail(escape(message), code)
