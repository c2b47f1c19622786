"""``provrag serve``: the HTTP API on one host and port."""

from __future__ import annotations

from typing import Annotated

import typer

from provrag.commands.common import settings_of


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8765,
) -> None:
    """Serve the HTTP API: SPARQL 1.1 Protocol at /sparql, /search, /ask, /trace/{id},
    /samples/{id}, POST /ingest and /jobs/{id}, /eval/runs, /health, /metrics
    (docs/server.md; OpenAPI at /openapi.json), and the provenance explorer page at /
    (open it in a browser)."""
    import uvicorn

    from provrag.server import create_app

    uvicorn.run(create_app(settings_of(ctx)), host=host, port=port, log_level="info")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
