"""Batch ingest: files -> validated records -> revisions -> one named graph per batch.

``ingest_files`` streams the inputs in chunks of ``chunk_size`` valid records, so
a file of millions of records never sits in memory whole. For each chunk it:

1. looks up, in one query over committed data, the revisions already stored
   under the chunk's logical sample IRIs (:func:`kg.queries.revisions.current_revisions`);
2. decides per record (:mod:`ingest.decide`, pure functions): **new** (no
   revision yet), **unchanged** (same content hash as the current revision; joins
   the dataset version if that is new for it), **revised** (changed content under
   the same id: a new revision that ``prov:wasRevisionOf`` the current one, which
   is invalidated but kept), or skipped (a deleted sample's content, a revert);
3. links each record it writes that names sources (``derived_from``) to the
   current revision of each (:mod:`ingest.lineage`: this batch's own, else the
   committed graph's; one lookup per chunk, only when a record needs it). A
   record whose source is not there yet waits until the end of the input (its
   source may come later); a source missing then makes it invalid (``field``
   ``derived_from``), handled by ``on_invalid``;
4. writes the chunk (:class:`ingest.writer.BatchWriter`): entity extraction on the
   texts that go in (when an extractor is given), N-Triples from :mod:`kg.mapping`
   without the shared nodes (configs, agents, guidelines, entities, datasets) the
   graph already holds, added to the batch's named graph through the store's bulk
   path while the next chunk is read.

The batch graph is opened on the first chunk that has something to write and
committed at the end with the batch's PROV (:func:`ingest.batch.write_batch_prov`:
source files with sha256 and size, counts, start/end time, provrag version): until
the commit, no query sees any of it; an exception drops it. When nothing is new,
revised or newly a member of a dataset version, nothing at all is written (not
even a batch).

Policies
--------
``on_invalid`` (see :mod:`ingest.quarantine`): ``fail`` aborts on the first bad
record, ``skip`` leaves bad records out, ``quarantine`` (default) leaves them out
and writes them to ``<quarantine_dir>/<batch id>.jsonl``.

``on_duplicate`` is about the same id (dataset + external id) appearing more
than once *in the input of one batch*: ``skip`` (default) keeps the first and
counts the others as skipped; ``overwrite`` lets the last one win (each changed
repeat becomes a revision of the one before); ``fail`` aborts the batch naming
both locations. Changed content under an id that is already in the graph is
always a new revision, whatever the policy.

Batch ids are deterministic (:mod:`ingest.batch`): the sha256 of (dataset, version,
the sorted sha256 of the source files, the policies), 16 hex digits, with ``-2``,
``-3``, ... when a committed batch already has the id. A crashed run's open graph
is dropped by :meth:`kg.graph.KnowledgeGraph.recover` (called first), so running
the same ingest again reuses the id and ends with the graph one clean run would give.

Test hook (:mod:`ingest.crash_hook`): when the environment variable
``PROVRAG_TEST_CRASH_AFTER_CHUNKS=N`` is set, the process kills itself with SIGKILL
right after writing its N-th chunk (used by the crash-recovery test; never set it
otherwise).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, assert_never

from ingest.batch import batch_id_for, free_batch_id, write_batch_prov
from ingest.crash_hook import crash_hook_from_env
from ingest.decide import Seen, decide_first, decide_repeat
from ingest.errors import DuplicateRecordError, IngestOptionError
from ingest.lineage import ChunkSources
from ingest.quarantine import Quarantine
from ingest.readers import InputFile, describe, expand_paths, iter_records
from ingest.report import FileSummary, IngestReport, NerSummary
from ingest.validate import InvalidRecord, RecordValidator, ValidRecord, missing_sources
from ingest.writer import BatchWriter, Membership, ToWrite
from kg import ids
from kg.graph import KnowledgeGraph
from kg.model import now_utc
from kg.queries.revisions import current_revisions, dataset_has_samples
from kg.typing import ON_DUPLICATE, OnDuplicate, OnInvalid

if TYPE_CHECKING:
    from ingest.ner import EntityExtractor

__all__ = ["ON_DUPLICATE", "OnDuplicate", "ProgressCallback", "ingest_files"]

#: how many bad records the report lists (all of them are in the quarantine file)
INVALID_LISTED = 50
#: progress is advanced at least every this many records
PROGRESS_STEP = 1000

_LOC_SHIFT = 40  # a location packed in one int: file index << 40 | line

#: when a chunk is decided: while reading the input, then (for the records that waited
#: for their sources) again after it, and a last time once that makes no progress
_Phase = Literal["reading", "draining", "final"]


class ProgressCallback(Protocol):
    """Receives progress; the CLI passes an adapter around a rich progress bar."""

    def total(self, n: int | None) -> None:
        """The number of records expected (an estimate; None when unknown)."""
        ...

    def advance(self, records: int) -> None:
        """``records`` more records were read."""
        ...


def ingest_files(
    kg: KnowledgeGraph,
    paths: Sequence[str | Path],
    *,
    dataset: str | None = None,
    version: str | None = None,
    on_invalid: OnInvalid = "quarantine",
    on_duplicate: OnDuplicate = "skip",
    extractor: EntityExtractor | None = None,
    chunk_size: int | None = None,
    quarantine_dir: Path,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Ingest JSONL / CSV / Parquet files (or directories, or globs) as one batch.

    Raises :class:`~ingest.errors.InputFileError` for a missing or unreadable
    input, :class:`~ingest.errors.InvalidRecordError` (``on_invalid="fail"``) and
    :class:`~ingest.errors.DuplicateRecordError` (``on_duplicate="fail"``); in each
    case nothing is written. ``chunk_size`` (records) defaults to what the store
    writes fastest (``GraphStore.chunk_records``).
    """
    if chunk_size is None:
        chunk_size = kg.store.chunk_records
    if on_duplicate not in ON_DUPLICATE:
        raise IngestOptionError(
            f"on_duplicate must be one of {', '.join(ON_DUPLICATE)}, got {on_duplicate!r}"
        )
    if chunk_size < 1:
        raise IngestOptionError(f"chunk_size must be at least 1, got {chunk_size}")
    clock = time.perf_counter()
    files = [describe(p) for p in expand_paths(paths)]
    if progress is not None:
        counts = [f.records for f in files]
        progress.total(None if any(c is None for c in counts) else sum(c or 0 for c in counts))
    kg.recover()
    base_id = batch_id_for(dataset, version, [f.sha256 for f in files], on_invalid, on_duplicate)
    batch_id = free_batch_id(kg, base_id)
    run = _BatchRun(
        kg=kg,
        files=files,
        batch_id=batch_id,
        dataset=dataset,
        version=version,
        on_duplicate=on_duplicate,
        extractor=extractor,
        quarantine=Quarantine(on_invalid, quarantine_dir / f"{batch_id}.jsonl"),
        on_invalid=on_invalid,
        progress=progress,
    )
    report = run.execute(chunk_size)
    report.seconds = round(time.perf_counter() - clock, 3)
    return report


