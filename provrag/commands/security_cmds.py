"""``provrag token create | list | revoke`` and ``provrag audit``: who may call the
server, and who saw what."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from kg.typing import ROLES

if TYPE_CHECKING:
    from provrag.security.tokens import TokenStore

token_app = typer.Typer(
    help="Make, list and revoke the API tokens of `provrag serve` (stored hashed).",
    no_args_is_help=True,
)


def _store(ctx: typer.Context) -> TokenStore:
    from provrag.commands.common import settings_of
    from provrag.security.tokens import TokenStore

    return TokenStore(settings_of(ctx).tokens_path)


@token_app.command("create")
def create(
    ctx: typer.Context,
    role: Annotated[str, typer.Option("--role", help=" | ".join(ROLES))],
    datasets: Annotated[
        str | None,
        typer.Option("--datasets", help="D1,D2,...: the only datasets it may read (default all)"),
    ] = None,
    expires: Annotated[
        str | None,
        typer.Option("--expires", help="a duration (30d, 12h, 2w) or a date (2026-12-31)"),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help='print {"token", "id", "role"} as JSON')
    ] = False,
) -> None:
    """Make a token and print its secret, once: it is stored only as a hash."""
    import json

    from provrag.commands.common import console, usage_error
    from provrag.errors import UsageError
    from provrag.security.tokens import parse_expiry, parse_role

    try:
        name = parse_role(role)
        until = parse_expiry(expires)
    except UsageError as exc:
        usage_error(str(exc), ctx)
    scopes = None if datasets is None else [d for d in datasets.split(",")]
    secret, record = _store(ctx).create(name, datasets=scopes, expires=until)
    if as_json:
        typer.echo(json.dumps({"token": secret, "id": record.id, "role": record.role}))
        return
    typer.echo(secret)
    console.print(
        f"[dim]token {record.id} (role {record.role}"
        + (f", datasets {', '.join(record.datasets)}" if record.datasets else "")
        + (f", expires {record.expires.isoformat()}" if record.expires else "")
        + "): keep the secret above, it is not shown again[/]",
        highlight=False,
        soft_wrap=True,
    )


@token_app.command("list")
def list_tokens(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="print the tokens as JSON")] = False,
) -> None:
    """List the tokens (ids, roles, scopes, expiry, status; never a secret)."""
    import json

    from rich.table import Table

    from provrag.commands.common import console

    records = _store(ctx).list()
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in records], indent=2))
        return
    table = Table("id", "role", "datasets", "created", "expires", "status")
    for r in records:
        d = r.to_dict()
        table.add_row(
            r.id, r.role, ", ".join(r.datasets) if r.datasets else "(all)",
            d["created"][:19], (d["expires"] or "never")[:19], d["status"],
        )  # fmt: skip
    console.print(table)


@token_app.command("revoke")
def revoke(
    ctx: typer.Context,
    token_id: Annotated[str, typer.Argument(metavar="ID", help="the token's id (token list)")],
) -> None:
    """Revoke a token: the server answers it 401 from its next request on."""
    from provrag.commands.common import console

    record = _store(ctx).revoke(token_id)
    console.print(f"token {record.id} revoked", highlight=False)


def audit(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option("--since", help="a duration back (1h, 7d) or a date/time")
    ] = None,
    who: Annotated[str | None, typer.Option("--who", help="a token id (token list)")] = None,
    sample: Annotated[
        str | None,
        typer.Option("--sample", help="a sample id or IRI: the requests that returned it"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the requests as JSON")] = False,
) -> None:
    """The server's audit trail: who asked what, when, the status and the samples returned."""
    import json

    from rich.table import Table

    from kg.queries.audit import audit_rows
    from provrag.commands.common import console, open_graph, usage_error
    from provrag.errors import UsageError
    from provrag.security.tokens import parse_since

    try:
        start = parse_since(since)
    except UsageError as exc:
        usage_error(str(exc), ctx)
    with open_graph(ctx, recover=False) as kg:
        rows = audit_rows(kg, since=start, who=who, sample=sample)
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in rows], indent=2, ensure_ascii=False))
        return
    table = Table("time", "token", "request", "status", "samples returned")
    for r in rows:
        shown = r.parameters if len(r.parameters) <= 60 else r.parameters[:57] + "..."
        table.add_row(
            r.started.isoformat()[:19], r.token_id, f"{r.method} {r.route} {shown}".strip(),
            str(r.status), "\n".join(r.samples),
        )  # fmt: skip
    console.print(table)
    console.print(f"{len(rows)} request(s)", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(token_app, name="token")
    app.command("audit")(audit)
