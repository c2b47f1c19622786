"""Bootstrap intervals, paired randomisation test, per-query comparison."""

from __future__ import annotations

import numpy as np
import pytest

from evaluation.errors import EvaluationError
from evaluation.stats import bootstrap_ci, compare_per_query, paired_randomization_test


def scores(n: int, seed: int, shift: float = 0.0) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    return {f"q{i}": float(v) for i, v in enumerate(np.clip(rng.beta(2, 3, n) + shift, 0, 1))}


def test_ci_contains_the_mean():
    values = list(scores(200, 1).values())
    low, high = bootstrap_ci(values)
    assert low < float(np.mean(values)) < high


def test_ci_shrinks_with_more_queries():
    small = bootstrap_ci(list(scores(30, 2).values()))
    large = bootstrap_ci(list(scores(3000, 2).values()))
    assert large[1] - large[0] < (small[1] - small[0]) / 3


def test_ci_deterministic_with_seed_and_varies_without():
    values = list(scores(50, 3).values())
    assert bootstrap_ci(values, seed=5) == bootstrap_ci(values, seed=5)
    assert bootstrap_ci(values, seed=5) != bootstrap_ci(values, seed=6)


def test_ci_close_to_scipy_percentile_bootstrap():
    stats = pytest.importorskip("scipy.stats")
    values = np.array(list(scores(100, 4).values()))
    ref = stats.bootstrap(
        (values,), np.mean, n_resamples=20000, method="percentile", random_state=0
    ).confidence_interval
    low, high = bootstrap_ci(values, samples=20000)
    assert low == pytest.approx(ref.low, abs=0.005)
    assert high == pytest.approx(ref.high, abs=0.005)


def test_ci_of_constant_values_is_a_point():
    assert bootstrap_ci([0.5] * 10) == (0.5, 0.5)


def test_ci_rejects_empty():
    with pytest.raises(EvaluationError):
        bootstrap_ci([])


def test_identical_runs_p_one_diff_zero():
    a = scores(40, 5)
    diff, p = paired_randomization_test(a, dict(a))
    assert diff == 0.0
    assert p == 1.0


def test_clearly_better_run_is_significant_and_sign_follows_b_minus_a():
    a = scores(100, 6)
    b = {q: v + 0.1 for q, v in a.items()}
    diff, p = paired_randomization_test(a, b)
    assert diff == pytest.approx(0.1)
    assert p < 0.01
    assert paired_randomization_test(b, a)[0] == pytest.approx(-0.1)


def test_randomization_deterministic_with_seed():
    a, b = scores(30, 7), scores(30, 8)
    assert paired_randomization_test(a, b, seed=1) == paired_randomization_test(a, b, seed=1)


def test_randomization_close_to_exact_scipy_permutation_test():
    # 12 paired queries: scipy enumerates all 2^12 sign flips (exact p); ours samples 20000.
    stats = pytest.importorskip("scipy.stats")
    a, b = scores(12, 9), scores(12, 10, shift=0.1)
    d = np.array([b[q] - a[q] for q in a])
    exact = stats.permutation_test(
        (d,), np.mean, permutation_type="samples", alternative="two-sided", n_resamples=np.inf
    ).pvalue
    _, p = paired_randomization_test(a, b, samples=20000)
    assert p == pytest.approx(exact, abs=0.01)


def test_randomization_uses_common_queries_only():
    a = {"q1": 0.1, "q2": 0.5, "only_a": 1.0}
    b = {"q1": 0.3, "q2": 0.7, "only_b": 0.0}
    diff, _ = paired_randomization_test(a, b)
    assert diff == pytest.approx(0.2)


def test_no_common_queries_rejected():
    with pytest.raises(EvaluationError, match="no query"):
        paired_randomization_test({"a": 1.0}, {"b": 1.0})


def test_compare_per_query_splits_and_orders_by_change():
    a = {"q1": 0.5, "q2": 0.5, "q3": 0.5, "q4": 0.5, "q5": 0.2}
    b = {"q1": 0.6, "q2": 0.9, "q3": 0.1, "q4": 0.5, "q5": 0.1, "extra": 1.0}
    result = compare_per_query(a, b)
    assert result.improved == ["q2", "q1"]
    assert result.worsened == ["q3", "q5"]
    assert result.ties == ["q4"]
