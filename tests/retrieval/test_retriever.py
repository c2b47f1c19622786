from __future__ import annotations

from pathlib import Path

import pytest

from kg.graph import KnowledgeGraph
from kg.model import Filters, GenerationIn, LabelIn, Retriever, SampleRecord
from kg.typing import RETRIEVER_MODES
from retrieval.config import RetrieverConfig
from retrieval.index_sync import sync_index
from retrieval.retriever import GraphRetriever
from tests.retrieval.conftest import CountingEmbedder, invalidate
from tests.retrieval.search_data import ENTITIES, passages, write_corpus

N = 500
RARE = 5  # 1% of the corpus


def selective_corpus() -> list[SampleRecord]:
    """500 tiny samples; 1% are real, the rest synthetic; 1% use generator "rare"."""
    out = []
    for i in range(N):
        text = f"note {i} about topic {i % 7} and item {i % 11}"
        if i % 100 == 3:
            out.append(SampleRecord(id=f"r{i}", text=text, origin="real", dataset="big"))
            continue
        generator = "rare" if i % 100 == 50 else "common"
        out.append(
            SampleRecord(id=f"s{i}", text=text, origin="synthetic", dataset="big",
                         generation=GenerationIn(generator=generator, prompt_version="1", seed=i))
        )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[KnowledgeGraph, Path, CountingEmbedder]:
    from kg.store.embedded import OxigraphStore

    kg = KnowledgeGraph(OxigraphStore(None))
    write_corpus(kg, selective_corpus())
    directory = tmp_path_factory.mktemp("index")
    embedder = CountingEmbedder(dimension=16)
    sync_index(kg, directory, embedder)
    return kg, directory, embedder


@pytest.mark.parametrize("mode", RETRIEVER_MODES)
@pytest.mark.parametrize(
    ("filters", "prefix"),
    [(Filters(origin="real"), "r"), (Filters(generator="rare"), "s")],
)
def test_a_one_percent_filter_returns_k_hits_all_matching(big, mode, filters, prefix) -> None:
    kg, directory, embedder = big
    retriever = GraphRetriever(kg, directory, embedder, None, RetrieverConfig(), mode)
    hits = retriever.search("note about topic 3", RARE, filters)
    assert len(hits) == RARE
    assert all(h.sample_id.startswith(prefix) for h in hits)
    if filters.generator:
        assert all(h.provenance and h.provenance.generator == "rare" for h in hits)
    else:
        assert all(h.provenance and h.provenance.origin == "real" for h in hits)


@pytest.mark.parametrize("mode", RETRIEVER_MODES)
def test_fewer_matches_than_k_returns_all_of_them(big, mode) -> None:
    kg, directory, embedder = big
    retriever = GraphRetriever(kg, directory, embedder, None, RetrieverConfig(), mode)
    assert len(retriever.search("note", 10, Filters(origin="real"))) == RARE


@pytest.mark.parametrize("mode", RETRIEVER_MODES)
def test_a_mostly_allowed_filter_still_returns_k(big, mode) -> None:
    kg, directory, embedder = big
    retriever = GraphRetriever(kg, directory, embedder, None, RetrieverConfig(), mode)
    hits = retriever.search("item 4", 20, Filters(generator="common"))
    assert len(hits) == 20 and all(h.provenance.generator == "common" for h in hits)  # type: ignore[union-attr]


def test_graph_retriever_is_a_retriever(big) -> None:
    kg, directory, embedder = big
    assert isinstance(GraphRetriever(kg, directory, embedder), Retriever)


# --------------------------------------------------------------- real model, real text


@pytest.fixture
def small(kg: KnowledgeGraph, embedder, tmp_path: Path) -> tuple[KnowledgeGraph, Path, list[str]]:
    records = passages()
    records[1] = SampleRecord(
        id="p1", text=records[1].text, origin="synthetic", dataset="demo",
        generation=GenerationIn(generator="simgen", model="sim-1", prompt_template="t",
                                prompt_version="3", seed=7),
    )  # fmt: skip
    records[3] = SampleRecord(
        id="p3", text=records[3].text, origin="real", dataset="demo",
        labels=[LabelIn(field="topic", value="geo", annotator="alice", guideline_version="g2")],
    )  # fmt: skip
    records[4] = SampleRecord(
        id="p4", text=records[4].text, origin="real", dataset="demo", sensitivity="restricted"
    )
    iris = write_corpus(kg, records, ENTITIES)
    sync_index(kg, tmp_path, embedder)
    return kg, tmp_path, iris


QUERY = "When was the tower in Paris finished?"


RERANK = RetrieverConfig(graph_ranking="expand", graph_role="rerank")
EXPAND = RetrieverConfig(graph_ranking="expand")


@pytest.mark.model
def test_enriched_hits_explain_channels_and_graph_path(small, embedder) -> None:
    kg, directory, iris = small
    retriever = GraphRetriever(kg, directory, embedder, None, RERANK, "enriched")
    hits = retriever.search(QUERY, 3)
    top = hits[0]
    assert top.sample_id == "p0" and top.dataset == "demo"
    assert set(top.channel_ranks) == {"dense", "lexical", "graph"}
    assert top.graph_path == ["Paris (GPE) -[mentioned in]-> p0"]
    graph_hits = [h for h in hits if "graph" in h.channel_ranks]
    assert {h.sample_id for h in graph_hits} >= {"p0", "p5"}
    assert all(h.graph_path for h in graph_hits)
    assert all(h.graph_path is None for h in hits if "graph" not in h.channel_ranks)


