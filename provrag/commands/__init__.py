"""CLI command modules; each exposes ``register(app)`` and imports heavy code lazily."""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import typer

from provrag.errors import CommandModuleError

#: command modules, in the order their commands appear in ``provrag --help``
MODULES = [
    "provrag.commands.graph_cmds",  # init, sparql, stats, validate
    "provrag.commands.transfer_cmds",  # export, import
    "provrag.commands.ingest_cmds",  # ingest, delete
    "provrag.commands.lifecycle_cmds",  # retention apply, erase
    "provrag.commands.retrieval_cmds",  # search, ask
    "provrag.commands.trace_cmd",  # trace
    "provrag.commands.index_cmd",  # index
    "provrag.commands.eval_cmds",  # eval, report
    "provrag.commands.release_cmds",  # release, lineage
    "provrag.commands.tune_cmd",  # tune
    "provrag.commands.quality_cmds",  # agreement, drift
    "provrag.commands.monitor_cmds",  # coverage, alerts
    "provrag.commands.testset_cmds",  # testset generate, testset validate
    "provrag.commands.quickstart_cmd",  # quickstart
    "provrag.commands.serve_cmd",  # serve
    "provrag.commands.security_cmds",  # token, audit
]


def register_all(app: typer.Typer, modules: Sequence[str] = MODULES) -> None:
    """Register the commands of each module; one that cannot be imported stops it all.

    Raises :class:`~provrag.errors.CommandModuleError` naming the module, with the
    original error (also chained as its cause): a command must never just go missing.
    """
    for name in modules:
        try:
            module = importlib.import_module(name)
        except Exception as exc:
            raise CommandModuleError(
                f"the command module {name} cannot be imported "
                f"({type(exc).__name__}: {exc}); its commands would be missing from "
                "provrag: fix the module, or reinstall provrag (pip install -e .)"
            ) from exc
        module.register(app)
