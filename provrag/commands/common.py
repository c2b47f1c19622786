"""Helpers shared by CLI commands: settings and graph from the context, error reporting."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, TypeVar

import typer
from rich.console import Console

# Typer vendors its own click: its usage errors are these, not the click package's
from typer._click.exceptions import UsageError as ClickUsageError

from provrag.exit_codes import ExitCode
from provrag.settings import Settings

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph
    from provrag.services.session import Session

T = TypeVar("T")


class Reported(Protocol):
    """A command's outcome: what ``--json`` prints."""

    def to_dict(self) -> Any: ...


R = TypeVar("R", bound=Reported)

console = Console()
err_console = Console(stderr=True)


def settings_of(ctx: typer.Context) -> Settings:
    obj = ctx.obj
    if not isinstance(obj, Settings):
        from provrag.settings import load_settings

        obj = load_settings()
    return obj


def fail(message: str, code: ExitCode = ExitCode.ERROR) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    sys.exit(code)


def usage_error(message: str, ctx: typer.Context | None = None) -> NoReturn:
    """Stop with a usage error (options that do not go together, a value we do not know):
    the command's usage line and the message; the root command makes it exit 64."""
    raise ClickUsageError(message, ctx)


def open_graph(ctx: typer.Context, *, recover: bool = True) -> KnowledgeGraph:
    """The graph of the command's settings, as a context manager that closes its store.

    A :class:`~kg.errors.ProvragError` raised inside ``with open_graph(ctx) as kg:``
    leaves the block with the store closed (the embedded store's lock released);
    the root command then prints it and exits 1.
    """
    from provrag.wiring import open_kg

    return open_kg(settings_of(ctx), recover=recover)


def open_session(ctx: typer.Context, *, recover: bool = True) -> Session:
    """A :class:`~provrag.services.session.Session` on the command's settings (a context
    manager, like :func:`open_graph`)."""
    from provrag.services.session import Session

    return Session.open(settings_of(ctx), recover=recover)


def with_kg(
    ctx: typer.Context, action: Callable[[KnowledgeGraph], T], *, recover: bool = False
) -> T:
    """Open the graph, run ``action``, close the store; return what ``action`` returned.

    A :class:`~kg.errors.ProvragError` leaves with the store closed (the embedded
    store's lock released) and reaches the root command (message, exit 1).
    """
    with open_graph(ctx, recover=recover) as kg:
        return action(kg)


def echo_outcome(
    outcome: R, json_out: bool, show: Callable[[R], None], *, ensure_ascii: bool = True
) -> None:
    """Print a command's outcome: with ``--json`` its ``to_dict()`` as indented JSON on
    stdout (``ensure_ascii`` as :func:`json.dumps`), else ``show(outcome)``."""
    if json_out:
        typer.echo(json.dumps(outcome.to_dict(), indent=2, ensure_ascii=ensure_ascii))
    else:
        show(outcome)
