"""The quality reads as services: what they refuse and how they say it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.graph import KnowledgeGraph
from kg.store.embedded import OxigraphStore
from provrag.errors import ServiceError, UsageError
from provrag.services.quality import agreement, stats
from tests.ingest.ingest_helpers import ingest, record, write_jsonl


@pytest.fixture
def kg(tmp_path: Path) -> Iterator[KnowledgeGraph]:
    with KnowledgeGraph(OxigraphStore(None)) as graph:
        ingest(graph, [write_jsonl(tmp_path / "kb.jsonl", [record(1), record(2)])], tmp_path)
        yield graph


def test_agreement_on_a_field_without_labels_names_the_fields_there_are(
    kg: KnowledgeGraph,
) -> None:
    with pytest.raises(ServiceError, match=r"'topic'.*label fields in the graph: intent"):
        agreement(kg, "topic")


def test_a_version_needs_its_dataset(kg: KnowledgeGraph) -> None:
    with pytest.raises(UsageError, match="needs --dataset"):
        agreement(kg, "intent", version="1")


def test_every_annotator_kind_counts_when_asked(kg: KnowledgeGraph) -> None:
    assert agreement(kg, "intent", annotator_kinds=None).labels == 2


def test_stats_count_the_current_samples(kg: KnowledgeGraph) -> None:
    assert stats(kg)["by_origin"] == {"synthetic": 2}
