"""Batch ingest: files -> validated records -> revisions -> one named graph per batch.

``ingest_files`` streams the inputs in chunks of ``chunk_size`` valid records, so
a file of millions of records never sits in memory whole. For each chunk it:

1. looks up, in one SPARQL query over committed data, the revisions already stored
   under the chunk's logical sample IRIs;
2. decides per record: **new** (no revision yet), **unchanged** (same content hash
   as the current revision; joins the dataset version if that is new for it),
   **revised** (changed content under the same id: a new revision that
   ``prov:wasRevisionOf`` the current one, which is invalidated but kept);
3. runs entity extraction on the texts that go in (when an extractor is given);
4. maps them to N-Triples (:mod:`kg.mapping`), leaves out shared nodes (configs,
   agents, guidelines, entities, datasets) the graph already holds, and adds the
   chunk to the batch's named graph through the store's bulk path.

The batch graph is opened on the first chunk that has something to write and
committed at the end with the batch's PROV (source files with sha256 and size,
counts, start/end time, provrag version): until the commit, no query sees any of
it; an exception drops it. When nothing is new, revised or newly a member of a
dataset version, nothing at all is written (not even a batch).

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

Batch ids are deterministic: the sha256 of (dataset, version, the sorted sha256
of the source files, the policies), 16 hex digits, with ``-2``, ``-3``, ... when
a committed batch already has the id. A crashed run's open graph is dropped by
:meth:`kg.graph.KnowledgeGraph.recover` (called first), so running the same
ingest again reuses the id and ends with the graph one clean run would give.

Test hook: when the environment variable ``PROVRAG_TEST_CRASH_AFTER_CHUNKS=N`` is
set, the process kills itself with SIGKILL right after writing its N-th chunk
(used by the crash-recovery test; never set it otherwise).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from ingest.errors import DuplicateRecordError
from ingest.quarantine import Quarantine
from ingest.readers import InputFile, describe, expand_paths, iter_records
from ingest.report import FileSummary, IngestReport, NerSummary
from ingest.validate import InvalidRecord, RecordValidator, ValidRecord
from kg import ids, mapping
from kg.graph import GraphWriter, KnowledgeGraph
from kg.model import now_utc
from kg.ontology import ensure_ontology
from kg.store.base import SelectResult, Term
from kg.typing import ON_DUPLICATE, OnDuplicate, OnInvalid

if TYPE_CHECKING:
    from ingest.ner import EntityExtractor

#: test hook: SIGKILL this process after writing this many chunks (see module doc)
CRASH_ENV = "PROVRAG_TEST_CRASH_AFTER_CHUNKS"
#: how many bad records the report lists (all of them are in the quarantine file)
INVALID_LISTED = 50
#: progress is advanced at least every this many records
PROGRESS_STEP = 1000

_LOC_SHIFT = 40  # a location packed in one int: file index << 40 | line


class ProgressCallback(Protocol):
    """Receives progress; the CLI passes an adapter around a rich progress bar."""

    def total(self, n: int | None) -> None:
        """The number of records expected (an estimate; None when unknown)."""
        ...

    def advance(self, records: int) -> None:
        """``records`` more records were read."""
        ...


def provrag_version() -> str:
    try:
        return metadata.version("provrag")
    except metadata.PackageNotFoundError:
        return "unknown"


def batch_id_for(
    dataset: str | None,
    version: str | None,
    file_sha256s: Sequence[str],
    on_invalid: str,
    on_duplicate: str,
) -> str:
    """The deterministic id of a batch (without the ``-N`` suffix for repeats)."""
    key = {
        "dataset": dataset,
        "version": version,
        "files": sorted(file_sha256s),
        "on_invalid": on_invalid,
        "on_duplicate": on_duplicate,
    }
    return ids.sha256_hex(ids.canonical_json(key))[:16]


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
        raise ValueError(
            f"on_duplicate must be one of {', '.join(ON_DUPLICATE)}, got {on_duplicate!r}"
        )
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    clock = time.perf_counter()
    files = [describe(p) for p in expand_paths(paths)]
    if progress is not None:
        counts = [f.records for f in files]
        progress.total(None if any(c is None for c in counts) else sum(c or 0 for c in counts))
    kg.recover()
    base_id = batch_id_for(dataset, version, [f.sha256 for f in files], on_invalid, on_duplicate)
    batch_id = _free_batch_id(kg, base_id)
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


def _free_batch_id(kg: KnowledgeGraph, base: str) -> str:
    candidate, n = base, 1
    while kg.graph_status(ids.batch_iri(candidate)) == "committed":
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@dataclass
class _SharedNodes(mapping.SharedNodes):
    """:class:`kg.mapping.SharedNodes` that also lists the nodes first met since ``clear``."""

    added: list[str] = field(default_factory=list)

    def first(self, node: str) -> bool:
        if node in self.known:
            return False
        self.known.add(node)
        self.added.append(node)
        return True


@dataclass(slots=True)
class _Current:
    """What the committed graph holds for one logical sample."""

    iri: str
    content_hash: str
    invalidated: bool
    dataset_versions: set[str]
    #: sha256[:16] of every revision, the current one included
    revision_hashes: set[str]


@dataclass(slots=True)
class _Seen:
    """A logical sample already met in this batch's input."""

    hash16: str
    location: int  # packed: file index << 40 | line
    #: the revision that is current now is invalidated already (a deleted sample)
    invalidated: bool = False
    #: hashes this sample had in this batch (only kept once it was overwritten)
    batch_hashes: set[str] | None = None


