"""Moving data in and out of the graph: ``export`` and ``import``.

``export`` writes RDF (:mod:`kg.io`) or the networkx lineage graph
(:func:`kg.netview.lineage_graph`); ``import`` loads an RDF file. Both recover
crashed batches first. Library code is imported inside the commands, so
``provrag --help`` stays instant.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kg.typing import (
    EXPORT_FILE_FORMATS,
    EXPORT_FORMATS,
    LINEAGE_GRAPH_FORMATS,
    ExportFileFormat,
    LineageGraphFormat,
    literal_value,
)

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

_EXPORT_EXTENSIONS: dict[str, ExportFileFormat] = {
    ".ttl": "turtle",
    ".nq": "nquads",
    ".trig": "trig",
    ".graphml": "graphml",
    ".gexf": "gexf",
}


def export(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="file to write")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help=f"{' | '.join(EXPORT_FILE_FORMATS)} (default: from the extension)"
        ),
    ] = None,
) -> None:
    """Export the graph to a file.

    RDF: nquads/trig are a full backup, turtle the union of the graphs. graphml/gexf:
    the lineage graph for graph tools (Gephi, Cytoscape, networkx): samples with
    their provenance as attributes, linked to the entities they mention, their
    generator configurations, annotators, dataset versions and source samples.
    """
    from provrag.commands.common import console, usage_error, with_kg

    given = fmt or _EXPORT_EXTENSIONS.get(output.suffix.lower())
    if given is None:
        usage_error(
            f"cannot tell the format of {output} from its extension; "
            f"pass --format ({', '.join(EXPORT_FILE_FORMATS)})",
            ctx,
        )
    name = literal_value(EXPORT_FILE_FORMATS, given)
    if name is None:
        usage_error(
            f"unknown --format {given!r}; use one of: {', '.join(EXPORT_FILE_FORMATS)}", ctx
        )
    graph_format = literal_value(LINEAGE_GRAPH_FORMATS, name)
    if graph_format is not None:
        nodes, edges = with_kg(
            ctx, lambda kg: _write_lineage_graph(kg, output, graph_format), recover=True
        )
        console.print(
            f"exported {nodes} nodes and {edges} edges as {name} to {output}", highlight=False
        )
        return
    rdf_format = literal_value(EXPORT_FORMATS, name)
    if rdf_format is None:  # pragma: no cover - an export format is RDF or a lineage graph
        usage_error(f"unknown --format {name!r}; use one of: {', '.join(EXPORT_FORMATS)}", ctx)
    from kg.io import export_graph

    written = with_kg(ctx, lambda kg: export_graph(kg, output, rdf_format), recover=True)
    console.print(f"exported {written} statements as {name} to {output}", highlight=False)


def _write_lineage_graph(
    kg: KnowledgeGraph, output: Path, fmt: LineageGraphFormat
) -> tuple[int, int]:
    """Write :func:`kg.netview.lineage_graph` with networkx; (nodes, edges) written.

    Like the RDF export, the file appears whole or not at all (written aside, then renamed).
    """
    import os

    import networkx as nx

    from kg.netview import lineage_graph
    from provrag.commands.common import fail

    graph = lineage_graph(kg)
    partial = output.with_name(output.name + ".part")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "graphml":
            nx.write_graphml(graph, partial)
        else:
            nx.write_gexf(graph, partial)
        os.replace(partial, output)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        fail(f"cannot write {output}: {exc}")
    return graph.number_of_nodes(), graph.number_of_edges()


def import_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="RDF file: .ttl .nt .nq .trig .rdf .owl .jsonld")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="RDF format (default: from the extension)")
    ] = None,
    graph: Annotated[
        str | None,
        typer.Option("--graph", help="named graph IRI for the triples (default: one per file)"),
    ] = None,
) -> None:
    """Load an RDF file (a backup, an external vocabulary, a gazetteer) into the graph.

    Triple formats go into one named graph per file; importing the same file twice
    changes nothing. Dataset formats (nquads, trig, jsonld) keep their graphs.
    """
    from kg.io import import_rdf
    from provrag.commands.common import console, with_kg

    report = with_kg(ctx, lambda kg: import_rdf(kg, file, fmt, graph), recover=True)
    if report.already_imported:
        console.print(f"{file} was imported before: nothing to do", highlight=False)
        return
    console.print(
        f"imported {report.statements} statements ({report.added} new) from {file} "
        f"as {report.format} into {len(report.graphs)} graph(s)",
        highlight=False,
    )
    for g in report.graphs:
        console.print(f"  {g}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("import")(import_cmd)
