"""Latency of the graph step of scripts/graph_research.py on synthetic passage-entity graphs.

``cfg`` is graph_research's ``Config`` (damping, epsilon, passage_weight are read).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from retrieval import ppr


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
    cfg: Any,
    queries: int = 300,
    linked: int = 3,
    depth: int = 100,
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
        cands = rng.choice(n_passages, size=depth, replace=False)
        t1 = time.process_time()
        s_nodes, s_weights = ppr.query_seeds(
            n_passages + ents, ppr.specificity(df[ents]), cands,
            np.linspace(1.0, 0.0, depth), passage_weight=cfg.passage_weight,
        )  # fmt: skip
        res = ppr.push_ppr(trans, s_nodes, s_weights, damping=cfg.damping, epsilon=cfg.epsilon)
        ppr.top_nodes(res.scores, res.nodes[res.nodes < n_passages], depth)
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
