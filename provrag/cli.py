"""``provrag`` command line. Heavy libraries are imported inside commands only.

Exit codes: 0 success; 1 failure (bad usage, unreadable input, store error);
2 a KPI gate missed (``eval``) or ``index --check`` found a problem;
3 ingest finished but some records were quarantined or skipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="provrag",
    help="Provenance knowledge graph, graph-enriched retrieval and RAG evaluation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option("--home", envvar="PROVRAG_HOME", help="project home (default .provrag)"),
    ] = None,
    store: Annotated[str | None, typer.Option("--store", help="embedded | memory | remote")] = None,
    store_url: Annotated[
        str | None, typer.Option("--store-url", help="SPARQL endpoint base URL (remote store)")
    ] = None,
) -> None:
    from provrag.settings import load_settings

    ctx.obj = load_settings(home, store=store, store_url=store_url)


def _register() -> None:
    from provrag.commands import register_all

    register_all(app)


_register()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
