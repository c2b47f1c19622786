"""The graph method of scripts/graph_research.py: baselines, the passage-entity graph,
query linking and the gated Personalized PageRank run, one dataset at a time."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from graph_research_data import DEFAULT_LABELS, Cache, Dataset

from retrieval import ppr

METRICS = ["ndcg@10", "recall@2", "recall@5", "recall@10"]
DEPTH = 100  # candidates per channel (the project's candidate_depth)
WEIGHTS = {"dense": 0.7, "lexical": 0.3}  # retrieval.config.RetrieverConfig.weights
FUSION = "zscore"  # retrieval.config.RetrieverConfig.fusion


@dataclass(frozen=True)
class Config:
    """One PPR variant (every knob of the method)."""

    extractor: str = "ner"  # ner | chunks | both
    labels: frozenset[str] = DEFAULT_LABELS
    synonyms: bool = True
    syn_threshold: float = 0.8
    syn_k: int = 5
    link_k: int = 5
    link_threshold: float = 0.8
    specificity: bool = True
    damping: float = 0.5
    passage_weight: float = 0.01
    #: hybrid (top DEPTH fused) | dense100 (top DEPTH dense) | dense (every passage)
    passage_seeds: str = "dense100"
    rank: str = "ppr"  # ppr | fuse
    graph_weight: float = 1.0
    gate_min_spec: float = 0.0  # 0: no specificity gate
    gate_agree: int = 3  # 0: no agreement gate (PPR's top passage in hybrid top N)
    gate_overlap: int = 0  # 0: off; else PPR top 10 must share this many with hybrid top 10
    epsilon: float = 1e-5  # forward-push threshold; 0: exact power iteration
    max_df: float = 1.0  # drop entities mentioned by more than this share of passages

    def label(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.diff().items()) or "default"

    def diff(self) -> dict[str, Any]:
        base = asdict(Config())
        return {
            k: (sorted(v) if isinstance(v, frozenset) else v)
            for k, v in asdict(self).items()
            if v != base[k]
        }


# --------------------------------------------------------------------------- baselines


@dataclass
class Baselines:
    dense_scores: np.ndarray  # (Q, N)
    dense: list[list[tuple[int, float]]]
    bm25: list[list[tuple[int, float]]]
    hybrid: list[list[tuple[int, float]]]


def baselines(ds: Dataset, cache: Cache) -> Baselines:
    from retrieval.fusion import ChannelList, fuse
    from retrieval.lexical import LexicalIndex

    dv = cache.embed(ds.doc_texts)
    qv = cache.embed(ds.query_texts)
    sims = qv @ dv.T
    lex = LexicalIndex()
    lex.build(np.arange(len(ds.doc_texts)), ds.doc_texts)
    dense, bm25, hybrid = [], [], []
    for qi, text in enumerate(ds.query_texts):
        order = np.argsort(-sims[qi], kind="stable")[:DEPTH]
        d = ChannelList("dense", order, sims[qi][order])
        ls, li = lex.search(text, DEPTH, matching_only=True)
        lx = ChannelList("lexical", li, ls)
        fused = fuse([d, lx], method=FUSION, weights=WEIGHTS, rrf_k=60)
        dense.append([(int(i), float(s)) for i, s in zip(d.ids, d.scores, strict=True)])
        bm25.append([(int(i), float(s)) for i, s in zip(li, ls, strict=True)])
        hybrid.append([(f.id, f.score) for f in fused])
    return Baselines(sims, dense, bm25, hybrid)


# --------------------------------------------------------------------------- graph


@dataclass
class Graph:
    n_passages: int
    names: list[str]  # entity keys, node = n_passages + index
    df: np.ndarray  # passages mentioning each entity
    transition: ppr.Transition
    name_vectors: np.ndarray
    key_index: dict[str, int] = field(default_factory=dict)
    build_seconds: float = 0.0
    edges: dict[str, int] = field(default_factory=dict)


def _mentions(parsed: dict[str, list[tuple[str, str]]], cfg: Config) -> list[str]:
    keys: list[str] = []
    if cfg.extractor in ("ner", "both"):
        keys += [k for k, label in parsed["ents"] if label in cfg.labels]
    if cfg.extractor in ("chunks", "both"):
        keys += [k for k, _ in parsed["chunks"]]
    return list(dict.fromkeys(keys))


def build_graph(ds: Dataset, cache: Cache, cfg: Config) -> Graph:
    t0 = time.perf_counter()
    parsed = cache.spacy(ds.doc_texts)
    n = len(ds.doc_texts)
    index: dict[str, int] = {}
    src: list[int] = []
    dst: list[int] = []
    for p, doc in enumerate(parsed):
        for key in _mentions(doc, cfg):
            e = index.setdefault(key, len(index))
            src.append(p)
            dst.append(e)
    names = list(index)
    df = np.bincount(np.asarray(dst, dtype=np.int64), minlength=len(names)).astype(np.float64)
    s_arr = np.asarray(src, dtype=np.int64)
    d_arr = np.asarray(dst, dtype=np.int64)
    if cfg.max_df < 1.0:  # drop entities mentioned by too many passages
        keep = df[d_arr] <= cfg.max_df * n
        s_arr, d_arr = s_arr[keep], d_arr[keep]
    needs_vectors = names and (cfg.synonyms or cfg.link_k > 0)
    vectors = cache.embed(names) if needs_vectors else np.zeros((0, 384), dtype=np.float32)
    all_src, all_dst = [s_arr], [n + d_arr]
    weights = [np.ones(len(s_arr))]
    n_syn = 0
    if cfg.synonyms and len(names) > 1:
        a, b, w = synonym_edges(vectors, cfg.syn_threshold, cfg.syn_k)
        all_src.append(n + a)
        all_dst.append(n + b)
        weights.append(w)
        n_syn = len(a)
    transition = ppr.build_transition(
        n + len(names), np.concatenate(all_src), np.concatenate(all_dst), np.concatenate(weights)
    )
    return Graph(
        n, names, df, transition, vectors, index, time.perf_counter() - t0,
        {"mention": len(s_arr), "synonym": n_syn, "entities": len(names)},
    )  # fmt: skip


def synonym_edges(
    vectors: np.ndarray, threshold: float, k: int, chunk: int = 2048
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges ``i -> j`` to each entity's ``k`` nearest names with cosine >= threshold."""
    src, dst, w = [], [], []
    for start in range(0, len(vectors), chunk):
        sims = vectors[start : start + chunk] @ vectors.T
        rows = np.arange(len(sims))
        sims[rows, start + rows] = -1.0
        kk = min(k, sims.shape[1] - 1)
        top = np.argpartition(-sims, kk, axis=1)[:, :kk]
        vals = np.take_along_axis(sims, top, axis=1)
        ok = vals >= threshold
        r = np.repeat(start + rows[:, None], kk, axis=1)
        src.append(r[ok])
        dst.append(top[ok])
        w.append(vals[ok])
    return (
        np.concatenate(src).astype(np.int64),
        np.concatenate(dst).astype(np.int64),
        np.concatenate(w).astype(np.float64),
    )


