"""Batch ingest: formats, idempotency, bad input policies, duplicates, batch provenance."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingest.errors import DuplicateRecordError, InvalidRecordError
from ingest.ner import EntityExtractor
from kg.graph import KnowledgeGraph
from tests.ingest.ingest_helpers import (
    all_revisions,
    current_samples,
    ingest,
    memory_kg,
    normalised_quads,
    raw_store,
    real,
    record,
    registry,
    write_jsonl,
)


def flatten(rec: dict[str, Any]) -> dict[str, str]:
    """A record as one CSV row: dotted columns, labels as a JSON column."""
    row: dict[str, str] = {}
    for key, value in rec.items():
        if key == "labels":
            row["labels"] = json.dumps(value)
        elif isinstance(value, dict):
            for sub, v in value.items():
                if isinstance(v, dict):
                    for leaf, x in v.items():
                        row[f"{key}.{sub}.{leaf}"] = json.dumps(x)
                else:
                    row[f"{key}.{sub}"] = str(v)
        else:
            row[key] = str(value)
    return row


def sample_graph(kg: KnowledgeGraph, batch: str | None, files: set[str]) -> set[str]:
    """The batch's quads without its own node, its files and the graph names."""
    assert batch is not None
    out = set()
    for quad in normalised_quads(raw_store(kg)):
        s = quad.split(" ", 1)[0].strip("<>")
        if s == batch or s in files or "graph/registry" in quad:
            continue
        out.add(quad.replace(f"<{batch}>", "<BATCH>").rsplit(" <", 1)[0])
    return out


def test_jsonl_csv_and_parquet_give_the_same_graph(tmp_path: Path) -> None:
    records = [record(1), record(2, labels=None), real(3)]
    jsonl = write_jsonl(tmp_path / "in.jsonl", records)
    rows = [flatten(r) for r in records]
    columns = list(dict.fromkeys(k for row in rows for k in row))
    with (tmp_path / "in.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    pq.write_table(pa.Table.from_pylist(records), tmp_path / "in.parquet")
    graphs = []
    for path in (jsonl, tmp_path / "in.csv", tmp_path / "in.parquet"):
        kg = memory_kg()
        report = ingest(kg, [path], tmp_path)
        assert report.new == 3, report.invalid
        files = {f"https://w3id.org/provrag/id/file/{f.sha256}" for f in report.files}
        graphs.append(sample_graph(kg, report.batch, files))
    assert graphs[0] == graphs[1] == graphs[2]


def test_same_file_twice_is_a_no_op(tmp_path: Path) -> None:
    kg = memory_kg()
    path = write_jsonl(tmp_path / "in.jsonl", [record(i) for i in range(5)])
    first = ingest(kg, [path], tmp_path)
    count = kg.triple_count()
    second = ingest(kg, [path], tmp_path)
    assert (first.new, second.new, second.unchanged) == (5, 0, 5)
    assert second.batch is None and second.triples_added == 0
    assert kg.triple_count() == count
    assert second.exit_code == 0


def test_triples_added_is_what_the_graph_gained(tmp_path: Path) -> None:
    kg = memory_kg()
    report = ingest(kg, [write_jsonl(tmp_path / "a.jsonl", [record(1), record(2)])], tmp_path)
    assert report.triples_added == kg.triple_count() > 0


def test_ingest_brings_the_ontology_along(tmp_path: Path) -> None:
    kg = memory_kg()
    ingest(kg, [write_jsonl(tmp_path / "a.jsonl", [record(1)])], tmp_path)
    # a sample is typed pr:Sample only; that it is a PROV entity follows from the ontology
    assert not kg.ask("ASK { ?s a pr:Sample , prov:Entity }")
    assert kg.ask("ASK { ?s a pr:Sample ; a/rdfs:subClassOf* prov:Entity }")


def test_chunking_does_not_change_the_graph(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [record(i) for i in range(7)])
    one, many = memory_kg(), memory_kg()
    ingest(one, [path], tmp_path, chunk_size=1000)
    ingest(many, [path], tmp_path, chunk_size=2)
    assert normalised_quads(raw_store(one)) == normalised_quads(raw_store(many))


def test_shared_nodes_are_written_once_across_batches(tmp_path: Path) -> None:
    kg = memory_kg()
    ingest(kg, [write_jsonl(tmp_path / "a.jsonl", [record(1)])], tmp_path)
    ingest(kg, [write_jsonl(tmp_path / "b.jsonl", [record(3)])], tmp_path)  # same config
    rows = kg.select("SELECT ?g WHERE { GRAPH ?g { ?c a pr:GeneratorConfig } }")
    assert len(rows) == 1
    rows = kg.select("SELECT ?g WHERE { GRAPH ?g { ?d a pr:DatasetVersion } }")
    assert len(rows) == 1
    assert len(current_samples(kg)) == 2


MIXED = [
    json.dumps(real(1)),
    '{"id": "kb-0002", "text": "broken',  # broken JSON line
    json.dumps(real(3, text=None)),  # missing text
    json.dumps(real(4, origin="alien")),
    json.dumps(record(5, generation=None)),  # synthetic without generation
    json.dumps(record(6, generation={"generator": "g", "generated_at": "2026-13-45"})),
    json.dumps(real(7, foo="bar")),  # unknown top-level field
    json.dumps(record(8)),
]


def test_mixed_file_good_records_in_bad_ones_quarantined(tmp_path: Path) -> None:
    kg = memory_kg()
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(MIXED) + "\n")
    report = ingest(kg, [path], tmp_path)
    assert (report.read, report.valid, report.new, report.quarantined) == (8, 2, 2, 6)
    assert report.exit_code == 3
    assert set(current_samples(kg)) == {"kb-0001", "kb-0008"}
    assert report.quarantine_file is not None
    lines = [json.loads(x) for x in Path(report.quarantine_file).read_text().splitlines()]
    assert [e["line"] for e in lines] == [2, 3, 4, 5, 6, 7]
    by_line = {e["line"]: e for e in lines}
    assert by_line[3]["field"] == "text"
    assert "'alien'" in by_line[4]["message"]
    assert by_line[5]["field"] == "generation"
    assert by_line[6]["field"] == "generation.generated_at"
    assert by_line[7]["field"] == "foo"
    assert all(e["file"] == str(path) and e["record"] for e in lines)
    assert by_line[2]["record"] == MIXED[1]


