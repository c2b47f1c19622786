"""The index on disk, loaded: vectors, BM25 and id map of one generation, and its caches.

Layout of ``<home>/index`` (written by :func:`retrieval.index_sync.sync_index`)::

    manifest.json        what is live: model, dimension, count, index type, the
                         ingest batches covered, graph size, time, generation dir
    embeddings.sqlite    EmbeddingCache: text hash -> vector, per model
    gen-000042/          one complete generation of the index
        vectors.*        VectorIndex (FAISS)
        lexical.*, bm25/ LexicalIndex (bm25s)
        idmap.json       int64 id -> sample IRI, external id, text hash

:class:`IndexBundle` is one generation in memory; it caches how each allowed set
restricts it (:meth:`IndexBundle.restriction`), so the cache goes with the
generation. :class:`LiveIndex` holds the bundle a retriever searches and swaps
it for the new generation when ``manifest.json`` changes on disk.
"""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kg.queries.corpus import CorpusRow
from retrieval.errors import IndexNotFoundError, SearchIndexError
from retrieval.filters import AllowedSet
from retrieval.index import VectorIndex, iri_to_id, iris_to_ids, member_mask
from retrieval.lexical import LexicalIndex

MANIFEST = "manifest.json"
IDMAP_FILE = "idmap.json"
#: allowed sets whose restriction a bundle keeps
RESTRICTIONS_CACHE = 64


def read_manifest(directory: Path) -> dict[str, Any] | None:
    """The manifest of the index at ``directory``; None when there is no index yet."""
    path = Path(directory) / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SearchIndexError(
            f"index manifest {path} is unreadable ({exc}); rebuild the index with "
            "`provrag index --rebuild`"
        ) from exc
    if not isinstance(data, dict) or "generation" not in data:
        raise SearchIndexError(
            f"index manifest {path} has no generation; rebuild with `provrag index --rebuild`"
        )
    return data


@dataclass(frozen=True)
class Restriction:
    """How an allowed set restricts one index generation."""

    ids: np.ndarray  # allowed ids present in the vector index, sorted
    share: float  # of the indexed vectors
    covers_all: bool


class IndexBundle:
    """Everything under the index directory, loaded: vectors, BM25, id map, manifest."""

    def __init__(
        self,
        directory: Path,
        manifest: dict[str, Any],
        vectors: VectorIndex,
        lexical: LexicalIndex,
        idmap: dict[int, tuple[str, str, str]],
    ) -> None:
        self.directory = Path(directory)
        self.manifest = manifest
        self.vectors = vectors
        self.lexical = lexical
        self._idmap = idmap
        self._lock = threading.Lock()
        #: id(allowed set) -> (that set, its restriction): holding the set keeps its id unique
        self._restrictions: OrderedDict[int, tuple[AllowedSet, Restriction]] = OrderedDict()

    @staticmethod
    def exists(directory: Path) -> bool:
        return (Path(directory) / MANIFEST).is_file()

    @classmethod
    def load(cls, directory: Path) -> IndexBundle:
        directory = Path(directory)
        manifest = read_manifest(directory)
        if manifest is None:
            raise IndexNotFoundError(
                f"no index at {directory}: build it with `provrag index` (or ingest with "
                "indexing on)"
            )
        gen = directory / str(manifest["generation"])
        vectors = VectorIndex.load(gen)
        lexical = LexicalIndex.load(gen)
        idmap = _read_idmap(gen / IDMAP_FILE)
        return cls(directory, manifest, vectors, lexical, idmap)

    def __len__(self) -> int:
        return len(self.vectors)

    @property
    def generation(self) -> str:
        return str(self.manifest["generation"])

    @property
    def model_name(self) -> str:
        return str(self.manifest["model"])

    @property
    def dimension(self) -> int:
        return int(self.manifest["dimension"])

    def iri_of(self, id_: int) -> str:
        try:
            return self._idmap[int(id_)][0]
        except KeyError:
            raise SearchIndexError(
                f"id {id_} is not in the index at {self.directory}; run `provrag index --check`"
            ) from None

    def external_id_of(self, id_: int) -> str:
        self.iri_of(id_)
        return self._idmap[int(id_)][1]

    def text_hash_of(self, id_: int) -> str:
        self.iri_of(id_)
        return self._idmap[int(id_)][2]

    def has(self, id_: int) -> bool:
        return int(id_) in self._idmap

    @staticmethod
    def id_of(iri: str) -> int:
        """The index id of a sample IRI (whether indexed or not): :func:`iri_to_id`."""
        return iri_to_id(iri)

    @staticmethod
    def ids_of(iris: list[str] | set[str]) -> np.ndarray:
        return iris_to_ids(iris)

    def mapped_ids(self) -> np.ndarray:
        return np.fromiter(self._idmap, dtype=np.int64, count=len(self._idmap))

    def restriction(self, allowed: AllowedSet) -> Restriction:
        """The allowed ids this generation's vector index holds, and their share (cached)."""
        key = id(allowed)
        with self._lock:
            hit = self._restrictions.get(key)
            if hit is not None and hit[0] is allowed:
                self._restrictions.move_to_end(key)
                return hit[1]
        indexed = self.vectors.ids()
        ids = allowed.ids[member_mask(indexed, allowed.ids)] if len(indexed) else allowed.ids[:0]
        out = Restriction(ids, len(ids) / max(len(indexed), 1), len(ids) == len(indexed))
        with self._lock:
            self._restrictions[key] = (allowed, out)
            while len(self._restrictions) > RESTRICTIONS_CACHE:
                self._restrictions.popitem(last=False)
        return out