# --------------------------------------------------------------------------- query side


@dataclass
class QuerySide:
    keys: list[list[str]]  # mentions per query
    mention_vectors: list[np.ndarray]


def query_side(ds: Dataset, cache: Cache, cfg: Config) -> QuerySide:
    parsed = cache.spacy(ds.query_texts)
    keys = [_mentions(p, cfg) for p in parsed]
    flat = sorted({k for ks in keys for k in ks})
    vecs = cache.embed(flat) if flat and cfg.link_k > 0 else np.zeros((len(flat), 384), np.float32)
    row = {k: i for i, k in enumerate(flat)}
    return QuerySide(keys, [vecs[[row[k] for k in ks]] for ks in keys])


def link(graph: Graph, qs: QuerySide, qi: int, cfg: Config) -> tuple[np.ndarray, np.ndarray]:
    """Entity indices linked to query ``qi`` and their link confidence (1 for exact keys)."""
    found: dict[int, float] = {}
    for k in qs.keys[qi]:
        e = graph.key_index.get(k)
        if e is not None:
            found[e] = 1.0
    mv = qs.mention_vectors[qi]
    if cfg.link_k and len(mv) and len(graph.name_vectors):
        sims = mv @ graph.name_vectors.T
        for row in sims:
            kk = min(cfg.link_k, len(row))
            top = np.argpartition(-row, kk - 1)[:kk]
            for e in top:
                if row[e] >= cfg.link_threshold:
                    found[int(e)] = max(found.get(int(e), 0.0), float(row[e]))
    if cfg.max_df < 1.0:
        found = {e: c for e, c in found.items() if graph.df[e] <= cfg.max_df * graph.n_passages}
    ents = np.fromiter(found, dtype=np.int64, count=len(found))
    conf = np.fromiter(found.values(), dtype=np.float64, count=len(found))
    return ents, conf


