"""Retention: the current samples of a dataset past its period are invalidated, with why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ingest.retention import expire
from kg.graph import KnowledgeGraph
from tests.ingest.ingest_helpers import current_samples, ingest, memory_kg, real, write_jsonl


@pytest.fixture
def kg(tmp_path: Path) -> KnowledgeGraph:
    """kb-0001, kb-0002 in support-kb; kb-0003 in other-kb (all ingested just now)."""
    graph = memory_kg()
    ingest(graph, [write_jsonl(tmp_path / "a.jsonl", [real(1), real(2)])], tmp_path)
    ingest(graph, [write_jsonl(tmp_path / "b.jsonl", [real(3)])], tmp_path, dataset="other-kb")
    return graph


def _later(days: int) -> datetime:
    return datetime.now(UTC) + timedelta(days=days)


def test_samples_past_the_period_are_invalidated_with_the_reason(kg: KnowledgeGraph) -> None:
    report = expire(kg, {"support-kb": ("30d", timedelta(days=30))}, now=_later(31))
    (row,) = report.datasets
    assert (row.dataset, row.expired, row.samples) == ("support-kb", 2, ["kb-0001", "kb-0002"])
    assert set(current_samples(kg)) == {"kb-0003"}
    rows = kg.select(
        "SELECT ?reason ?selector WHERE { ?s prov:wasInvalidatedBy ?x . "
        "?x a pr:RetentionExpiry, pr:Deletion ; pr:reason ?reason ; pr:selector ?selector }"
    )
    assert rows and "support-kb keeps samples for 30d" in rows[0]["reason"]
    assert '"retention": "30d"' in rows[0]["selector"]


def test_samples_within_the_period_stay(kg: KnowledgeGraph) -> None:
    report = expire(kg, {"support-kb": ("30d", timedelta(days=30))}, now=_later(29))
    assert report.expired == 0 and report.datasets[0].activity is None
    assert len(current_samples(kg)) == 3


def test_dry_run_changes_nothing(kg: KnowledgeGraph) -> None:
    report = expire(kg, {"other-kb": ("1d", timedelta(days=1))}, now=_later(2), dry_run=True)
    assert (report.expired, report.datasets[0].samples) == (1, ["kb-0003"])
    assert len(current_samples(kg)) == 3


def test_only_datasets_with_a_period_expire(kg: KnowledgeGraph) -> None:
    expire(kg, {"other-kb": ("1d", timedelta(days=1))}, now=_later(400))
    assert set(current_samples(kg)) == {"kb-0001", "kb-0002"}
