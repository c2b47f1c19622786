"""Answer metrics: SQuAD normalisation, exact match, token F1 (worked by hand)."""

from __future__ import annotations

import pytest

from evaluation.answer_metrics import exact_match, normalize_answer, score_answers, token_f1
from evaluation.errors import MetricError


def test_normalisation_lowercases_and_drops_punctuation_articles_spaces():
    assert normalize_answer("  The Eiffel-Tower, in  PARIS! ") == "eiffeltower in paris"


def test_articles_removed_only_as_whole_words():
    assert normalize_answer("an anthem, a theory") == "anthem theory"


def test_exact_match_after_normalisation():
    assert exact_match("the Eiffel Tower.", ["Eiffel tower"]) == 1.0
    assert exact_match("Eiffel", ["Eiffel tower"]) == 0.0


def test_exact_match_takes_best_gold():
    assert exact_match("Paris", ["London", "paris"]) == 1.0


def test_token_f1_hand_worked():
    # prediction tokens: [eiffel, tower, paris]; gold: [eiffel, tower]
    # common = 2, P = 2/3, R = 2/2, F1 = 2 * (2/3) * 1 / (2/3 + 1) = 0.8
    assert token_f1("The Eiffel Tower, Paris", ["Eiffel Tower"]) == pytest.approx(0.8)


def test_token_f1_uses_multiset_overlap():
    # pred [x, x, y], gold [x, y, y]: common = min(2,1) + min(1,2) = 2; P = R = 2/3 -> F1 2/3
    assert token_f1("x x y", ["x y y"]) == pytest.approx(2 / 3)


def test_token_f1_max_over_golds():
    assert token_f1("new york city", ["york", "new york city"]) == 1.0


def test_token_f1_empty_sides():
    assert token_f1("the", ["a"]) == 1.0  # both normalise to nothing
    assert token_f1("", ["paris"]) == 0.0
    assert token_f1("paris", ["..."]) == 0.0


def test_no_gold_rejected():
    with pytest.raises(MetricError):
        exact_match("x", [])


def test_score_answers_per_item_and_mean():
    gold = {"q1": ["Paris"], "q2": ["blue whale"], "q3": [], "q4": ["x"]}
    preds = {"q1": "paris", "q2": "the whale", "q9": "ignored"}
    scores = score_answers(preds, gold)
    em, f1 = scores["exact_match"], scores["token_f1"]
    assert em.per_query == {"q1": 1.0, "q2": 0.0, "q4": 0.0}  # q3 has no gold: not scored
    # q2: pred [whale], gold [blue, whale]: P = 1, R = 1/2, F1 = 2/3
    assert f1.per_query["q2"] == pytest.approx(2 / 3)
    assert em.mean == pytest.approx(1 / 3)
    assert f1.mean == pytest.approx((1 + 2 / 3 + 0) / 3)
