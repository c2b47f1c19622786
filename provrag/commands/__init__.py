"""CLI command modules; each exposes ``register(app)`` and imports heavy code lazily."""

from __future__ import annotations

import importlib

import typer

#: command modules, in the order their commands appear in ``provrag --help``
MODULES = [
    "provrag.commands.graph_cmds",  # init, sparql, stats, validate, export, import
    "provrag.commands.ingest_cmds",  # ingest, delete
    "provrag.commands.retrieval_cmds",  # search, ask
    "provrag.commands.trace_cmd",  # trace
    "provrag.commands.index_cmd",  # index
    "provrag.commands.eval_cmds",  # eval, report
    "provrag.commands.quality_cmds",  # agreement, drift
    "provrag.commands.quickstart_cmd",  # quickstart
    "provrag.commands.serve_cmd",  # serve
]


def register_all(app: typer.Typer) -> None:
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # not written yet
            raise
        module.register(app)
