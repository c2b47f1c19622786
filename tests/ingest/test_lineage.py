"""Derivation lineage at ingest: ``derived_from`` becomes edges to current source revisions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ingest import lineage as ingest_lineage
from ingest.delete import invalidate
from ingest.errors import InvalidRecordError
from kg import ids
from kg.graph import KnowledgeGraph
from tests.ingest.ingest_helpers import (
    current_samples,
    ingest,
    memory_kg,
    normalised_quads,
    raw_store,
    real,
    record,
    write_jsonl,
)

DATASET = "support-kb"
PROV = "http://www.w3.org/ns/prov#"


def question(i: int, *sources: str, **changes: Any) -> dict[str, Any]:
    """A synthetic question made from ``sources``."""
    return record(i, kind="question", derived_from=list(sources), **changes)


def passage(i: int, text: str | None = None) -> dict[str, Any]:
    return real(i, text=text or f"Passage {i}: call us to report a lost card.")


def revision(kg: KnowledgeGraph, external_id: str, dataset: str = DATASET) -> str:
    """The current revision of a sample."""
    logical = ids.logical_sample_iri(dataset, external_id)
    rows = kg.select(
        f"SELECT ?s WHERE {{ ?s prov:specializationOf <{logical}> "
        "FILTER NOT EXISTS { ?s prov:invalidatedAtTime ?t } }"
    )
    assert len(rows) == 1, rows
    return str(rows[0]["s"])


def sources_of(kg: KnowledgeGraph, external_id: str, dataset: str = DATASET) -> set[str]:
    s = revision(kg, external_id, dataset)
    rows = kg.select(f"SELECT ?src WHERE {{ <{s}> prov:wasDerivedFrom ?src }}")
    return {str(r["src"]) for r in rows}


def used_by_generation(kg: KnowledgeGraph, external_id: str) -> set[str]:
    s = revision(kg, external_id)
    rows = kg.select(
        f"SELECT ?x WHERE {{ <{s}> prov:wasGeneratedBy ?g . ?g prov:used ?x . ?x a pr:Sample }}"
    )
    return {str(r["x"]) for r in rows}


def quarantined(tmp_path: Path) -> list[dict[str, Any]]:
    files = list((tmp_path / "quarantine").glob("*.jsonl"))
    assert len(files) == 1
    return [json.loads(line) for line in files[0].read_text(encoding="utf-8").splitlines()]


def test_a_source_in_the_graph_is_linked_by_generation_and_derivation(tmp_path: Path) -> None:
    kg = memory_kg()
    ingest(kg, [write_jsonl(tmp_path / "p.jsonl", [passage(1)])], tmp_path)
    report = ingest(kg, [write_jsonl(tmp_path / "q.jsonl", [question(2, "kb-0001")])], tmp_path)
    assert (report.new, report.quarantined) == (1, 0)
    source = revision(kg, "kb-0001")
    assert sources_of(kg, "kb-0002") == {source}
    assert used_by_generation(kg, "kb-0002") == {source}


def test_a_source_earlier_in_the_same_input_is_linked(tmp_path: Path) -> None:
    kg = memory_kg()
    path = write_jsonl(tmp_path / "in.jsonl", [passage(1), question(2, "kb-0001")])
    report = ingest(kg, [path], tmp_path, chunk_size=1)
    assert (report.new, report.valid) == (2, 2)
    assert sources_of(kg, "kb-0002") == {revision(kg, "kb-0001")}


def test_a_source_later_in_the_input_is_linked_once_it_is_read(tmp_path: Path) -> None:
    kg = memory_kg()
    rows = [question(3, "kb-0002"), question(2, "kb-0001"), passage(1), passage(4)]
    report = ingest(kg, [write_jsonl(tmp_path / "in.jsonl", rows)], tmp_path, chunk_size=1)
    assert (report.new, report.valid, report.quarantined) == (4, 4, 0)
    assert sources_of(kg, "kb-0002") == {revision(kg, "kb-0001")}
    assert sources_of(kg, "kb-0003") == {revision(kg, "kb-0002")}


def test_a_later_record_of_a_waiting_sample_keeps_its_order(tmp_path: Path) -> None:
    kg = memory_kg()
    rows = [question(2, "kb-0001", text="first"), question(2, "kb-0001", text="second")]
    path = write_jsonl(tmp_path / "in.jsonl", [*rows, passage(1)])
    report = ingest(kg, [path], tmp_path, on_duplicate="overwrite")
    assert (report.new, report.revised) == (2, 1)
    assert current_samples(kg)["kb-0002"] == "second"


@pytest.mark.parametrize("chunk_size", [1, 100])
def test_a_missing_source_is_quarantined_with_its_id(tmp_path: Path, chunk_size: int) -> None:
    kg = memory_kg()
    rows = [passage(1), question(2, "kb-0001", "kb-0099"), question(3, "kb-0001")]
    path = write_jsonl(tmp_path / "in.jsonl", rows)
    report = ingest(kg, [path], tmp_path, chunk_size=chunk_size)
    assert (report.read, report.valid, report.new, report.quarantined) == (3, 2, 2, 1)
    assert report.exit_code == 3
    (entry,) = quarantined(tmp_path)
    assert (entry["file"], entry["line"], entry["field"]) == (str(path), 2, "derived_from")
    assert "'kb-0099'" in entry["message"] and "'kb-0001'" not in entry["message"]
    assert json.loads(entry["record"])["id"] == "kb-0002"
    assert report.invalid[0]["field"] == "derived_from"
    assert set(current_samples(kg)) == {"kb-0001", "kb-0003"}


def test_a_missing_source_fails_the_batch_under_fail(tmp_path: Path) -> None:
    kg = memory_kg()
    path = write_jsonl(tmp_path / "in.jsonl", [passage(1), question(2, "kb-0099")])
    with pytest.raises(InvalidRecordError, match="kb-0099") as err:
        ingest(kg, [path], tmp_path, on_invalid="fail", chunk_size=1)
    assert (err.value.field, err.value.line) == ("derived_from", 2)
    assert current_samples(kg) == {}


def test_a_missing_source_is_skipped_under_skip(tmp_path: Path) -> None:
    kg = memory_kg()
    path = write_jsonl(tmp_path / "in.jsonl", [passage(1), question(2, "kb-0099")])
    report = ingest(kg, [path], tmp_path, on_invalid="skip")
    assert (report.new, report.skipped, report.quarantined) == (1, 1, 0)
    assert report.quarantine_file is None
    assert set(current_samples(kg)) == {"kb-0001"}


def test_a_deleted_source_is_missing(tmp_path: Path) -> None:
    kg = memory_kg()
    ingest(kg, [write_jsonl(tmp_path / "p.jsonl", [passage(1)])], tmp_path)
    invalidate(kg, ids=["kb-0001"])
    report = ingest(kg, [write_jsonl(tmp_path / "q.jsonl", [question(2, "kb-0001")])], tmp_path)
    assert (report.new, report.quarantined) == (0, 1)


def test_sources_that_wait_on_each_other_are_both_invalid(tmp_path: Path) -> None:
    kg = memory_kg()
    rows = [question(1, "kb-0002"), question(2, "kb-0001")]
    report = ingest(kg, [write_jsonl(tmp_path / "in.jsonl", rows)], tmp_path)
    assert (report.new, report.quarantined, report.valid) == (0, 2, 0)
    assert {e["line"] for e in quarantined(tmp_path)} == {1, 2}


def test_a_source_in_another_dataset(tmp_path: Path) -> None:
    kg = memory_kg()
    ingest(kg, [write_jsonl(tmp_path / "p.jsonl", [passage(1)])], tmp_path, dataset="manuals")
    path = write_jsonl(tmp_path / "q.jsonl", [question(2, "manuals:kb-0001"), question(3, "kb-1")])
    report = ingest(kg, [path], tmp_path)
    assert (report.new, report.quarantined) == (1, 1)
    assert sources_of(kg, "kb-0002") == {revision(kg, "kb-0001", "manuals")}
    assert "'kb-1'" in quarantined(tmp_path)[0]["message"]


def test_the_edge_stays_on_the_revision_current_at_ingest(tmp_path: Path) -> None:
    kg = memory_kg()
    path = write_jsonl(tmp_path / "v1.jsonl", [passage(1), question(2, "kb-0001")])
    ingest(kg, [path], tmp_path)
    old = revision(kg, "kb-0001")
    v2 = [passage(1, "Passage 1, revised: report a lost card in the app."), question(3, "kb-0001")]
    report = ingest(kg, [write_jsonl(tmp_path / "v2.jsonl", v2)], tmp_path, version="2")
    assert (report.revised, report.new) == (1, 1)
    new = revision(kg, "kb-0001")
    assert new != old
    assert sources_of(kg, "kb-0002") == {old}
    assert sources_of(kg, "kb-0003") == {new}


def test_reingesting_the_same_input_changes_nothing(tmp_path: Path) -> None:
    kg = memory_kg()
    rows = [question(3, "kb-0001"), passage(1), question(2, "kb-0001", "kb-0003")]
    path = write_jsonl(tmp_path / "in.jsonl", rows)
    ingest(kg, [path], tmp_path)
    before = normalised_quads(raw_store(kg))
    again = ingest(kg, [path], tmp_path)
    assert (again.new, again.unchanged, again.quarantined) == (0, 3, 0)
    assert again.batch is None
    assert normalised_quads(raw_store(kg)) == before


def test_changing_the_sources_makes_a_new_revision(tmp_path: Path) -> None:
    kg = memory_kg()
    ingest(kg, [write_jsonl(tmp_path / "a.jsonl", [passage(1), passage(4)])], tmp_path)
    ingest(kg, [write_jsonl(tmp_path / "b.jsonl", [question(2, "kb-0001")])], tmp_path)
    report = ingest(kg, [write_jsonl(tmp_path / "c.jsonl", [question(2, "kb-0004")])], tmp_path)
    assert report.revised == 1
    assert sources_of(kg, "kb-0002") == {revision(kg, "kb-0004")}


def test_only_chunks_with_sources_to_link_ask_the_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[set[str]] = []
    lookup = ingest_lineage.current_revision_iris

    def spy(kg: KnowledgeGraph, logical_iris: set[str]) -> dict[str, str]:
        calls.append(set(logical_iris))
        return lookup(kg, logical_iris)

    monkeypatch.setattr(ingest_lineage, "current_revision_iris", spy)
    kg = memory_kg()
    ingest(kg, [write_jsonl(tmp_path / "a.jsonl", [passage(1)])], tmp_path)
    ingest(kg, [write_jsonl(tmp_path / "b.jsonl", [passage(2), record(3)])], tmp_path)
    assert calls == []
    ingest(kg, [write_jsonl(tmp_path / "c.jsonl", [question(4, "kb-0001")])], tmp_path)
    assert calls == [{ids.logical_sample_iri(DATASET, "kb-0001")}]
