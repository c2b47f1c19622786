"""Derivation lineage at ingest: the current revision of each source a record names.

A record that names sources in ``derived_from`` is linked, when it is written, to
the revision of each source that is current at that point of the batch:

- a source this batch's input held before the record (a valid record of it was
  decided): the revision the batch made or kept current, known from the batch's
  own memory of the sample (:class:`ingest.decide.Seen`);
- otherwise the committed graph's current revision. One lookup per chunk
  (:func:`kg.queries.revisions.current_revision_iris`), made the first time a
  record of the chunk needs it, for every source of the chunk the batch has not
  met; a chunk none of whose records names a source never asks.

A source with no current revision there is *missing*; a source whose record
waits (see below) is *waiting*. :class:`ChunkSources` only answers; the batch
(:mod:`ingest.pipeline`) decides what follows:

- while the input is still being read, a record with a missing or waiting source
  waits (it is kept in memory) until the end of the input, since its source may
  come later in the input; so do the later records of the same sample, to keep
  their order;
- at the end of the input the waiting records are decided again, in their order,
  pass after pass as long as a pass decides one (a record whose source waits
  later in the list waits for the next pass); a source missing then, or when a
  pass decides nothing (sources naming each other), makes the record invalid
  (``field`` ``derived_from``, the missing ids in the reason), handled by the
  ``on_invalid`` policy like any bad record.

Sources first (earlier files, earlier lines) is the order that needs no memory
and no second pass; each level of a chain of derivations listed backwards costs
one more pass over the waiting records.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ingest.decide import Seen
from ingest.validate import ValidRecord
from kg import ids
from kg.graph import KnowledgeGraph
from kg.queries.revisions import current_revision_iris


@dataclass(frozen=True, slots=True)
class Sources:
    """What :meth:`ChunkSources.resolve` found for one record's ``derived_from``."""

    #: the current revision of each source found, in the record's order
    revisions: tuple[str, ...]
    #: the logical samples with no current revision (neither in this batch nor committed)
    missing: tuple[str, ...] = ()
    #: the logical samples whose records of this batch are waiting
    waiting: tuple[str, ...] = ()


class ChunkSources:
    """Resolves the sources of one chunk's records (the graph is asked at most once)."""

    def __init__(
        self,
        kg: KnowledgeGraph,
        chunk: Sequence[ValidRecord],
        seen: dict[str, Seen],
        *,
        waiting: set[str],
        pending: Mapping[str, int],
        has_samples: Callable[[str], bool],
    ) -> None:
        self.kg = kg
        self.chunk = chunk
        #: what the batch met so far (updated by the caller as it decides)
        self.seen = seen
        #: logical samples whose records wait
        self.waiting = waiting
        #: logical samples whose waiting records come later in this pass (while draining)
        self.pending = pending
        self._has_samples = has_samples
        self._committed: dict[str, str] | None = None

    def resolve(self, v: ValidRecord) -> Sources:
        """The current revision of each source of ``v`` (which names at least one)."""
        found: list[str] = []
        missing: list[str] = []
        waiting: list[str] = []
        for src in v.sources:
            if src in self.waiting or src in self.pending:
                waiting.append(src)
                continue
            met = self.seen.get(src)
            if met is not None:
                if met.invalidated:
                    missing.append(src)
                else:
                    found.append(ids.revision_iri(src, met.hash16))
                continue
            revision = self._committed_revisions().get(src)
            if revision is None:
                missing.append(src)
            else:
                found.append(revision)
        return Sources(tuple(found), tuple(missing), tuple(waiting))

    def _committed_revisions(self) -> dict[str, str]:
        if self._committed is None:
            wanted: set[str] = set()
            for v in self.chunk:
                if not v.sources:
                    continue
                for src in v.record.sources():
                    logical = ids.logical_sample_iri(src.dataset, src.external_id)
                    if logical not in self.seen and self._has_samples(src.dataset):
                        wanted.add(logical)
            self._committed = current_revision_iris(self.kg, wanted) if wanted else {}
        return self._committed
