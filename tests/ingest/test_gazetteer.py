"""SKOS gazetteer loading, lookup and error messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import GazetteerError
from ingest.gazetteer import load_gazetteer, normalize_name

PREFIXES = """\
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix pr:      <https://w3id.org/provrag/ns#> .
@prefix ex:      <https://example.org/kb/> .
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "gaz.ttl"
    path.write_text(PREFIXES + body, encoding="utf-8")
    return path


def test_aliases_map_to_the_canonical_entry(gazetteer_path: Path) -> None:
    gaz = load_gazetteer(gazetteer_path)
    entry = gaz.lookup(normalize_name("NB"))
    assert entry is not None
    assert entry.iri == "https://example.org/kb/northwind-bank"
    assert entry.canonical == "Northwind Bank"
    assert entry.entity_type == "ORG"
    assert entry.aliases == ("NB", "Northwind")
    assert gaz.find("the NORTHWIND bank's") is entry
    assert gaz.lookup("visa") is None
    assert len(gaz) == 3


def test_type_from_scheme_and_from_dcterms_type(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        ex:products a skos:ConceptScheme ; pr:entityType "product" .
        ex:gold a skos:Concept ; skos:inScheme ex:products ; skos:prefLabel "Gold Card" .
        ex:ecb a skos:Concept ; skos:prefLabel "European Central Bank" ;
            dcterms:type <https://example.org/types#ORG> .
        ex:own a skos:Concept ; skos:inScheme ex:products ; skos:prefLabel "Visa" ;
            pr:entityType "ORG" .
        """,
    )
    gaz = load_gazetteer(path)
    types = {e.canonical: e.entity_type for e in gaz}
    assert types == {"Gold Card": "PRODUCT", "European Central Bank": "ORG", "Visa": "ORG"}


def test_hidden_and_foreign_labels_match_but_are_not_aliases(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        ex:nb a skos:Concept ; pr:entityType "ORG" ;
            skos:prefLabel "Northwind Bank"@en, "Banque Northwind"@fr ;
            skos:hiddenLabel "Nortwind Bank" .
        """,
    )
    gaz = load_gazetteer(path)
    assert gaz.find("Nortwind Bank") is gaz.find("Banque Northwind") is gaz.find("Northwind Bank")
    (entry,) = gaz
    assert entry.aliases == ()


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("ex:a a skos:Concept ; skos:prefLabel 'A' ; pr:entityType 'ORG' ", "not readable RDF"),
        ("ex:a skos:prefLabel 'A' .", "no skos:Concept"),
        ("ex:a a skos:Concept ; pr:entityType 'ORG' .", "no skos:prefLabel"),
        ("ex:a a skos:Concept ; skos:prefLabel 'A', 'B' ; pr:entityType 'ORG' .", "prefLabels"),
        ("ex:a a skos:Concept ; skos:prefLabel 'A' .", "no entity type"),
        ("ex:a a skos:Concept ; skos:prefLabel 'A' ; pr:entityType 'ORG', 'GPE' .", "several"),
        ("ex:a a skos:Concept ; skos:prefLabel 'A' ; pr:entityType 'big org' .", "letters"),
        ("ex:a a skos:Concept ; skos:prefLabel '--' ; pr:entityType 'ORG' .", "empty"),
        (
            "ex:a a skos:Concept ; skos:prefLabel 'Acme' ; pr:entityType 'ORG' .\n"
            "ex:b a skos:Concept ; skos:prefLabel 'Acme Bank' ; skos:altLabel 'ACME' ;"
            " pr:entityType 'ORG' .",
            "belongs to both",
        ),
    ],
)
def test_bad_gazetteer_names_file_and_problem(tmp_path: Path, body: str, fragment: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(GazetteerError, match=fragment) as info:
        load_gazetteer(path)
    assert str(path) in str(info.value)
    assert info.value.path == path


def test_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nope.ttl"
    with pytest.raises(GazetteerError, match="does not exist") as info:
        load_gazetteer(path)
    assert str(path) in str(info.value)