def _read_idmap(path: Path) -> dict[int, tuple[str, str, str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            int(i): (iri, ext, th)
            for i, iri, ext, th in zip(
                data["ids"], data["iris"], data["external_ids"], data["text_hashes"], strict=True
            )
        }
    except (OSError, ValueError, KeyError) as exc:
        raise SearchIndexError(
            f"index id map {path} is missing or unreadable ({exc}); rebuild the index with "
            "`provrag index --rebuild`"
        ) from exc


def write_idmap(path: Path, ids: np.ndarray, rows: Sequence[CorpusRow]) -> None:
    """Write the id map of a generation: ``ids[i]`` stands for ``rows[i]``."""
    data = {
        "ids": [int(i) for i in ids],
        "iris": [r.iri for r in rows],
        "external_ids": [r.external_id for r in rows],
        "text_hashes": [r.text_hash for r in rows],
    }
    path.write_text(json.dumps(data), encoding="utf-8")


class LiveIndex:
    """The bundle a retriever searches: loaded on first use, and swapped for the new
    generation when ``manifest.json`` changes on disk (a manifest that changed
    without a new generation only replaces the bundle's manifest)."""

    def __init__(self, source: IndexBundle | Path | str) -> None:
        self._lock = threading.Lock()
        if isinstance(source, IndexBundle):
            self._bundle: IndexBundle | None = source
            self.directory = source.directory
        else:
            self._bundle = None
            self.directory = Path(source)
        self._stamp = self._manifest_stamp() if self._bundle is not None else None

    def _manifest_stamp(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.directory / MANIFEST)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    @property
    def loaded(self) -> IndexBundle | None:
        """The bundle in memory, without loading or reloading it (None before first use)."""
        return self._bundle

    def get(self) -> IndexBundle:
        """The current bundle (no index on disk: :class:`IndexNotFoundError`)."""
        stamp = self._manifest_stamp()
        with self._lock:
            old = self._bundle
            if old is not None and (stamp is None or stamp == self._stamp):
                return old
            manifest = read_manifest(self.directory) if old is not None else None
            if (
                old is not None
                and manifest is not None
                and (manifest.get("generation") == old.manifest.get("generation"))
            ):
                old.manifest = manifest
                bundle = old
            else:
                bundle = self._bundle = IndexBundle.load(self.directory)
            self._stamp = stamp
            return bundle
