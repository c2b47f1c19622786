"""Fusion research: how should the dense and BM25 lists be fused, per query?

The development sets disagree on BM25's weight in reciprocal rank fusion: on SciFact
``train`` more lexical weight helps, on MuSiQue it hurts (and on CLAPNQ and the bank
set, both report-only, hybrid is below dense). A fixed weight cannot serve both, so
this script compares fusion functions that adapt per query:

- ``rrf w``: reciprocal rank fusion, lexical weight ``w`` (the project's default 0.5);
- ``mm a`` / ``z a``: convex combination ``a * dense + (1 - a) * bm25`` of min-max or
  z-score normalised scores over each channel's top 100 (Bruch, Gai and Ingber, "An
  analysis of fusion functions for hybrid retrieval", ACM TOIS 2023: convex
  combination keeps the score gaps that RRF throws away);
- ``sure t w``: RRF whose lexical weight shrinks as dense is sure of its leader,
  ``w * max(0, 1 - margin / t)`` with ``margin`` the cosine gap between the dense
  top 1 and the mean of its top 2-10 (t: the gap at which dense is fully trusted);
  ``unsure t w`` the opposite, ``w * min(1, margin / t)``, for contrast.

Each row is nDCG@10 / R@2 / R@5 of the fused list (no graph), with the paired
randomisation test against dense. Choose on ``scifact-train`` and ``musique`` only;
the other sets are reported. The default (``z 0.7``) is the variant whose smaller
gain over dense on those two is the largest: one default serves every corpus.

    PYTHONPATH=. .venv/bin/python scripts/fusion_research.py \
        [--datasets musique scifact-train scifact-test pubmedqa clapnq bank] \
        [--out bench_results/fusion_research.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from graph_research import evaluate, row  # noqa: E402
from graph_research_data import LOADERS, Cache, Dataset  # noqa: E402
from graph_research_method import baselines  # noqa: E402

from kg.typing import FusionMethod  # noqa: E402

Ranked = list[tuple[int, float]]


def _bank() -> Dataset:
    """The bundled bank example: its passages and the expert golden set (report only)."""
    base = ROOT / "provrag" / "example_data"
    records = [json.loads(line) for line in (base / "kb_v1.jsonl").open(encoding="utf-8")]
    passages = [r for r in records if r.get("kind") == "passage"]
    golden = [json.loads(line) for line in (base / "golden.jsonl").open(encoding="utf-8")]
    ids = {r["id"] for r in passages}
    qrels = {g["query_id"]: {d: s for d, s in g["relevant"].items() if d in ids} for g in golden}
    return Dataset(
        "bank", [r["id"] for r in passages], [r["text"] for r in passages],
        [g["query_id"] for g in golden], [g["query"] for g in golden], qrels, "bank",
    )  # fmt: skip


DATASETS: dict[str, Callable[[], Dataset]] = {**LOADERS, "bank": _bank}


def fused(d: Ranked, b: Ranked, method: FusionMethod, w_dense: float, w_lex: float) -> Ranked:
    """The two lists fused by :func:`retrieval.fusion.fuse`, the retriever's own fusion."""
    from retrieval.fusion import ChannelList, fuse

    lists = [
        ChannelList(name, [i for i, _ in r], [x for _, x in r])
        for name, r in (("dense", d), ("lexical", b))
    ]
    out = fuse(lists, method=method, weights={"dense": w_dense, "lexical": w_lex})
    return [(f.id, f.score) for f in out]


def rrf(d: Ranked, b: Ranked, w: float) -> Ranked:
    return fused(d, b, "rrf", 1.0, w)


def dense_margin(d: Ranked) -> float:
    s = [x for _, x in d[:10]]
    return s[0] - float(np.mean(s[1:])) if len(s) > 1 else 1.0


def margin_rrf(d: Ranked, b: Ranked, t: float, w: float, sure: bool) -> Ranked:
    m = dense_margin(d) / t
    return rrf(d, b, w * (max(0.0, 1.0 - m) if sure else min(1.0, m)))


def variants() -> dict[str, Callable[[Ranked, Ranked], Ranked]]:
    out: dict[str, Callable[[Ranked, Ranked], Ranked]] = {
        "dense": lambda d, b: d,
        "bm25": lambda d, b: b,
    }
    for w in (0.25, 0.5, 0.75, 1.0):
        out[f"rrf {w}"] = lambda d, b, w=w: rrf(d, b, w)
    for a in (0.5, 0.6, 0.7, 0.8):
        out[f"mm {a}"] = lambda d, b, a=a: fused(d, b, "weighted", a, 1 - a)
        out[f"z {a}"] = lambda d, b, a=a: fused(d, b, "zscore", a, 1 - a)
    for w in (0.5, 1.0):
        for t in (0.05, 0.1, 0.2):
            out[f"sure {t} {w}"] = lambda d, b, t=t, w=w: margin_rrf(d, b, t, w, True)
            out[f"unsure {t} {w}"] = lambda d, b, t=t, w=w: margin_rrf(d, b, t, w, False)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--cache", type=Path, default=Path("/tmp/research_cache"))
    parser.add_argument("--only", nargs="*", default=None, help="variant names to run")
    parser.add_argument("--out", type=Path, default=ROOT / "bench_results" / "fusion_research.json")
    args = parser.parse_args()
    cache = Cache(args.cache)
    results: dict[str, list[dict[str, Any]]] = {}
    for name in args.datasets:
        ds = DATASETS[name]()
        base = baselines(ds, cache)  # dense and BM25 top 100, as the retriever's channels
        d_lists, b_lists = base.dense, base.bm25
        dense = evaluate(ds, d_lists)
        margins = np.array([dense_margin(d) for d in d_lists])
        spread = np.percentile(margins, [25, 50, 75]).round(3)
        print(f"\n{name}: {len(ds.query_ids)} queries, {len(ds.doc_ids)} passages, "
              f"dense margin p25/p50/p75 {spread}")  # fmt: skip
        rows = []
        for label, fn in variants().items():
            if args.only and label not in args.only and label != "dense":
                continue
            res = evaluate(ds, [fn(d, b) for d, b in zip(d_lists, b_lists, strict=True)])
            rows.append(row(label, res, dense))
            r = rows[-1]
            print(f"  {label:18s} nDCG {r['ndcg@10']:.4f}  R@2 {r['recall@2']:.4f}  "
                  f"R@5 {r['recall@5']:.4f}  d {r['d_ndcg_vs_dense']:+.4f}  "
                  f"p {r['p_vs_dense']:.3f}")  # fmt: skip
        results[name] = rows
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
