"""What becomes of one valid record: the per-record decision of a batch ingest.

A pure function of what is known about the record's logical sample (dataset +
external id): what the committed graph holds (:class:`kg.queries.revisions.CurrentRevision`,
looked up per chunk) and what this batch's input held before it (:class:`Seen`).
No store, no I/O: :func:`decide_first` and :func:`decide_repeat` return a
:class:`Decision`; the caller counts, writes and remembers its :class:`Seen`.

First time the batch meets a logical sample (:func:`decide_first`):

- the graph holds none of it: **new**;
- same content as the head revision: **unchanged** (**joined** when that makes it a
  member of a dataset version it was not in), or **deleted** when the head is
  invalidated (a delete is final for that content: skipped);
- the content of an earlier revision: **reverted** (skipped: revision IRIs are
  content hashes, an earlier revision cannot become current again);
- other content: **revised**, a new revision of the head (which is invalidated,
  unless a delete did that already).

Met again in the same input (:func:`decide_repeat`), ``on_duplicate`` decides:
``fail`` -> **conflict** (the caller raises), ``skip`` -> **skipped**, ``overwrite``
-> the same content is **unchanged**, content this sample had already (in this
batch or in the graph) is **reverted**, other content is **revised** (a revision
of the batch's previous one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kg.ids import revision_iri
from kg.queries.revisions import CurrentRevision
from kg.typing import OnDuplicate

Verdict = Literal[
    "new", "unchanged", "joined", "deleted", "reverted", "revised", "skipped", "conflict"
]


@dataclass(frozen=True, slots=True)
class Seen:
    """What the batch remembers of a logical sample it met (kept small: one per sample)."""

    #: sha256[:16] of the sample's revision that is current at this point of the batch
    hash16: str
    #: where the sample was first met (an opaque location the caller packs)
    location: int
    #: the revision current at this point is invalidated already (a deleted sample)
    invalidated: bool = False
    #: every hash the sample had in this batch; None until an overwrite changed it
    batch_hashes: frozenset[str] | None = None
    #: hashes of its committed revisions, when they are more than ``{hash16}``
    committed_hashes: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict on one record, and what the batch remembers of its sample afterwards."""

    verdict: Verdict
    seen: Seen
    #: the revision a ``revised`` record revises
    previous: str | None = None
    #: ``previous`` is current and the record's batch invalidates it
    invalidate_previous: bool = False


def decide_first(
    content_hash: str,
    *,
    dataset_version: str,
    location: int,
    committed: CurrentRevision | None,
) -> Decision:
    """The verdict on the first record of a logical sample in this batch.

    ``committed`` is what the committed graph holds of the sample (None: nothing),
    ``location`` where the record is (kept in :class:`Seen` for error messages).
    """
    h16 = content_hash[:16]
    if committed is None:
        return Decision("new", Seen(h16, location))
    if committed.content_hash == content_hash:
        if committed.invalidated:
            return Decision("deleted", _first(h16, location, True, committed))
        first = _first(h16, location, False, committed)
        if dataset_version in committed.dataset_versions:
            return Decision("unchanged", first)
        return Decision("joined", first)
    if h16 in committed.revision_hashes:
        head16 = committed.content_hash[:16]
        return Decision("reverted", _first(head16, location, committed.invalidated, committed))
    return Decision(
        "revised",
        _first(h16, location, False, committed),
        previous=committed.iri,
        invalidate_previous=not committed.invalidated,
    )


def decide_repeat(
    content_hash: str, *, logical_iri: str, seen: Seen, on_duplicate: OnDuplicate
) -> Decision:
    """The verdict on a record whose logical sample this batch met before (``seen``)."""
    if on_duplicate == "fail":
        return Decision("conflict", seen)
    if on_duplicate == "skip":
        return Decision("skipped", seen)
    h16 = content_hash[:16]
    if seen.hash16 == h16:
        return Decision("unchanged", seen)
    batch = seen.batch_hashes if seen.batch_hashes is not None else frozenset((seen.hash16,))
    if h16 in batch or (seen.committed_hashes is not None and h16 in seen.committed_hashes):
        return Decision("reverted", seen)
    return Decision(
        "revised",
        Seen(h16, seen.location, False, batch | {h16}, seen.committed_hashes),
        previous=revision_iri(logical_iri, seen.hash16),
        invalidate_previous=not seen.invalidated,
    )


def _first(h16: str, location: int, invalidated: bool, committed: CurrentRevision) -> Seen:
    hashes = committed.revision_hashes
    extra = hashes if len(hashes) > 1 or h16 not in hashes else None
    return Seen(h16, location, invalidated, committed_hashes=extra)
