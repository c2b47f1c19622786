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

from graph_research import row  # noqa: E402
from graph_research_data import LOADERS, Cache, Dataset  # noqa: E402

DEPTH = 100
METRICS = ("ndcg@10", "recall@2", "recall@5", "recall@10")
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


def evaluate(ds: Dataset, ranking: list[Ranked]) -> dict[str, Any]:
    from evaluation.metrics import evaluate_run

    run = {
        qid: {ds.doc_ids[i]: float(len(r) - k) for k, (i, _) in enumerate(r[:10])}
        for qid, r in zip(ds.query_ids, ranking, strict=True)
    }
    res = evaluate_run(ds.qrels, run, METRICS)
    return {m: res[m] for m in METRICS}


def channels(ds: Dataset, cache: Cache) -> tuple[list[Ranked], list[Ranked]]:
    """Dense and BM25 top ``DEPTH`` per query, as the retriever's channels make them."""
    from retrieval.lexical import LexicalIndex

    dv = cache.embed(ds.doc_texts)
    qv = cache.embed(ds.query_texts)
    sims = qv @ dv.T
    lex = LexicalIndex()
    lex.build(np.arange(len(ds.doc_texts)), ds.doc_texts)
    dense, bm25 = [], []
    for qi, text in enumerate(ds.query_texts):
        order = np.argsort(-sims[qi], kind="stable")[:DEPTH]
        dense.append([(int(i), float(sims[qi][i])) for i in order])
        ls, li = lex.search(text, DEPTH, matching_only=True)
        bm25.append([(int(i), float(s)) for i, s in zip(li, ls, strict=True)])
    return dense, bm25


def _sorted(scores: dict[int, float]) -> Ranked:
    return sorted(scores.items(), key=lambda t: (-t[1], t[0]))


def rrf(d: Ranked, b: Ranked, w: float, k: int = 60) -> Ranked:
    out: dict[int, float] = {}
    for lst, wt in ((d, 1.0), (b, w)):
        for r, (i, _) in enumerate(lst, 1):
            out[i] = out.get(i, 0.0) + wt / (k + r)
    return _sorted(out)


def _norm(lst: Ranked, how: str) -> dict[int, float]:
    s = np.array([x for _, x in lst], dtype=np.float64)
    if not len(s):
        return {}
    if how == "mm":
        span = s.max() - s.min()
        z = (s - s.min()) / span if span > 1e-12 else np.ones_like(s)
    else:
        sd = s.std()
        z = (s - s.mean()) / sd if sd > 1e-12 else np.zeros_like(s)
    return {i: float(v) for (i, _), v in zip(lst, z, strict=True)}


def convex(d: Ranked, b: Ranked, a: float, how: str) -> Ranked:
    nd, nb = _norm(d, how), _norm(b, how)
    floor_d = min(nd.values(), default=0.0)
    floor_b = min(nb.values(), default=0.0)
    ids = set(nd) | set(nb)
    return _sorted({i: a * nd.get(i, floor_d) + (1 - a) * nb.get(i, floor_b) for i in ids})


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
        out[f"mm {a}"] = lambda d, b, a=a: convex(d, b, a, "mm")
        out[f"z {a}"] = lambda d, b, a=a: convex(d, b, a, "z")
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
        d_lists, b_lists = channels(ds, cache)
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
