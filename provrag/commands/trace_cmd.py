"""``provrag trace ID``: the full lineage of a recorded answer or a sample."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from kg.typing import TRACE_FORMATS

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

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
) -> None:
    """Trace an answer or a sample: cited samples, revisions, generator config or
    annotators and guideline, dataset version, ingest batch, source file and sha256."""
    import sys

    from rich.console import Console

    from kg.errors import KGError
    from provrag.app import open_kg
    from provrag.commands.common import console, fail, settings_of, usage_error

    if fmt not in TRACE_FORMATS:
        usage_error(f"unknown --format {fmt!r}; use one of: {', '.join(TRACE_FORMATS)}", ctx)
    settings = settings_of(ctx)
    error: str | None = None
    output: Any = None
    try:
        kg = open_kg(settings, recover=False)
    except KGError as exc:
        fail(str(exc))
    try:
        output = _render(kg, ref, fmt, dataset)
    except KGError as exc:
        error = str(exc)
    finally:
        kg.store.close()
        del kg  # release the embedded store (its lock) before exiting
    if error is not None:
        fail(error)
    if isinstance(output, str):
        sys.stdout.write(output if output.endswith("\n") else output + "\n")
    else:
        # piped output is not folded, so long values (sha256, IRIs) stay whole
        wide = console if console.is_terminal else Console(width=_PIPE_WIDTH)
        wide.print(output)


def _render(kg: KnowledgeGraph, ref: str, fmt: str, dataset: str | None) -> Any:
    """The text (or, for ``tree``, the rich renderable) of the lineage of ``ref``."""
    import json

    from kg.provenance import trace as build_trace
    from provrag.trace_render import render_tree

    node = build_trace(kg, ref, dataset=dataset)
    if fmt == "tree":
        return render_tree(node)
    if fmt == "json":
        return json.dumps(node.to_dict(), indent=2, ensure_ascii=False)
    if fmt == "turtle":
        from kg.provexport import lineage_turtle

        return lineage_turtle(kg, node)
    if fmt == "prov-json":
        from kg.provexport import to_prov_json

        return to_prov_json(node)
    from kg.provexport import to_prov_n

    return to_prov_n(node)


def register(app: typer.Typer) -> None:
    app.command("trace")(trace)
