"""App-layer wiring of the index: which embedder, which directory, which policy.

``provrag ingest`` (after a batch commits) and ``provrag index`` call these; the
model is loaded lazily, so a sync with nothing new to embed never starts torch.
"""

from __future__ import annotations

from collections.abc import Callable

from kg.graph import KnowledgeGraph
from provrag.settings import Settings
from retrieval.embedder import Embedder, load_embedder
from retrieval.index_sync import CheckReport, SyncReport, check_index, sync_index


def embedder_for(settings: Settings, *, lazy: bool = True) -> Embedder:
    """The embedder named by ``settings.embedding_model`` (loaded on first use if lazy)."""
    return load_embedder(settings.embedding_model, batch_size=settings.embed_batch_size, lazy=lazy)


def update_index(
    settings: Settings,
    kg: KnowledgeGraph,
    *,
    rebuild: bool = False,
    progress: Callable[[int, int], None] | None = None,
    embedder: Embedder | None = None,
) -> SyncReport:
    """Bring ``settings.index_dir`` in step with the graph's current samples."""
    return sync_index(
        kg,
        settings.index_dir,
        embedder if embedder is not None else embedder_for(settings),
        rebuild=rebuild,
        index_type=settings.index_type,
        hnsw_threshold=settings.hnsw_threshold,
        progress=progress,
    )


def check(settings: Settings, kg: KnowledgeGraph) -> CheckReport:
    """Samples missing from the index and vectors whose sample is gone or invalidated."""
    return check_index(kg, settings.index_dir)
