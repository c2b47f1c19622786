"""Validation: readable reasons with the field at fault; ids and hashes of good records."""

from __future__ import annotations

from typing import Any

import pytest

from ingest.readers import RawRecord, SourceLocation
from ingest.validate import InvalidRecord, RecordValidator, ValidRecord
from kg import ids

GOOD: dict[str, Any] = {
    "id": "kb-1",
    "text": "How do I report a lost card?",
    "origin": "synthetic",
    "dataset": "support-kb",
    "generation": {
        "generator": "faq-paraphraser",
        "prompt_version": "3",
        "generated_at": "2026-11-02T10:00:00Z",
    },
}


def check(
    data: dict[str, Any] | None,
    *,
    dataset: str | None = None,
    version: str | None = None,
    error: str | None = None,
) -> ValidRecord | InvalidRecord:
    raw = RawRecord(SourceLocation("in.jsonl", 7), data, "raw text", error)
    return RecordValidator(dataset=dataset, version=version).validate(raw)


def invalid(data: dict[str, Any]) -> InvalidRecord:
    result = check(data)
    assert isinstance(result, InvalidRecord), result
    return result


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"origin": "alien"}, "origin", "origin must be 'real' or 'synthetic', got 'alien'"),
        ({"text": None}, "text", "'text' is missing"),
        ({"generation": None}, "generation", "a synthetic sample needs 'generation'"),
        (
            {"generation": {"generator": "g", "generated_at": "yesterday"}},
            "generation.generated_at",
            "not a valid date-time ('yesterday')",
        ),
        ({"foo": 1}, "foo", "unknown field 'foo': move it under 'metadata'"),
        (
            {"generation": {"generator": "g", "seed": "abc"}},
            "generation.seed",
            "must be an integer, got 'abc'",
        ),
        (
            {"labels": [{"field": "f", "value": [1], "annotator": "a", "guideline_version": "1"}]},
            "labels.0.value",
            "must be a text, a number or a boolean",
        ),
        ({"dataset": None}, "dataset", "--dataset"),
    ],
)
def test_bad_records_say_which_field_and_how_to_fix(
    change: dict[str, Any], field: str, words: str
) -> None:
    data = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    bad = invalid(data)
    assert (bad.file, bad.line, bad.raw) == ("in.jsonl", 7, "raw text")
    assert bad.field == field
    assert words in bad.message


def test_every_problem_of_a_record_is_kept() -> None:
    bad = invalid({**GOOD, "origin": "alien", "sensitivity": "secret"})
    assert {f for f, _ in bad.problems} == {"origin", "sensitivity"}


def test_parse_errors_pass_through() -> None:
    result = check(None, error="the line is not valid JSON")
    assert isinstance(result, InvalidRecord)
    assert result.message == "the line is not valid JSON"


def test_dataset_and_version_from_the_command_line_fill_gaps_only() -> None:
    no_ds = {k: v for k, v in GOOD.items() if k != "dataset"}
    filled = check(no_ds, dataset="cli", version="2026.11")
    own = check(GOOD, dataset="cli", version="2026.11")
    assert isinstance(filled, ValidRecord) and isinstance(own, ValidRecord)
    assert (filled.record.dataset, filled.record.version) == ("cli", "2026.11")
    assert own.record.dataset == "support-kb"


def test_external_id_defaults_to_the_content_hash() -> None:
    no_id = check({k: v for k, v in GOOD.items() if k != "id"})
    with_id = check(GOOD)
    assert isinstance(no_id, ValidRecord) and isinstance(with_id, ValidRecord)
    assert no_id.content_hash == with_id.content_hash  # the id is not content
    assert no_id.external_id == no_id.content_hash[:16]
    assert with_id.iri == ids.sample_iri("support-kb", "kb-1", with_id.content_hash)


def test_content_hash_ignores_key_order_and_version_but_not_text() -> None:
    a = check(GOOD)
    b = check(dict(reversed(list({**GOOD, "version": "9"}.items()))))
    c = check({**GOOD, "text": "Another text"})
    assert isinstance(a, ValidRecord) and isinstance(b, ValidRecord)
    assert isinstance(c, ValidRecord)
    assert a.content_hash == b.content_hash != c.content_hash


def test_integer_ids_are_taken_as_text() -> None:
    result = check({**GOOD, "id": 42})
    assert isinstance(result, ValidRecord) and result.external_id == "42"
