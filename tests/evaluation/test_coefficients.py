"""Agreement coefficients on hand-worked published tables and against independent
implementations."""

from __future__ import annotations

import random

import pytest

from evaluation.coefficients import (
    LabelMatrix,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
)
from evaluation.errors import MetricError
from kg.model import LabelValue

# ------------------------------------------------------------------ Cohen's kappa


def test_cohen_kappa_two_by_two_by_hand() -> None:
    """50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15 (the Wikipedia example).

    p_o = (20 + 15) / 50 = 0.7; A says yes 25/50 = 0.5, B 30/50 = 0.6;
    p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    """
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10
    pairs += [("no", "no")] * 15
    a = {f"i{n}": x for n, (x, _) in enumerate(pairs)}
    b = {f"i{n}": y for n, (_, y) in enumerate(pairs)}
    assert cohen_kappa(a, b) == pytest.approx(0.4)


def test_cohen_kappa_uses_common_items_only() -> None:
    a = {"i1": "x", "i2": "y", "only-a": "x"}
    b = {"i1": "x", "i2": "y", "only-b": "y"}
    assert cohen_kappa(a, b) == pytest.approx(1.0)
    assert cohen_kappa({"i1": "x"}, {"i2": "x"}) is None  # nothing in common
    assert cohen_kappa({"i1": "x", "i2": "x"}, {"i1": "x", "i2": "x"}) is None  # p_e = 1


def test_cohen_kappa_against_sklearn() -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    rng = random.Random(11)
    for _ in range(30):
        n = rng.randint(5, 60)
        cats = ["a", "b", "c", "d"][: rng.randint(2, 4)]
        a = {f"i{i}": rng.choice(cats) for i in range(n)}
        b = {k: (v if rng.random() < 0.6 else rng.choice(cats)) for k, v in a.items()}
        ours = cohen_kappa(a, b)
        ref = metrics.cohen_kappa_score([a[k] for k in a], [b[k] for k in a])
        if ours is None:
            continue  # sklearn gives nan with a warning when p_e = 1
        assert ours == pytest.approx(ref, abs=1e-12)


# ------------------------------------------------------------------ Fleiss' kappa

# Fleiss (1971)-style table as on Wikipedia: 10 items, 14 raters, 5 categories;
# row i: how many raters put item i in category 1..5.
FLEISS_TABLE = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def _from_counts(table: list[list[int]]) -> LabelMatrix:
    """Counts per category -> a label matrix with anonymous raters r0, r1, ..."""
    matrix: LabelMatrix = {}
    for i, row in enumerate(table):
        values = [f"c{j + 1}" for j, n in enumerate(row) for _ in range(n)]
        matrix[f"item{i + 1}"] = {f"r{k}": v for k, v in enumerate(values)}
    return matrix


def test_fleiss_kappa_worked_table() -> None:
    """By hand: column sums 20, 28, 39, 21, 32 of 140 ratings, so
    P_e = (20^2 + 28^2 + 39^2 + 21^2 + 32^2) / 140^2 = 4170 / 19600 = 0.212755.
    Per item sum_j n_ij^2 - 14: 182, 46, 56, 80, 60, 84, 44, 32, 52, 52 (sum 688), each
    over n (n - 1) = 182, so P = 688 / (10 * 182) = 0.378022.
    kappa = (0.378022 - 0.212755) / (1 - 0.212755) = 0.209931 (Wikipedia: 0.210)."""
    p_bar = 688 / 1820
    p_e = 4170 / 19600
    assert fleiss_kappa(_from_counts(FLEISS_TABLE)) == pytest.approx((p_bar - p_e) / (1 - p_e))
    assert fleiss_kappa(_from_counts(FLEISS_TABLE)) == pytest.approx(0.2099, abs=1e-4)


def test_fleiss_kappa_two_raters_is_scotts_pi() -> None:
    """With 2 raters Fleiss' kappa is Scott's pi: items (x,x), (x,y), (y,y), (y,y).
    p_o = 3/4; pooled x share 3/8, y 5/8; p_e = 9/64 + 25/64 = 34/64;
    pi = (3/4 - 34/64) / (1 - 34/64) = (14/64) / (30/64) = 7/15."""
    m = {"1": {"a": "x", "b": "x"}, "2": {"a": "x", "b": "y"}, "3": {"a": "y", "b": "y"},
         "4": {"a": "y", "b": "y"}}  # fmt: skip
    assert fleiss_kappa(m) == pytest.approx(7 / 15)


