"""Answer metrics: exact match and token F1 with SQuAD normalisation.

Rajpurkar, Zhang, Lopyrev & Liang, "SQuAD: 100,000+ Questions for Machine
Comprehension of Text", EMNLP 2016 (and its official evaluation script v1.1):
both strings are normalised, then compared; with several gold answers the
best score over them counts.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Mapping, Sequence

from evaluation.errors import MetricError
from evaluation.metrics import MetricResult

_PUNCTUATION = frozenset(string.punctuation)
_ARTICLES = re.compile(r"\b(?:a|an|the)\b")


def normalize_answer(text: str) -> str:
    """SQuAD normalisation: lowercase, drop ASCII punctuation, drop the articles
    a/an/the as whole words, collapse whitespace."""
    lowered = text.lower()
    no_punct = "".join(ch for ch in lowered if ch not in _PUNCTUATION)
    no_articles = _ARTICLES.sub(" ", no_punct)
    return " ".join(no_articles.split())


def _golds(gold_answers: Sequence[str] | str) -> list[str]:
    golds = [gold_answers] if isinstance(gold_answers, str) else list(gold_answers)
    if not golds:
        raise MetricError("no gold answer given; score only items that have gold answers")
    return golds


def exact_match(prediction: str, gold_answers: Sequence[str] | str) -> float:
    """``EM = max_g [normalize(prediction) == normalize(g)]`` (1.0 or 0.0).

    Rajpurkar et al., EMNLP 2016.
    """
    pred = normalize_answer(prediction)
    return float(any(pred == normalize_answer(g) for g in _golds(gold_answers)))


def _f1(pred_tokens: list[str], gold_tokens: list[str]) -> float:
    if not pred_tokens or not gold_tokens:
        # an empty side matches only another empty side (SQuAD 2.0 script convention)
        return float(pred_tokens == gold_tokens)
    common = sum((Counter(pred_tokens) & Counter(gold_tokens)).values())
    if common == 0:
        return 0.0
    p = common / len(pred_tokens)
    r = common / len(gold_tokens)
    return 2 * p * r / (p + r)


def token_f1(prediction: str, gold_answers: Sequence[str] | str) -> float:
    """``F1 = max_g 2·P·R / (P + R)`` over the normalised whitespace tokens, where
    ``P = |common| / |prediction tokens|``, ``R = |common| / |gold tokens|`` and
    ``common`` is the multiset intersection of the two token bags. When one side
    normalises to nothing, F1 is 1 if both do, else 0 (SQuAD 2.0 script).

    Rajpurkar et al., EMNLP 2016; Rajpurkar, Jia & Liang, ACL 2018 (empty answers).
    """
    pred = normalize_answer(prediction).split()
    return max(_f1(pred, normalize_answer(g).split()) for g in _golds(gold_answers))


def score_answers(
    predictions: Mapping[str, str], gold: Mapping[str, Sequence[str]]
) -> dict[str, MetricResult]:
    """Exact match and token F1 per item and their means, keyed ``exact_match`` and
    ``token_f1``.

    Items are those of ``gold`` with at least one gold answer; an item without a
    prediction scores 0. Predictions for items not in ``gold`` are ignored.
    """
    em: dict[str, float] = {}
    f1: dict[str, float] = {}
    for qid, answers in gold.items():
        if not answers:
            continue
        pred = predictions.get(qid)
        if pred is None:
            em[qid] = f1[qid] = 0.0
            continue
        em[qid] = exact_match(pred, answers)
        f1[qid] = token_f1(pred, answers)
    if not em:
        raise MetricError("no item has a gold answer: nothing to score")
    return {
        "exact_match": MetricResult("exact_match", em, sum(em.values()) / len(em)),
        "token_f1": MetricResult("token_f1", f1, sum(f1.values()) / len(f1)),
    }
