"""Inter-annotator agreement coefficients on a *label matrix*.

A label matrix maps ``item -> annotator -> value``; an annotator who did not label
an item is simply absent. Pure functions, in the style of ranx / trec tools:

- :func:`percent_agreement` raw agreement (unanimous items, or mean pairwise);
- :func:`cohen_kappa` two annotators (Cohen 1960);
- :func:`fleiss_kappa` a fixed number of raters per item (Fleiss 1971);
- :func:`krippendorff_alpha` nominal alpha, any number of annotators per item,
  missing labels allowed (Krippendorff 2011).

All values are compared as nominal categories (equal or not). A coefficient that
is undefined for its input (no pairable item, or no variation at all so the
chance agreement is 1) is ``None``, never ``NaN``, so reports stay valid JSON.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from evaluation.errors import MetricError
from kg.model import LabelValue
from kg.typing import PercentMethod

#: item (sample external id) -> annotator name -> label value
LabelMatrix = dict[str, dict[str, LabelValue]]


def value_sort_key(value: object) -> tuple[str, str]:
    """Order of mixed-type label values in tables: by type name, then text."""
    return type(value).__name__, str(value)


def pairable_rows(matrix: Mapping[str, Mapping[str, LabelValue]]) -> list[list[LabelValue]]:
    """The values of every item labelled by at least two annotators."""
    return [list(row.values()) for row in matrix.values() if len(row) >= 2]


def percent_agreement(
    matrix: Mapping[str, Mapping[str, LabelValue]], *, method: PercentMethod = "unanimous"
) -> float | None:
    """Raw agreement over the items labelled by at least two annotators.

    ``unanimous``: the share of those items on which every annotator gave the same
    value (``1 -`` the disagreement rate).

    ``pairwise``: the mean over items of the share of agreeing annotator pairs,
    ``A_o = 1/N * sum_i sum_c n_ic (n_ic - 1) / (m_i (m_i - 1))`` with ``m_i`` labels on
    item ``i`` and ``n_ic`` of them equal to ``c`` (the observed agreement of
    Artstein & Poesio, "Inter-coder agreement for computational linguistics",
    *Computational Linguistics* 34(4), 2008, sec. 2.6, allowing ``m_i`` to vary).

    ``None`` when no item has two labels.
    """
    rows = pairable_rows(matrix)
    if not rows:
        return None
    if method == "unanimous":
        return sum(1 for r in rows if len(set(r)) == 1) / len(rows)
    if method != "pairwise":
        raise MetricError(f"unknown percent agreement method {method!r}; use unanimous|pairwise")
    total = 0.0
    for r in rows:
        m = len(r)
        total += sum(n * (n - 1) for n in Counter(r).values()) / (m * (m - 1))
    return total / len(rows)


def cohen_kappa(a: Mapping[str, LabelValue], b: Mapping[str, LabelValue]) -> float | None:
    """Cohen's kappa of two annotators over the items both labelled.

    ``kappa = (p_o - p_e) / (1 - p_e)`` with ``p_o`` the share of common items with
    equal values and ``p_e = sum_c p_a(c) p_b(c)``, the agreement expected by chance
    from each annotator's own value distribution over the common items.

    J. Cohen, "A coefficient of agreement for nominal scales", *Educational and
    Psychological Measurement* 20(1):37-46, 1960.

    ``None`` when there is no common item or ``p_e = 1`` (both used one and the same
    value throughout: kappa is undefined).
    """
    common = [k for k in a if k in b]
    n = len(common)
    if n == 0:
        return None
    p_o = sum(1 for k in common if a[k] == b[k]) / n
    count_a = Counter(a[k] for k in common)
    count_b = Counter(b[k] for k in common)
    p_e = sum(count_a[c] * count_b.get(c, 0) for c in count_a) / (n * n)
    if p_e >= 1.0:
        return None
    return (p_o - p_e) / (1.0 - p_e)


def fleiss_kappa(matrix: Mapping[str, Mapping[str, LabelValue]]) -> float | None:
    """Fleiss' kappa: every item rated by the same number ``n >= 2`` of raters.

    With ``N`` items, ``n_ij`` raters putting item ``i`` in category ``j``:
    ``p_j = sum_i n_ij / (N n)``, ``P_i = (sum_j n_ij^2 - n) / (n (n - 1))``,
    ``P = mean_i P_i``, ``P_e = sum_j p_j^2`` and ``kappa = (P - P_e) / (1 - P_e)``.
    The raters need not be the same people on every item, only as many.

    J. L. Fleiss, "Measuring nominal scale agreement among many raters",
    *Psychological Bulletin* 76(5):378-382, 1971.

    Items without any label are ignored. Raises :class:`MetricError` when the
    number of raters varies between items: use :func:`krippendorff_alpha`, which
    allows any number of labels per item. ``None`` for no items or ``P_e = 1``.
    """
    rows = [list(r.values()) for r in matrix.values() if r]
    if not rows:
        return None
    sizes = Counter(len(r) for r in rows)
    if len(sizes) > 1:
        raise MetricError(
            "Fleiss' kappa needs the same number of labels on every item, got "
            f"{dict(sorted(sizes.items()))} (labels per item -> items); "
            "use krippendorff_alpha for a varying number"
        )
    n = len(rows[0])
    if n < 2:
        raise MetricError(f"Fleiss' kappa needs at least 2 labels per item, got {n}")
    big_n = len(rows)
    totals: Counter[LabelValue] = Counter()
    p_bar = 0.0
    for r in rows:
        counts = Counter(r)
        totals.update(counts)
        p_bar += (sum(c * c for c in counts.values()) - n) / (n * (n - 1))
    p_bar /= big_n
    p_e = sum((t / (big_n * n)) ** 2 for t in totals.values())
    if p_e >= 1.0:
        return None
    return (p_bar - p_e) / (1.0 - p_e)


def krippendorff_alpha(matrix: Mapping[str, Mapping[str, LabelValue]]) -> float | None:
    """Krippendorff's alpha for nominal values; any annotators per item, missing allowed.

    Only items with ``m_u >= 2`` labels are pairable. From the coincidence matrix
    ``o_ck = sum_u n_uc n_uk / (m_u - 1)`` (``n_uc (n_uc - 1)`` on the diagonal), with
    ``n_c = sum_k o_ck`` and ``n = sum_c n_c`` the number of pairable values:

    ``alpha = 1 - D_o / D_e = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k``

    where ``sum_{c != k} o_ck = sum_u (m_u^2 - sum_c n_uc^2) / (m_u - 1)`` and
    ``sum_{c != k} n_c n_k = n^2 - sum_c n_c^2``.

    K. Krippendorff, "Computing Krippendorff's Alpha-Reliability", Annenberg School
    for Communication, Departmental Papers 43, 2011; A. F. Hayes & K. Krippendorff,
    "Answering the call for a standard reliability measure for coding data",
    *Communication Methods and Measures* 1(1):77-89, 2007.

    ``None`` when fewer than two pairable values exist or all of them are equal
    (no variation: the expected disagreement is 0 and alpha is undefined).
    """
    rows = pairable_rows(matrix)
    n_c: Counter[LabelValue] = Counter()
    observed = 0.0
    for r in rows:
        m = len(r)
        counts = Counter(r)
        n_c.update(counts)
        observed += (m * m - sum(c * c for c in counts.values())) / (m - 1)
    n = sum(n_c.values())
    expected = n * n - sum(c * c for c in n_c.values())
    if n < 2 or expected == 0:
        return None
    return 1.0 - (n - 1) * observed / expected
