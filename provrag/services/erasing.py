"""Erase a sample everywhere: graph, indexes, embedding cache, every file of the home.

1. the graph (:func:`ingest.erase.erase`): content of the sample, of its revisions
   and of the samples derived from it removed; a provenance skeleton recorded;
2. the index rebuilt from the graph's current samples (a fresh generation: the
   vector index and BM25 never saw the text; older generations are deleted), and
   the erased texts' vectors removed from the embedding cache (then vacuumed);
3. the embedded store rewritten (:meth:`kg.graph.KnowledgeGraph.purge`), so that no
   RocksDB log, table or dictionary keeps a byte of it;
4. every other file under the home scrubbed (:mod:`provrag.services.scrub`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kg.ids import text_hash
from provrag.services.indexing import IndexProgress, sync, sync_summary
from provrag.services.scrub import ScrubReport, scrub_home
from provrag.services.session import Session

if TYPE_CHECKING:
    from ingest.erase import ErasureReport
    from retrieval.index_sync import SyncReport


@dataclass
class EraseOutcome:
    """What ``provrag erase`` did, store by store."""

    report: ErasureReport
    index: SyncReport | None
    cache_rows_removed: int
    store_rewritten: bool
    files: ScrubReport

    def to_dict(self) -> dict[str, Any]:
        """The JSON report of ``provrag erase --json`` (it never holds the erased text)."""
        payload = self.report.model_dump(mode="json")
        payload["index"] = None if self.index is None else sync_summary(self.index)
        payload["embedding_cache_rows_removed"] = self.cache_rows_removed
        payload["store_rewritten"] = self.store_rewritten
        payload["files"] = {
            "scanned": self.files.scanned,
            "rewritten": self.files.rewritten,
            "vacuumed": self.files.vacuumed,
            "removed": self.files.removed,
        }
        return payload


def erase(
    session: Session,
    *,
    external_id: str,
    dataset: str,
    reason: str,
    who: str,
    index_progress: IndexProgress | None = None,
) -> EraseOutcome:
    """Erase ``dataset``/``external_id`` and what was derived from it (see the module).

    Raises :class:`~ingest.errors.ErasureError` for an unknown sample or no reason.
    """
    from ingest.erase import erase as erase_graph
    from retrieval.embedder import forget_cached
    from retrieval.index_sync import CACHE_FILE

    settings = session.settings
    with session.write_lock:
        try:
            done = erase_graph(
                session.kg, external_id=external_id, dataset=dataset, reason=reason, who=who
            )
            synced = None
            if (settings.index_dir / "manifest.json").exists():
                synced = sync(settings, session.kg, rebuild=True, progress=index_progress)
            # the texts' vectors, and those of erased entity names (the name index)
            hashes = [text_hash(t) for t in [*done.texts, *done.needles]]
            removed = forget_cached(settings.index_dir / CACHE_FILE, hashes)
            rewritten = session.kg.purge()
            files = scrub_home(
                settings.home,
                [*done.needles, *done.entity_iris],
                skip=[settings.store_path],
                quarantine_dir=settings.quarantine_dir,
                erased_ids=[(s.dataset, s.external_id) for s in done.report.samples],
            )
        finally:
            session.changed()
    return EraseOutcome(done.report, synced, removed, rewritten, files)
