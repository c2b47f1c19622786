"""evaluation.calibration: ECE against a hand-worked example, abstention precision and
recall, and the threshold and confidence map chosen on dev data."""

from __future__ import annotations

import numpy as np
import pytest

from evaluation.calibration import (
    abstention_scores,
    choose_threshold,
    expected_calibration_error,
    fit_confidence,
)
from evaluation.errors import MetricError


def test_ece_of_a_hand_worked_example() -> None:
    # 10 bins of width 0.1, (b/10, (b+1)/10]:
    #   (0.0, 0.1]: 0.05 wrong            -> n 1, acc 0,   conf 0.05,  gap 0.05
    #   (0.1, 0.2]: 0.15 wrong, 0.15 right -> n 2, acc 0.5, conf 0.15,  gap 0.35
    #   (0.2, 0.3]: 0.3 right (an edge)    -> n 1, acc 1,   conf 0.3,   gap 0.7
    #   (0.8, 0.9]: 0.85 right             -> n 1, acc 1,   conf 0.85,  gap 0.15
    #   (0.9, 1.0]: 0.95 right, 1.0 wrong  -> n 2, acc 0.5, conf 0.975, gap 0.475
    # ECE = (1*0.05 + 2*0.35 + 1*0.7 + 1*0.15 + 2*0.475) / 7 = 2.55 / 7
    conf = [0.05, 0.15, 0.15, 0.3, 0.85, 0.95, 1.0]
    right = [False, False, True, True, True, True, False]
    assert expected_calibration_error(conf, right) == pytest.approx(2.55 / 7)


def test_perfect_and_worst_calibration() -> None:
    assert expected_calibration_error([1.0, 1.0, 0.0], [True, True, False]) == 0.0
    assert expected_calibration_error([1.0, 0.0], [False, True]) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("conf", "right"), [([], []), ([0.5], [True, False]), ([1.5], [True]), ([-0.1], [True])]
)
def test_ece_refuses_what_it_cannot_measure(conf: list[float], right: list[bool]) -> None:
    with pytest.raises(MetricError):
        expected_calibration_error(conf, right)


def test_abstention_precision_and_recall() -> None:
    abstained = [True, True, False, False, True]
    unanswerable = [True, False, True, False, True]
    scores = abstention_scores(abstained, unanswerable)
    assert (scores.precision, scores.recall) == pytest.approx((2 / 3, 2 / 3))
    assert scores.f1 == pytest.approx(2 / 3)
    assert abstention_scores([False, False], [True, False]).precision == 0.0


def test_the_threshold_separates_the_unanswerable_questions() -> None:
    supports = [0.2, 0.3, 0.4, 0.7, 0.8, 0.9]
    unanswerable = [True, True, False, True, False, False]
    t = choose_threshold(supports, unanswerable)
    # below 0.35: 2 of 3 caught, no false alarm (F1 0.8); below 0.75: all 3 caught, one
    # false alarm (precision 3/4, recall 1, F1 6/7): the best cut
    assert t == pytest.approx(0.75)
    assert abstention_scores([s < t for s in supports], unanswerable).f1 == pytest.approx(6 / 7)
    assert choose_threshold([0.5, 0.5], [True, False]) > 0.5  # a tie: abstain on both


def test_the_fitted_confidence_map_recovers_a_logistic_curve() -> None:
    rng = np.random.default_rng(0)
    support = rng.uniform(-1, 2, 20000)
    p = 1 / (1 + np.exp(-(3.0 * support - 1.5)))
    correct = rng.uniform(size=support.size) < p
    slope, intercept = fit_confidence(support.tolist(), correct.tolist())
    assert slope == pytest.approx(3.0, abs=0.15)
    assert intercept == pytest.approx(-1.5, abs=0.1)
