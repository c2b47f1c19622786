"""BM25 lexical index over the same samples as the vector index, under the same ids.

Library: ``bm25s``. It is actively maintained, scores a query with one sparse
matrix lookup (BM25 weights are precomputed at index time into a CSC matrix, so
a query costs a sum over its terms' posting lists rather than a loop over
documents), is among the fastest Python BM25 implementations, and needs only
numpy (scipy optional), with no Java/Lucene runtime. It has no incremental
update, so a change means a rebuild; rebuilding is cheap
(``scripts/bench_search.py`` measures it) and :func:`retrieval.index_sync.sync_index`
rebuilds it after every change.

Tokenisation: bm25s' regex tokenizer, lower-cased, English stop words removed,
then Harman's "S" stemmer (plural endings only: ``dogs -> dog``, ``studies ->
study``, ``buses -> buse``), written here so results never depend on an optional C stemmer being
installed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.errors import SearchIndexError

_IDS_FILE = "lexical.ids.npy"
_META_FILE = "lexical.json"
_BM25_DIR = "bm25"
STOPWORDS = "en"


def _bm25s() -> Any:
    import bm25s

    return bm25s


def s_stem(word: str) -> str:
    """Harman's S stemmer: strip English plural endings; the longest ending decides.

    ``-ies -> -y`` (not after a or e); ``-es -> -e`` (not after a, e or o: those
    words stay as they are); ``-s ->`` nothing (not after u or s).
    """
    if len(word) <= 3 or not word.endswith("s"):
        return word
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith(("aes", "ees", "oes", "ies")):
        return word
    if word.endswith(("us", "ss")):
        return word
    return word[:-1]


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """The tokens BM25 sees for each text (same function for corpus and queries)."""
    if not texts:
        return []
    out = _bm25s().tokenize(
        list(texts), lower=True, stopwords=STOPWORDS, return_ids=False, show_progress=False
    )
    stems: dict[str, str] = {}
    result = []
    for tokens in out:
        row = []
        for t in tokens:
            st = stems.get(t)
            if st is None:
                st = stems[t] = s_stem(t)
            row.append(st)
        result.append(row)
    return result


class LexicalIndex:
    """BM25 (bm25s, Lucene variant, k1=1.5, b=0.75) over texts under int64 ids."""

    def __init__(self) -> None:
        self._bm25: Any | None = None
        self._ids = np.zeros(0, dtype=np.int64)  # doc position -> id
        self._order = np.zeros(0, dtype=np.int64)  # positions sorted by id
        self._sorted_ids = np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._ids)

    def ids(self) -> np.ndarray:
        """Ids of the indexed texts, sorted."""
        return self._sorted_ids

    def _set_ids(self, ids: np.ndarray) -> None:
        self._ids = ids
        self._order = np.argsort(ids, kind="stable")
        self._sorted_ids = ids[self._order]

    def build(self, ids: np.ndarray, texts: Sequence[str]) -> None:
        """(Re)build the index over ``texts`` under ``ids`` (replaces any previous content)."""
        id_arr = np.asarray(ids, dtype=np.int64).reshape(-1)
        if len(id_arr) != len(texts):
            raise SearchIndexError(f"{len(id_arr)} ids but {len(texts)} texts for BM25")
        if len(np.unique(id_arr)) != len(id_arr):
            raise SearchIndexError("the same id is given twice to the BM25 index")
        if len(id_arr) == 0:
            self._bm25 = None
            self._set_ids(id_arr)
            return
        bm25 = _bm25s().BM25()
        bm25.index(tokenize(texts), show_progress=False)
        self._bm25 = bm25
        self._set_ids(id_arr)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every indexed text for ``query``, by document position."""
        if self._bm25 is None:
            return np.zeros(0, dtype=np.float32)
        tokens = tokenize([query])[0]
        token_ids = self._bm25.get_tokens_ids(tokens)
        if not token_ids:
            return np.zeros(len(self._ids), dtype=np.float32)
        return np.asarray(self._bm25.get_scores_from_ids(token_ids), dtype=np.float32)

    def search(
        self,
        query: str,
        k: int,
        allowed: np.ndarray | None = None,
        *,
        matching_only: bool = False,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Best ``k`` texts for ``query``: ``(scores, ids)``, 1-D, best first.

        Every allowed text is scored, so the list has ``min(k, allowed and indexed)``
        entries: filtering never shortens it. Texts sharing no term with the query
        score 0 and come last (ties by id); ``matching_only=True`` drops them
        instead, which is what a fusion of channels usually wants.
        """
        if k < 0:
            raise SearchIndexError(f"k must be at least 0, got {k}")
        all_scores = self.scores(query)
        if allowed is None:
            positions = np.arange(len(self._ids))
        else:
            wanted = np.unique(np.asarray(allowed, dtype=np.int64).reshape(-1))
            if len(self._sorted_ids) == 0:
                positions = np.zeros(0, dtype=np.int64)
            else:
                pos = np.searchsorted(self._sorted_ids, wanted)
                pos[pos >= len(self._sorted_ids)] = 0
                hit = self._sorted_ids[pos] == wanted
                positions = self._order[pos[hit]]
        scores = all_scores[positions]
        if matching_only:
            keep = scores > 0
            positions, scores = positions[keep], scores[keep]
        kk = min(k, len(positions))
        if kk == 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        if kk < len(positions):
            part = np.argpartition(-scores, kk - 1)[:kk]
        else:
            part = np.arange(len(positions))
        ids = self._ids[positions[part]]
        order = np.lexsort((ids, -scores[part]))
        return scores[part][order].astype(np.float32), ids[order]

    def save(self, directory: Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / _IDS_FILE, self._ids)
        if self._bm25 is not None:
            self._bm25.save(str(directory / _BM25_DIR))
        meta = {
            "library": "bm25s",
            "version": _bm25s().__version__,
            "count": len(self._ids),
            "stopwords": STOPWORDS,
            "stemmer": "harman-s",
            "k1": None if self._bm25 is None else self._bm25.k1,
            "b": None if self._bm25 is None else self._bm25.b,
            "method": None if self._bm25 is None else self._bm25.method,
        }
        (directory / _META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        directory = Path(directory)
        out = cls()
        try:
            meta = json.loads((directory / _META_FILE).read_text(encoding="utf-8"))
            ids = np.load(directory / _IDS_FILE)
            if int(meta.get("count", 0)) > 0:
                out._bm25 = _bm25s().BM25.load(str(directory / _BM25_DIR), load_corpus=False)
        except (OSError, ValueError, KeyError) as exc:
            raise SearchIndexError(
                f"lexical index in {directory} is missing or unreadable ({exc}); rebuild it "
                "with `provrag index --rebuild`"
            ) from exc
        out._set_ids(np.asarray(ids, dtype=np.int64))
        return out