@dataclass(slots=True)
class _ToWrite:
    rec: ValidRecord
    previous: str | None = None
    invalidate_previous: bool = False


@dataclass
class _BatchRun:
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
    shared: _SharedNodes = field(default_factory=lambda: _SharedNodes())
    seen: dict[str, _Seen] = field(default_factory=dict)
    written_dvs: set[str] = field(default_factory=set)
    _dv_cache: dict[tuple[str, str], str] = field(default_factory=dict)
    _dataset_has_samples: dict[str, bool] = field(default_factory=dict)
    datasets: set[str] = field(default_factory=set)
    writer: GraphWriter | None = None
    loader: _BackgroundLoader | None = None
    chunks_written: int = 0
    deleted_matches: int = 0
    reverts: int = 0

    @property
    def batch_iri(self) -> str:
        return ids.batch_iri(self.batch_id)

    @property
    def extraction_iri(self) -> str:
        return self.batch_iri + "/ner"

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
        crash_after = int(os.environ.get(CRASH_ENV, "0") or 0)
        validator = RecordValidator(dataset=self.dataset, version=self.version)
        with ExitStack() as stack, self.quarantine:
            self._stack = stack
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
                        self._flush(chunk)
                        chunk = []
                        if crash_after and self.chunks_written >= crash_after:
                            self._crash()
                if pending >= PROGRESS_STEP and self.progress is not None:
                    self.progress.advance(pending)
                    pending = 0
            if chunk:
                self._flush(chunk)
            report.read, report.valid = read, valid
            if self.progress is not None and pending:
                self.progress.advance(pending)
            if self.writer is not None:
                self._finish()
        if self.quarantine.path is not None:
            report.quarantine_file = str(self.quarantine.path)
        if report.dataset is None and len(self.datasets) == 1:
            report.dataset = next(iter(self.datasets))
        self._warnings()
        return report

    def _crash(self) -> None:
        """The test hook: die like ``kill -9`` once the chunks so far are in the store."""
        if self.loader is not None:
            self.loader.wait()
        os.kill(os.getpid(), signal.SIGKILL)

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
    def _flush(self, chunk: list[ValidRecord]) -> None:
        report = self.report
        fresh_keys = {
            v.logical_iri
            for v in chunk
            if v.logical_iri not in self.seen and self._has_samples(v.record.dataset)
        }
        current = self._lookup(fresh_keys)
        writes: list[_ToWrite] = []
        memberships: list[tuple[str, str, str]] = []
        new = 0
        for v in chunk:
            key = v.logical_iri
            h16 = v.content_hash[:16]
            seen = self.seen.get(key)
            if seen is not None:
                self._repeat(v, key, h16, seen, writes)
                continue
            self.seen[key] = _Seen(h16, self._pack(v))
            dv = self._dv(v.record.dataset, v.record.version)
            state = current.get(key)
            if state is None:
                new += 1
                writes.append(_ToWrite(v))
            elif state.content_hash == v.content_hash:
                if state.invalidated:
                    self.seen[key].invalidated = True
                    self.deleted_matches += 1
                    report.skipped += 1
                else:
                    report.unchanged += 1
                    if dv not in state.dataset_versions:
                        memberships.append((state.iri, v.record.dataset, v.record.version))
            elif h16 in state.revision_hashes:
                self.seen[key] = _Seen(
                    state.content_hash[:16], self._pack(v), invalidated=state.invalidated
                )
                self.reverts += 1
                report.skipped += 1
            else:
                report.revised += 1
                self.shared.known.add(key)
                writes.append(_ToWrite(v, state.iri, not state.invalidated))
        report.new += new
        if writes or memberships:
            self._write(writes, memberships)

    def _repeat(
        self, v: ValidRecord, key: str, h16: str, seen: _Seen, writes: list[_ToWrite]
    ) -> None:
        """The id was met before in this input: apply ``on_duplicate``."""
        report = self.report
        if self.on_duplicate == "fail":
            first_file, first_line = self._unpack(seen.location)
            raise DuplicateRecordError(
                f"id {v.external_id!r} (dataset {v.record.dataset!r}) appears twice: "
                f"{first_file}:{first_line} and {v.location} (on_duplicate=fail: nothing was "
                "written; remove one, or use --on-duplicate skip|overwrite)",
                external_id=v.external_id,
                first=(first_file, first_line),
                second=(v.location.file, v.location.line),
            )
        if self.on_duplicate == "skip":
            report.skipped += 1
            return
        if seen.hash16 == h16:
            report.unchanged += 1
            return
        if seen.batch_hashes is None:
            seen.batch_hashes = {seen.hash16}
        previous = ids.sample_iri(v.record.dataset, v.external_id, seen.hash16)
        if h16 in seen.batch_hashes or self._committed_exists(v.iri):
            self.reverts += 1
            report.skipped += 1
            return
        report.revised += 1
        self.shared.known.add(key)
        writes.append(_ToWrite(v, previous, not seen.invalidated))
        seen.batch_hashes.add(h16)
        seen.hash16 = h16
        seen.invalidated = False

    def _pack(self, v: ValidRecord) -> int:
        return (self._file_index.get(v.location.file, 0) << _LOC_SHIFT) | v.location.line

    def _unpack(self, packed: int) -> tuple[str, int]:
        return str(self.files[packed >> _LOC_SHIFT].path), packed & ((1 << _LOC_SHIFT) - 1)

    # --------------------------------------------------------------- lookups
    def _has_samples(self, dataset: str) -> bool:
        """Whether the committed graph holds any sample of ``dataset`` (one ASK a run).

        When it holds none (a dataset's first ingest, e.g. a bulk load into a new
        store) no record can match an existing revision, so the per-chunk lookups
        are skipped. This run's own batch commits only at its end, so the answer
        holds for the whole run.
        """
        known = self._dataset_has_samples.get(dataset)
        if known is None:
            known = self._dataset_has_samples[dataset] = self.kg.ask(
                f"ASK {{ ?dv dcterms:isVersionOf <{ids.dataset_iri(dataset)}> . "
                "?s pr:inDatasetVersion ?dv }"
            )
        return known

    def _lookup(self, keys: set[str]) -> dict[str, _Current]:
        """Current revision (and all revision hashes) of each logical sample, one query."""
        if not keys:
            return {}
        values = " ".join(f"<{k}>" for k in sorted(keys))
        result = self.kg.query(
            "SELECT ?logical ?s ?h ?inv ?newer ?dv WHERE {\n"
            f"  VALUES ?logical {{ {values} }}\n"
            "  ?s prov:specializationOf ?logical ; pr:contentHash ?h .\n"
            "  OPTIONAL { ?s prov:invalidatedAtTime ?inv }\n"
            "  OPTIONAL { ?newer prov:wasRevisionOf ?s }\n"
            "  OPTIONAL { ?s pr:inDatasetVersion ?dv }\n"
            "}"
        )
        if not isinstance(result, SelectResult):
            return {}
        revisions: dict[str, dict[str, tuple[str, bool, bool, set[str]]]] = {}
        for row in result.rows:
            logical, s, h = _value(row["logical"]), _value(row["s"]), _value(row["h"])
            per = revisions.setdefault(logical, {})
            _, inv, newer, dvs = per.get(s, (h, False, False, set()))
            if "dv" in row:
                dvs.add(_value(row["dv"]))
            per[s] = (h, inv or "inv" in row, newer or "newer" in row, dvs)
        out: dict[str, _Current] = {}
        for logical, per in revisions.items():
            heads = sorted(s for s, (_, _, newer, _) in per.items() if not newer) or sorted(per)
            head = heads[-1]
            h, inv, _, dvs = per[head]
            out[logical] = _Current(head, h, inv, dvs, {v[0][:16] for v in per.values()})
        return out

    def _committed_exists(self, sample: str) -> bool:
        return self.kg.ask(f"ASK {{ <{sample}> pr:contentHash ?h }}")

    def _existing(self, nodes: set[str]) -> set[str]:
        """Which of ``nodes`` the committed graph already describes (one query)."""
        if not nodes:
            return set()
        values = " ".join(f"<{n}>" for n in sorted(nodes))
        result = self.kg.query(f"SELECT DISTINCT ?n WHERE {{ VALUES ?n {{ {values} }} ?n a ?t }}")
        if not isinstance(result, SelectResult):
            return set()
        return {_value(row["n"]) for row in result.rows}

    # ---------------------------------------------------------------- writing
    def _write(self, writes: list[_ToWrite], memberships: list[tuple[str, str, str]]) -> None:
        self.shared.added.clear()
        stmts: list[str] = []
        new_dvs: list[tuple[str, str]] = []
        for w in writes:
            self._note_dataset_version(w.rec.record.dataset, w.rec.record.version, new_dvs)
        for _, name, version in memberships:
            self._note_dataset_version(name, version, new_dvs)
        for name, version in new_dvs:
            self.shared.first(ids.dataset_iri(name))
            self.shared.first(ids.dataset_version_iri(name, version))
            stmts.extend(mapping.dataset_version_triples(name, version))
        spans = self._mentions([w.rec.record.text for w in writes])
        batch = self.batch_iri
        logicals: set[str] = set()
        for i, w in enumerate(writes):
            v = w.rec
            logicals.add(v.logical_iri)
            ctx = mapping.SampleContext(
                iri=v.iri,
                logical_iri=v.logical_iri,
                external_id=v.external_id,
                content_hash=v.content_hash,
                dataset_version_iri=self._dv(v.record.dataset, v.record.version),
                batch_iri=batch,
                previous_revision=w.previous,
            )
            out = mapping.sample_triples(v.record, ctx, self.shared)
            if spans is not None and spans[i]:
                out.extend(
                    mapping.mention_triples(v.iri, spans[i], self.extraction_iri, self.shared)
                )
            if len(v.record.labels) > 1 or (spans is not None and spans[i]):
                out = list(dict.fromkeys(out))
            stmts.extend(out)
            if w.previous is not None and w.invalidate_previous:
                stmts.extend(mapping.invalidation_triples(w.previous, batch, self.started))
            self.datasets.add(v.record.dataset)
        for sample, name, version in memberships:
            stmts.append(mapping.membership_triple(sample, self._dv(name, version)))
        self.report.memberships_added += len(memberships)
        # shared nodes met for the first time in this batch may be in the graph already
        candidates = set(self.shared.added) - logicals
        stmts = _drop_subjects(stmts, self._existing(candidates))
        self._add(stmts)

    def _dv(self, name: str, version: str) -> str:
        """The dataset version IRI (cached: a batch has few)."""
        key = (name, version)
        dv = self._dv_cache.get(key)
        if dv is None:
            dv = self._dv_cache[key] = ids.dataset_version_iri(name, version)
        return dv

    def _note_dataset_version(
        self, name: str, version: str, new_dvs: list[tuple[str, str]]
    ) -> None:
        dv = self._dv(name, version)
        if dv not in self.written_dvs:
            self.written_dvs.add(dv)
            new_dvs.append((name, version))

    def _mentions(self, texts: list[str]) -> list[list[mapping.MentionSpan]] | None:
        if self.extractor is None or not texts:
            return None
        return self.extractor.extract(texts)

    def _add(self, stmts: list[str]) -> None:
        if not stmts:
            return
        if self.writer is None:
            self.writer = self._stack.enter_context(self.kg.write_graph(self.batch_iri))
            # entered after the graph: it is closed (pending chunk written) before the
            # graph is committed or, on an error, dropped
            self.loader = self._stack.enter_context(_BackgroundLoader(self.writer))
            self.report.batch = self.batch_iri
        if self.loader is not None:
            self.loader.submit(stmts)
        self.chunks_written += 1

    def _finish(self) -> None:
        """The batch's own PROV, then commit (when the ExitStack closes)."""
        r = self.report
        tail: list[str] = []
        if self.extractor is not None:
            tail += mapping.extraction_triples(
                self.extraction_iri,
                self.batch_iri,
                self.extractor.name,
                self.extractor.version,
                self.extractor.fallback,
            )
        counts = {k: getattr(r, k) for k in mapping.COUNT_TERMS}
        info = mapping.BatchInfo(
            iri=self.batch_iri,
            started=self.started,
            ended=now_utc(),
            provrag_version=provrag_version(),
            files=[
                mapping.SourceFileInfo(str(f.path.resolve()), f.sha256, f.size) for f in self.files
            ],
            counts=counts,
            on_invalid=self.on_invalid,
            on_duplicate=self.on_duplicate,
        )
        shared_nodes = {ids.agent_iri("software", "provrag")} | {
            ids.source_file_iri(f.sha256) for f in self.files
        }
        existing = self._existing(shared_nodes - self.shared.known)
        # the class axioms the samples' queries and shapes lean on (a no-op when current)
        ensure_ontology(self.kg)
        if self.loader is not None:
            self.loader.wait()
        writer = self.writer
        written = writer.count if writer is not None else 0
        # the count of triples includes the batch's own: the tail's length does not
        # depend on the value of the count, so measure it first
        probe = _drop_subjects(tail + mapping.batch_triples(info), existing)
        counts["triples_added"] = written + len(probe)
        info.counts = counts
        final = _drop_subjects(tail + mapping.batch_triples(info), existing)
        r.triples_added = counts["triples_added"]
        if writer is not None:
            writer.add_statements(final)


