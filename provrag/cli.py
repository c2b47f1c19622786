"""``provrag`` command line. Heavy libraries are imported inside commands only.

Exit codes: see :class:`provrag.exit_codes.ExitCode` (and ``provrag --help``).
The root command turns every usage error (a mistyped command, option or value)
into exit 64 and every :class:`~kg.errors.ProvragError` a command lets through
into its message on stderr and exit 1, without a traceback (exit 2 for a
:class:`~provrag.errors.ReleaseRefusedError`: a release check said no).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer._click.core import Context as ClickContext
from typer.core import TyperGroup

from kg.typing import StoreKind
from provrag.commands.common import ClickUsageError, err_console
from provrag.errors import ProvragError, ReleaseRefusedError, UsageError
from provrag.exit_codes import ExitCode, epilog


class ProvragGroup(TyperGroup):
    """The root command: usage errors exit 64, a :class:`ProvragError` exits 1."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: ClickContext | None = None,
        **extra: Any,
    ) -> ClickContext:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except ClickUsageError as exc:  # a mistyped root option, no command
            exc.exit_code = ExitCode.USAGE
            raise

    def invoke(self, ctx: ClickContext) -> Any:
        try:
            return super().invoke(ctx)
        except ClickUsageError as exc:  # BadParameter, NoSuchOption, MissingParameter, ...
            exc.exit_code = ExitCode.USAGE
            raise
        except UsageError as exc:
            usage = ClickUsageError(str(exc))
            usage.exit_code = ExitCode.USAGE
            raise usage from None
        except ReleaseRefusedError as exc:  # a check said no, nothing changed
            from rich.markup import escape

            err_console.print(f"[bold red]refused:[/] {escape(str(exc))}", highlight=False)
            raise typer.Exit(ExitCode.CHECK_FAILED) from None
        except ProvragError as exc:
            from rich.markup import escape

            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
            raise typer.Exit(ExitCode.ERROR) from None


app = typer.Typer(
    name="provrag",
    cls=ProvragGroup,
    help="Provenance knowledge graph, graph-enriched retrieval and RAG evaluation.",
    epilog=epilog(),
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
    store: Annotated[StoreKind | None, typer.Option("--store", help="graph store kind")] = None,
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