@pytest.mark.model
def test_expanding_graph_explains_but_never_reorders(small, embedder) -> None:
    kg, directory, _ = small
    enriched = GraphRetriever(kg, directory, embedder, None, EXPAND, "enriched").search(QUERY, 4)
    hybrid = GraphRetriever(kg, directory, embedder, None, None, "hybrid").search(QUERY, 4)
    assert [h.sample_id for h in enriched] == [h.sample_id for h in hybrid]
    assert [h.score for h in enriched] == [h.score for h in hybrid]
    top = enriched[0]
    assert top.channel_ranks["graph"] >= 1 and top.graph_path  # reached, shown, no vote


@pytest.mark.model
def test_hybrid_hits_carry_no_graph_channel(small, embedder) -> None:
    kg, directory, _ = small
    hits = GraphRetriever(kg, directory, embedder, None, None, "hybrid").search(QUERY, 3)
    assert all(set(h.channel_ranks) <= {"dense", "lexical"} for h in hits)
    assert all(h.graph_path is None for h in hits)


@pytest.mark.model
def test_single_channel_scores_are_the_raw_scores(small, embedder) -> None:
    kg, directory, _ = small
    for mode in ("dense", "lexical"):
        hits = GraphRetriever(kg, directory, embedder, None, None, mode).search(QUERY, 3)
        assert [h.score for h in hits] == [h.channel_scores[mode] for h in hits]
        assert [h.channel_ranks[mode] for h in hits] == [1, 2, 3]


@pytest.mark.model
def test_provenance_summary_names_generator_and_annotators(small, embedder) -> None:
    kg, directory, _ = small
    retriever = GraphRetriever(kg, directory, embedder, None, None, "dense")
    hits = {h.sample_id: h for h in retriever.search(QUERY, 5)}
    synthetic = hits["p1"].provenance
    assert synthetic is not None
    assert (synthetic.origin, synthetic.generator, synthetic.model) == (
        "synthetic",
        "simgen",
        "sim-1",
    )
    assert (synthetic.prompt_template, synthetic.prompt_version, synthetic.seed) == ("t", "3", 7)
    labelled = hits["p3"].provenance
    assert labelled is not None
    assert (labelled.annotators, labelled.guideline_versions) == (["alice"], ["g2"])
    assert labelled.dataset == "demo" and labelled.version == "1"
    assert (
        labelled.source_sha256 == "a" * 64 and labelled.batch and labelled.batch.endswith("batch-1")
    )


@pytest.mark.model
@pytest.mark.parametrize("mode", RETRIEVER_MODES)
def test_clearance_hides_restricted_samples_unless_cleared(small, embedder, mode) -> None:
    kg, directory, _ = small
    retriever = GraphRetriever(kg, directory, embedder, None, None, mode)
    query = "stock market central bank interest rates"
    assert "p4" not in [h.sample_id for h in retriever.search(query, 6)]
    assert "p4" in [
        h.sample_id for h in retriever.search(query, 6, Filters(clearance="restricted"))
    ]
    public = GraphRetriever(
        kg, directory, embedder, None, RetrieverConfig(default_clearance="public"), mode
    )
    assert public.search(query, 6) == []


@pytest.mark.model
@pytest.mark.parametrize("resync", [False, True])
@pytest.mark.parametrize("mode", RETRIEVER_MODES)
def test_an_invalidated_sample_never_comes_back(small, embedder, mode, resync) -> None:
    kg, directory, iris = small
    retriever = GraphRetriever(kg, directory, embedder, None, RetrieverConfig(graph_hops=2), mode)
    assert "p0" in [h.sample_id for h in retriever.search(QUERY, 6)]
    invalidate(kg, [iris[0]], "del-1")
    if resync:
        sync_index(kg, directory, embedder)
    hits = retriever.search(QUERY, 6, Filters(clearance="restricted"))
    assert iris[0] not in [h.sample_iri for h in hits]
    assert len(hits) == 5  # every other sample still comes back
    for h in hits:  # and no graph path passes through it
        assert not any("p0" in step.split() for step in h.graph_path or [])


@pytest.mark.model
def test_a_new_batch_is_found_after_the_index_syncs(small, embedder) -> None:
    kg, directory, _ = small
    retriever = GraphRetriever(kg, directory, embedder, None, None, "enriched")
    retriever.search(QUERY, 3)
    write_corpus(kg, passages(["Lyon is a large city in France on the Rhone."], prefix="n"),
                 [[("Lyon", "GPE"), ("Lyon", "TITLE")]], batch_id="b2")  # fmt: skip
    sync_index(kg, directory, embedder)
    hits = retriever.search("Lyon Rhone", 1)
    assert hits[0].sample_id == "n0" and hits[0].graph_path


@pytest.mark.model
def test_provenance_weighting_prefers_human_labelled(small, embedder) -> None:
    kg, directory, _ = small
    config = RetrieverConfig(
        provenance_weighting=True,
        provenance_weights={"human_labelled": 100.0, "real": 1.0, "synthetic": 1.0},
    )
    hits = GraphRetriever(kg, directory, embedder, None, config, "hybrid").search(QUERY, 3)
    assert hits[0].sample_id == "p3"  # the only labelled sample