# --------------------------------------------------------------------------- PPR runs


@dataclass
class PPRRun:
    ranking: list[list[tuple[int, float]]]
    spoke: np.ndarray  # bool per query: the graph changed the ranking source
    linked: np.ndarray  # entities linked per query
    ms: list[float]  # graph-step time per query (linking + seeds + PPR + ranking)
    features: list[dict[str, Any]]  # gate features of the queries PPR ran for


def run_ppr(ds: Dataset, base: Baselines, graph: Graph, qs: QuerySide, cfg: Config) -> PPRRun:
    from retrieval.fusion import ChannelList, fuse

    n = graph.n_passages
    ranking, spoke, linked, ms = [], [], [], []
    features: list[dict[str, Any]] = []
    for qi in range(len(ds.query_ids)):
        t0 = time.process_time()  # CPU time: the machine is shared, wall time is noisy
        hyb = base.hybrid[qi]
        ents, conf = link(graph, qs, qi, cfg)
        linked.append(len(ents))
        spec = ppr.specificity(graph.df[ents]) if len(ents) else np.zeros(0)
        gate = len(ents) > 0 and (cfg.gate_min_spec <= 0 or float(spec.max()) >= cfg.gate_min_spec)
        if not gate:
            ranking.append(hyb)
            spoke.append(False)
            ms.append(1000 * (time.process_time() - t0))
            continue
        ew = (spec if cfg.specificity else np.ones(len(ents))) * conf
        if cfg.passage_seeds == "dense":
            p_nodes = np.arange(n)
            p_scores = base.dense_scores[qi]
        elif cfg.passage_seeds == "dense100":
            p_nodes = np.fromiter((i for i, _ in base.dense[qi]), dtype=np.int64)
            p_scores = np.fromiter((s for _, s in base.dense[qi]), dtype=np.float64)
        else:
            p_nodes = np.fromiter((i for i, _ in hyb), dtype=np.int64)
            p_scores = np.fromiter((s for _, s in hyb), dtype=np.float64)
        s_nodes, s_weights = ppr.query_seeds(
            n + ents, ew, p_nodes, p_scores, passage_weight=cfg.passage_weight
        )
        if cfg.epsilon > 0:
            pushed = ppr.push_ppr(
                graph.transition, s_nodes, s_weights, damping=cfg.damping, epsilon=cfg.epsilon
            )
            scores, support = pushed.scores, pushed.nodes[pushed.nodes < n]
        else:
            seeds = ppr.dense_seeds(graph.transition.n, s_nodes, s_weights)
            scores = ppr.personalized_pagerank(
                graph.transition, seeds, damping=cfg.damping, tol=1e-6
            ).scores
            support = np.arange(n)
        order = ppr.top_nodes(scores, support, DEPTH)
        ppr_list = [(int(i), float(scores[i])) for i in order]
        top_h = {i for i, _ in hyb[:10]}
        overlap = sum(1 for i, _ in ppr_list[:10] if i in top_h)
        features.append(
            {"qi": qi, "max_spec": float(spec.max()), "linked": len(ents), "overlap": overlap,
             "top1_rank_in_hybrid": next(
                 (r for r, (i, _) in enumerate(hyb, 1) if ppr_list and i == ppr_list[0][0]), 999
             )}
        )  # fmt: skip
        if (
            cfg.gate_agree
            and ppr_list
            and ppr_list[0][0] not in {i for i, _ in hyb[: cfg.gate_agree]}
        ) or overlap < cfg.gate_overlap:
            ranking.append(hyb)
            spoke.append(False)
            ms.append(1000 * (time.process_time() - t0))
            continue
        if cfg.rank == "fuse":
            h = ChannelList("hybrid", [i for i, _ in hyb], [s for _, s in hyb])
            g = ChannelList("graph", [i for i, _ in ppr_list], [s for _, s in ppr_list])
            fused = fuse([h, g], weights={"hybrid": 1.0, "graph": cfg.graph_weight})
            ranking.append([(f.id, f.score) for f in fused])
        else:
            ranking.append(ppr_list)
        spoke.append(True)
        ms.append(1000 * (time.process_time() - t0))
    return PPRRun(ranking, np.asarray(spoke), np.asarray(linked), ms, features)
