"""Answer confidence and abstention, measured: calibration error, abstention precision and
recall, and the choice of the abstention threshold and of the confidence map on dev data.

Expected calibration error (ECE)
--------------------------------
With the confidences split into ``B`` equal-width bins over [0, 1] (bin ``b`` holds
the answers with confidence in ``((b-1)/B, b/B]``, the first bin also 0), ``n``
answers in all and ``n_b`` in bin ``b``::

    ECE = sum over non-empty bins b of (n_b / n) * | acc(b) - conf(b) |

where ``acc(b)`` is the share of correct answers in the bin and ``conf(b)`` their
mean confidence. 0 is perfect calibration; a system that says 0.9 and is right half
the time scores 0.4. Naeini, Cooper and Hauskrecht, "Obtaining Well Calibrated
Probabilities Using Bayesian Binning", AAAI 2015; the 10-bin form as in Guo, Pleiss,
Sun and Weinberger, "On Calibration of Modern Neural Networks", ICML 2017 (eq. 3).

Abstention
----------
The positive class is "should abstain" (the question has no answer in the data):
precision = abstained and unanswerable / abstained; recall = abstained and
unanswerable / unanswerable. :func:`choose_threshold` picks, on dev data, the
support threshold (abstain below it) that maximises their F1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from evaluation.errors import MetricError

#: bins of the expected calibration error
ECE_BINS = 10


def expected_calibration_error(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = ECE_BINS
) -> float:
    """ECE of ``confidences`` (each in [0, 1]) against ``correct`` (module docstring)."""
    conf = np.asarray(confidences, dtype=np.float64)
    right = np.asarray(correct, dtype=np.float64)
    if conf.shape != right.shape:
        raise MetricError(
            f"{conf.size} confidences but {right.size} correctness values; give one per answer"
        )
    if conf.size == 0:
        raise MetricError("no answer to measure calibration on; give at least one")
    if bins < 1:
        raise MetricError(f"the number of bins must be at least 1, got {bins}")
    if ((conf < 0) | (conf > 1)).any():
        bad = float(conf[(conf < 0) | (conf > 1)][0])
        raise MetricError(f"a confidence must be in [0, 1], got {bad}")
    # bin b (0-based) holds (b/B, (b+1)/B]; 0 falls in the first bin. The tolerance keeps
    # an edge in its bin where float products overshoot (0.3 * 10 = 3.0000000000000004)
    index = np.clip(np.ceil(conf * bins - 1e-9).astype(int) - 1, 0, bins - 1)
    total = 0.0
    for b in range(bins):
        members = index == b
        if members.any():
            gap = abs(float(right[members].mean()) - float(conf[members].mean()))
            total += members.sum() / conf.size * gap
    return float(total)


@dataclass(frozen=True)
class AbstentionScores:
    """Abstention measured against which questions have no answer."""

    precision: float
    recall: float
    f1: float
    abstained: int
    unanswerable: int

    def to_dict(self) -> dict[str, float | int]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "abstained": self.abstained,
            "unanswerable": self.unanswerable,
        }


def abstention_scores(abstained: Sequence[bool], unanswerable: Sequence[bool]) -> AbstentionScores:
    """Precision and recall of abstaining on the unanswerable questions (0 when undefined)."""
    if len(abstained) != len(unanswerable):
        raise MetricError(
            f"{len(abstained)} abstention flags but {len(unanswerable)} answerability flags"
        )
    hits = sum(1 for a, u in zip(abstained, unanswerable, strict=True) if a and u)
    n_abstained, n_unanswerable = sum(map(bool, abstained)), sum(map(bool, unanswerable))
    precision = hits / n_abstained if n_abstained else 0.0
    recall = hits / n_unanswerable if n_unanswerable else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return AbstentionScores(precision, recall, f1, n_abstained, n_unanswerable)


def choose_threshold(supports: Sequence[float], unanswerable: Sequence[bool]) -> float:
    """The support threshold (abstain when support < threshold) with the best abstention
    F1 on these (dev) questions; ties go to the lowest threshold (abstain least).

    Candidates: midpoints between consecutive distinct supports, and just above the
    highest (abstain always); never abstaining scores F1 0 and loses to any threshold
    that catches an unanswerable question.
    """
    if len(supports) != len(unanswerable) or not supports:
        raise MetricError("give one support per question, and at least one question")
    values = sorted(set(float(s) for s in supports))
    candidates = [(a + b) / 2 for a, b in zip(values, values[1:], strict=False)]
    candidates.append(math.nextafter(values[-1], math.inf))
    best, best_f1 = values[0], -1.0
    for t in candidates:
        f1 = abstention_scores([s < t for s in supports], unanswerable).f1
        if f1 > best_f1:
            best, best_f1 = t, f1
    return best


def fit_confidence(
    supports: Sequence[float], correct: Sequence[bool], *, l2: float = 1e-3, steps: int = 50
) -> tuple[float, float]:
    """``(slope, intercept)`` of the logistic map ``confidence = 1 / (1 + exp(-(slope *
    support + intercept)))`` that fits ``correct`` best (Platt scaling: maximum likelihood
    by Newton's method, a small L2 penalty on the slope)."""
    x = np.asarray(supports, dtype=np.float64)
    y = np.asarray(correct, dtype=np.float64)
    if x.size == 0 or x.shape != y.shape:
        raise MetricError("give one correctness value per support, and at least one")
    w = np.zeros(2)
    design = np.stack([x, np.ones_like(x)], axis=1)
    penalty = np.diag([l2, 0.0])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(design @ w)))
        grad = design.T @ (p - y) + penalty @ w
        hess = design.T @ (design * (p * (1 - p))[:, None]) + penalty + 1e-9 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-10:
            break
    return float(w[0]), float(w[1])
