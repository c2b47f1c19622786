"""``provrag quickstart``: the whole job on the bundled example data."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from provrag.commands.common import console, settings_of
from provrag.errors import ServiceError
from provrag.exit_codes import ExitCode

#: where the tour runs unless --home / PROVRAG_HOME names another place
DEFAULT_HOME = Path(".provrag-quickstart")
#: file that marks a home as made by quickstart, so a re-run may start it afresh
MARKER = ".quickstart"


def quickstart(
    ctx: typer.Context,
    no_eval: Annotated[bool, typer.Option("--no-eval", help="skip the evaluation steps")] = False,
) -> None:
    """Ingest, validate, search, ask, trace, delete and evaluate on the bundled example data.

    Runs in a project home of its own (default .provrag-quickstart, embedded store),
    started afresh on every run; a --home that holds other data is refused, never
    deleted. Nothing to start by hand, nothing downloaded. Exit code 0 when every
    step went as expected.
    """
    from provrag.quickstart import run_quickstart

    settings = settings_of(ctx)
    explicit = (ctx.parent is not None and ctx.parent.params.get("home")) or os.environ.get(
        "PROVRAG_HOME"
    )
    home = settings.home if explicit else DEFAULT_HOME
    if home.exists() and any(home.iterdir()):
        if not (home / MARKER).exists():
            raise ServiceError(
                f"{home} holds data that quickstart did not make; quickstart starts from an "
                "empty home: name another with --home"
            )
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)
    (home / MARKER).write_text("made by provrag quickstart; deleted by its next run\n")
    settings = settings.model_copy(update={"home": home})
    run_command = in_process(ctx.find_root().command)
    raise typer.Exit(run_quickstart(settings, console, run_command, with_eval=not no_eval))


def in_process(command: Any) -> Callable[[list[str]], int]:  # noqa: ANN401 - a click command
    """A runner of ``provrag`` command lines on ``command`` (the root command) in this
    process: each returns its exit code instead of exiting."""

    def run(args: list[str]) -> int:
        try:
            result = command.main(args=args, prog_name="provrag", standalone_mode=False)
        except SystemExit as exc:
            if isinstance(exc.code, int):
                return exc.code
            return ExitCode.OK if exc.code is None else ExitCode.ERROR
        except Exception as exc:  # usage errors (exit_code 64) and other click errors
            code = int(getattr(exc, "exit_code", ExitCode.ERROR))
            if code:
                console.print(f"[red]{type(exc).__name__}: {exc}", highlight=False)
            return code
        return result if isinstance(result, int) else ExitCode.OK

    return run


def register(app: typer.Typer) -> None:
    app.command("quickstart")(quickstart)
