"""Graph enrichment research: Personalized PageRank over one passage-entity graph.

Compares, on public data, dense / BM25 / hybrid (RRF, the project's weights) /
the current enriched retriever (graph hits appended below the fused ones, so its
top 10 equals hybrid's) with PPR variants built on :mod:`retrieval.ppr`:

- graph: passage nodes + entity nodes, passage-entity mention edges; optional
  synonym edges between entities whose name embeddings are close (cosine >=
  ``syn_threshold``, top ``syn_k`` per entity); entities from spaCy NER (types
  configurable, numbers/dates/ordinals off), from noun chunks, or both;
- seeds: the query's entities (same extractor, matched by normalised key, plus
  the ``link_k`` entity names nearest to the query's mentions by embedding, at
  cosine >= ``link_threshold``), each weighted by specificity ``1/df`` (or 1) times
  its link confidence, plus the dense top 100 (or hybrid top 100, or every
  passage) at ``passage_weight * minmax(score)``;
- PPR by forward push (:func:`retrieval.ppr.push_ppr`, ``epsilon``) or power iteration;
- ranking: the passages by PPR score (``rank="ppr"``), or the hybrid list and the
  PPR list fused by RRF (``rank="fuse"``, graph weight ``graph_weight``);
- gate: the graph speaks only when the query links an entity and (``gate_agree``)
  PPR's top passage is among the fused (hybrid) ranking's top ``gate_agree``;
  otherwise the hybrid ranking stands. ``gate_min_spec`` / ``gate_overlap`` are
  other gates tried (``--analyse-gate`` prints the nDCG change by gate feature).

``Config()`` is the recommended default; ``default_variants()`` changes one knob
of it per row. ``--grid``/``--base`` sweep knobs; ``--bench N...`` times the
graph step (CPU time) on synthetic Zipf graphs of N passages.

Settings are chosen on development data (SciFact train qrels, MuSiQue) and
reported on test splits. Every variant's per-query nDCG@10 is compared with
dense by a paired randomisation test (``evaluation.stats``).

    PYTHONPATH=. .venv/bin/python scripts/graph_research.py \
        [--datasets musique scifact-train scifact-test pubmedqa clapnq] \
        [--cache /tmp/research_cache] [--out bench_results/graph_research.json] \
        [--grid '{"damping": [0.5, 0.7]}' --base '{"passage_weight": 0.01}'] \
        [--analyse-gate] [--bench 10000 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from graph_research_data import DEFAULT_LABELS, LOADERS, Cache, Dataset  # noqa: E402

from retrieval import ppr  # noqa: E402

METRICS = ["ndcg@10", "recall@2", "recall@5", "recall@10"]
DEPTH = 100  # candidates per channel (the project's candidate_depth)
WEIGHTS = {"dense": 1.0, "lexical": 0.5}  # provrag.settings RetrievalSettings.weights


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
        fused = fuse([d, lx], method="rrf", weights=WEIGHTS, rrf_k=60)
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


# --------------------------------------------------------------------------- latency


def synthetic_graph(
    n_passages: int, mentions: float, entity_ratio: float, syn_per_entity: float, seed: int = 7
) -> tuple[ppr.Transition, np.ndarray]:
    """A passage-entity graph with Zipf-distributed entity frequencies (like real corpora).

    Each passage mentions Poisson(``mentions``) distinct entities drawn with
    probability proportional to ``1 / rank``; there are ``entity_ratio * n_passages``
    entities and ``syn_per_entity`` synonym edges per entity on average.
    Returns the transition and the entity draw probabilities.
    """
    rng = np.random.default_rng(seed)
    n_ent = max(1, int(entity_ratio * n_passages))
    prob = 1.0 / np.arange(1, n_ent + 1)
    prob /= prob.sum()
    per = rng.poisson(mentions, n_passages)
    src = np.repeat(np.arange(n_passages), per)
    dst = rng.choice(n_ent, size=len(src), p=prob)
    n_syn = int(syn_per_entity * n_ent)
    a = rng.integers(0, n_ent, n_syn)
    b = np.clip(a + rng.integers(-50, 50, n_syn), 0, n_ent - 1)
    t = ppr.build_transition(
        n_passages + n_ent,
        np.concatenate([src, n_passages + a]),
        np.concatenate([dst + n_passages, n_passages + b]),
        np.concatenate([np.ones(len(src)), np.full(n_syn, 0.9)]),
    )
    return t, prob


def bench_graph_step(
    n_passages: int,
    mentions: float,
    entity_ratio: float,
    syn_per_entity: float,
    cfg: Config,
    queries: int = 300,
    linked: int = 3,
) -> dict[str, Any]:
    """Per-query cost (ms) of seeds + forward push + top passages on a synthetic graph."""
    t0 = time.perf_counter()
    trans, prob = synthetic_graph(n_passages, mentions, entity_ratio, syn_per_entity)
    build_s = time.perf_counter() - t0
    df = np.asarray(trans.degree[n_passages:], dtype=np.float64)
    rng = np.random.default_rng(11)
    times, touched = [], []
    for _ in range(queries):
        ents = rng.choice(len(prob), size=linked, p=prob, replace=False)
        cands = rng.choice(n_passages, size=DEPTH, replace=False)
        t1 = time.process_time()
        s_nodes, s_weights = ppr.query_seeds(
            n_passages + ents, ppr.specificity(df[ents]), cands,
            np.linspace(1.0, 0.0, DEPTH), passage_weight=cfg.passage_weight,
        )  # fmt: skip
        res = ppr.push_ppr(trans, s_nodes, s_weights, damping=cfg.damping, epsilon=cfg.epsilon)
        ppr.top_nodes(res.scores, res.nodes[res.nodes < n_passages], DEPTH)
        times.append(1000 * (time.process_time() - t1))
        touched.append(res.pushes)
    ms = np.asarray(times)
    return {
        "passages": n_passages, "entities": int(len(prob)), "edges": int(trans.matrix.nnz),
        "build_s": round(build_s, 2),
        "ms_p50": round(float(np.percentile(ms, 50)), 2),
        "ms_p95": round(float(np.percentile(ms, 95)), 2),
        "pushes_p50": int(np.percentile(touched, 50)),
    }  # fmt: skip


# --------------------------------------------------------------------------- metrics


def evaluate(ds: Dataset, ranking: list[list[tuple[int, float]]]) -> dict[str, Any]:
    from evaluation.metrics import evaluate_run

    run = {
        qid: {ds.doc_ids[i]: float(len(r) - k) for k, (i, _) in enumerate(r[:10])}
        for qid, r in zip(ds.query_ids, ranking, strict=True)
    }
    res = evaluate_run(ds.qrels, run, METRICS)
    return {m: res[m] for m in METRICS}


def row(name: str, res: dict[str, Any], dense: dict[str, Any], **extra: Any) -> dict[str, Any]:
    from evaluation.stats import paired_randomization_test

    diff, p = paired_randomization_test(
        dense["ndcg@10"].per_query, res["ndcg@10"].per_query, samples=10000
    )
    out = {"variant": name, **{m: round(res[m].mean, 4) for m in METRICS}}
    out.update({"d_ndcg_vs_dense": round(diff, 4), "p_vs_dense": round(p, 4), **extra})
    return out


def run_dataset(
    name: str, cache: Cache, variants: dict[str, Config], log: Callable[[str], None]
) -> dict[str, Any]:
    ds = LOADERS[name]()
    base = baselines(ds, cache)
    dense = evaluate(ds, base.dense)
    rows = [
        row("dense", dense, dense),
        row("bm25", evaluate(ds, base.bm25), dense),
        row("hybrid", evaluate(ds, base.hybrid), dense),
        row("enriched (current: graph appended below hybrid)", evaluate(ds, base.hybrid), dense),
    ]
    graphs: dict[tuple[Any, ...], tuple[Graph, QuerySide]] = {}
    for label, cfg in variants.items():
        gkey = (
            cfg.extractor, cfg.labels, cfg.synonyms, cfg.syn_threshold, cfg.syn_k, cfg.max_df,
            cfg.link_k > 0,
        )  # fmt: skip
        if gkey not in graphs:
            graphs[gkey] = (build_graph(ds, cache, cfg), query_side(ds, cache, cfg))
        graph, qs = graphs[gkey]
        out = run_ppr(ds, base, graph, qs, cfg)
        ms = np.asarray(out.ms)
        rows.append(
            row(
                label,
                evaluate(ds, out.ranking),
                dense,
                spoke=round(float(out.spoke.mean()), 3),
                linked=round(float((out.linked > 0).mean()), 3),
                graph_ms_p50=round(float(np.percentile(ms, 50)), 2),
                graph_ms_p95=round(float(np.percentile(ms, 95)), 2),
                entities=graph.edges["entities"],
                config=cfg.diff(),
            )  # fmt: skip
        )
        log(f"  {name} {label}: " + "  ".join(f"{m} {rows[-1][m]:.4f}" for m in METRICS))
    return {
        "dataset": name,
        "passages": len(ds.doc_ids),
        "queries": len(ds.query_ids),
        "rows": rows,
    }


def default_variants() -> dict[str, Config]:
    """The recommended default (``Config()``) and one change of it per row."""
    c = Config()
    return {
        "PPR default (NER, syn, spec, link, gate top-3)": c,
        "  no gate": replace(c, gate_agree=0),
        "  no synonym edges": replace(c, synonyms=False),
        "  no specificity": replace(c, specificity=False),
        "  no embedding links (exact keys only)": replace(c, link_k=0),
        "  no synonyms, no embedding links": replace(c, synonyms=False, link_k=0),
        "  passage seeds = hybrid top 100": replace(c, passage_seeds="hybrid"),
        "  passage weight 0.05 (HippoRAG 2)": replace(c, passage_weight=0.05),
        "  RRF(hybrid, PPR) instead of PPR order": replace(c, rank="fuse", graph_weight=2.0),
        "  noun chunks (no syn/links), gate": replace(
            c, extractor="chunks", synonyms=False, link_k=0
        ),
        "  noun chunks (no syn/links), no gate": replace(
            c, extractor="chunks", synonyms=False, link_k=0, gate_agree=0
        ),
    }


def gate_analysis(name: str, cache: Cache, cfg: Config) -> list[dict[str, Any]]:
    """Mean nDCG@10 change (PPR minus hybrid) of the queries PPR ran for, by gate feature."""
    ds = LOADERS[name]()
    base = baselines(ds, cache)
    graph, qs = build_graph(ds, cache, cfg), query_side(ds, cache, cfg)
    out = run_ppr(
        ds, base, graph, qs, replace(cfg, gate_min_spec=0.0, gate_agree=0, gate_overlap=0)
    )
    hyb = evaluate(ds, base.hybrid)["ndcg@10"].per_query
    ppr_q = evaluate(ds, out.ranking)["ndcg@10"].per_query
    rows = []
    buckets: dict[str, Callable[[dict[str, Any]], str]] = {
        "max_spec": lambda f: next(
            f"df<={d}" for d in (1, 2, 5, 10, 20, 50, 100, 10**9) if 1 / f["max_spec"] <= d
        ),
        "overlap": lambda f: f"{f['overlap']}/10",
        "top1_rank_in_hybrid": lambda f: next(
            f"<={r}" for r in (1, 2, 3, 5, 10, 100, 1000) if f["top1_rank_in_hybrid"] <= r
        ),
        "linked": lambda f: str(min(f["linked"], 5)),
    }
    for feature, key in buckets.items():
        groups: dict[str, list[float]] = {}
        for f in out.features:
            qid = ds.query_ids[f["qi"]]
            groups.setdefault(key(f), []).append(ppr_q[qid] - hyb[qid])
        for b, deltas in sorted(groups.items()):
            rows.append(
                {"feature": feature, "bucket": b, "queries": len(deltas),
                 "mean_delta": round(float(np.mean(deltas)), 4),
                 "sum_delta": round(float(np.sum(deltas)), 3)}
            )  # fmt: skip
    return rows


def _config(overrides: dict[str, Any]) -> Config:
    fixed: dict[str, Any] = {k: frozenset(v) if k == "labels" else v for k, v in overrides.items()}
    return replace(Config(), **fixed)


def grid_variants(base: dict[str, Any], grid: dict[str, list[Any]]) -> dict[str, Config]:
    """Every combination of ``grid`` values on top of ``base`` (labelled by their diff)."""
    import itertools

    out = {}
    keys = list(grid)
    for values in itertools.product(*(grid[k] for k in keys)):
        cfg = _config({**base, **dict(zip(keys, values, strict=True))})
        out[cfg.label()] = cfg
    return out


def print_table(results: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=200)
    for r in results:
        table = Table(title=f"{r['dataset']} ({r['passages']} passages, {r['queries']} queries)")
        for col in ["variant", *METRICS, "d nDCG", "p", "spoke", "ms p50/p95"]:
            table.add_column(col, justify="left" if col == "variant" else "right")
        for x in r["rows"]:
            table.add_row(
                x["variant"], *(f"{x[m]:.4f}" for m in METRICS),
                f"{x['d_ndcg_vs_dense']:+.4f}", f"{x['p_vs_dense']:.4f}",
                str(x.get("spoke", "")),
                f"{x['graph_ms_p50']}/{x['graph_ms_p95']}" if "graph_ms_p50" in x else "",
            )  # fmt: skip
        console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["musique", "scifact-train"])
    parser.add_argument(
        "--variants", nargs="*", default=None, help="names of default_variants() to run (all)"
    )
    parser.add_argument(
        "--grid",
        type=json.loads,
        default=None,
        help="sweep instead of the default variants, e.g. '{\"damping\": [0.5, 0.7]}'",
    )
    parser.add_argument(
        "--base", type=json.loads, default={}, help="Config overrides under the sweep (JSON)"
    )
    parser.add_argument("--cache", type=Path, default=Path("/tmp/research_cache"))
    parser.add_argument("--out", type=Path, default=ROOT / "bench_results" / "graph_research.json")
    parser.add_argument(
        "--analyse-gate", action="store_true", help="per-feature nDCG change of --base instead"
    )
    parser.add_argument(
        "--bench",
        type=int,
        nargs="*",
        default=None,
        help="only time the graph step on synthetic graphs of these passage counts",
    )
    args = parser.parse_args()
    from rich.console import Console

    if args.bench is not None:
        cfg = _config(args.base)
        bench = [
            bench_graph_step(n, mentions=8.0, entity_ratio=1.0, syn_per_entity=1.0, cfg=cfg)
            for n in args.bench or [10_000, 100_000]
        ]
        for b in bench:
            print(b)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"bench": bench, "config": cfg.diff()}, indent=2))
        return

    if args.analyse_gate:
        for name in args.datasets:
            rows = gate_analysis(name, Cache(args.cache), _config(args.base))
            for r in rows:
                print(name, r)
        return

    console = Console(stderr=True, width=160)
    cache = Cache(args.cache)
    results = []
    for name in args.datasets:
        with console.status(f"{name}: baselines, graph, PPR variants"):
            chosen = (
                grid_variants(args.base, args.grid)
                if args.grid
                else {
                    k: v
                    for k, v in default_variants().items()
                    if not args.variants or any(a in k for a in args.variants)
                }
            )
            results.append(run_dataset(name, cache, chosen, console.log))
    print_table(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "metrics": METRICS,
        "datasets": results,
    }
    args.out.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    console.log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
