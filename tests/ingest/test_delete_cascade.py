"""delete --cascade: what was derived from the deleted samples goes too, transitively;
and the stale report of a revised source."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.delete import invalidate
from kg.graph import KnowledgeGraph
from kg.queries.impact import stale_samples
from tests.ingest.ingest_helpers import (
    current_samples,
    ingest,
    memory_kg,
    real,
    record,
    write_jsonl,
)


@pytest.fixture
def kg(tmp_path: Path) -> KnowledgeGraph:
    """kb-0010 real; kb-0001 derived from it; kb-0002 derived from kb-0001; kb-0003 alone."""
    graph = memory_kg()
    records = [
        real(10),
        record(1, derived_from=["kb-0010"]),
        record(2, derived_from=["kb-0001"]),
        record(3),
    ]
    ingest(graph, [write_jsonl(tmp_path / "v1.jsonl", records)], tmp_path)
    return graph


def test_cascade_reaches_what_was_derived_transitively(kg: KnowledgeGraph) -> None:
    report = invalidate(kg, ids=["kb-0010"], cascade=True)
    assert (report.matched, report.cascaded, report.invalidated) == (1, 2, 3)
    assert sorted(report.cascaded_samples) == ["kb-0001", "kb-0002"]
    assert set(current_samples(kg)) == {"kb-0003"}


def test_without_cascade_the_derived_samples_stay(kg: KnowledgeGraph) -> None:
    report = invalidate(kg, ids=["kb-0010"])
    assert report.cascaded == 0
    assert set(current_samples(kg)) == {"kb-0001", "kb-0002", "kb-0003"}


def test_a_deleted_source_makes_its_derived_sample_stale(kg: KnowledgeGraph) -> None:
    assert stale_samples(kg) == []
    invalidate(kg, ids=["kb-0010"])
    stale = stale_samples(kg)
    assert [(s.external_id, s.source_id, s.reason) for s in stale] == [
        ("kb-0001", "kb-0010", "deleted")
    ]


def test_a_revised_source_makes_its_derived_sample_stale(
    kg: KnowledgeGraph, tmp_path: Path
) -> None:
    revised = real(10, text="A new text for passage ten.")
    ingest(kg, [write_jsonl(tmp_path / "v2.jsonl", [revised])], tmp_path, version="2")
    stale = stale_samples(kg)
    assert [(s.external_id, s.reason) for s in stale] == [("kb-0001", "revised")]
    assert stale[0].newer is not None
