"""``provrag quickstart``: the whole job on the bundled example data."""

from __future__ import annotations

import shutil
from typing import Annotated

import typer

from provrag.commands.common import console, fail, settings_of


def quickstart(
    ctx: typer.Context,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="start from an empty project home (deletes it first)")
    ] = False,
    no_eval: Annotated[bool, typer.Option("--no-eval", help="skip the evaluation steps")] = False,
) -> None:
    """Ingest, validate, search, ask, trace, delete and evaluate on the bundled example data.

    Uses the embedded store under the project home (default .provrag); nothing to start
    by hand and nothing downloaded. Exit code 0 when every step went as expected.
    """
    from provrag.quickstart import run_quickstart

    settings = settings_of(ctx)
    if fresh and settings.home.exists():
        if not (settings.home / "store").exists() and any(settings.home.iterdir()):
            fail(f"{settings.home} does not look like a provrag home; not deleting it")
        shutil.rmtree(settings.home)
    raise typer.Exit(run_quickstart(settings, console, with_eval=not no_eval))


def register(app: typer.Typer) -> None:
    app.command("quickstart")(quickstart)
