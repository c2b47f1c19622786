"""A FAISS index over entity-name vectors: query linking and synonym edges.

Names are embedded by the retriever's embedder (unit vectors), so inner product is
cosine. :meth:`NameIndex.search` finds the nearest names of a few query mentions
(one FAISS call, never a scan in Python); :meth:`NameIndex.synonym_edges` the
``k`` nearest other names of every name at or above a cosine threshold.
:func:`cached_name_embedder` embeds names through the index's embedding cache.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kg import ids
from retrieval.embedder import Embedder, EmbeddingCache, embed_cached

#: names searched per FAISS call when building synonym edges
CHUNK = 4096


class NameIndex:
    """Exact inner-product search over ``(n, dimension)`` unit name vectors."""

    def __init__(self, vectors: np.ndarray) -> None:
        import faiss

        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.index: Any = faiss.IndexFlatIP(
            int(self.vectors.shape[1]) if self.vectors.ndim == 2 else 1
        )
        if len(self.vectors):
            self.index.add(self.vectors)

    def add(self, vectors: np.ndarray) -> None:
        """Append names (their ids continue from :meth:`__len__`)."""
        v = np.ascontiguousarray(vectors, dtype=np.float32)
        if len(v):
            self.index.add(v)
            self.vectors = np.concatenate([self.vectors, v]) if len(self.vectors) else v

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """``(scores, ids)`` of the ``k`` nearest names of each query row (id -1: none)."""
        q = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.vectors.shape[1])
        k = min(k, len(self))
        if k <= 0 or len(q) == 0:
            return np.zeros((len(q), 0), np.float32), np.zeros((len(q), 0), np.int64)
        scores, ids = self.index.search(q, k)
        return scores, ids.astype(np.int64)

    def synonym_edges(
        self, threshold: float, k: int, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Edges ``i -> j`` from each name ``i`` (of ``rows``, default all) to its ``k``
        nearest other names with cosine >= ``threshold``: ``(src, dst, cosine)``."""
        rows = np.arange(len(self), dtype=np.int64) if rows is None else rows
        src, dst, w = [], [], []
        for start in range(0, len(rows), CHUNK):
            part = rows[start : start + CHUNK]
            scores, ids = self.search(self.vectors[part], k + 1)
            ok = (ids >= 0) & (ids != part[:, None]) & (scores >= threshold)
            # keep at most k per row (the row itself may be absent from its own top k + 1)
            ok &= np.cumsum(ok, axis=1) <= k
            src.append(np.repeat(part, ok.sum(axis=1)))
            dst.append(ids[ok])
            w.append(scores[ok].astype(np.float64))
        if not src:
            z = np.zeros(0, np.int64)
            return z, z, np.zeros(0)
        return np.concatenate(src), np.concatenate(dst), np.concatenate(w)


def cached_name_embedder(
    embedder: Embedder, cache_path: Path
) -> Callable[[Sequence[str]], np.ndarray]:
    """Embeds entity names through the index's embedding cache (by text hash), so a
    name is run through the model once, whichever process asks first."""

    def embed(texts: Sequence[str]) -> np.ndarray:
        hashes = [ids.text_hash(t) for t in texts]
        if not cache_path.parent.is_dir():
            return embed_cached(embedder, None, texts, hashes)[0]
        with EmbeddingCache(cache_path, embedder.model_name, embedder.dimension) as cache:
            return embed_cached(embedder, cache, texts, hashes)[0]

    return embed
