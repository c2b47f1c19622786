"""Writing a batch's chunks: decided records -> N-Triples (:mod:`kg.mapping`) -> the batch graph.

:class:`BatchWriter` maps each chunk's records (with their entity mentions, when an
extractor is given), the dataset versions met for the first time and the new
memberships of unchanged samples; it leaves out the shared nodes (configs, agents,
guidelines, entities, datasets) the committed graph already describes, and hands
the statements to a :class:`BackgroundLoader`. The batch's named graph is opened
on the first chunk that has something to write, inside the caller's
:class:`~contextlib.ExitStack`: it is committed when the stack closes, dropped
when it unwinds with an error.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING

from ingest.titles import with_titles
from ingest.validate import ValidRecord
from kg import ids, mapping
from kg.graph import GraphWriter, KnowledgeGraph
from kg.queries.nodes import described_nodes

if TYPE_CHECKING:
    from ingest.ner import EntityExtractor
    from kg.model import SampleRecord


@dataclass(slots=True)
class ToWrite:
    """A record that goes in: new, or a revision of ``previous``."""

    rec: ValidRecord
    previous: str | None = None
    #: ``previous`` is current: this batch invalidates it
    invalidate_previous: bool = False
    #: the current revision of each sample it was derived from (``derived_from``)
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Membership:
    """An unchanged sample that joins a dataset version."""

    sample: str
    dataset: str
    version: str


@dataclass
class FirstSeenNodes(mapping.SharedNodes):
    """:class:`kg.mapping.SharedNodes` that also lists the nodes first met since ``clear``."""

    added: list[str] = field(default_factory=list)

    def first(self, node: str) -> bool:
        if node in self.known:
            return False
        self.known.add(node)
        self.added.append(node)
        return True


class BatchWriter:
    """Writes the chunks of one batch into its named graph (opened on first use)."""

    def __init__(
        self,
        kg: KnowledgeGraph,
        batch_iri: str,
        *,
        started: datetime,
        extractor: EntityExtractor | None,
        stack: ExitStack,
    ) -> None:
        self.kg = kg
        self.batch_iri = batch_iri
        self.extraction_iri = batch_iri + "/ner"
        self.started = started
        self.extractor = extractor
        self.shared = FirstSeenNodes()
        #: datasets of the samples written
        self.datasets: set[str] = set()
        self.chunks_written = 0
        self.graph: GraphWriter | None = None
        self.loader: BackgroundLoader | None = None
        self._stack = stack
        self._written_dvs: set[str] = set()
        self._dv_cache: dict[tuple[str, str], str] = {}

    def dataset_version(self, name: str, version: str) -> str:
        """The dataset version IRI (cached: a batch has few)."""
        key = (name, version)
        dv = self._dv_cache.get(key)
        if dv is None:
            dv = self._dv_cache[key] = ids.dataset_version_iri(name, version)
        return dv

    def write_chunk(self, writes: list[ToWrite], memberships: list[Membership]) -> None:
        """Map and add one chunk (the caller skips empty ones)."""
        shared = self.shared
        shared.added.clear()
        # a revision's logical sample is described already (by the graph or this batch)
        for w in writes:
            if w.previous is not None:
                shared.known.add(w.rec.logical_iri)
        stmts: list[str] = []
        for name, version in self._new_dataset_versions(writes, memberships):
            shared.first(ids.dataset_iri(name))
            shared.first(ids.dataset_version_iri(name, version))
            stmts.extend(mapping.dataset_version_triples(name, version))
        spans = self._mentions([w.rec.record for w in writes])
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
                dataset_version_iri=self.dataset_version(v.record.dataset, v.record.version),
                batch_iri=batch,
                previous_revision=w.previous,
                derived_from=w.sources,
            )
            out = mapping.sample_triples(v.record, ctx, shared)
            if spans is not None and spans[i]:
                out.extend(mapping.mention_triples(v.iri, spans[i], self.extraction_iri, shared))
            if len(v.record.labels) > 1 or (spans is not None and spans[i]):
                out = list(dict.fromkeys(out))
            stmts.extend(out)
            if w.previous is not None and w.invalidate_previous:
                stmts.extend(mapping.invalidation_triples(w.previous, batch, self.started))
            self.datasets.add(v.record.dataset)
        for m in memberships:
            stmts.append(
                mapping.membership_triple(m.sample, self.dataset_version(m.dataset, m.version))
            )
        # shared nodes met for the first time in this batch may be in the graph already
        candidates = set(shared.added) - logicals
        stmts = mapping.drop_subjects(stmts, described_nodes(self.kg, candidates))
        self._add(stmts)

    def _new_dataset_versions(
        self, writes: list[ToWrite], memberships: list[Membership]
    ) -> list[tuple[str, str]]:
        """The dataset versions of this chunk that the batch has not described yet."""
        pairs = [(w.rec.record.dataset, w.rec.record.version) for w in writes]
        pairs += [(m.dataset, m.version) for m in memberships]
        new: list[tuple[str, str]] = []
        for name, version in pairs:
            dv = self.dataset_version(name, version)
            if dv not in self._written_dvs:
                self._written_dvs.add(dv)
                new.append((name, version))
        return new

    def _mentions(self, records: list[SampleRecord]) -> list[list[mapping.MentionSpan]] | None:
        """The extractor's mentions of each record's text, plus its title's
        (:mod:`ingest.titles`); None without an extractor."""
        if self.extractor is None or not records:
            return None
        texts = [r.text for r in records]
        return with_titles(self.extractor.extract(texts), texts, [r.metadata for r in records])

    def _add(self, stmts: list[str]) -> None:
        if not stmts:
            return
        if self.loader is None:
            self.graph = self._stack.enter_context(self.kg.write_graph(self.batch_iri))
            # entered after the graph: it is closed (pending chunk written) before the
            # graph is committed or, on an error, dropped
            self.loader = self._stack.enter_context(BackgroundLoader(self.graph))
        self.loader.submit(stmts)
        self.chunks_written += 1

    def settle(self) -> None:
        """Wait until every chunk handed over is in the store."""
        if self.loader is not None:
            self.loader.wait()


class BackgroundLoader:
    """Adds chunks to an open graph in a worker thread, one chunk at a time.

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

    def __enter__(self) -> BackgroundLoader:
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
