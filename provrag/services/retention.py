"""Retention: invalidate the samples past their dataset's period, then sync the index."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from provrag.services.indexing import IndexProgress, sync_after_write, sync_summary
from provrag.services.session import Session

if TYPE_CHECKING:
    from ingest.retention import RetentionReport
    from retrieval.index_sync import SyncReport


@dataclass
class RetentionOutcome:
    """The retention report and the index sync that followed (None: not run)."""

    report: RetentionReport
    index: SyncReport | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON report of ``provrag retention apply --json``."""
        payload = self.report.model_dump(mode="json")
        payload["expired"] = self.report.expired
        payload["index"] = None if self.index is None else sync_summary(self.index)
        return payload


def apply(
    session: Session,
    *,
    dry_run: bool = False,
    index: bool = True,
    index_progress: IndexProgress | None = None,
) -> RetentionOutcome:
    """Invalidate, for each dataset with a ``[retention]`` period, its current samples
    ingested longer ago than the period (``dry_run``: only report them); then take
    them out of the index (when ``index`` and ``index_on_ingest`` hold)."""
    from ingest.retention import expire

    settings = session.settings
    with session.write_lock:
        try:
            report = expire(session.kg, settings.retention_periods(), dry_run=dry_run)
            synced = None
            if report.expired and not dry_run and index and settings.index_on_ingest:
                synced = sync_after_write(settings, session.kg, progress=index_progress)
        finally:
            if not dry_run:
                session.changed()
    return RetentionOutcome(report, synced)
