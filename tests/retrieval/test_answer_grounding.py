"""Answer grounding: every answer's support and confidence, and abstention below the
threshold of ``AnswerConfig`` (retrieval.answerer, retrieval.config)."""

from __future__ import annotations

import math

import pytest

from retrieval.answerer import OVERLAP_BONUS, Answerer
from retrieval.config import AnswerConfig
from tests.retrieval.conftest import CountingEmbedder
from tests.retrieval.test_answerer import HITS, FixedRetriever, generator_answering

QUERY = "The tower opened in 1889."  # the text of HITS[0]: cosine 1 with it


def test_support_is_the_best_sentence_score_and_maps_to_a_confidence() -> None:
    result = Answerer(FixedRetriever(HITS), CountingEmbedder()).answer(QUERY, 2)
    assert result.support == pytest.approx(1.0 + OVERLAP_BONUS)
    assert result.confidence == pytest.approx(AnswerConfig().confidence(result.support))
    assert 0.0 < result.confidence < 1.0
    assert result.abstained is False and result.text.startswith(QUERY)


def test_below_the_threshold_the_answer_abstains_and_keeps_the_passages() -> None:
    config = AnswerConfig(abstain_below=1.2)
    result = Answerer(FixedRetriever(HITS), CountingEmbedder(), config=config).answer(QUERY, 2)
    assert result.abstained is True
    assert (result.text, result.sentences) == ("", [])
    assert [p.sample_id for p in result.passages] == ["a", "b"]
    assert result.support == pytest.approx(1.1) and result.abstain_below == 1.2


def test_without_a_threshold_a_weak_answer_still_answers() -> None:
    result = Answerer(FixedRetriever(HITS), CountingEmbedder()).answer("zzz qqq", 2)
    assert result.support is not None and result.support < 0.9
    assert result.abstained is False and result.sentences


def test_no_passage_abstains_with_zero_confidence() -> None:
    result = Answerer(FixedRetriever([]), CountingEmbedder()).answer("q?", 3)
    assert (result.abstained, result.confidence, result.support) == (True, 0.0, None)


def test_a_generated_answer_abstains_before_the_generator_is_called() -> None:
    seen: list[dict] = []
    gen = generator_answering("Opened in 1889 [1].", seen)
    config = AnswerConfig(abstain_below=2.0)
    result = Answerer(FixedRetriever(HITS), CountingEmbedder(), generator=gen, config=config)
    answer = result.answer(QUERY, 2)
    assert answer.abstained is True and seen == []
    assert answer.support == pytest.approx(1.0)  # the best passage cosine


@pytest.mark.parametrize("support", [-5.0, -1.0, 0.0, 0.5, 1.1, 80.0, 1e6, -1e6])
def test_confidence_is_in_0_1_and_grows_with_support(support: float) -> None:
    config = AnswerConfig(confidence_slope=4.0, confidence_intercept=-2.0)
    c = config.confidence(support)
    assert 0.0 <= c <= 1.0
    assert config.confidence(support + 0.1) >= c
    if abs(support) < 10:
        assert c == pytest.approx(1 / (1 + math.exp(-(4.0 * support - 2.0))))
