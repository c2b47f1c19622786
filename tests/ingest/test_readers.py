"""Readers: JSONL, CSV and Parquet stream the same records; paths expand; errors locate."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingest.errors import InputFileError
from ingest.readers import describe, expand_paths, read_records

RECORD: dict[str, Any] = {
    "id": "kb-1",
    "text": "How do I report a lost card?",
    "origin": "synthetic",
    "generation": {
        "generator": "faq-paraphraser",
        "prompt_version": "3",
        "seed": 7,
        "params": {"temperature": 0.7},
    },
    "labels": [
        {
            "field": "intent",
            "value": "card_lost",
            "annotator": "ann-3",
            "guideline_version": "1.2",
            "confidence": 0.9,
        }
    ],
    "metadata": {"product": "cards"},
}
FLAT: dict[str, str] = {
    "id": "kb-1",
    "text": "How do I report a lost card?",
    "origin": "synthetic",
    "generation.generator": "faq-paraphraser",
    "generation.prompt_version": "3",
    "generation.seed": "7",
    "generation.params.temperature": "0.7",
    "labels.0.field": "intent",
    "labels.0.value": "card_lost",
    "labels.0.annotator": "ann-3",
    "labels.0.guideline_version": "1.2",
    "labels.0.confidence": "0.9",
    "metadata.product": "cards",
    "sensitivity": "",
}


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def only(path: Path) -> dict[str, Any]:
    records = list(read_records(path))
    assert len(records) == 1
    assert records[0].error is None, records[0].error
    assert records[0].data is not None
    return records[0].data


def test_jsonl_line_numbers_skip_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(RECORD) + "\n\n" + json.dumps({**RECORD, "id": "kb-2"}) + "\n")
    lines = [r.location.line for r in read_records(path)]
    assert lines == [1, 3]


def test_jsonl_broken_line_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(RECORD) + '\n{"id": "kb-2", "text": \n[1, 2]\n')
    records = list(read_records(path))
    assert [r.data is None for r in records] == [False, True, True]
    assert records[1].location.line == 2 and "not valid JSON" in (records[1].error or "")
    assert records[2].location.line == 3 and "not an object" in (records[2].error or "")
    assert records[1].raw_text == '{"id": "kb-2", "text": '


def test_csv_dotted_columns_nest_and_type_known_fields(tmp_path: Path) -> None:
    data = only(write_csv(tmp_path / "a.csv", [FLAT]))
    assert data == RECORD  # empty sensitivity cell is absent; seed int; params typed


def test_csv_labels_as_json_column(tmp_path: Path) -> None:
    row = {k: v for k, v in FLAT.items() if not k.startswith("labels.")}
    row["labels"] = json.dumps(RECORD["labels"])
    assert only(write_csv(tmp_path / "a.csv", [row]))["labels"] == RECORD["labels"]


def test_csv_text_values_stay_text(tmp_path: Path) -> None:
    row = {**FLAT, "id": "0042", "labels.0.value": "5", "metadata.code": '"0042"'}
    data = only(write_csv(tmp_path / "a.csv", [row]))
    assert data["id"] == "0042"
    assert data["labels"][0]["value"] == "5"
    assert data["metadata"]["code"] == "0042"


def test_csv_location_is_the_file_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [FLAT, {**FLAT, "id": "kb-2"}])
    assert [r.location.line for r in read_records(path)] == [2, 3]


def test_csv_bad_json_column_names_the_column(tmp_path: Path) -> None:
    row = {"id": "x", "text": "t", "origin": "real", "labels": "[{broken"}
    (record,) = read_records(write_csv(tmp_path / "a.csv", [row]))
    assert record.data is None and record.error_field == "labels"


def test_parquet_nested_columns(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    real = {"id": "kb-2", "text": "A real passage.", "origin": "real"}
    pq.write_table(pa.Table.from_pylist([RECORD, real]), path)
    records = [r.data for r in read_records(path)]
    assert records[0] == RECORD
    assert records[1] == real  # null struct fields and columns are absent


def test_parquet_dotted_columns(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    row: dict[str, Any] = dict(FLAT)
    row.update(
        {
            "generation.seed": 7,
            "generation.params.temperature": 0.7,
            "labels.0.confidence": 0.9,
            "sensitivity": None,
        }
    )
    pq.write_table(pa.Table.from_pylist([row]), path)
    assert only(path) == RECORD


@pytest.mark.parametrize(
    ("cells", "sources"),
    [
        ({"derived_from": '["kb-0001", "manuals:m-7"]'}, ["kb-0001", "manuals:m-7"]),
        ({"derived_from": "kb-0001"}, ["kb-0001"]),
        ({"derived_from.0": "kb-0001", "derived_from.1": "kb-0002"}, ["kb-0001", "kb-0002"]),
    ],
)
def test_csv_derived_from_as_json_one_id_or_numbered_columns(
    tmp_path: Path, cells: dict[str, str], sources: list[str]
) -> None:
    data = only(write_csv(tmp_path / "a.csv", [{**FLAT, **cells}]))
    assert data["derived_from"] == sources


def test_csv_derived_from_columns_must_be_numbered(tmp_path: Path) -> None:
    (record,) = read_records(write_csv(tmp_path / "a.csv", [{**FLAT, "derived_from.x": "a"}]))
    assert record.data is None and "derived_from.0" in (record.error or "")


def test_parquet_derived_from_as_a_list_column(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    rec = {**RECORD, "derived_from": ["kb-0001", "manuals:m-7"]}
    pq.write_table(pa.Table.from_pylist([rec]), path)
    assert only(path) == rec


def test_expand_directories_globs_and_dedupe(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    a = tmp_path / "a.jsonl"
    b = tmp_path / "sub" / "b.csv"
    for p in (a, b):
        p.write_text("")
    (tmp_path / "notes.txt").write_text("not data")
    assert expand_paths([tmp_path]) == [a, b]
    assert expand_paths([str(tmp_path / "**" / "*.csv"), b]) == [b]


@pytest.mark.parametrize("name", ["missing.jsonl", "notes.txt", "nomatch-*.jsonl"])
def test_expand_rejects_what_it_cannot_read(tmp_path: Path, name: str) -> None:
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(InputFileError):
        expand_paths([tmp_path / name])


def test_describe_hashes_the_file_bytes(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(RECORD) + "\n" + json.dumps(RECORD))  # no final newline
    info = describe(path)
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert info.size == path.stat().st_size
    assert info.records == 2
