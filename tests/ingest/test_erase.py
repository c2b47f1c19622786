"""Erase in the graph: content gone for every revision and derived sample, skeleton kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.erase import ERASED, erase, needles_of
from ingest.errors import ErasureError
from kg.graph import KnowledgeGraph
from tests.ingest.ingest_helpers import current_samples, ingest, memory_kg, real, write_jsonl

SHARED = "Call card services on 0808 157 0142 at any time."
TEXT_1 = f"Philippa Quillfeather of Larkspur Row asked us to close her account. {SHARED}"
TEXT_1B = TEXT_1 + " She wants paper statements too."
TEXT_2 = "Philippa Quillfeather wants her account closed."


@pytest.fixture
def kg(tmp_path: Path) -> KnowledgeGraph:
    """kb-0001 (two revisions, metadata), kb-0002 derived from it, kb-0003 sharing a
    sentence with it, and a note elsewhere quoting kb-0001."""
    graph = memory_kg()
    v1 = [
        real(1, text=TEXT_1, metadata={"customer_ref": "QF-778812-LARKSPUR"}),
        real(2, text=TEXT_2, derived_from=["kb-0001"]),
        real(3, text=f"Lost your card? {SHARED}"),
    ]
    ingest(graph, [write_jsonl(tmp_path / "v1.jsonl", v1)], tmp_path)
    ingest(graph, [write_jsonl(tmp_path / "v2.jsonl", [real(1, text=TEXT_1B)])], tmp_path)
    with graph.write_graph("http://example.org/notes") as writer:
        writer.add_statements(
            [f'<http://example.org/n1> <http://www.w3.org/2000/01/rdf-schema#comment> "{TEXT_1B}"']
        )
    return graph


def _erase(kg: KnowledgeGraph) -> object:
    return erase(kg, external_id="kb-0001", dataset="support-kb", reason="GDPR", who="dpo")


def _texts(kg: KnowledgeGraph) -> list[str]:
    return [r["t"] for r in kg.select("SELECT ?t WHERE { ?s pr:text ?t }")]


def test_every_revision_and_derived_sample_loses_its_content(kg: KnowledgeGraph) -> None:
    done = erase(kg, external_id="kb-0001", dataset="support-kb", reason="GDPR", who="dpo")
    ids = sorted((s.external_id, s.derived) for s in done.report.samples)
    assert ids == [("kb-0001", False), ("kb-0001", False), ("kb-0002", True)]
    assert _texts(kg) == [f"Lost your card? {SHARED}"]
    assert not kg.select("SELECT ?m WHERE { ?s pr:erasedBy ?e ; pr:metadata ?m }")
    assert set(current_samples(kg)) == {"kb-0003"}


def test_the_skeleton_says_who_when_why(kg: KnowledgeGraph) -> None:
    _erase(kg)
    rows = kg.select("""SELECT ?id ?hash ?who ?reason WHERE {
        ?s pr:erasedBy ?e ; pr:externalId ?id ; pr:contentHash ?hash .
        ?e a pr:Erasure ; pr:reason ?reason ; prov:wasAssociatedWith/rdfs:label ?who }""")
    assert len(rows) == 3 and {(r["who"], r["reason"]) for r in rows} == {("dpo", "GDPR")}
    assert kg.ask("ASK { ?d prov:wasDerivedFrom ?s . ?d pr:externalId 'kb-0002' }")


def test_copies_elsewhere_are_scrubbed_but_shared_sentences_kept(kg: KnowledgeGraph) -> None:
    done = _erase(kg)
    comment = kg.select("SELECT ?c WHERE { <http://example.org/n1> rdfs:comment ?c }")
    assert [r["c"] for r in comment] == [ERASED]
    assert SHARED not in done.needles and "QF-778812-LARKSPUR" in done.needles  # type: ignore[attr-defined]
    assert done.report.literals_scrubbed == 1 and done.report.shared_values == 1  # type: ignore[attr-defined]


def test_erasing_again_adds_no_second_erasure_to_a_sample(kg: KnowledgeGraph) -> None:
    _erase(kg)
    _erase(kg)
    rows = kg.select("SELECT ?s (COUNT(?e) AS ?n) WHERE { ?s pr:erasedBy ?e } GROUP BY ?s")
    assert {r["n"] for r in rows} == {1}


def test_an_unknown_sample_or_no_reason_is_an_error(kg: KnowledgeGraph) -> None:
    with pytest.raises(ErasureError, match="no sample 'kb-9' in dataset 'support-kb'"):
        erase(kg, external_id="kb-9", dataset="support-kb", reason="x", who="dpo")
    with pytest.raises(ErasureError, match="needs a reason"):
        erase(kg, external_id="kb-0001", dataset="support-kb", reason=" ", who="dpo")


def test_needles_are_texts_long_sentences_and_long_values() -> None:
    needles = needles_of(
        ["Short one. " + "A sentence long enough to search."], ['{"a": "value-1234"}', "abc"]
    )
    assert "A sentence long enough to search." in needles and "Short one." not in needles
    assert "value-1234" in needles and "abc" not in needles