@dataclass
class _BatchRun:
    """One run of :func:`ingest_files`: reads, validates, decides and counts."""

    kg: KnowledgeGraph
    files: list[InputFile]
    batch_id: str
    dataset: str | None
    version: str | None
    on_duplicate: OnDuplicate
    on_invalid: OnInvalid
    extractor: EntityExtractor | None
    quarantine: Quarantine
    progress: ProgressCallback | None
    started: datetime = field(default_factory=now_utc)
    report: IngestReport = field(default_factory=IngestReport)
    #: every logical sample met in this batch's input
    seen: dict[str, Seen] = field(default_factory=dict)
    _dataset_has_samples: dict[str, bool] = field(default_factory=dict)
    deleted_matches: int = 0
    reverts: int = 0
    #: records waiting for a source (see :mod:`ingest.lineage`), in input order
    waiting_records: list[ValidRecord] = field(default_factory=list)
    #: the logical samples of the waiting records
    waiting: set[str] = field(default_factory=set)
    #: while draining: the logical samples of the waiting records not decided again yet
    pending: Counter[str] = field(default_factory=Counter)
    #: valid records found invalid when their sources were looked for
    late_invalid: int = 0

    # ------------------------------------------------------------------ driver
    def execute(self, chunk_size: int) -> IngestReport:
        report = self.report
        report.batch_id = self.batch_id
        report.files = [
            FileSummary(path=str(f.path), sha256=f.sha256, size=f.size) for f in self.files
        ]
        report.dataset, report.version = self.dataset, self.version
        if self.extractor is not None:
            report.ner = NerSummary(
                model=self.extractor.name,
                version=self.extractor.version,
                fallback=self.extractor.fallback,
            )
        self._file_index = {str(f.path): i for i, f in enumerate(self.files)}
        crash = crash_hook_from_env()
        validator = RecordValidator(dataset=self.dataset, version=self.version)
        with ExitStack() as stack, self.quarantine:
            writer = BatchWriter(
                self.kg,
                ids.batch_iri(self.batch_id),
                started=self.started,
                extractor=self.extractor,
                stack=stack,
            )
            chunk: list[ValidRecord] = []
            pending = 0
            # plain ints in the loop: the report is a pydantic model (slow attributes)
            read = valid = 0
            for raw in iter_records(self.files):
                read += 1
                pending += 1
                result = validator.validate(raw)
                if isinstance(result, InvalidRecord):
                    self._invalid(result)
                else:
                    valid += 1
                    chunk.append(result)
                    if len(chunk) >= chunk_size:
                        self._flush(chunk, writer)
                        chunk = []
                        if crash is not None:
                            crash.check(writer.chunks_written, writer.settle)
                if pending >= PROGRESS_STEP and self.progress is not None:
                    self.progress.advance(pending)
                    pending = 0
            if chunk:
                self._flush(chunk, writer)
            self._drain(writer, chunk_size)
            report.read, report.valid = read, valid - self.late_invalid
            if self.progress is not None and pending:
                self.progress.advance(pending)
            if writer.graph is not None:
                report.batch = writer.batch_iri
                write_batch_prov(
                    writer,
                    report,
                    files=self.files,
                    started=self.started,
                    on_invalid=self.on_invalid,
                    on_duplicate=self.on_duplicate,
                )
        if self.quarantine.path is not None:
            report.quarantine_file = str(self.quarantine.path)
        if report.dataset is None and len(writer.datasets) == 1:
            report.dataset = next(iter(writer.datasets))
        self._warnings()
        return report

    def _invalid(self, bad: InvalidRecord) -> None:
        self.quarantine.add(bad)  # raises under on_invalid="fail"
        if self.on_invalid == "skip":
            self.report.skipped += 1
        else:
            self.report.quarantined += 1
        if len(self.report.invalid) < INVALID_LISTED:
            self.report.invalid.append(bad.summary())

    def _warnings(self) -> None:
        r = self.report
        if self.deleted_matches:
            r.warnings.append(
                f"{self.deleted_matches} record(s) have the content of a deleted sample and "
                "were skipped: a delete is final for that content (change the id or the "
                "content to add it again)"
            )
        if self.reverts:
            r.warnings.append(
                f"{self.reverts} record(s) change a sample back to the content of an earlier, "
                "invalidated revision and were skipped: revision IRIs are content hashes, so "
                "an earlier revision cannot become current again"
            )
        if r.batch is None:
            r.warnings.append("nothing new: no batch was written and the graph is unchanged")

    # ----------------------------------------------------------------- chunks
    def _drain(self, writer: BatchWriter, chunk_size: int) -> None:
        """Decide the records that waited for their sources, while that makes progress."""
        phase: _Phase = "draining"
        while self.waiting_records:
            held = self.waiting_records
            self.waiting_records, self.waiting = [], set()
            # a source that waits later in the list may be decided in this pass
            self.pending = Counter(v.logical_iri for v in held) if phase != "final" else Counter()
            for start in range(0, len(held), chunk_size):
                self._flush(held[start : start + chunk_size], writer, phase)
            if len(self.waiting_records) == len(held):
                phase = "final"  # no progress: what still waits, waits for nothing

    def _wait(self, v: ValidRecord) -> None:
        self.waiting_records.append(v)
        self.waiting.add(v.logical_iri)

    def _flush(
        self, chunk: list[ValidRecord], writer: BatchWriter, phase: _Phase = "reading"
    ) -> None:
        """Decide on each record of ``chunk`` (one lookup), count, write what goes in."""
        seen = self.seen
        waiting = self.waiting
        pending = self.pending
        sources: ChunkSources | None = None
        fresh = {
            v.logical_iri
            for v in chunk
            if v.logical_iri not in seen and self._has_samples(v.record.dataset)
        }
        committed = current_revisions(self.kg, fresh) if fresh else {}
        writes: list[ToWrite] = []
        memberships: list[Membership] = []
        new = unchanged = revised = skipped = 0
        for v in chunk:
            key = v.logical_iri
            if pending:  # draining: this record is no longer to come
                if pending[key] > 1:
                    pending[key] -= 1
                else:
                    del pending[key]
            if waiting and key in waiting:  # an earlier record of the sample waits: keep order
                self._wait(v)
                continue
            rec = v.record
            before = seen.get(key)
            if before is None:
                d = decide_first(
                    v.content_hash,
                    dataset_version=writer.dataset_version(rec.dataset, rec.version),
                    location=self._pack(v),
                    committed=committed.get(key),
                )
            else:
                d = decide_repeat(
                    v.content_hash, logical_iri=key, seen=before, on_duplicate=self.on_duplicate
                )
            verdict = d.verdict
            derived: tuple[str, ...] = ()
            if v.sources and (verdict == "new" or verdict == "revised"):
                if sources is None:
                    sources = ChunkSources(
                        self.kg,
                        chunk,
                        seen,
                        waiting=waiting,
                        pending=pending,
                        has_samples=self._has_samples,
                    )
                found = sources.resolve(v)
                if (found.waiting and phase != "final") or (found.missing and phase == "reading"):
                    self._wait(v)
                    continue
                if found.missing or found.waiting:
                    self.late_invalid += 1
                    self._invalid(missing_sources(v, [*found.missing, *found.waiting]))
                    continue
                derived = found.revisions
            seen[key] = d.seen
            if verdict == "new":
                new += 1
                writes.append(ToWrite(v, sources=derived))
            elif verdict == "unchanged":
                unchanged += 1
            elif verdict == "revised":
                revised += 1
                writes.append(ToWrite(v, d.previous, d.invalidate_previous, derived))
            elif verdict == "joined":
                unchanged += 1
                memberships.append(Membership(committed[key].iri, rec.dataset, rec.version))
            elif verdict == "deleted":
                skipped += 1
                self.deleted_matches += 1
            elif verdict == "reverted":
                skipped += 1
                self.reverts += 1
            elif verdict == "skipped":
                skipped += 1
            elif verdict == "conflict":
                raise self._duplicate(v, d.seen)
            else:
                assert_never(verdict)
        report = self.report
        report.new += new
        report.unchanged += unchanged
        report.revised += revised
        report.skipped += skipped
        if writes or memberships:
            report.memberships_added += len(memberships)
            writer.write_chunk(writes, memberships)

    def _duplicate(self, v: ValidRecord, first: Seen) -> DuplicateRecordError:
        """The error of an id met twice under ``on_duplicate="fail"``."""
        first_file, first_line = self._unpack(first.location)
        return DuplicateRecordError(
            f"id {v.external_id!r} (dataset {v.record.dataset!r}) appears twice: "
            f"{first_file}:{first_line} and {v.location} (on_duplicate=fail: nothing was "
            "written; remove one, or use --on-duplicate skip|overwrite)",
            external_id=v.external_id,
            first=(first_file, first_line),
            second=(v.location.file, v.location.line),
        )

    def _has_samples(self, dataset: str) -> bool:
        """Whether the committed graph holds any sample of ``dataset`` (one ASK a run).

        When it holds none (a dataset's first ingest, e.g. a bulk load into a new
        store) no record can match an existing revision, so the per-chunk lookups
        are skipped. This run's own batch commits only at its end, so the answer
        holds for the whole run.
        """
        known = self._dataset_has_samples.get(dataset)
        if known is None:
            known = self._dataset_has_samples[dataset] = dataset_has_samples(self.kg, dataset)
        return known

    def _pack(self, v: ValidRecord) -> int:
        return (self._file_index.get(v.location.file, 0) << _LOC_SHIFT) | v.location.line

    def _unpack(self, packed: int) -> tuple[str, int]:
        return str(self.files[packed >> _LOC_SHIFT].path), packed & ((1 << _LOC_SHIFT) - 1)
