"""Facts about the graph as a whole that tools report next to their results.

(The counts ``provrag stats`` prints are in :mod:`kg.stats`.)
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.graph import KnowledgeGraph


@dataclass(frozen=True, slots=True)
class MentionCounts:
    """How much of the entity graph the samples reach."""

    #: distinct entities mentioned by at least one sample revision
    entities: int
    #: sample-entity links (``pr:mentions`` statements)
    links: int


def mention_counts(kg: KnowledgeGraph) -> MentionCounts:
    """Entities mentioned by samples, and sample-entity links (any revision)."""
    rows = kg.select(
        "SELECT (COUNT(DISTINCT ?e) AS ?entities) (COUNT(*) AS ?links) WHERE { ?s pr:mentions ?e }"
    )
    row = rows[0] if rows else {}
    return MentionCounts(entities=int(row.get("entities", 0)), links=int(row.get("links", 0)))
