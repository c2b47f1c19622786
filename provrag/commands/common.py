"""Helpers shared by CLI commands: settings from the context, error reporting."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer
from rich.console import Console

from provrag.settings import Settings

console = Console()
err_console = Console(stderr=True)


def settings_of(ctx: typer.Context) -> Settings:
    obj = ctx.obj
    if not isinstance(obj, Settings):
        from provrag.settings import load_settings

        obj = load_settings()
    return obj


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    sys.exit(code)
