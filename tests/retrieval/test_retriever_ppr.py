"""Entity PageRank inside GraphRetriever's enriched mode: gate, explanation, filters."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.graph import KnowledgeGraph
from kg.model import Filters
from retrieval.config import RetrieverConfig
from retrieval.index_sync import sync_index
from retrieval.retriever import GraphRetriever
from tests.retrieval.search_data import ENTITIES, TEXTS, passages, write_corpus

QUERY = "When was the tower in Paris finished?"


@pytest.fixture
def home(kg: KnowledgeGraph, tmp_path: Path, embedder) -> Path:
    records = passages(TEXTS)
    records[5] = records[5].model_copy(update={"dataset": "other"})
    write_corpus(kg, records, ENTITIES)
    sync_index(kg, tmp_path, embedder)
    return tmp_path


@pytest.mark.model
def test_without_gate_pagerank_ranks_and_explains(kg, home, embedder) -> None:
    config = RetrieverConfig(ppr_gate_subject=False)
    retriever = GraphRetriever(kg, home, embedder, None, config, "enriched")
    hits, decision = retriever.search_explained(QUERY, 3)
    assert decision is not None and decision.spoke
    assert [h.channel_ranks["graph"] for h in hits[:2]] == [1, 2]
    assert hits[0].graph_path and hits[0].graph_path[0].startswith("Paris (GPE)")


@pytest.mark.model
def test_the_gate_keeps_the_fused_ranking_and_says_why(kg, home, embedder) -> None:
    config = RetrieverConfig(ppr_gate_subject=False, ppr_gate_top=2)
    enriched = GraphRetriever(kg, home, embedder, None, config, "enriched")
    hybrid = GraphRetriever(kg, home, embedder, None, None, "hybrid")
    hits, decision = enriched.search_explained(QUERY, 4)
    # PageRank's top is p5 (Paris, and nothing else to leak mass to): not in the fused top 2
    assert decision is not None and not decision.spoke and "gate" in decision.reason
    assert [h.sample_id for h in hits] == [h.sample_id for h in hybrid.search(QUERY, 4)]
    assert hits[0].graph_path == ["Paris (GPE) -[mentioned in]-> p0"]  # reached, no vote


@pytest.mark.model
def test_a_query_naming_no_subject_keeps_the_fused_ranking(kg, home, embedder) -> None:
    # the default gate: Paris is linked, but no sample is *about* Paris (no titles here)
    enriched = GraphRetriever(kg, home, embedder, None, None, "enriched")
    hybrid = GraphRetriever(kg, home, embedder, None, None, "hybrid")
    hits, decision = enriched.search_explained(QUERY, 4)
    assert decision is not None and not decision.spoke and "subject" in decision.reason
    assert [h.sample_id for h in hits] == [h.sample_id for h in hybrid.search(QUERY, 4)]


@pytest.mark.model
def test_no_linked_entity_leaves_the_fused_ranking(kg, home, embedder) -> None:
    retriever = GraphRetriever(kg, home, embedder, None, RetrieverConfig(ppr_gate_subject=False))
    _, decision = retriever.search_explained("hormone regulating blood sugar", 3)
    assert decision is not None and not decision.spoke and "no query entity" in decision.reason


@pytest.mark.model
def test_filtered_samples_are_never_ranked_nor_on_a_path(kg, home, embedder) -> None:
    config = RetrieverConfig(ppr_gate_subject=False)
    retriever = GraphRetriever(kg, home, embedder, None, config, "enriched")
    hits, _ = retriever.search_explained(QUERY, 6, Filters(dataset="demo"))
    assert "p5" not in {h.sample_id for h in hits}
    assert all("p5" not in step for h in hits for step in (h.graph_path or []))


@pytest.mark.model
def test_graph_ranking_off_is_hybrid(kg, home, embedder) -> None:
    off = GraphRetriever(kg, home, embedder, None, RetrieverConfig(graph_ranking="off"))
    hybrid = GraphRetriever(kg, home, embedder, None, None, "hybrid")
    assert [h.sample_id for h in off.search(QUERY, 5)] == [
        h.sample_id for h in hybrid.search(QUERY, 5)
    ]
