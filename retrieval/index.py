"""FAISS vector index with stable int64 ids, exact by default, HNSW past a size.

Ids are :func:`iri_to_id` of the sample IRI: the same IRI gives the same id on
every run and every machine, so an index can be updated in place and checked
against the graph.

- ``flat``: ``IndexIDMap2(IndexFlatIP)``, exact inner product (cosine on unit
  vectors). Filtered search passes the allowed ids to FAISS as an
  ``IDSelectorBatch`` in ``SearchParameters``, which is exact: k hits whenever at
  least k allowed ids are indexed.
- ``hnsw``: ``IndexIDMap2(IndexHNSWFlat)``, approximate. HNSW cannot delete, so
  removed ids become tombstones excluded by a selector, and the graph is rebuilt
  once they pass a fifth of the index. A filtered search scores a small allowed
  set exactly; a larger one goes through the selector with a growing
  ``efSearch``, and falls back to exact scoring if a row is still short. Either
  way no short list is returned silently.

``choose_index_type`` picks ``hnsw`` for ``auto`` at and past a threshold; the
default threshold (``provrag.settings.Settings.hnsw_threshold``) comes from
``scripts/bench_search.py --crossover``.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from kg.typing import INDEX_KINDS, INDEX_TYPES, IndexKind, IndexType
from retrieval.errors import SearchIndexError

#: HNSW graph degree, construction and search beam widths
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
#: rebuild an HNSW graph once tombstones exceed this share of its vectors
COMPACT_RATIO = 0.2

_VECTORS_FILE = "vectors.faiss"
_META_FILE = "vectors.json"
_DELETED_FILE = "vectors.deleted.npy"


def _faiss() -> Any:
    import faiss

    return faiss


def iri_to_id(iri: str) -> int:
    """Stable non-negative int64 id of an IRI: the first 63 bits of its sha256."""
    digest = hashlib.sha256(iri.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def iris_to_ids(iris: Iterable[str]) -> np.ndarray:
    """:func:`iri_to_id` of each IRI, as an int64 array."""
    return np.fromiter((iri_to_id(i) for i in iris), dtype=np.int64)


def choose_index_type(n: int, setting: IndexType, threshold: int) -> IndexKind:
    """``flat`` or ``hnsw`` for ``n`` vectors; ``auto`` switches to HNSW at ``threshold``."""
    if setting == "flat" or setting == "hnsw":
        return setting
    if setting != "auto":
        raise SearchIndexError(
            f"index type must be one of {', '.join(INDEX_TYPES)}, got {setting!r}"
        )
    return "hnsw" if n >= threshold else "flat"


def _as_ids(ids: Iterable[int] | np.ndarray) -> np.ndarray:
    arr = np.asarray(ids if isinstance(ids, np.ndarray) else list(ids), dtype=np.int64)
    return arr.reshape(-1)


def member_mask(sorted_ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Which ``values`` occur in the sorted array ``sorted_ids`` (binary search)."""
    if len(sorted_ids) == 0:
        return np.zeros(len(values), dtype=bool)
    pos = np.searchsorted(sorted_ids, values)
    pos[pos >= len(sorted_ids)] = 0
    return sorted_ids[pos] == values


