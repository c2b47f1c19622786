from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from retrieval.errors import SearchIndexError
from retrieval.lexical import LexicalIndex, s_stem, tokenize
from tests.retrieval.conftest import TEXTS

IDS = np.array([50, 10, 40, 20, 60, 30], dtype=np.int64)


def lucene_bm25(query: str, texts: list[str], k1: float = 1.5, b: float = 0.75) -> np.ndarray:
    """Independent reference: Lucene's BM25 over the same tokens."""
    docs = [Counter(t) for t in tokenize(texts)]
    lengths = [sum(d.values()) for d in docs]
    avgdl = sum(lengths) / len(docs)
    out = np.zeros(len(docs))
    for term in set(tokenize([query])[0]):
        df = sum(1 for d in docs if term in d)
        if df == 0:
            continue
        idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
        for i, d in enumerate(docs):
            tf = d[term]
            out[i] += idf * tf / (tf + k1 * (1 - b + b * lengths[i] / avgdl))
    return out


@pytest.fixture
def lexical() -> LexicalIndex:
    index = LexicalIndex()
    index.build(IDS, TEXTS)
    return index


def test_scores_match_lucene_bm25(lexical: LexicalIndex) -> None:
    query = "which river carries the most water"
    np.testing.assert_allclose(lexical.scores(query), lucene_bm25(query, TEXTS), rtol=1e-5)


def test_best_match_comes_first_under_its_id(lexical: LexicalIndex) -> None:
    scores, ids = lexical.search("insulin blood sugar", 3)
    assert ids[0] == IDS[3]
    assert scores[0] > scores[1]


def test_plural_query_matches_singular_text(lexical: LexicalIndex) -> None:
    _, ids = lexical.search("mountains", 1)
    assert ids[0] == IDS[4]


def test_allowed_returns_k_hits_all_allowed() -> None:
    n = 1000
    rng = np.random.default_rng(0)
    words = ["alpha", "beta", "gamma", "delta", "omega", "sigma"]
    texts = [" ".join(rng.choice(words, 6)) for _ in range(n)]
    ids = np.arange(n, dtype=np.int64) * 3 + 1
    index = LexicalIndex()
    index.build(ids, texts)
    allowed = ids[::100]  # 1%
    scores, found = index.search("alpha omega", 5, allowed=allowed)
    assert len(found) == 5 and np.isin(found, allowed).all()
    reference = index.scores("alpha omega")[::100]
    np.testing.assert_allclose(scores, np.sort(reference)[::-1][:5], rtol=1e-6)


def test_k_guarantee_includes_texts_without_the_term_unless_matching_only(
    lexical: LexicalIndex,
) -> None:
    allowed = IDS[[0, 1, 3]]
    scores, ids = lexical.search("insulin", 3, allowed=allowed)
    assert len(ids) == 3 and ids[0] == IDS[3] and (scores[1:] == 0).all()
    _, ids = lexical.search("insulin", 3, allowed=allowed, matching_only=True)
    assert ids.tolist() == [IDS[3]]


def test_query_without_known_terms_scores_zero(lexical: LexicalIndex) -> None:
    scores, ids = lexical.search("zzzz qqqq", 2)
    assert len(ids) == 2 and (scores == 0).all()
    assert len(lexical.search("zzzz", 2, matching_only=True)[1]) == 0


def test_save_and_load_round_trip(lexical: LexicalIndex, tmp_path: Path) -> None:
    before = lexical.search("sunlight water glucose", 4)
    lexical.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    after = loaded.search("sunlight water glucose", 4)
    np.testing.assert_array_equal(before[1], after[1])
    np.testing.assert_allclose(before[0], after[0])
    np.testing.assert_array_equal(loaded.ids(), np.sort(IDS))


def test_empty_index_saves_loads_and_searches(tmp_path: Path) -> None:
    index = LexicalIndex()
    index.build(np.zeros(0, np.int64), [])
    index.save(tmp_path)
    assert len(LexicalIndex.load(tmp_path).search("anything", 5)[1]) == 0


def test_mismatched_input_is_refused() -> None:
    with pytest.raises(SearchIndexError, match="texts"):
        LexicalIndex().build(np.array([1, 2]), ["one"])
    with pytest.raises(SearchIndexError, match="twice"):
        LexicalIndex().build(np.array([1, 1]), ["one", "two"])


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("dogs", "dog"),
        ("studies", "study"),
        ("class", "class"),
        ("virus", "virus"),
        ("horses", "horse"),
        ("goes", "goes"),
        ("is", "is"),
    ],
)
def test_s_stemmer(word: str, stem: str) -> None:
    assert s_stem(word) == stem
