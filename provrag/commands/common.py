"""Helpers shared by CLI commands: settings from the context, error reporting."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import typer
from rich.console import Console

# Typer vendors its own click: its usage errors are these, not the click package's
from typer._click.exceptions import UsageError as ClickUsageError

from provrag.exit_codes import ExitCode
from provrag.settings import Settings

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

T = TypeVar("T")

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


def with_kg(
    ctx: typer.Context,
    action: Callable[[KnowledgeGraph], T],
    *,
    recover: bool = False,
    errors: tuple[type[Exception], ...] = (),
) -> T:
    """Open the graph, run ``action``, close the store, and only then report errors.

    provrag errors (any :class:`~kg.errors.ProvragError`) and ``errors`` are
    reported. Failing after the store is released matters for the embedded store:
    its lock goes with the last reference, and a traceback would keep one alive.
    """
    from kg.errors import KGError, ProvragError
    from provrag.app import open_kg

    caught: tuple[type[Exception], ...] = (ProvragError, *errors)
    error: str | None = None
    try:
        kg = open_kg(settings_of(ctx), recover=recover)
    except KGError as exc:
        error = str(exc)
    if error is not None:
        fail(error)
    result: Any = None
    try:
        result = action(kg)
    except caught as exc:
        error = str(exc)
    finally:
        kg.store.close()
        del kg
    if error is not None:
        fail(error)
    return result  # type: ignore[no-any-return]
