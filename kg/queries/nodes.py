"""Which nodes the committed graph already describes.

A writer that mints shared nodes (generator configs, agents, guidelines, entities,
datasets, source files) asks this before it writes them, so a node described by an
earlier batch is not described again.
"""

from __future__ import annotations

from collections.abc import Iterable

from kg.graph import KnowledgeGraph
from kg.queries.rows import select_rows, value_of


def described_nodes(kg: KnowledgeGraph, nodes: Iterable[str]) -> set[str]:
    """The IRIs among ``nodes`` that have a class (``?n a ?t``) in the graph; one query."""
    wanted = sorted(set(nodes))
    if not wanted:
        return set()
    values = " ".join(f"<{n}>" for n in wanted)
    rows = select_rows(kg, f"SELECT DISTINCT ?n WHERE {{ VALUES ?n {{ {values} }} ?n a ?t }}")
    return {value_of(row["n"]) for row in rows}
