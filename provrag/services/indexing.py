"""Index sync and check: bring ``<home>/index`` in step with the graph, or compare them.

``provrag index``, and ingest and delete after they commit, run these. The
embedder loads its model lazily, so a sync with nothing new to embed never
starts torch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kg.graph import KnowledgeGraph
from provrag.errors import ServiceError
from provrag.settings import Settings

if TYPE_CHECKING:
    from retrieval.embedder import Embedder
    from retrieval.index_sync import CheckReport, SyncReport

#: ``progress(done, total)`` of the texts embedded
IndexProgress = Callable[[int, int], None]


def sync(
    settings: Settings,
    kg: KnowledgeGraph,
    *,
    rebuild: bool = False,
    progress: IndexProgress | None = None,
    embedder: Embedder | None = None,
) -> SyncReport:
    """Bring ``settings.index_dir`` in step with the graph's current samples."""
    from provrag import wiring
    from retrieval.index_sync import sync_index

    return sync_index(
        kg,
        settings.index_dir,
        embedder if embedder is not None else wiring.build_embedder(settings),
        rebuild=rebuild,
        index_type=settings.index_type,
        hnsw_threshold=settings.hnsw_threshold,
        progress=progress,
    )


def check(settings: Settings, kg: KnowledgeGraph) -> CheckReport:
    """Samples missing from the index and vectors whose sample is gone or invalidated."""
    from retrieval.index_sync import check_index

    return check_index(kg, settings.index_dir)


def sync_after_write(
    settings: Settings, kg: KnowledgeGraph, *, progress: IndexProgress | None = None
) -> SyncReport:
    """:func:`sync` after a write that committed; a failure says the graph changed anyway.

    Raises :class:`~provrag.errors.ServiceError` (chained to the retrieval error).
    """
    from retrieval.errors import RetrievalError

    try:
        return sync(settings, kg, progress=progress)
    except RetrievalError as exc:
        raise ServiceError(
            f"the graph was updated, but updating the search index failed: {exc} "
            "(run `provrag index` to retry)"
        ) from exc


def sync_summary(report: SyncReport) -> dict[str, Any]:
    """What ingest and delete report of the sync that followed them (their ``index`` key)."""
    return {
        "embedded": report.embedded,
        "reused": report.reused,
        "removed": report.removed,
        "total": report.total,
        "seconds": report.seconds,
    }


@dataclass
class IndexOutcome:
    """What ``provrag index`` did: a sync (unless only checking) and a check (if asked)."""

    sync: SyncReport | None = None
    check: CheckReport | None = None

    @property
    def ok(self) -> bool:
        """False when a check found missing or stale entries."""
        return self.check is None or self.check.ok

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.sync is not None:
            out["sync"] = self.sync.to_dict()
        if self.check is not None:
            out["check"] = self.check.to_dict()
        return out


def update(
    settings: Settings,
    kg: KnowledgeGraph,
    *,
    rebuild: bool = False,
    verify: bool = False,
    progress: IndexProgress | None = None,
) -> IndexOutcome:
    """Sync (``rebuild``: from an empty index), or only check when ``verify``
    (``verify`` with ``rebuild``: rebuild, then check)."""
    outcome = IndexOutcome()
    if rebuild or not verify:
        outcome.sync = sync(settings, kg, rebuild=rebuild, progress=progress)
    if verify:
        outcome.check = check(settings, kg)
    return outcome
