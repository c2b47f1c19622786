"""Delete: invalidate the samples a selector names, then take them out of the index."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from provrag.exit_codes import ExitCode
from provrag.services.indexing import IndexProgress, sync_after_write, sync_summary
from provrag.services.session import Session

if TYPE_CHECKING:
    from ingest.report import DeleteReport
    from retrieval.index_sync import SyncReport


@dataclass
class DeleteSelector:
    """Which current samples to invalidate; the parts given must all hold (AND)."""

    ids: Sequence[str] = field(default_factory=tuple)
    dataset: str | None = None
    version: str | None = None
    generator: str | None = None
    prompt_version: str | None = None


@dataclass
class DeleteOutcome:
    """The deletion report and the index sync that followed (None: not run)."""

    report: DeleteReport
    index: SyncReport | None = None

    @property
    def exit_code(self) -> ExitCode:
        """OK when samples were invalidated, ERROR when nothing matched."""
        return ExitCode(self.report.exit_code)

    def to_dict(self) -> dict[str, Any]:
        """The JSON report of ``provrag delete --json``."""
        payload = self.report.model_dump(mode="json")
        payload["index"] = None if self.index is None else sync_summary(self.index)
        return payload


def delete(
    session: Session,
    selector: DeleteSelector,
    *,
    reason: str | None = None,
    cascade: bool = False,
    index: bool = True,
    index_progress: IndexProgress | None = None,
) -> DeleteOutcome:
    """Invalidate the samples ``selector`` names (``cascade``: and what was derived from
    them, transitively; one deletion activity), then sync the index when something was
    invalidated (and ``index`` and ``index_on_ingest`` hold).

    Raises :class:`~ingest.errors.SelectorError` for no selector or parts that do not
    go together (e.g. a version without its dataset).
    """
    from ingest.delete import invalidate

    settings = session.settings
    with session.write_lock:
        try:
            report = invalidate(
                session.kg,
                ids=selector.ids,
                dataset=selector.dataset,
                version=selector.version,
                generator=selector.generator,
                prompt_version=selector.prompt_version,
                reason=reason,
                cascade=cascade,
            )
            synced = None
            if report.invalidated and index and settings.index_on_ingest:
                synced = sync_after_write(settings, session.kg, progress=index_progress)
        finally:
            session.changed()
    return DeleteOutcome(report, synced)
