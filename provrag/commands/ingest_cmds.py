"""``provrag ingest`` and ``provrag delete``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.markup import escape

from kg.typing import OnDuplicate, OnInvalid
from provrag.commands.common import console, err_console, fail, open_session, usage_error
from provrag.commands.progress import stages
from provrag.exit_codes import ExitCode

if TYPE_CHECKING:
    from ingest.report import DeleteReport, IngestReport
    from retrieval.index_sync import SyncReport

#: bad records listed on the terminal before "... N more in <quarantine file>"
SHOW_INVALID = 20


def _paragraphs(*paras: str) -> str:
    """Help text: one paragraph per argument (the terminal wraps them)."""
    return "\n\n".join(" ".join(p.split()) for p in paras)


INGEST_HELP = _paragraphs(
    "Ingest sample records (JSONL, CSV, Parquet) as one batch.",
    """PATH may be a file, a directory (read recursively) or a glob. Records are streamed in
    chunks; the batch becomes visible in one step when it is complete. Re-ingesting
    identical content is a no-op; changed content under the same id becomes a new revision
    (the old one is kept, invalidated).""",
    """CSV and Parquet carry the JSONL fields, nested ones as dotted columns
    (generation.prompt_version, metadata.product), labels as a JSON column or as
    labels.0.field, labels.0.value, ... columns.""",
    """derived_from names the samples a record was made from (id, or dataset:id for
    another dataset): each must be a current sample, in the graph or in the same input;
    the sample is linked to the revision current then (prov:wasDerivedFrom). A missing
    source makes the record invalid (field derived_from).""",
    """--on-invalid: fail (abort, nothing written), skip, or quarantine (default: each bad
    record goes to <home>/quarantine/<batch>.jsonl with file, line, field and message).
    --on-duplicate is about an id repeated within the input: skip (keep the first,
    default), overwrite (the last one wins) or fail.""",
    """Exit codes: 0 every record went in (or was already there); 3 some records were
    quarantined or skipped; 1 failure (unreadable input, store error, a bad record under
    --on-invalid fail, a duplicate under --on-duplicate fail).""",
)

DELETE_HELP = _paragraphs(
    "Invalidate samples by id, by dataset (version) or by generator config.",
    """Selectors combine (AND): --id (repeatable; with --dataset only in that dataset),
    --dataset [--version], --generator [--prompt-version]. Invalidated samples stay in the
    graph for audit (prov:invalidatedAtTime, a pr:Deletion activity in its own named graph)
    but leave every default query and the search index.""",
    "Exit codes: 0 samples were invalidated; 1 nothing matched, or an error; 64 no selector, "
    "or --version without --dataset / --prompt-version without --generator.",
)


def register(app: typer.Typer) -> None:
    app.command("ingest", help=INGEST_HELP)(ingest)
    app.command("delete", help=DELETE_HELP)(delete)


# --------------------------------------------------------------------- ingest


def ingest(
    ctx: typer.Context,
    paths: Annotated[
        list[str], typer.Argument(help="files, directories or globs", show_default=False)
    ],
    dataset: Annotated[
        str | None, typer.Option("--dataset", help="dataset name for records without one")
    ] = None,
    version: Annotated[
        str | None, typer.Option("--version", help="dataset version for records without one")
    ] = None,
    on_invalid: Annotated[
        OnInvalid,
        typer.Option("--on-invalid", help="what to do with a record that fails validation"),
    ] = "quarantine",
    on_duplicate: Annotated[
        OnDuplicate,
        typer.Option("--on-duplicate", help="what to do with an id repeated within the input"),
    ] = "skip",
    no_ner: Annotated[bool, typer.Option("--no-ner", help="skip entity extraction")] = False,
    no_index: Annotated[
        bool, typer.Option("--no-index", help="do not update the search index afterwards")
    ] = False,
    chunk_size: Annotated[
        int | None,
        typer.Option(
            "--chunk-size", min=1, help="records per chunk (default: settings.chunk_size)"
        ),
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="print only the JSON report on stdout")
    ] = False,
) -> None:
    from provrag.errors import ProvragError
    from provrag.services.ingesting import IngestOptions
    from provrag.services.ingesting import ingest as ingest_service

    options = IngestOptions(
        dataset=dataset,
        version=version,
        on_invalid=on_invalid,
        on_duplicate=on_duplicate,
        ner=not no_ner,
        index=not no_index,
        chunk_size=chunk_size,
    )
    try:
        with open_session(ctx) as session, stages(quiet=json_out) as bar:
            outcome = ingest_service(
                session,
                paths,
                options,
                progress=bar.records("reading records"),
                index_progress=bar.counted("embedding"),
            )
    except ProvragError as exc:
        _fail(str(exc), json_out)
    for note in outcome.notes:
        err_console.print(f"[yellow]NER:[/] {escape(note)}", highlight=False)
    if json_out:
        typer.echo(json.dumps(outcome.to_dict(), indent=2))
    else:
        _print_ingest(outcome.report, outcome.index)
    raise typer.Exit(outcome.exit_code)


def _print_ingest(report: IngestReport, index: SyncReport | None) -> None:
    from rich.table import Table

    if report.batch is not None:
        console.print(f"[bold]batch[/] {report.batch}", highlight=False)
    table = Table(show_header=False, box=None, padding=(0, 2))
    table.add_column("what")
    table.add_column("records", justify="right")
    for key in (
        "read",
        "valid",
        "new",
        "unchanged",
        "revised",
        "quarantined",
        "skipped",
        "triples_added",
    ):
        table.add_row(key.replace("_", " "), f"{getattr(report, key):,}")
    rate = f" ({report.read / report.seconds:,.0f} records/s)" if report.seconds else ""
    table.add_row("seconds", f"{report.seconds:.2f}{rate}")
    console.print(table)
    for f in report.files:
        console.print(
            f"  file {f.path}  sha256 {f.sha256[:16]}...  {f.size:,} bytes",
            highlight=False,
            markup=False,
        )
    if report.memberships_added:
        console.print(
            f"{report.memberships_added} unchanged sample(s) joined dataset "
            "version(s) they were not in yet",
            highlight=False,
        )
    if report.ner is not None:
        note = (
            " [yellow](rule-based fallback: the spaCy model is not installed)[/]"
            if report.ner.fallback
            else ""
        )
        console.print(f"NER: {report.ner.model} {report.ner.version}{note}", highlight=False)
    if index is not None:
        what = "nothing to embed" if not index.embedded else f"embedded {index.embedded} text(s)"
        console.print(
            f"index: {what}, {index.reused} reused from cache, "
            f"{index.removed} removed, {index.total} current sample(s)",
            highlight=False,
        )
    bad = report.read - report.valid
    if bad:
        err_console.print(f"[bold red]{bad} bad record(s)[/]:", highlight=False)
        for item in report.invalid[:SHOW_INVALID]:
            where = f"{item['file']}:{item['line']}"
            field = f" {item['field']}" if item.get("field") else ""
            err_console.print(
                f"  {where}{field}: {item['message']}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        if bad > SHOW_INVALID:
            where = report.quarantine_file or "the quarantine file (--on-invalid quarantine)"
            err_console.print(
                f"  ... {bad - SHOW_INVALID} more in {where}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        elif report.quarantine_file:
            err_console.print(
                f"  quarantined in {report.quarantine_file}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
    for warning in report.warnings:
        console.print(f"[dim]note:[/] {warning}", highlight=False)


# --------------------------------------------------------------------- delete


def delete(
    ctx: typer.Context,
    ids: Annotated[
        list[str] | None, typer.Option("--id", help="external id (repeatable)", show_default=False)
    ] = None,
    dataset: Annotated[str | None, typer.Option("--dataset", help="dataset name")] = None,
    version: Annotated[
        str | None, typer.Option("--version", help="dataset version (needs --dataset)")
    ] = None,
    generator: Annotated[str | None, typer.Option("--generator", help="generator name")] = None,
    prompt_version: Annotated[
        str | None, typer.Option("--prompt-version", help="prompt version (needs --generator)")
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="why; recorded on the deletion")
    ] = None,
    no_index: Annotated[
        bool, typer.Option("--no-index", help="do not update the search index afterwards")
    ] = False,
    json_out: Annotated[
        bool, typer.Option("--json", help="print only the JSON report on stdout")
    ] = False,
    cascade: Annotated[
        bool,
        typer.Option(
            "--cascade",
            help="also invalidate what was derived from them (synthetic questions, "
            "paraphrases...), transitively",
        ),
    ] = False,
) -> None:
    from ingest.errors import SelectorError
    from provrag.errors import ProvragError
    from provrag.services.deleting import DeleteSelector
    from provrag.services.deleting import delete as delete_service

    selector = DeleteSelector(
        ids=ids or (),
        dataset=dataset,
        version=version,
        generator=generator,
        prompt_version=prompt_version,
    )
    try:
        with open_session(ctx) as session, stages(quiet=json_out) as bar:
            outcome = delete_service(
                session,
                selector,
                reason=reason,
                cascade=cascade,
                index=not no_index,
                index_progress=bar.counted("embedding"),
            )
    except SelectorError as exc:  # no selector, or options that do not go together
        _fail(str(exc), json_out, ExitCode.USAGE)
    except ProvragError as exc:
        _fail(str(exc), json_out)
    if json_out:
        typer.echo(json.dumps(outcome.to_dict(), indent=2))
    else:
        _print_delete(outcome.report, outcome.index)
    raise typer.Exit(outcome.exit_code)


def _print_delete(report: DeleteReport, index: SyncReport | None) -> None:
    selector = ", ".join(f"{k}={v}" for k, v in report.selector.items())
    if not report.invalidated:
        err_console.print(
            f"[bold red]nothing matched[/] {selector}: no current sample "
            "has that id / dataset version / generator config (already "
            "deleted or revised samples are not current)",
            highlight=False,
        )
        return
    console.print(
        f"invalidated [bold]{report.invalidated}[/] sample(s) ({selector}) in {report.deletion}",
        highlight=False,
    )
    shown = ", ".join(report.samples[:10])
    more = f" and {report.matched - 10} more" if report.matched > 10 else ""
    console.print(f"  ids: {shown}{more}", highlight=False, markup=False)
    if report.cascaded:
        shown = ", ".join(report.cascaded_samples[:10])
        more = f" and {report.cascaded - 10} more" if report.cascaded > 10 else ""
        console.print(
            f"  derived from them (--cascade): {report.cascaded}: {shown}{more}",
            highlight=False,
            markup=False,
        )
    if index is not None:
        console.print(
            f"index: {index.removed} vector(s) removed, {index.total} current sample(s)",
            highlight=False,
        )


def _fail(message: str, json_out: bool, code: ExitCode = ExitCode.ERROR) -> NoReturn:
    if json_out:
        typer.echo(json.dumps({"error": message, "exit_code": int(code)}))
    if code == ExitCode.USAGE:
        usage_error(message)
    fail(escape(message), code)
