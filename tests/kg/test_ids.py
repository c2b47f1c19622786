"""Id minting: the canonical JSON behind every content hash, and path segments."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from kg import ids


def _stdlib(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


@pytest.mark.parametrize(
    "value",
    [
        {"b": 1, "a": [True, None, 0.7, -3, "x"]},
        {"text": 'quote " backslash \\ newline \n tab \t bell \x07', "é": "ünïcødé 😀"},
        {"when": datetime(2026, 11, 2, 10, 0, tzinfo=UTC), "big": 2**70},
        {1: "non-string key"},
        [123456789.125, 1e16, 1e22, 0.0001],
    ],
)
def test_canonical_json_is_the_stdlib_text(value: object) -> None:
    assert ids.canonical_json(value) == _stdlib(value)


def test_content_hash_of_a_fixed_record_never_changes() -> None:
    # Sample IRIs embed this hash: a change here turns every stored sample into a revision.
    content = {
        "text": "How do I report a lost card?",
        "origin": "synthetic",
        "generation": {"generator": "faq-paraphraser", "seed": 7, "params": {"t": 0.7}},
        "labels": [{"field": "intent", "value": "card_lost", "annotator": "ann-3"}],
    }
    text = ids.canonical_json(content)
    assert text == (
        '{"generation":{"generator":"faq-paraphraser","params":{"t":0.7},"seed":7},'
        '"labels":[{"annotator":"ann-3","field":"intent","value":"card_lost"}],'
        '"origin":"synthetic","text":"How do I report a lost card?"}'
    )
    assert ids.sha256_hex(text) == ids.sha256_hex(_stdlib(content))


@pytest.mark.parametrize(
    ("raw", "segment"),
    [
        ("kb-0042", "kb-0042"),
        ("A.b_c~d", "A.b_c~d"),
        ("a b/c", "a%20b%2Fc"),
        ("café", "caf%C3%A9"),
        ("100%", "100%25"),
        (42, "42"),
    ],
)
def test_seg_percent_encodes_all_but_unreserved(raw: object, segment: str) -> None:
    assert ids.seg(raw) == segment  # type: ignore[arg-type]