def test_fleiss_kappa_refuses_varying_rater_counts() -> None:
    m = {"1": {"a": "x", "b": "x"}, "2": {"a": "x", "b": "y", "c": "y"}}
    with pytest.raises(MetricError, match="krippendorff_alpha"):
        fleiss_kappa(m)


# ------------------------------------------------------------------ Krippendorff's alpha

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the nominal
# example: 4 observers, 12 units, missing values (None); published alpha = 0.743.
KRIPP_ROWS = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
}


def _from_rows(rows: dict[str, list[int | None]]) -> LabelMatrix:
    matrix: LabelMatrix = {}
    for observer, values in rows.items():
        for unit, v in enumerate(values):
            if v is not None:
                matrix.setdefault(f"u{unit + 1}", {})[observer] = v
    return matrix


def test_krippendorff_alpha_published_example() -> None:
    """By hand, the coincidence matrix (unit 12 has one value: not pairable):
    diagonal o_11 = 3 + 2 + 2 = 7 (units 1, 8, 11), o_22 = 2 + 4 + 4 = 10 (2, 5, 9),
    o_33 = 4 + 4 = 8 (3, 4), o_44 = 4 (7), o_55 = 3 (10); off-diagonal: unit 2 gives
    2 * 3*1/3 = 2, unit 6 twelve ordered pairs of 1/3 = 4, unit 8 2 * 3*1/3 = 2: 8 in all.
    n = 40 pairable values; n_c = 9, 13, 10, 5, 3; sum n_c^2 = 384.
    alpha = 1 - (n - 1) * 8 / (40^2 - 384) = 1 - 39 * 8 / 1216 = 0.743421."""
    assert krippendorff_alpha(_from_rows(KRIPP_ROWS)) == pytest.approx(1 - 39 * 8 / 1216)
    assert krippendorff_alpha(_from_rows(KRIPP_ROWS)) == pytest.approx(0.743, abs=5e-4)


def _alpha_by_pairs(matrix: LabelMatrix) -> float | None:
    """Independent reference: alpha = 1 - D_o / D_e straight from the definition, by
    enumerating value pairs (within units weighted 1 / (m_u - 1); D_e over all pairs of
    pairable values)."""
    units = [list(r.values()) for r in matrix.values() if len(r) >= 2]
    values = [v for u in units for v in u]
    n = len(values)
    d_o = 0.0
    for u in units:
        m = len(u)
        for i in range(m):
            for j in range(m):
                if i != j and u[i] != u[j]:
                    d_o += 1 / (m - 1)
    d_o /= n
    pairs = sum(1 for i in range(n) for j in range(n) if i != j and values[i] != values[j])
    d_e = pairs / (n * (n - 1))
    return None if d_e == 0 else 1 - d_o / d_e


def test_krippendorff_alpha_against_pair_enumeration() -> None:
    rng = random.Random(7)
    for _ in range(40):
        matrix: LabelMatrix = {}
        for u in range(rng.randint(3, 25)):
            row: dict[str, LabelValue] = {
                f"ann{a}": rng.choice("xyz") for a in range(5) if rng.random() < 0.6
            }
            if rng.random() < 0.5 and row:  # push towards agreement
                v = next(iter(row.values()))
                row = {k: v for k in row}
            matrix[f"u{u}"] = row
        ref = _alpha_by_pairs(matrix)
        ours = krippendorff_alpha(matrix)
        if ref is None:
            assert ours is None
        else:
            assert ours == pytest.approx(ref, abs=1e-12)


def test_krippendorff_alpha_undefined_and_perfect() -> None:
    assert krippendorff_alpha({"1": {"a": "x", "b": "x"}}) is None  # no variation
    assert krippendorff_alpha({"1": {"a": "x"}}) is None  # nothing pairable
    perfect = {"1": {"a": "x", "b": "x"}, "2": {"a": "y", "b": "y", "c": "y"}}
    assert krippendorff_alpha(perfect) == pytest.approx(1.0)


# ------------------------------------------------------------------ percent agreement


def test_percent_agreement_by_hand() -> None:
    m = {
        "1": {"a": "x", "b": "x", "c": "x"},  # unanimous; pairs agreeing 6/6
        "2": {"a": "x", "b": "y", "c": "y"},  # pairs agreeing 2/6 (b-c both ways)
        "3": {"a": "x", "b": "y"},  # pairs agreeing 0/2
        "4": {"a": "z"},  # one label: not counted
    }
    assert percent_agreement(m) == pytest.approx(1 / 3)
    assert percent_agreement(m, method="pairwise") == pytest.approx((1 + 2 / 6 + 0) / 3)
    assert percent_agreement({"4": {"a": "z"}}) is None
