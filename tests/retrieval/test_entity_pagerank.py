"""Entity PageRank: seeds, gate, blocked paths, explanations (hand-made graphs)."""

from __future__ import annotations

import numpy as np

from retrieval.config import RetrieverConfig
from retrieval.entity_graph import EntityGraph, _csr
from retrieval.entity_pagerank import EntityPageRank, build_pagerank_graph, gate, named_subjects
from retrieval.filters import AllowedSet
from retrieval.index import iri_to_id
from retrieval.linking import LinkedEntity

ENT = "https://w3id.org/provrag/id/entity/ORG/"


def _graph(mentions: list[tuple[int, int]], n_s: int, names: list[str]) -> EntityGraph:
    s = np.asarray([m[0] for m in mentions], np.int64)
    e = np.asarray([m[1] for m in mentions], np.int64)
    ent_ptr, ent_samples = _csr(e, s, len(names))
    smp_ptr, smp_entities = _csr(s, e, n_s)
    iris = [f"https://w3id.org/provrag/id/sample/d/p{i}/x" for i in range(n_s)]
    df = np.diff(ent_ptr).astype(np.float64)
    return EntityGraph(
        entity_iris=[ENT + n.lower() for n in names], labels=names, types=["ORG"] * len(names),
        norms=[n.lower() for n in names], sample_iris=iris,
        external_ids=[f"p{i}" for i in range(n_s)],
        sample_ids=np.asarray([iri_to_id(i) for i in iris], np.int64),
        ent_ptr=ent_ptr, ent_samples=ent_samples, smp_ptr=smp_ptr, smp_entities=smp_entities,
        df=df, idf=np.log1p(n_s / np.maximum(df, 1)), state="s1",
    )  # fmt: skip


# p0 - A - p1 - B - p2 ; p3 - C (C mentioned only by p3)
MENTIONS = [(0, 0), (1, 0), (1, 1), (2, 1), (3, 2)]
CFG = RetrieverConfig(synonyms=False, link_k=0, ppr_gate_subject=False)


def _linked(*names: str) -> list[LinkedEntity]:
    return [LinkedEntity(ENT + n.lower(), n, "ORG") for n in names]


def test_gate_needs_a_linked_entity_and_agreement_with_the_fused_top() -> None:
    assert not gate(0, 5, [5, 6], 2).spoke
    assert not gate(1, 7, [5, 6, 7], 2).spoke
    assert gate(1, 6, [5, 6, 7], 2).spoke
    assert gate(1, 7, [5, 6, 7], 0).spoke


def test_specific_entity_seed_ranks_its_passage_first_with_a_path() -> None:
    g = _graph(MENTIONS, 4, ["A", "B", "C"])
    allowed = AllowedSet.of(set(g.sample_iris))
    pr = EntityPageRank(CFG, None)
    hits = pr.rank(g, _linked("C"), None, allowed, allowed, None)
    assert hits.ids[0] == g.sample_ids[3]
    pr.paths(g, hits, [int(hits.ids[0])])
    assert hits.paths[int(hits.ids[0])] == ["C (ORG) -[mentioned in]-> p3"]


def test_two_hop_path_is_explained() -> None:
    g = _graph(MENTIONS, 4, ["A", "B", "C"])
    allowed = AllowedSet.of(set(g.sample_iris))
    pr = EntityPageRank(CFG, None)
    hits = pr.rank(g, _linked("A"), None, allowed, allowed, None)
    p2 = int(g.sample_ids[2])
    assert p2 in hits.ids.tolist()
    pr.paths(g, hits, [p2])
    assert hits.paths[p2] == [
        "A (ORG) -[mentioned in]-> p1",
        "p1 -[mentions]-> B (ORG)",
        "B (ORG) -[mentioned in]-> p2",
    ]


def test_a_hidden_sample_blocks_every_path_through_it() -> None:
    g = _graph(MENTIONS, 4, ["A", "B", "C"])
    allowed = AllowedSet.of(set(g.sample_iris) - {g.sample_iris[1]})
    hits = EntityPageRank(CFG, None).rank(g, _linked("A"), None, allowed, allowed, None)
    reached = set(hits.ids.tolist())
    assert int(g.sample_ids[0]) in reached
    assert int(g.sample_ids[1]) not in reached and int(g.sample_ids[2]) not in reached


def test_no_linked_entity_gives_no_ranking() -> None:
    g = _graph(MENTIONS, 4, ["A", "B", "C"])
    allowed = AllowedSet.of(set(g.sample_iris))
    assert len(EntityPageRank(CFG, None).rank(g, [], None, allowed, allowed, None)) == 0


def test_synonym_edges_join_close_names() -> None:
    g = _graph(MENTIONS, 4, ["A", "B", "C"])
    vecs = {"A": [1.0, 0.0], "B": [0.0, 1.0], "C": [0.96, 0.28]}

    def embed(texts: object) -> np.ndarray:
        return np.asarray([vecs[t] for t in texts], np.float32)  # type: ignore[attr-defined]

    pg = build_pagerank_graph(g, embed, RetrieverConfig(synonyms=True, synonym_k=2))
    assert pg.synonym_edges == 2  # A <-> C (cosine 0.96), B has no close name


def test_the_subject_gate_needs_a_named_title_entity() -> None:
    assert not gate(2, 5, [5], 0, subjects=0, need_subject=True).spoke
    assert "subject" in gate(2, 5, [5], 0, subjects=0, need_subject=True).reason
    assert gate(2, 5, [5], 0, subjects=1, need_subject=True).spoke
    assert gate(2, 5, [5], 0, subjects=0, need_subject=False).spoke


def test_one_name_under_two_types_is_one_node() -> None:
    # p0 mentions ORG "A"; p1 is about "A" (its TITLE); p2 mentions only "B"
    g = _graph([(0, 0), (1, 1), (2, 2)], 3, ["A", "A", "B"])
    g.types[1] = "TITLE"
    pg = build_pagerank_graph(g, None, CFG)
    n_s = g.n_samples
    pt = pg.transition.transposed  # in-edges of each node

    def into(node: int) -> list[int]:
        return sorted(pt.indices[pt.indptr[node] : pt.indptr[node + 1]].tolist())

    assert into(n_s + 0) == [0, 1]  # both samples reach the one node of "a"
    assert into(n_s + 1) == []  # the TITLE position stands in node n_s + 0
    assert pg.node_df.tolist()[:1] == [2.0]


def test_rank_counts_the_subjects_the_query_names_exactly() -> None:
    g = _graph([(0, 0), (1, 1), (2, 2)], 3, ["A", "A", "B"])
    g.types[1] = "TITLE"
    allowed = AllowedSet.of(set(g.sample_iris))
    pr = EntityPageRank(CFG.model_copy(update={"ppr_gate_subject": True}), None)
    named = pr.rank(g, _linked("A"), None, allowed, allowed, None)
    assert named.subjects == 1 and len(named) > 0
    unnamed = pr.rank(g, _linked("B"), None, allowed, allowed, None)
    assert unnamed.subjects == 0 and len(unnamed) == 0 and unnamed.seeds  # no push run


def test_a_subject_is_named_as_a_name_not_as_a_lower_case_topic() -> None:
    g = _graph([(0, 0), (1, 1)], 2, ["Anxiety", "anxiety"])
    g.types[1] = "TITLE"
    assert named_subjects(g, [LinkedEntity(ENT + "anxiety", "Anxiety", "ORG")]) == 1
    assert named_subjects(g, [LinkedEntity(ENT + "anxiety", "anxiety", "ORG")]) == 0
