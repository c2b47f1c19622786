"""Wiring of entity extraction: one extractor, chosen by the settings, for passages and queries."""

from __future__ import annotations

import warnings
from pathlib import Path

from ingest.extractors import GAZETTEER_EXTRACTOR
from ingest.ner import NerFallbackWarning
from kg.ids import entity_iri
from provrag.quickstart import example_data_dir
from provrag.settings import load_settings
from provrag.wiring import LazyNerLinker, build_extractor

GAZETTEER = example_data_dir() / "gazetteer.ttl"
QUERY = "Can I pay with Apple Pay at the Post Office, Anna Smith asked NWB."


def test_the_settings_choose_the_extractor(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, ner_extractor="gazetteer", gazetteer=GAZETTEER)
    extractor = build_extractor(settings)
    assert extractor.name == GAZETTEER_EXTRACTOR
    found = {m.canonical for m in extractor.extract_one(QUERY)}
    assert found == {"Apple Pay", "Post Office", "Northwind Bank"}


def test_queries_are_linked_by_the_extractor_that_ingest_uses(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, ner_extractor="gazetteer", gazetteer=GAZETTEER)
    passage = build_extractor(settings).extract_one(QUERY)
    linked = LazyNerLinker(settings).link(QUERY)
    assert [e.iri for e in linked] == [entity_iri(m.entity_type, m.normalized) for m in passage]
    assert entity_iri("ORG", "northwind bank") in {e.iri for e in linked}


def test_a_missing_model_falls_back_for_queries_too(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, ner_model="provrag_test_no_such_model", gazetteer=GAZETTEER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NerFallbackWarning)
        assert build_extractor(settings).name == "rule-based"
    linker = LazyNerLinker(settings)
    assert entity_iri("ORG", "northwind bank") in {e.iri for e in linker.link(QUERY)}
    assert linker.fallback_reason is not None and "provrag_test_no_such_model" in (
        linker.fallback_reason
    )
