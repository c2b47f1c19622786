"""Trust in the numbers: bootstrap intervals, paired randomisation tests, per-query changes.

All resampling is numpy-vectorised, in chunks that bound memory, and seeded:
the same inputs and seed give the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np

from evaluation.errors import EvaluationError

#: Upper bound on the number of random draws held in memory at once.
_CHUNK_CELLS = 2_000_000


def _chunks(samples: int, n: int) -> list[int]:
    rows = max(1, _CHUNK_CELLS // max(n, 1))
    return [min(rows, samples - start) for start in range(0, samples, rows)]


def _check_samples(samples: int) -> None:
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise EvaluationError(f"samples must be a positive integer, got {samples!r}")


def bootstrap_ci(
    values: Sequence[float] | np.ndarray,
    *,
    samples: int = 1000,
    alpha: float = 0.05,
    seed: int = 13,
) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of the mean over queries.

    Draws ``samples`` resamples of the per-query values with replacement, takes
    each resample's mean, and returns the ``alpha/2`` and ``1 - alpha/2``
    quantiles of those means (a 95% interval for ``alpha = 0.05``).

    Efron & Tibshirani, *An Introduction to the Bootstrap*, Chapman & Hall 1993, ch. 13.
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise EvaluationError("bootstrap_ci needs a non-empty list of per-query values")
    if not np.isfinite(arr).all():
        raise EvaluationError("bootstrap_ci got a NaN or infinite value; check the metric")
    if not 0.0 < alpha < 1.0:
        raise EvaluationError(f"alpha must be between 0 and 1, got {alpha!r}")
    _check_samples(samples)
    rng = np.random.default_rng(seed)
    n = arr.size
    means = np.concatenate(
        [arr[rng.integers(0, n, size=(rows, n))].mean(axis=1) for rows in _chunks(samples, n)]
    )
    low, high = np.quantile(means, [alpha / 2.0, 1.0 - alpha / 2.0])
    return float(low), float(high)


def _common(a: Mapping[str, float], b: Mapping[str, float]) -> list[str]:
    common = [q for q in a if q in b]
    if not common:
        raise EvaluationError(
            "the two runs share no query id; compare runs made on the same golden set"
        )
    return common


def paired_randomization_test(
    a: Mapping[str, float],
    b: Mapping[str, float],
    *,
    samples: int = 10000,
    seed: int = 13,
) -> tuple[float, float]:
    """Two-sided paired randomisation (permutation) test of run ``b`` against run ``a``.

    Over the queries both runs scored, ``d_q = b_q - a_q`` and the statistic is
    ``mean(d)``. Under the null hypothesis the two runs are exchangeable per
    query, so each ``d_q`` may flip its sign; ``samples`` random sign flips give
    the null distribution, and
    ``p = (1 + #{|mean(s·d)| >= |mean(d)|}) / (1 + samples)``
    (the +1 counts the observed labelling, so p is never 0).

    Returns ``(mean(b - a), p)``: a positive difference means ``b`` scored higher.

    Smucker, Allan & Carterette, "A comparison of statistical significance tests
    for information retrieval evaluation", CIKM 2007; Phipson & Smyth, "Permutation
    p-values should never be zero", Stat. Appl. Genet. Mol. Biol. 9(1), 2010.
    """
    _check_samples(samples)
    common = _common(a, b)
    d = np.fromiter((b[q] - a[q] for q in common), dtype=np.float64, count=len(common))
    if not np.isfinite(d).all():
        raise EvaluationError("a per-query value is NaN or infinite; check the metric")
    observed = float(d.mean())
    # tolerance for float noise: a flip that reproduces |observed| must count as extreme
    threshold = abs(observed) - 1e-12 * max(1.0, float(np.abs(d).sum()))
    rng = np.random.default_rng(seed)
    n = d.size
    extreme = 0
    for rows in _chunks(samples, n):
        signs = rng.integers(0, 2, size=(rows, n), dtype=np.int8) * 2 - 1
        stats = np.abs(signs @ d) / n
        extreme += int((stats >= threshold).sum())
    return observed, (extreme + 1) / (samples + 1)


class PerQueryComparison(NamedTuple):
    """Queries where ``b`` scored higher, lower, or the same as ``a`` (common queries only).

    ``improved`` and ``worsened`` are ordered by the size of the change, largest first;
    ``ties`` by query id.
    """

    improved: list[str]
    worsened: list[str]
    ties: list[str]


def compare_per_query(
    a: Mapping[str, float], b: Mapping[str, float], *, tolerance: float = 1e-12
) -> PerQueryComparison:
    """Split the queries both runs scored by whether ``b`` is better, worse or equal.

    Differences within ``tolerance`` count as ties.
    """
    common = _common(a, b)
    delta = {q: b[q] - a[q] for q in common}
    improved = sorted((q for q in common if delta[q] > tolerance), key=lambda q: (-delta[q], q))
    worsened = sorted((q for q in common if delta[q] < -tolerance), key=lambda q: (delta[q], q))
    ties = sorted(q for q in common if abs(delta[q]) <= tolerance)
    return PerQueryComparison(improved, worsened, ties)
