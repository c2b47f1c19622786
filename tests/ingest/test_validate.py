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
        ({"derived_from": "kb-0"}, "derived_from", "must be a list"),
        ({"derived_from": [""]}, "derived_from", "holds '', which is not a sample id"),
        ({"derived_from": ["kb-0", ":kb-0"]}, "derived_from", "holds ':kb-0'"),
        ({"derived_from": ["manuals:"]}, "derived_from", "holds 'manuals:'"),
        ({"derived_from": [["kb-0"]]}, "derived_from.0", "must be a text"),
        ({"derived_from": ["kb-1"]}, "derived_from", "names the sample itself ('kb-1')"),
        ({"derived_from": ["support-kb:kb-1"]}, "derived_from", "names the sample itself"),
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


def test_a_record_derived_from_another_dataset_names_it() -> None:
    result = check({**GOOD, "derived_from": ["kb-0", "manuals:kb-1", "kb-2", "kb-2", 7]})
    assert isinstance(result, ValidRecord)
    assert result.record.derived_from == ["7", "kb-0", "kb-2", "manuals:kb-1"]
    assert result.sources == tuple(
        ids.logical_sample_iri(ds, i)
        for ds, i in [
            ("support-kb", "7"),
            ("support-kb", "kb-0"),
            ("support-kb", "kb-2"),
            ("manuals", "kb-1"),
        ]
    )
    assert result.raw == "raw text"


def test_records_without_sources_keep_no_raw_text() -> None:
    result = check(GOOD)
    assert isinstance(result, ValidRecord)
    assert (result.sources, result.raw) == ((), None)


def test_content_hash_of_a_record_without_sources_never_changes() -> None:
    # sample IRIs embed this hash: a record without derived_from hashes as it always did
    result = check(
        {
            **GOOD,
            "kind": "question",
            "generation": {"generator": "faq-paraphraser", "seed": 7, "params": {"t": 0.7}},
            "labels": [
                {
                    "field": "intent",
                    "value": "card_lost",
                    "annotator": "ann-3",
                    "guideline_version": "1.2",
                }
            ],
            "metadata": {"topic": "cards"},
        }
    )
    assert isinstance(result, ValidRecord)
    assert result.content_hash == (
        "05150c0c4382092607be8bbf5615a1c6831a057ce6ec1e450d3fe3b9cfc40a38"
    )
    assert "derived_from" not in result.record.content()


def test_sources_are_content_in_any_order_but_not_their_repeats() -> None:
    a = check({**GOOD, "derived_from": ["kb-2", "kb-3"]})
    b = check({**GOOD, "derived_from": ["kb-3", "kb-2", "kb-3"]})
    c = check({**GOOD, "derived_from": ["kb-2"]})
    plain = check(GOOD)
    assert isinstance(a, ValidRecord) and isinstance(b, ValidRecord)
    assert isinstance(c, ValidRecord) and isinstance(plain, ValidRecord)
    assert a.content_hash == b.content_hash
    assert len({a.content_hash, c.content_hash, plain.content_hash}) == 3
