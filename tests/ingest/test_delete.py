"""Delete: invalidate by id, dataset version or generator config; keep them for audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.delete import invalidate
from ingest.errors import SelectorError
from kg.graph import KnowledgeGraph
from tests.ingest.ingest_helpers import (
    all_revisions,
    current_samples,
    ingest,
    memory_kg,
    real,
    record,
    registry,
    write_jsonl,
)


@pytest.fixture
def kg(tmp_path: Path) -> KnowledgeGraph:
    """kb-0001..0004 synthetic (prompt versions 1,0,1,0) + kb-0010 real, in support-kb v1;
    kb-0001 in other-kb v1; kb-0020 in support-kb v2."""
    graph = memory_kg()
    records = [record(i) for i in range(1, 5)] + [real(10)]
    ingest(graph, [write_jsonl(tmp_path / "v1.jsonl", records)], tmp_path)
    ingest(graph, [write_jsonl(tmp_path / "other.jsonl", [real(1)])], tmp_path, dataset="other-kb")
    ingest(graph, [write_jsonl(tmp_path / "v2.jsonl", [real(20)])], tmp_path, version="2")
    return graph


def current_of(kg: KnowledgeGraph, dataset: str) -> set[str]:
    rows = kg.select(f"""
        SELECT ?id WHERE {{
          ?s a pr:Sample ; pr:externalId ?id ; pr:inDatasetVersion/pr:datasetName "{dataset}" .
          FILTER NOT EXISTS {{ ?s prov:invalidatedAtTime ?t }}
        }}""")
    return {r["id"] for r in rows}


def test_delete_by_id_within_a_dataset(kg: KnowledgeGraph) -> None:
    report = invalidate(kg, ids=["kb-0001"], dataset="support-kb", reason="customer request")
    assert (report.matched, report.invalidated, report.samples) == (1, 1, ["kb-0001"])
    assert "kb-0001" not in current_of(kg, "support-kb")
    assert current_of(kg, "other-kb") == {"kb-0001"}


def test_delete_by_id_everywhere(kg: KnowledgeGraph) -> None:
    assert invalidate(kg, ids=["kb-0001", "kb-9999"]).invalidated == 2
    assert "kb-0001" not in current_samples(kg)


def test_delete_by_dataset_version(kg: KnowledgeGraph) -> None:
    report = invalidate(kg, dataset="support-kb", version="1")
    assert report.invalidated == 5
    assert current_of(kg, "support-kb") == {"kb-0020"}


def test_delete_a_whole_dataset(kg: KnowledgeGraph) -> None:
    assert invalidate(kg, dataset="support-kb").invalidated == 6
    assert current_samples(kg) == {"kb-0001": "How do I report lost card number 1?"}


def test_delete_by_generator_config(kg: KnowledgeGraph) -> None:
    report = invalidate(kg, generator="faq-paraphraser", prompt_version="1")
    assert sorted(report.samples) == ["kb-0001", "kb-0003"]
    assert current_of(kg, "support-kb") == {"kb-0002", "kb-0004", "kb-0010", "kb-0020"}
    assert invalidate(kg, generator="faq-paraphraser").invalidated == 2  # the rest of it


def test_invalidated_samples_stay_with_their_deletion(kg: KnowledgeGraph) -> None:
    before = all_revisions(kg)
    report = invalidate(kg, ids=["kb-0010"], reason="wrong answer")
    assert all_revisions(kg) == before
    (row,) = kg.select(f"""
        SELECT ?text ?reason ?selector WHERE {{
          ?s pr:externalId "kb-0010" ; pr:text ?text ; prov:invalidatedAtTime ?t ;
             prov:wasInvalidatedBy <{report.deletion}> .
          <{report.deletion}> a pr:Deletion ; pr:reason ?reason ; pr:selector ?selector .
        }}""")
    assert row["reason"] == "wrong answer"
    assert json.loads(row["selector"]) == {"ids": ["kb-0010"]}
    assert registry(kg)[str(report.deletion)] == "committed"


def test_nothing_matched_writes_nothing(kg: KnowledgeGraph) -> None:
    count = kg.triple_count()
    report = invalidate(kg, ids=["no-such-id"])
    assert (report.matched, report.deletion, report.exit_code) == (0, None, 1)
    assert kg.triple_count() == count


def test_a_deleted_sample_is_not_deleted_twice(kg: KnowledgeGraph) -> None:
    assert invalidate(kg, ids=["kb-0002"]).invalidated == 1
    assert invalidate(kg, ids=["kb-0002"]).invalidated == 0


@pytest.mark.parametrize(
    "selector",
    [{}, {"version": "1"}, {"prompt_version": "1"}],
)
def test_selectors_that_make_no_sense_are_refused(
    kg: KnowledgeGraph, selector: dict[str, str]
) -> None:
    with pytest.raises(SelectorError):
        invalidate(kg, **selector)  # type: ignore[arg-type]
