"""Fixtures of the kg.queries tests: an in-memory graph, and writers of what ingest
and ``provrag delete`` add besides samples (invalidations, entity mentions)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping import (
    MentionSpan,
    SharedNodes,
    deletion_triples,
    extraction_triples,
    invalidation_triples,
    mention_triples,
)
from kg.store.embedded import OxigraphStore


@pytest.fixture
def kg() -> KnowledgeGraph:
    return KnowledgeGraph(OxigraphStore(None))


def invalidate(kg: KnowledgeGraph, sample_iris: Sequence[str], deletion_id: str) -> None:
    """Invalidate samples in a new committed deletion graph (as ``provrag delete`` does)."""
    activity = ids.deletion_iri(deletion_id)
    at = datetime(2026, 11, 2, tzinfo=UTC)
    statements = deletion_triples(activity, {"ids": list(sample_iris)}, "test", at)
    for iri in sample_iris:
        statements += invalidation_triples(iri, activity, at)
    with kg.write_graph(activity) as writer:
        writer.add_statements(statements)


def write_mentions(
    kg: KnowledgeGraph, mentions: dict[str, Sequence[tuple[str, str]]], batch_id: str = "ner-1"
) -> None:
    """``{sample IRI: [(name, TYPE), ...]}``: each sample mentions each named entity."""
    batch = ids.batch_iri(batch_id)
    shared = SharedNodes()
    statements: list[str] = []
    for sample, names in mentions.items():
        spans = [
            MentionSpan(name, 10 * i, 10 * i + len(name), etype, name.lower(), name)
            for i, (name, etype) in enumerate(names)
        ]
        extraction = ids.extraction_iri(sample)
        statements += mention_triples(sample, spans, extraction, shared)
        statements += extraction_triples(extraction, batch, "test-ner", "1", False)
    with kg.write_graph(batch) as writer:
        writer.add_statements(statements)