def test_on_invalid_fail_writes_nothing(tmp_path: Path) -> None:
    kg = memory_kg()
    ingest(kg, [write_jsonl(tmp_path / "a.jsonl", [record(1)])], tmp_path)
    before = kg.triple_count()
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(MIXED) + "\n")
    with pytest.raises(InvalidRecordError) as err:
        ingest(kg, [path], tmp_path, on_invalid="fail", chunk_size=1)
    assert (err.value.line, str(path)) == (2, err.value.file)
    assert kg.triple_count() == before
    assert "open" not in registry(kg).values()


def test_on_invalid_skip_counts_without_a_quarantine_file(tmp_path: Path) -> None:
    kg = memory_kg()
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(MIXED) + "\n")
    report = ingest(kg, [path], tmp_path, on_invalid="skip")
    assert (report.new, report.skipped, report.quarantined) == (2, 6, 0)
    assert report.quarantine_file is None and not (tmp_path / "quarantine").exists()
    assert report.exit_code == 3


def dup_file(tmp_path: Path) -> Path:
    return write_jsonl(
        tmp_path / "dup.jsonl", [real(1, text="first"), real(2), real(1, text="second")]
    )


def test_on_duplicate_skip_keeps_the_first(tmp_path: Path) -> None:
    kg = memory_kg()
    report = ingest(kg, [dup_file(tmp_path)], tmp_path)
    assert (report.new, report.skipped, report.exit_code) == (2, 1, 3)
    assert current_samples(kg)["kb-0001"] == "first"


def test_on_duplicate_overwrite_the_last_wins(tmp_path: Path) -> None:
    kg = memory_kg()
    report = ingest(kg, [dup_file(tmp_path)], tmp_path, on_duplicate="overwrite")
    assert (report.new, report.revised, report.skipped) == (2, 1, 0)
    assert current_samples(kg)["kb-0001"] == "second"
    assert all_revisions(kg) == 3  # the first one is kept, invalidated


