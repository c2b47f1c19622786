"""Ingest and index: files (or a DataFrame) into the graph as one batch, then the index.

``provrag ingest``, ``POST /ingest`` and :meth:`provrag.api.Client.ingest` all
run :func:`ingest`: entity extraction when the settings and the options ask for
it, :func:`ingest.pipeline.ingest_files` (validation, quarantine, dedupe,
revisions), then the index sync (:func:`provrag.services.indexing.sync_after_write`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.typing import OnDuplicate, OnInvalid
from provrag.errors import ServiceError
from provrag.exit_codes import ExitCode
from provrag.services.indexing import IndexProgress, sync_after_write, sync_summary
from provrag.services.session import Session

if TYPE_CHECKING:
    from ingest.pipeline import ProgressCallback
    from ingest.report import IngestReport
    from retrieval.index_sync import SyncReport


@dataclass
class IngestOptions:
    """How to ingest (None: from the settings)."""

    #: dataset name / version for records that name none
    dataset: str | None = None
    version: str | None = None
    on_invalid: OnInvalid = "quarantine"
    on_duplicate: OnDuplicate = "skip"
    #: extract entities (when the settings' ``ner`` is on too)
    ner: bool = True
    #: update the search index afterwards (when the settings' ``index_on_ingest`` is on too)
    index: bool = True
    #: records per chunk (None: the settings' ``chunk_size``, else the store's best)
    chunk_size: int | None = None


@dataclass
class IngestOutcome:
    """The ingest report, the index sync that followed (None: not run) and notes
    (e.g. why the rule-based NER fallback ran)."""

    report: IngestReport
    index: SyncReport | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        """OK, or INGEST_PARTIAL when records were quarantined or skipped."""
        return ExitCode(self.report.exit_code)

    def to_dict(self) -> dict[str, Any]:
        """The JSON report (``provrag ingest --json``, ``POST /ingest``)."""
        payload = self.report.model_dump(mode="json")
        index = None if self.index is None else sync_summary(self.index)
        payload["index"] = index
        payload["embedded"] = None if index is None else index["embedded"]
        return payload


def ingest(
    session: Session,
    paths: Sequence[str | Path],
    options: IngestOptions | None = None,
    *,
    progress: ProgressCallback | None = None,
    index_progress: IndexProgress | None = None,
) -> IngestOutcome:
    """Ingest ``paths`` (files, directories, globs) as one batch, then sync the index.

    Raises :class:`~ingest.errors.IngestError` for bad input (nothing written),
    :class:`~provrag.errors.ServiceError` when the index sync fails after the
    batch committed.
    """
    from ingest.pipeline import ingest_files
    from provrag import wiring

    options = options or IngestOptions()
    settings = session.settings
    notes: list[str] = []
    extractor = None
    if options.ner and settings.ner:
        extractor, fallback = wiring.build_extractor_noting(settings)
        if fallback is not None:
            notes.append(fallback)
    with session.write_lock:
        try:
            report = ingest_files(
                session.kg,
                paths,
                dataset=options.dataset,
                version=options.version,
                on_invalid=options.on_invalid,
                on_duplicate=options.on_duplicate,
                extractor=extractor,
                chunk_size=options.chunk_size or settings.chunk_size,
                quarantine_dir=settings.quarantine_dir,
                progress=progress,
            )
            index = None
            if options.index and settings.index_on_ingest:
                index = sync_after_write(settings, session.kg, progress=index_progress)
        finally:
            session.changed()
    return IngestOutcome(report, index, notes)


def ingest_frame(
    session: Session,
    frame: Any,  # noqa: ANN401 - a pandas DataFrame (pandas is imported by its caller)
    options: IngestOptions | None = None,
    *,
    name: str = "dataframe",
    progress: ProgressCallback | None = None,
    index_progress: IndexProgress | None = None,
) -> IngestOutcome:
    """Ingest the rows of a pandas DataFrame: one record per row, the columns of the
    input format (nested fields as dict / list cells or dotted columns).

    The frame is written to a temporary Parquet file ``<name>.parquet`` and ingested
    like any file: the same validation and quarantine (a bad row is located by its
    1-based row number). Raises :class:`~provrag.errors.ServiceError` when a column
    cannot be written as Parquet (e.g. mixed types).
    """
    with tempfile.TemporaryDirectory(prefix="provrag-frame-") as tmp:
        path = Path(tmp) / f"{Path(name).name or 'dataframe'}.parquet"
        try:
            frame.to_parquet(path, index=False)
        except (TypeError, ValueError, NotImplementedError, ImportError) as exc:
            # pyarrow's ArrowInvalid / ArrowTypeError / ArrowNotImplementedError are these
            raise ServiceError(
                f"the DataFrame cannot be written as Parquet for ingest ({exc}); give each "
                "column one type (text, number, dict or list per column)"
            ) from exc
        return ingest(session, [path], options, progress=progress, index_progress=index_progress)
