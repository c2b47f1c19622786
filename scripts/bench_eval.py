"""Benchmark: scoring (not retrieval) of a large run, against ir_measures on the same data.

    .venv/bin/python scripts/bench_eval.py [--queries 10000] [--depth 100] [--repeats 5]

Builds a seeded synthetic run (``--queries`` x ``--depth`` scored documents) and
graded qrels (10 judgements per query, grades 0-3, half of them retrieved), then
times :func:`evaluation.metrics.evaluate_run` (target: under 2 s for 10,000 x 100),
``ir_measures.calc_aggregate`` on the same data as the reference bound, and the
statistics (bootstrap CI, paired randomisation test) over the per-query values.
Prints a table and writes ``bench_results/bench_eval.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from evaluation.metrics import DEFAULT_METRICS, Qrels, Run, evaluate_run
from evaluation.stats import bootstrap_ci, paired_randomization_test

TARGET_S = 2.0
ALL_AT_10_AND_100 = tuple(
    f"{m}@{k}" for k in (10, 100) for m in ("ndcg", "recall", "precision", "mrr", "map", "hit_rate")
)


def make_data(n_queries: int, depth: int, seed: int) -> tuple[Qrels, Run]:
    """Continuous scores (no ties, so ir_measures' RR provider agrees); 10 judgements/query."""
    rng = np.random.default_rng(seed)
    doc_numbers = rng.integers(0, 1_000_000, size=(n_queries, depth + 5))
    scores = rng.random((n_queries, depth))
    grades = rng.integers(0, 4, size=(n_queries, 10))
    run: Run = {}
    qrels: Qrels = {}
    for q in range(n_queries):
        docs = [f"d{n}" for n in dict.fromkeys(doc_numbers[q].tolist())]
        qid = f"q{q}"
        run[qid] = dict(zip(docs[:depth], scores[q].tolist(), strict=False))
        judged = docs[:5] + [f"x{q}_{i}" for i in range(5)]  # 5 retrieved, 5 never retrieved
        qrels[qid] = dict(zip(judged, grades[q].tolist(), strict=True))
    return qrels, run


def timed(fn: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def ir_measures_names(names: tuple[str, ...]) -> list[Any]:
    import ir_measures

    table = {
        "ndcg": "nDCG",
        "recall": "R",
        "precision": "P",
        "mrr": "RR",
        "map": "AP",
        "hit_rate": "Success",
    }
    out = []
    for name in names:
        kind, k = name.split("@")
        out.append(ir_measures.parse_measure(f"{table[kind]}@{k}"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--depth", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=Path("bench_results/bench_eval.json"))
    parser.add_argument("--skip-reference", action="store_true", help="do not time ir_measures")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    qrels, run = make_data(args.queries, args.depth, args.seed)
    build_s = time.perf_counter() - start

    rows: list[dict[str, Any]] = []

    def record(what: str, times: list[float], note: str = "") -> None:
        rows.append(
            {
                "what": what,
                "min_s": min(times),
                "median_s": statistics.median(times),
                "repeats": len(times),
                "note": note,
            }
        )

    results: dict[str, Any] = {}
    for label, names in (("default", DEFAULT_METRICS), ("all6@10+@100", ALL_AT_10_AND_100)):
        times, res = timed(partial(evaluate_run, qrels, run, names), args.repeats)
        results[label] = res
        record(f"evaluate_run {label} ({len(names)} metrics)", times)

    agreement: dict[str, float] = {}
    if not args.skip_reference:
        import ir_measures

        measures = ir_measures_names(DEFAULT_METRICS)
        ref_repeats = max(1, min(args.repeats, 3))
        times, ref = timed(lambda: ir_measures.calc_aggregate(measures, qrels, run), ref_repeats)
        record(f"ir_measures.calc_aggregate ({len(measures)} metrics)", times, "reference")
        for name, measure in zip(DEFAULT_METRICS, measures, strict=True):
            agreement[name] = abs(results["default"][name].mean - ref[measure])

    per_query = list(results["default"]["ndcg@10"].per_query.values())
    other = dict(
        zip(
            results["default"]["ndcg@10"].per_query,
            np.clip(np.array(per_query) + 0.01, 0, 1).tolist(),
            strict=True,
        )
    )
    times, _ = timed(lambda: bootstrap_ci(per_query), args.repeats)
    record(f"bootstrap_ci ({len(per_query)} values, 1000 samples)", times)
    times, _ = timed(
        lambda: paired_randomization_test(results["default"]["ndcg@10"].per_query, other),
        max(1, min(args.repeats, 3)),
    )
    record(f"paired_randomization_test ({len(per_query)} queries, 10000 samples)", times)

    scoring_s = rows[0]["median_s"]
    width = max(len(r["what"]) for r in rows)
    print(f"data: {args.queries} queries x {args.depth} results, built in {build_s:.2f} s")
    print(f"{'what':<{width}}  {'min s':>8}  {'median s':>8}  note")
    for r in rows:
        print(f"{r['what']:<{width}}  {r['min_s']:>8.3f}  {r['median_s']:>8.3f}  {r['note']}")
    if agreement:
        worst = max(agreement.values())
        print(f"max |ours - ir_measures| over the default metrics: {worst:.2e}")
    verdict = "PASS" if scoring_s < TARGET_S else "FAIL"
    print(
        f"scoring target < {TARGET_S:.1f} s (median, default metrics): {scoring_s:.3f} s {verdict}"
    )

    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "bench_eval",
        "queries": args.queries,
        "depth": args.depth,
        "judgements_per_query": 10,
        "seed": args.seed,
        "default_metrics": list(DEFAULT_METRICS),
        "rows": rows,
        "mean_abs_diff_vs_ir_measures": agreement,
        "target_s": TARGET_S,
        "scoring_median_s": scoring_s,
        "pass": scoring_s < TARGET_S,
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "numpy": np.__version__,
        },
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0 if report["pass"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
