"""Keep the index directory equal to the graph's current samples, and check that it is.

The layout of the index directory is described in :mod:`retrieval.index_bundle`.
A sync writes a new generation into ``gen-N.tmp``, renames it to ``gen-N`` and
only then replaces ``manifest.json`` (write to a temporary file, fsync, rename).
A crash at any point leaves the previous manifest pointing at a complete
generation; leftovers are removed by the next sync. When nothing but the graph
metadata changed, only the manifest is rewritten.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from kg.graph import KnowledgeGraph
from kg.queries.corpus import CorpusRow, current_samples, ingest_batches
from kg.typing import IndexType
from retrieval.embedder import Embedder, EmbeddingCache, embed_cached
from retrieval.errors import IndexMismatchError, RetrievalError, SearchIndexError
from retrieval.index import (
    VectorIndex,
    choose_index_type,
    iris_to_ids,
    member_mask,
)
from retrieval.index_bundle import IDMAP_FILE, MANIFEST, IndexBundle, read_manifest, write_idmap
from retrieval.lexical import LexicalIndex

CACHE_FILE = "embeddings.sqlite"
LOCK_FILE = ".lock"
FORMAT_VERSION = 1


@dataclass
class SyncReport:
    """What a sync did. ``embedded`` = texts run through the model (0 when all cached)."""

    embedded: int
    reused: int
    removed: int
    total: int
    index_type: str
    seconds: float
    #: vectors added to the index (embedded + reused)
    added: int = 0
    #: vectors kept as they were
    unchanged: int = 0
    #: the index was built from scratch (asked for, none yet, or another model)
    rebuilt: bool = False
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CheckReport:
    """Index vs graph. ``missing``: current samples without a vector or BM25 entry;
    ``stale``: indexed samples that are gone or invalidated."""

    missing: list[str]
    stale: list[str]
    ok: bool
    current: int = 0
    indexed: int = 0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------- sync


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """One writer at a time per index directory (blocks until the other finishes)."""
    directory.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with open(directory / LOCK_FILE, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _next_generation(directory: Path, current: str | None) -> str:
    numbers = [
        int(p.name[4:10])
        for p in directory.glob("gen-*")
        if len(p.name) >= 10 and p.name[4:10].isdigit()
    ]
    if current and current[4:10].isdigit():
        numbers.append(int(current[4:10]))
    return f"gen-{max(numbers, default=0) + 1:06d}"


def _clean(directory: Path, keep: str) -> None:
    for p in directory.glob("gen-*"):
        if p.name != keep and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)


def _one_text_each(rows: list[CorpusRow]) -> list[CorpusRow]:
    """``rows`` (sorted by IRI), refused when a revision has more than one text: an
    index cannot say which text a vector stands for."""
    for before, row in zip(rows, rows[1:], strict=False):
        if before.iri == row.iri:
            raise RetrievalError(
                f"sample {row.iri} has more than one pr:text; a revision holds one text. Fix "
                "the data (re-ingest the sample) and run `provrag index --rebuild`"
            )
    return rows


def _load_previous(directory: Path, embedder: Embedder) -> tuple[IndexBundle | None, str | None]:
    """The bundle to update in place, or None with the reason for a full build."""
    try:
        manifest = read_manifest(directory)
    except SearchIndexError as exc:
        return None, f"previous index unreadable ({exc})"
    if manifest is None:
        return None, "no index yet"
    if manifest.get("model") != embedder.model_name:
        return None, (
            f"embedding model changed from {manifest.get('model')!r} to {embedder.model_name!r}"
        )
    try:
        return IndexBundle.load(directory), None
    except SearchIndexError as exc:
        return None, f"previous index unreadable ({exc})"


def sync_index(
    kg: KnowledgeGraph,
    directory: Path,
    embedder: Embedder,
    *,
    rebuild: bool = False,
    index_type: IndexType = "auto",
    hnsw_threshold: int = 100_000,
    progress: Callable[[int, int], None] | None = None,
    corpus: Callable[[KnowledgeGraph], list[CorpusRow]] = current_samples,
) -> SyncReport:
    """Make the index at ``directory`` cover exactly the graph's current samples (or
    what ``corpus`` reads: a release's index covers its sample revisions).

    New samples are embedded unless their text hash is cached (so re-ingesting
    unchanged content embeds nothing); vectors of invalidated or vanished
    samples are removed; BM25 is rebuilt over the current samples whenever the
    set changed; the manifest is replaced atomically. ``progress(done, total)``
    reports texts embedded. ``rebuild=True`` starts from an empty index (cached
    vectors of the same model are still reused).
    """
    directory = Path(directory)
    start = time.perf_counter()
    with _locked(directory):
        # the batches first: the manifest must never claim more than the index holds
        batches = ingest_batches(kg)
        triples = kg.triple_count()
        rows = _one_text_each(corpus(kg))
        ids = iris_to_ids(r.iri for r in rows)
        if len(np.unique(ids)) != len(ids):
            raise IndexMismatchError(
                "two sample IRIs map to the same 63-bit index id; report this as a bug with "
                "the output of `provrag index --check`"
            )

        previous: IndexBundle | None = None
        reason: str | None = "rebuild asked for"
        if not rebuild:
            previous, reason = _load_previous(directory, embedder)
        dimension = previous.dimension if previous is not None else embedder.dimension
        kind = choose_index_type(len(rows), index_type, hnsw_threshold)
        vectors = previous.vectors if previous is not None else VectorIndex(dimension, kind)

        existing = vectors.ids()
        gone = existing[~member_mask(np.sort(ids), existing)] if len(existing) else existing
        removed = vectors.remove(gone)
        new_mask = ~member_mask(existing, ids) if len(existing) else np.ones(len(ids), bool)
        new_rows = [r for r, m in zip(rows, new_mask, strict=True) if m]

        with EmbeddingCache(directory / CACHE_FILE, embedder.model_name, dimension) as cache:
            new_vectors, embedded, reused = embed_cached(
                embedder,
                cache,
                [r.text for r in new_rows],
                [r.text_hash for r in new_rows],
                chunk_size=max(getattr(embedder, "batch_size", 64), 1) * 32,
                progress=progress,
            )
        vectors.add(ids[new_mask], new_vectors)
        type_changed = vectors.index_type != kind
        vectors = vectors.converted(kind)

        changed = previous is None or removed > 0 or len(new_rows) > 0 or type_changed
        if previous is not None and not changed:
            lex_ids = previous.lexical.ids()
            changed = len(lex_ids) != len(ids) or not bool(member_mask(lex_ids, ids).all())
        old_generation = None if previous is None else str(previous.manifest["generation"])
        if changed or old_generation is None:
            generation = _next_generation(directory, old_generation)
            tmp = directory / f"{generation}.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            vectors.save(tmp)
            lexical = LexicalIndex()
            lexical.build(ids, [r.text for r in rows])
            lexical.save(tmp)
            write_idmap(tmp / IDMAP_FILE, ids, rows)
            final = directory / generation
            shutil.rmtree(final, ignore_errors=True)
            os.replace(tmp, final)
        else:
            generation = str(old_generation)

        seconds = time.perf_counter() - start
        manifest = {
            "format": FORMAT_VERSION,
            "generation": generation,
            "model": embedder.model_name,
            "dimension": dimension,
            "count": len(rows),
            "index_type": vectors.index_type,
            "index_setting": index_type,
            "hnsw_threshold": hnsw_threshold,
            "lexical": "bm25s",
            "batches": batches,
            "graph_triples": triples,
            "updated": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "last_sync": {
                "embedded": embedded,
                "reused": reused,
                "removed": removed,
                "added": len(new_rows),
                "seconds": round(seconds, 3),
            },
        }
        _write_json_atomic(directory / MANIFEST, manifest)
        _clean(directory, generation)
    return SyncReport(
        embedded=embedded,
        reused=reused,
        removed=removed,
        total=len(rows),
        index_type=vectors.index_type,
        seconds=time.perf_counter() - start,
        added=len(new_rows),
        unchanged=len(rows) - len(new_rows),
        rebuilt=previous is None,
        reason=reason,
    )


# -------------------------------------------------------------------------- check


def check_index(kg: KnowledgeGraph, directory: Path) -> CheckReport:
    """Compare the index with the graph: current samples missing, stale vectors left."""
    directory = Path(directory)
    rows = current_samples(kg)
    current = {r.iri for r in rows}
    if not IndexBundle.exists(directory):
        missing = sorted(current)
        absent = [f"no index at {directory}"] if missing else []
        return CheckReport(missing, [], not missing, len(current), 0, absent)
    bundle = IndexBundle.load(directory)
    notes: list[str] = []

    def iris(channel: str, ids: np.ndarray) -> set[str]:
        out = set()
        for i in ids:
            if bundle.has(int(i)):
                out.add(bundle.iri_of(int(i)))
            else:
                out.add(f"urn:provrag:index-id:{int(i)}")
                notes.append(f"{channel} id {int(i)} has no entry in the id map")
        return out

    in_vectors = iris("vector", bundle.vectors.ids())
    in_lexical = iris("lexical", bundle.lexical.ids())
    for iri in sorted(in_vectors ^ in_lexical):
        where = "vector" if iri in in_vectors else "lexical"
        notes.append(f"{iri} is only in the {where} index")
    missing = sorted(current - (in_vectors & in_lexical))
    stale = sorted((in_vectors | in_lexical) - current)
    ok = not missing and not stale
    return CheckReport(missing, stale, ok, len(current), len(in_vectors), notes)
