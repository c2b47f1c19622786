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
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from graph_research_bench import bench_graph_step  # noqa: E402
from graph_research_data import LOADERS, Cache, Dataset  # noqa: E402
from graph_research_method import (  # noqa: E402
    METRICS,
    Config,
    Graph,
    QuerySide,
    baselines,
    build_graph,
    query_side,
    run_ppr,
)

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
