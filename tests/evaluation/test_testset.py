"""Synthetic test set questions (deterministic, from labels, entities and text) and the
rank agreement between two sets (Kendall's tau, checked against a hand count)."""

from __future__ import annotations

import pytest

from evaluation.errors import SyntheticSetError
from evaluation.testset import SourceSample, generate_questions, rank_agreement

SAMPLES = [
    SourceSample("p2", "Cards can be frozen in the app. Call us too.", ("intent=card_freeze",)),
    SourceSample(
        "p1",
        "Harbourline Insurance underwrites home cover. More text.",
        ("intent=home_insurance_cover", "topic=home_insurance"),
        ("Harbourline Insurance",),
    ),
    SourceSample("p3", "Savings pay interest monthly."),
]


def test_same_seed_same_questions_and_each_passage_once_while_they_last() -> None:
    a = generate_questions(SAMPLES, 3, seed=5)
    assert a == generate_questions(list(reversed(SAMPLES)), 3, seed=5)
    assert sorted(q.source_id for q in a) == ["p1", "p2", "p3"]
    assert [q.id for q in a] == ["ts-5-0001", "ts-5-0002", "ts-5-0003"]
    assert generate_questions(SAMPLES, 7, seed=5)[:3] == a


def test_templates_use_what_the_passage_has() -> None:
    questions = generate_questions(SAMPLES, 60, seed=1)
    by_source: dict[str, set[str]] = {}
    for q in questions:
        by_source.setdefault(q.source_id, set()).add(q.template)
    assert by_source["p3"] == {"first-sentence"}  # no intent label, no entity
    assert "entity-intent" not in by_source["p2"]
    texts = {q.text for q in questions if q.source_id == "p1"}
    assert "What about home insurance cover with Harbourline Insurance?" in texts
    assert "Where does it say that savings pay interest monthly?" in {
        q.text for q in questions if q.source_id == "p3"
    }


def test_a_size_below_one_is_refused() -> None:
    with pytest.raises(SyntheticSetError, match="size 0"):
        generate_questions(SAMPLES, 0, seed=1)


def test_kendall_tau_matches_a_hand_count() -> None:
    # experts: a > b > c > d; synthetic: a > c > b > d. Of the 6 pairs, only (b, c) is
    # discordant: tau = (5 - 1) / 6.
    expert = {"a": 0.9, "b": 0.8, "c": 0.7, "d": 0.6}
    synthetic = {"a": 0.8, "b": 0.5, "c": 0.6, "d": 0.4}
    agreement = rank_agreement(expert, synthetic)
    assert agreement.tau == pytest.approx(4 / 6)
    assert agreement.ranking("synthetic") == ["a", "c", "b", "d"]
    assert agreement.gaps == pytest.approx({"a": -0.1, "b": -0.3, "c": -0.1, "d": -0.2})
    assert agreement.mean_abs_gap == pytest.approx(0.175)
    assert rank_agreement(expert, expert).tau == pytest.approx(1.0)
    reverse = {k: -v for k, v in expert.items()}
    assert rank_agreement(expert, reverse).tau == pytest.approx(-1.0)


def test_tau_is_undefined_without_two_variants_or_spread() -> None:
    assert rank_agreement({"a": 0.5}, {"a": 0.4}).tau is None
    assert rank_agreement({"a": 0.5, "b": 0.4}, {"a": 0.3, "b": 0.3}).tau is None


def test_both_sets_must_score_the_same_variants() -> None:
    with pytest.raises(SyntheticSetError, match="different variants"):
        rank_agreement({"a": 0.5, "b": 0.4}, {"a": 0.5})
