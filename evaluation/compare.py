"""Compare two evaluation runs: per-metric differences with a paired test, and the
queries that got better or worse.

For each metric both runs computed, over the queries both runs scored:
``delta = mean(B) - mean(A)`` and the two-sided p-value of a paired
randomisation test (:func:`evaluation.stats.paired_randomization_test`). The
queries that changed most on one metric (nDCG@k by default) are listed, best
gains and worst losses first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from evaluation.errors import EvaluationError
from evaluation.results import EvalResult
from evaluation.stats import compare_per_query, paired_randomization_test


@dataclass(frozen=True)
class MetricDelta:
    """One metric of A and B on their common queries."""

    metric: str
    mean_a: float
    mean_b: float
    delta: float
    p_value: float
    query_count: int


@dataclass(frozen=True)
class QueryDelta:
    query_id: str
    query: str | None
    a: float
    b: float
    delta: float


@dataclass
class Comparison:
    run_a: str | None
    run_b: str | None
    #: the metric the per-query lists are about
    metric: str
    deltas: list[MetricDelta]
    improved: list[QueryDelta]
    worsened: list[QueryDelta]
    improved_count: int
    worsened_count: int
    tie_count: int
    samples: int
    seed: int
    warnings: list[str] = field(default_factory=list)

    def delta(self, metric: str) -> MetricDelta | None:
        return next((d for d in self.deltas if d.metric == metric), None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def compare_runs(
    a: EvalResult,
    b: EvalResult,
    *,
    metrics: Sequence[str] | None = None,
    metric: str | None = None,
    top: int = 10,
    samples: int = 10000,
    seed: int = 13,
) -> Comparison:
    """B against A: every common metric (or ``metrics``), and the ``top`` queries that
    gained and lost most on ``metric`` (default A's nDCG@k)."""
    common_metrics = [m for m in a.metric_names if m in b.per_query and m in a.per_query]
    chosen = list(metrics) if metrics is not None else common_metrics
    missing = [m for m in chosen if m not in common_metrics]
    if missing:
        raise EvaluationError(
            f"metric(s) {', '.join(missing)} not computed by both runs; both have: "
            f"{', '.join(common_metrics) or 'none'}"
        )
    if not chosen:
        raise EvaluationError("the two runs have no metric in common")
    warnings = []
    if (a.golden_name, a.golden_version) != (b.golden_name, b.golden_version):
        warnings.append(
            f"the runs used different golden sets ({a.golden_name} {a.golden_version} vs "
            f"{b.golden_name} {b.golden_version}); only their common query ids are compared"
        )
    deltas = []
    for m in chosen:
        pa, pb = a.per_query[m], b.per_query[m]
        common = sorted(q for q in pa if q in pb)
        if not common:
            raise EvaluationError(
                f"{m}: the two runs share no query id; compare runs made on the same golden set"
            )
        # sorted ids: the permutations must not depend on the order the runs list queries in
        ordered_a = {q: pa[q] for q in common}
        ordered_b = {q: pb[q] for q in common}
        diff, p = paired_randomization_test(ordered_a, ordered_b, samples=samples, seed=seed)
        mean_a = sum(ordered_a.values()) / len(common)
        mean_b = sum(ordered_b.values()) / len(common)
        deltas.append(MetricDelta(m, mean_a, mean_b, diff, p, len(common)))
        if len(common) < len(pa) or len(common) < len(pb):
            warnings.append(
                f"{m}: {len(common)} common queries (A scored {len(pa)}, B scored {len(pb)})"
            )
    focus = metric or (a.primary_metric if a.primary_metric in chosen else chosen[0])
    if focus not in common_metrics:
        raise EvaluationError(f"metric {focus!r} is not computed by both runs")
    pa, pb = a.per_query[focus], b.per_query[focus]
    split = compare_per_query(pa, pb)

    def row(q: str) -> QueryDelta:
        return QueryDelta(q, b.queries.get(q) or a.queries.get(q), pa[q], pb[q], pb[q] - pa[q])

    return Comparison(
        run_a=a.run_id,
        run_b=b.run_id,
        metric=focus,
        deltas=deltas,
        improved=[row(q) for q in split.improved[:top]],
        worsened=[row(q) for q in split.worsened[:top]],
        improved_count=len(split.improved),
        worsened_count=len(split.worsened),
        tie_count=len(split.ties),
        samples=samples,
        seed=seed,
        warnings=list(dict.fromkeys(warnings)),
    )
