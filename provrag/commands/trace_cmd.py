"""``provrag trace ID``: the full lineage of a recorded answer or a sample."""

from __future__ import annotations

from typing import Annotated

import typer

from kg.typing import TRACE_FORMATS

#: width of the tree when stdout is not a terminal
_PIPE_WIDTH = 240


def trace(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="answer id (from `ask --record`), sample external id, or an answer/sample IRI",
        ),
    ],
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help=" | ".join(TRACE_FORMATS), show_default=True),
    ] = "tree",
    dataset: Annotated[
        str | None,
        typer.Option("--dataset", "-d", help="dataset of the sample, when its id is ambiguous"),
    ] = None,
    release: Annotated[
        str | None,
        typer.Option(
            "--release",
            help="trace the release's revision of a sample id ('current': the current one; "
            "default: settings release.serve, else the release promoted last)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Trace an answer or a sample: cited samples, revisions, generator config or
    annotators and guideline, dataset version, ingest batch, source file and sha256."""
    import sys

    from rich.console import Console

    from provrag.commands.common import console, open_graph, usage_error
    from provrag.errors import UsageError
    from provrag.services.tracing import trace as trace_service
    from provrag.services.tracing import trace_format

    try:
        name = trace_format(fmt)
    except UsageError as exc:
        usage_error(str(exc), ctx)
    from provrag.commands.common import settings_of
    from provrag.services.session import Session

    with open_graph(ctx, recover=False) as kg:
        served = Session(settings_of(ctx), kg).release(release)
        output = trace_service(kg, ref, name, dataset=dataset, release=served).document
    if isinstance(output, str):
        sys.stdout.write(output if output.endswith("\n") else output + "\n")
    else:
        # piped output is not folded, so long values (sha256, IRIs) stay whole
        wide = console if console.is_terminal else Console(width=_PIPE_WIDTH)
        wide.print(output)


def register(app: typer.Typer) -> None:
    app.command("trace")(trace)
