"""Searches return answerable units: a hit on a synthetic question counts for its passage."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.graph import KnowledgeGraph
from kg.model import Filters, GenerationIn, SampleRecord
from retrieval.config import RetrieverConfig
from retrieval.index_sync import sync_index
from retrieval.retriever import GraphRetriever
from tests.retrieval.conftest import invalidate
from tests.retrieval.search_data import TEXTS, passages, write_corpus

GEN = GenerationIn(generator="qgen", prompt_version="2")
QUESTION = "Which organ makes the hormone that controls glucose?"


def _question(source: str, text: str = QUESTION, qid: str = "q0") -> SampleRecord:
    return SampleRecord(
        id=qid, text=text, origin="synthetic", dataset="demo", kind="question",
        derived_from=[source], generation=GEN,
    )  # fmt: skip


@pytest.fixture
def corpus(kg: KnowledgeGraph, tmp_path: Path, embedder) -> list[str]:
    iris = write_corpus(kg, [*passages(TEXTS), _question("p2")])
    sync_index(kg, tmp_path, embedder)
    return iris


@pytest.mark.model
@pytest.mark.parametrize("mode", ["dense", "hybrid", "enriched"])
def test_searches_return_passages_only(kg, tmp_path, embedder, corpus, mode) -> None:
    hits = GraphRetriever(kg, tmp_path, embedder, None, None, mode).search(QUESTION, 10)
    assert hits and all(h.sample_id.startswith("p") for h in hits)
    assert len({h.sample_id for h in hits}) == len(hits)


@pytest.mark.model
def test_a_question_hit_counts_for_its_source_and_says_so(kg, tmp_path, embedder) -> None:
    # the source is outside the dense depth on its own: only the question brings it in
    write_corpus(kg, [*passages(TEXTS), _question("p2", QUESTION)])
    sync_index(kg, tmp_path, embedder)
    config = RetrieverConfig(candidate_depth=1)
    hits = GraphRetriever(kg, tmp_path, embedder, None, config, "dense").search(QUESTION, 1)
    assert [h.sample_id for h in hits] == ["p2"]
    via = hits[0].matched_via
    assert via is not None and via.sample_id == "q0" and via.kind == "question"
    assert via.explanation == "matched synthetic question q0, qgen prompt v2, derived from p2"


@pytest.mark.model
def test_kind_filter_returns_the_questions_themselves(kg, tmp_path, embedder, corpus) -> None:
    retriever = GraphRetriever(kg, tmp_path, embedder, None, None, "hybrid")
    hits = retriever.search(QUESTION, 3, Filters(kinds=("question",)))
    assert [h.sample_id for h in hits] == ["q0"]
    assert hits[0].matched_via is None


@pytest.mark.model
def test_a_question_of_an_invalidated_passage_brings_nothing(
    kg, tmp_path, embedder, corpus
) -> None:
    invalidate(kg, [corpus[2]], "del-p2")
    hits = GraphRetriever(kg, tmp_path, embedder, None, None, "dense").search(QUESTION, 10)
    assert "p2" not in {h.sample_id for h in hits}
    assert all(h.matched_via is None for h in hits)


@pytest.mark.model
def test_without_derivation_questions_are_dropped(kg, tmp_path, embedder) -> None:
    write_corpus(kg, [*passages(TEXTS), _question("p2")])
    sync_index(kg, tmp_path, embedder)
    config = RetrieverConfig(candidate_depth=1, derivation=False)
    hits = GraphRetriever(kg, tmp_path, embedder, None, config, "dense").search(QUESTION, 1)
    assert hits == [] or hits[0].matched_via is None