def test_on_duplicate_fail_names_both_lines(tmp_path: Path) -> None:
    kg = memory_kg()
    path = dup_file(tmp_path)
    with pytest.raises(DuplicateRecordError) as err:
        ingest(kg, [path], tmp_path, on_duplicate="fail")
    assert err.value.first == (str(path), 1) and err.value.second == (str(path), 3)
    assert f"{path}:1" in str(err.value) and f"{path}:3" in str(err.value)
    assert kg.triple_count() == 0


def test_batch_records_its_provenance(tmp_path: Path) -> None:
    kg = memory_kg()
    path = write_jsonl(tmp_path / "a.jsonl", [record(1), real(2)])
    report = ingest(kg, [path], tmp_path)
    (row,) = kg.select(f"""
        SELECT ?sha ?size ?path ?read ?new ?triples ?start ?end ?version WHERE {{
          <{report.batch}> a pr:IngestBatch ; prov:used ?f ; pr:recordsRead ?read ;
             pr:recordsNew ?new ; pr:triplesAdded ?triples ; prov:startedAtTime ?start ;
             prov:endedAtTime ?end ; pr:provragVersion ?version .
          ?f pr:sha256 ?sha ; pr:byteSize ?size ; pr:filePath ?path .
        }}""")
    assert row["sha"] == report.files[0].sha256
    assert row["size"] == path.stat().st_size
    assert row["path"] == str(path.resolve())
    assert (row["read"], row["new"], row["triples"]) == (2, 2, report.triples_added)
    assert row["start"] <= row["end"] and row["version"]
    assert kg.ask(f"ASK {{ ?s pr:ingestedIn <{report.batch}> ; pr:externalId 'kb-0002' }}")


def test_progress_is_reported(tmp_path: Path) -> None:
    class Recorder:
        def __init__(self) -> None:
            self.expected: int | None = None
            self.done = 0

        def total(self, n: int | None) -> None:
            self.expected = n

        def advance(self, records: int) -> None:
            self.done += records

    progress = Recorder()
    path = write_jsonl(tmp_path / "a.jsonl", [real(i) for i in range(4)])
    ingest(memory_kg(), [path], tmp_path, progress=progress)
    assert progress.expected == progress.done == 4


def test_entities_are_extracted_linked_and_recorded(
    tmp_path: Path, rule_extractor: EntityExtractor
) -> None:
    kg = memory_kg()
    text = "Call Northwind Bank about the Gold Card."
    ingest(
        kg,
        [write_jsonl(tmp_path / "a.jsonl", [real(1, text=text)])],
        tmp_path,
        extractor=rule_extractor,
    )
    report = ingest(
        kg,
        [write_jsonl(tmp_path / "b.jsonl", [real(2, text=text)])],
        tmp_path,
        extractor=rule_extractor,
    )
    assert report.ner is not None and report.ner.model == rule_extractor.name
    names = {
        r["name"]
        for r in kg.select(
            "SELECT DISTINCT ?name WHERE { ?s pr:mentions ?e . ?e skos:prefLabel ?name }"
        )
    }
    assert "Northwind Bank" in names
    rows = kg.select(
        "SELECT ?g WHERE { GRAPH ?g { ?e a pr:Entity ; skos:prefLabel 'Northwind Bank' } }"
    )
    assert len(rows) == 1  # linked to one node, written once
    assert kg.ask(f"ASK {{ <{report.batch}/ner> a pr:EntityExtraction ; pr:nerModel ?m }}")


def test_a_records_title_is_a_title_entity_joined_by_name(
    tmp_path: Path, rule_extractor: EntityExtractor
) -> None:
    kg = memory_kg()
    about = real(1, text="Northwind Bank is a bank.", metadata={"title": "Northwind Bank"})
    ingest(kg, [write_jsonl(tmp_path / "a.jsonl", [about])], tmp_path, extractor=rule_extractor)
    rows = kg.select(
        "SELECT ?t ?m WHERE { ?s pr:mentions ?e ; pr:hasMention ?m . ?m pr:mentionOf ?e . "
        "?e pr:entityType 'TITLE' ; pr:normalizedName ?t }"
    )
    assert [(r["t"], str(r["m"]).rsplit("/", 1)[1]) for r in rows] == [("northwind bank", "title")]
