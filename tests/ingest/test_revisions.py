"""Revisions: changed content under an id is a new revision; the old one is kept."""

from __future__ import annotations

from pathlib import Path

from ingest.delete import invalidate
from kg import ids
from tests.ingest.ingest_helpers import (
    all_revisions,
    current_samples,
    ingest,
    memory_kg,
    real,
    write_jsonl,
)


def test_changed_text_becomes_a_revision(tmp_path: Path) -> None:
    kg = memory_kg()
    ingest(kg, [write_jsonl(tmp_path / "v1.jsonl", [real(1, text="old"), real(2)])], tmp_path)
    report = ingest(
        kg,
        [write_jsonl(tmp_path / "v2.jsonl", [real(1, text="new"), real(2)])],
        tmp_path,
        on_duplicate="fail",
    )  # a revision is not a duplicate
    assert (report.new, report.revised, report.unchanged) == (0, 1, 1)
    assert current_samples(kg) == {
        "kb-0001": "new",
        "kb-0002": "How do I report lost card number 2?",
    }
    assert all_revisions(kg) == 3
    (row,) = kg.select("""
        SELECT ?new ?old ?at ?by WHERE {
          ?new prov:wasRevisionOf ?old ; pr:text "new" .
          ?old pr:text "old" ; prov:invalidatedAtTime ?at ; prov:wasInvalidatedBy ?by .
        }""")
    assert row["by"] == report.batch
    logical = ids.logical_sample_iri("support-kb", "kb-0001")
    assert kg.ask(
        f"ASK {{ <{row['old']}> prov:specializationOf <{logical}> . "
        f"<{row['new']}> prov:specializationOf <{logical}> }}"
    )


def test_a_chain_of_revisions_has_one_current(tmp_path: Path) -> None:
    kg = memory_kg()
    for n, text in enumerate(["a", "b", "c"]):
        ingest(kg, [write_jsonl(tmp_path / f"{n}.jsonl", [real(1, text=text)])], tmp_path)
    assert current_samples(kg) == {"kb-0001": "c"}
    rows = kg.select(
        'SELECT ?x WHERE { ?c pr:text "c" ; prov:wasRevisionOf ?b . '
        '?b pr:text "b" ; prov:wasRevisionOf ?a . ?a pr:text "a" }'
    )
    assert len(rows) == 1


def test_unchanged_content_joins_a_new_dataset_version(tmp_path: Path) -> None:
    kg = memory_kg()
    path = write_jsonl(tmp_path / "a.jsonl", [real(1)])
    ingest(kg, [path], tmp_path, version="1")
    report = ingest(kg, [path], tmp_path, version="2")
    assert (report.new, report.unchanged, report.memberships_added) == (0, 1, 1)
    assert report.batch is not None
    versions = {
        r["v"]
        for r in kg.select("SELECT ?v WHERE { ?s pr:inDatasetVersion ?dv . ?dv dcat:version ?v }")
    }
    assert versions == {"1", "2"}
    assert all_revisions(kg) == 1


def test_reverting_to_an_earlier_content_is_skipped_with_a_warning(tmp_path: Path) -> None:
    kg = memory_kg()
    ingest(kg, [write_jsonl(tmp_path / "a.jsonl", [real(1, text="a")])], tmp_path)
    ingest(kg, [write_jsonl(tmp_path / "b.jsonl", [real(1, text="b")])], tmp_path)
    report = ingest(kg, [write_jsonl(tmp_path / "c.jsonl", [real(1, text="a")])], tmp_path)
    assert (report.revised, report.skipped) == (0, 1)
    assert any("earlier" in w for w in report.warnings)
    assert current_samples(kg) == {"kb-0001": "b"}


def test_deleted_content_stays_deleted_when_ingested_again(tmp_path: Path) -> None:
    kg = memory_kg()
    path = write_jsonl(tmp_path / "a.jsonl", [real(1)])
    ingest(kg, [path], tmp_path)
    invalidate(kg, ids=["kb-0001"])
    report = ingest(kg, [path], tmp_path)
    assert (report.new, report.skipped) == (0, 1)
    assert any("deleted" in w for w in report.warnings)
    assert current_samples(kg) == {}


def test_changed_content_after_a_delete_is_a_revision_of_the_deleted_one(tmp_path: Path) -> None:
    kg = memory_kg()
    ingest(kg, [write_jsonl(tmp_path / "a.jsonl", [real(1, text="a")])], tmp_path)
    invalidate(kg, ids=["kb-0001"])
    report = ingest(kg, [write_jsonl(tmp_path / "b.jsonl", [real(1, text="b")])], tmp_path)
    assert report.revised == 1
    assert current_samples(kg) == {"kb-0001": "b"}
    # the deleted revision is not invalidated a second time
    rows = kg.select('SELECT ?t WHERE { ?s pr:text "a" ; prov:invalidatedAtTime ?t }')
    assert len(rows) == 1


def test_overwrite_back_to_a_committed_revision_is_skipped_with_a_warning(
    tmp_path: Path,
) -> None:
    kg = memory_kg()
    ingest(kg, [write_jsonl(tmp_path / "a.jsonl", [real(1, text="a")])], tmp_path)
    ingest(kg, [write_jsonl(tmp_path / "b.jsonl", [real(1, text="b")])], tmp_path)
    # in one input: a new revision "c", then back to "a" (committed, invalidated)
    repeats = [real(1, text="c"), real(1, text="a")]
    report = ingest(
        kg,
        [write_jsonl(tmp_path / "c.jsonl", repeats)],
        tmp_path,
        on_duplicate="overwrite",
        chunk_size=1,
    )
    assert (report.revised, report.skipped) == (1, 1)
    assert any("earlier" in w for w in report.warnings)
    assert current_samples(kg) == {"kb-0001": "c"}
    assert all_revisions(kg) == 3