class _BackgroundLoader:
    """Adds chunks to the open batch graph in a worker thread, one chunk at a time.

    The store's bulk loader releases the GIL, so the next chunk is validated and
    mapped while this one loads. ``submit`` waits for the previous chunk first (at
    most one chunk is in flight, so memory stays bounded); errors surface there or
    in :meth:`wait`.
    """

    def __init__(self, writer: GraphWriter) -> None:
        self._writer = writer
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="provrag-ingest")
        self._pending: Future[int] | None = None

    def submit(self, stmts: list[str]) -> None:
        # encoded here, while the previous chunk still loads: the worker then runs
        # GIL-free code only, and never stalls this thread
        data = self._writer.encode(stmts)
        self.wait()
        self._pending = self._pool.submit(self._writer.add_encoded, data, len(stmts))

    def wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def __enter__(self) -> _BackgroundLoader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self.wait()
            elif self._pending is not None:
                futures_wait([self._pending])  # let it finish before the graph is dropped
        finally:
            self._pool.shutdown(wait=True)


def _value(term: Term) -> str:
    return term.value if not isinstance(term, ox.Triple) else str(term)


def _drop_subjects(stmts: list[str], subjects: set[str]) -> list[str]:
    """``stmts`` without those whose subject is one of ``subjects``."""
    if not subjects:
        return stmts
    return [s for s in stmts if s[1 : s.find(">")] not in subjects]
