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
    (open it in a browser).

    Every route but /health and the API description needs a token (provrag token
    create); see README, Security."""
    import uvicorn

    from provrag.commands.common import err_console
    from provrag.server import create_app

    settings = settings_of(ctx)
    if not settings.security.auth:
        err_console.print(
            "[bold red]WARNING: security is off (security.auth = false): no tokens, no "
            "clearances, no audit. Anyone who can reach "
            f"{host}:{port} reads every sample, restricted ones included, and writes.[/]",
            highlight=False,
        )
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