def _top_k(scores: np.ndarray, ids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise best ``k`` of a (nq, m) score matrix, ties broken by id."""
    nq, m = scores.shape
    k = min(k, m)
    out_s = np.empty((nq, k), dtype=np.float32)
    out_i = np.empty((nq, k), dtype=np.int64)
    for r in range(nq):
        row = scores[r]
        part = np.argpartition(-row, k - 1)[:k] if k < m else np.arange(m)
        order = np.lexsort((ids[part], -row[part]))
        out_s[r] = row[part][order]
        out_i[r] = ids[part][order]
    return out_s, out_i


class VectorIndex:
    """Unit vectors under stable int64 ids; exact (flat) or HNSW."""

    def __init__(
        self,
        dimension: int,
        index_type: IndexKind = "flat",
        *,
        hnsw_m: int = HNSW_M,
        ef_construction: int = HNSW_EF_CONSTRUCTION,
        ef_search: int = HNSW_EF_SEARCH,
    ) -> None:
        if dimension < 1:
            raise SearchIndexError(f"vector dimension must be positive, got {dimension}")
        if index_type not in INDEX_KINDS:
            raise SearchIndexError(
                f"index type must be one of {', '.join(INDEX_KINDS)}, got {index_type!r}"
            )
        self.dimension = int(dimension)
        self.index_type: IndexKind = index_type
        self.hnsw_m = hnsw_m
        self.ef_construction = ef_construction
        self.ef_search = ef_search
        self._index = self._empty()
        self._deleted: set[int] = set()
        self._id_map: np.ndarray | None = None
        self._live: np.ndarray | None = None

    # ------------------------------------------------------------------ building
    def _empty(self) -> Any:
        faiss = _faiss()
        if self.index_type == "flat":
            base = faiss.IndexFlatIP(self.dimension)
        else:
            base = faiss.IndexHNSWFlat(self.dimension, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            base.hnsw.efConstruction = self.ef_construction
            base.hnsw.efSearch = self.ef_search
        return faiss.IndexIDMap2(base)

    def _changed(self) -> None:
        self._id_map = None
        self._live = None

    def _all_ids(self) -> np.ndarray:
        """External id of every stored vector, in internal order (tombstones included)."""
        if self._id_map is None:
            self._id_map = _faiss().vector_to_array(self._index.id_map).astype(np.int64)
        return self._id_map

    def ids(self) -> np.ndarray:
        """Ids of the searchable vectors, sorted."""
        if self._live is None:
            all_ids = self._all_ids()
            if self._deleted:
                dead = np.fromiter(self._deleted, dtype=np.int64, count=len(self._deleted))
                all_ids = all_ids[~np.isin(all_ids, dead)]
            self._live = np.sort(all_ids)
        return self._live

    def __len__(self) -> int:
        return int(self._index.ntotal) - len(self._deleted)

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, int | np.integer):
            return False
        live = self.ids()
        pos = int(np.searchsorted(live, item))
        return pos < len(live) and int(live[pos]) == int(item)

    def _check_vectors(self, vectors: np.ndarray, what: str) -> np.ndarray:
        arr = np.ascontiguousarray(vectors, dtype=np.float32)
        if arr.ndim == 1:
            arr = arr.reshape(1, -1)
        if arr.ndim != 2 or arr.shape[1] != self.dimension:
            raise SearchIndexError(
                f"{what} have shape {tuple(np.shape(vectors))}; this index holds "
                f"{self.dimension}-dimensional vectors (was the index built with another "
                "model? rebuild it with `provrag index --rebuild`)"
            )
        return arr

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors under ``ids``; an id already present is replaced."""
        id_arr = _as_ids(ids)
        vecs = self._check_vectors(vectors, "vectors to add")
        if len(id_arr) != len(vecs):
            raise SearchIndexError(f"{len(id_arr)} ids but {len(vecs)} vectors to add")
        if len(id_arr) == 0:
            return
        if (id_arr < 0).any():
            raise SearchIndexError(
                f"ids must be non-negative (iri_to_id), got {int(id_arr[id_arr < 0][0])}"
            )
        if len(np.unique(id_arr)) != len(id_arr):
            raise SearchIndexError("the same id is given twice in one add()")
        present = id_arr[np.isin(id_arr, self._all_ids())]
        if len(present):
            if self.index_type == "flat":
                self.remove(present)
            else:
                self._deleted.update(int(i) for i in present)
                self._compact()
        self._index.add_with_ids(vecs, id_arr)
        self._changed()

    def remove(self, ids: Iterable[int]) -> int:
        """Remove vectors by id (unknown ids are ignored); returns how many went."""
        id_arr = _as_ids(ids)
        gone = np.unique(id_arr)
        gone = gone[member_mask(self.ids(), gone)]
        if len(gone) == 0:
            return 0
        if self.index_type == "flat":
            removed = int(self._index.remove_ids(_faiss().IDSelectorBatch(gone)))
        else:
            self._deleted.update(int(i) for i in gone)
            removed = len(gone)
            if len(self._deleted) > COMPACT_RATIO * max(int(self._index.ntotal), 1):
                self._compact()
        self._changed()
        return removed

    def _stored(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) of every stored vector, in internal order."""
        n = int(self._index.ntotal)
        if n == 0:
            return np.zeros(0, np.int64), np.zeros((0, self.dimension), np.float32)
        inner = _faiss().downcast_index(self._index.index)
        return self._all_ids().copy(), np.asarray(inner.reconstruct_n(0, n), dtype=np.float32)

    def _compact(self) -> None:
        """Rebuild without tombstones (HNSW)."""
        ids, vecs = self._stored()
        if self._deleted:
            dead = np.fromiter(self._deleted, dtype=np.int64, count=len(self._deleted))
            keep = ~np.isin(ids, dead)
            ids, vecs = ids[keep], vecs[keep]
        self._index = self._empty()
        self._deleted = set()
        if len(ids):
            self._index.add_with_ids(vecs, ids)
        self._changed()

    def vectors_of(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of ``ids`` (all must be present)."""
        id_arr = _as_ids(ids)
        if len(id_arr) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        missing = id_arr[~member_mask(self.ids(), id_arr)]
        if len(missing):
            raise SearchIndexError(f"id {int(missing[0])} is not in the vector index")
        return np.asarray(self._index.reconstruct_batch(id_arr), dtype=np.float32)

    def converted(self, index_type: IndexKind) -> VectorIndex:
        """The same vectors in an index of another type (or self when already that type)."""
        if index_type == self.index_type:
            return self
        out = VectorIndex(
            self.dimension,
            index_type,
            hnsw_m=self.hnsw_m,
            ef_construction=self.ef_construction,
            ef_search=self.ef_search,
        )
        ids, vecs = self._stored()
        if self._deleted:
            dead = np.fromiter(self._deleted, dtype=np.int64, count=len(self._deleted))
            keep = ~np.isin(ids, dead)
            ids, vecs = ids[keep], vecs[keep]
        out.add(ids, vecs)
        return out

    # ------------------------------------------------------------------ searching
    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Best ``k`` ids per query row: ``(scores, ids)``, each of shape (nq, k').

        ``k' = min(k, number of searchable ids)`` (among ``allowed`` when given;
        allowed ids that are not indexed are ignored). Every row is full: no -1
        padding, no silently short list. Scores are inner products, best first.
        """
        q = self._check_vectors(queries, "query vectors")
        nq = q.shape[0]
        if k < 0:
            raise SearchIndexError(f"k must be at least 0, got {k}")
        if allowed is None:
            pool_size = len(self)
            subset = None
        else:
            subset = np.unique(_as_ids(allowed))
            subset = subset[member_mask(self.ids(), subset)]
            pool_size = len(subset)
        kk = min(k, pool_size)
        if kk == 0:
            return np.zeros((nq, 0), np.float32), np.zeros((nq, 0), np.int64)
        if self.index_type == "flat":
            return self._search_flat(q, kk, subset)
        return self._search_hnsw(q, kk, subset, pool_size)

    def _search_flat(
        self, q: np.ndarray, k: int, subset: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        if subset is None:
            scores, ids = self._index.search(q, k)
        else:
            faiss = _faiss()
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(subset))
            scores, ids = self._index.search(q, k, params=params)
        if (ids < 0).any():  # cannot happen for an exact index; never hand back -1
            return self._exact(q, k, subset if subset is not None else self.ids())
        return np.asarray(scores, np.float32), np.asarray(ids, np.int64)

    def _search_hnsw(
        self, q: np.ndarray, k: int, subset: np.ndarray | None, pool_size: int
    ) -> tuple[np.ndarray, np.ndarray]:
        faiss = _faiss()
        total = max(int(self._index.ntotal), 1)
        if subset is not None and (len(subset) <= 2048 or len(subset) * 20 <= total):
            return self._exact(q, k, subset)
        if subset is not None:
            sel = faiss.IDSelectorBatch(subset)
            share = len(subset) / total
        elif self._deleted:
            dead = np.fromiter(self._deleted, dtype=np.int64, count=len(self._deleted))
            sel = faiss.IDSelectorNot(faiss.IDSelectorBatch(dead))
            share = pool_size / total
        else:
            sel = None
            share = 1.0
        ef = max(self.ef_search, k, math.ceil(2 * k / max(share, 1e-9)))
        while True:
            params = faiss.SearchParametersHNSW(efSearch=int(min(ef, total)))
            if sel is not None:
                params.sel = sel
            scores, ids = self._index.search(q, k, params=params)
            if not (ids < 0).any():
                return np.asarray(scores, np.float32), np.asarray(ids, np.int64)
            if ef >= total:
                break
            ef *= 4
        return self._exact(q, k, subset if subset is not None else self.ids())

    def _exact(self, q: np.ndarray, k: int, subset: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        vecs = np.asarray(self._index.reconstruct_batch(subset), dtype=np.float32)
        return _top_k(q @ vecs.T, subset, k)

    # ------------------------------------------------------------------ persistence
    def save(self, directory: Path) -> None:
        """Write the index files into ``directory`` (created if needed)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        faiss = _faiss()
        faiss.write_index(self._index, str(directory / _VECTORS_FILE))
        np.save(
            directory / _DELETED_FILE,
            np.fromiter(sorted(self._deleted), dtype=np.int64, count=len(self._deleted)),
        )
        meta = {
            "dimension": self.dimension,
            "index_type": self.index_type,
            "count": len(self),
            "hnsw_m": self.hnsw_m,
            "ef_construction": self.ef_construction,
            "ef_search": self.ef_search,
            "faiss_version": faiss.__version__,
        }
        (directory / _META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> VectorIndex:
        directory = Path(directory)
        meta_path = directory / _META_FILE
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            index = _faiss().read_index(str(directory / _VECTORS_FILE))
            deleted = np.load(directory / _DELETED_FILE)
        except (OSError, ValueError, RuntimeError) as exc:
            raise SearchIndexError(
                f"vector index in {directory} is missing or unreadable ({exc}); rebuild it "
                "with `provrag index --rebuild`"
            ) from exc
        out = cls(
            int(meta["dimension"]),
            meta["index_type"],
            hnsw_m=int(meta.get("hnsw_m", HNSW_M)),
            ef_construction=int(meta.get("ef_construction", HNSW_EF_CONSTRUCTION)),
            ef_search=int(meta.get("ef_search", HNSW_EF_SEARCH)),
        )
        if int(index.d) != out.dimension:
            raise SearchIndexError(
                f"vector index in {directory} has dimension {index.d} but its metadata says "
                f"{out.dimension}; rebuild it with `provrag index --rebuild`"
            )
        out._index = index
        out._deleted = {int(i) for i in deleted}
        return out
