"""Comparing two runs: differences over common queries, paired test, better/worse queries."""

from __future__ import annotations

import pytest

from evaluation.compare import compare_runs
from evaluation.errors import EvaluationError
from evaluation.results import EvalResult
from evaluation.stats import paired_randomization_test
from tests.evaluation.toy import CannedRetriever, random_world, run_toy, toy_golden


def _run(seed: int, rankings_seed: int, run_id: str, version: str = "1") -> EvalResult:
    items, _ = random_world(seed)
    _, rankings = random_world(rankings_seed)
    # the same queries, rankings from another draw: a different system on the same set
    rankings = {f"random query {i}": r for i, r in enumerate(rankings.values())}
    result = run_toy(toy_golden(items, version), CannedRetriever(rankings, {}))
    result.run_id = run_id
    return result


def test_delta_and_p_value_per_metric() -> None:
    a, b = _run(1, 1, "A"), _run(1, 2, "B")
    comparison = compare_runs(a, b, samples=2000, seed=5)
    assert [d.metric for d in comparison.deltas] == a.metric_names
    for d in comparison.deltas:
        diff, p = paired_randomization_test(
            a.per_query[d.metric], b.per_query[d.metric], samples=2000, seed=5
        )
        assert d.delta == pytest.approx(diff) and d.p_value == p
        assert d.delta == pytest.approx(d.mean_b - d.mean_a)
        assert d.mean_a == pytest.approx(a.overall[d.metric].mean)
        assert d.query_count == 30


def test_better_and_worse_queries_ordered_by_change() -> None:
    a, b = _run(1, 1, "A"), _run(1, 3, "B")
    c = compare_runs(a, b, top=3)
    assert c.metric == "ndcg@10"
    assert c.improved_count + c.worsened_count + c.tie_count == 30
    deltas = {q: b.per_query["ndcg@10"][q] - a.per_query["ndcg@10"][q] for q in a.qrels}
    best = sorted((q for q in deltas if deltas[q] > 0), key=lambda q: (-deltas[q], q))[:3]
    worst = sorted((q for q in deltas if deltas[q] < 0), key=lambda q: (deltas[q], q))[:3]
    assert [q.query_id for q in c.improved] == best
    assert [q.query_id for q in c.worsened] == worst
    assert c.improved[0].query == a.queries[best[0]]


def test_a_run_against_itself_changes_nothing() -> None:
    a = _run(1, 1, "A")
    c = compare_runs(a, a)
    assert all(d.delta == 0 and d.p_value == 1.0 for d in c.deltas)
    assert c.improved == [] and c.worsened == [] and c.tie_count == 30


def test_different_golden_sets_are_noted() -> None:
    c = compare_runs(_run(1, 1, "A"), _run(1, 2, "B", version="2"))
    assert any("different golden sets" in w for w in c.warnings)


def test_an_unknown_metric_is_refused() -> None:
    with pytest.raises(EvaluationError, match="not computed by both runs"):
        compare_runs(_run(1, 1, "A"), _run(1, 2, "B"), metrics=["ndcg@1000"])
