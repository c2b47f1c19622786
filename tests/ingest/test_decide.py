"""The per-record decision, as a pure function: no store, only what is known of a sample."""

from __future__ import annotations

import pytest

from ingest.decide import Seen, decide_first, decide_repeat
from kg import ids
from kg.queries.revisions import CurrentRevision

LOGICAL = ids.logical_sample_iri("kb", "a")
DV1 = ids.dataset_version_iri("kb", "1")
DV2 = ids.dataset_version_iri("kb", "2")
H_OLD, H_NOW, H_NEW = "1" * 64, "2" * 64, "3" * 64


def head(
    content_hash: str = H_NOW,
    *,
    invalidated: bool = False,
    earlier: tuple[str, ...] = (),
    versions: tuple[str, ...] = (DV1,),
) -> CurrentRevision:
    return CurrentRevision(
        iri=ids.revision_iri(LOGICAL, content_hash),
        content_hash=content_hash,
        invalidated=invalidated,
        dataset_versions=frozenset(versions),
        revision_hashes=frozenset(h[:16] for h in (content_hash, *earlier)),
    )


def first(content_hash: str, committed: CurrentRevision | None, dv: str = DV1) -> Seen:
    d = decide_first(content_hash, dataset_version=dv, location=7, committed=committed)
    return d.seen


# ---------------------------------------------------------------- first sight


def test_nothing_committed_is_new() -> None:
    d = decide_first(H_NEW, dataset_version=DV1, location=7, committed=None)
    assert d.verdict == "new" and d.previous is None
    assert d.seen == Seen(H_NEW[:16], 7)


def test_same_content_in_a_version_it_is_in_is_unchanged() -> None:
    d = decide_first(H_NOW, dataset_version=DV1, location=7, committed=head())
    assert d.verdict == "unchanged" and d.previous is None


def test_same_content_in_a_new_version_joins_it() -> None:
    assert decide_first(H_NOW, dataset_version=DV2, location=7, committed=head()).verdict == (
        "joined"
    )


def test_the_content_of_a_deleted_sample_stays_deleted() -> None:
    d = decide_first(H_NOW, dataset_version=DV1, location=7, committed=head(invalidated=True))
    assert d.verdict == "deleted"
    assert d.seen.invalidated


def test_changed_content_revises_and_invalidates_the_head() -> None:
    committed = head()
    d = decide_first(H_NEW, dataset_version=DV1, location=7, committed=committed)
    assert d.verdict == "revised"
    assert d.previous == committed.iri and d.invalidate_previous
    assert d.seen.hash16 == H_NEW[:16] and not d.seen.invalidated


def test_a_revision_of_a_deleted_sample_does_not_invalidate_it_again() -> None:
    d = decide_first(H_NEW, dataset_version=DV1, location=7, committed=head(invalidated=True))
    assert d.verdict == "revised" and not d.invalidate_previous


def test_the_content_of_an_earlier_revision_is_a_revert() -> None:
    d = decide_first(H_OLD, dataset_version=DV1, location=7, committed=head(earlier=(H_OLD,)))
    assert d.verdict == "reverted"
    # the batch goes on from the head, not from the reverted content
    assert d.seen.hash16 == H_NOW[:16]


def test_the_committed_hashes_are_kept_only_when_there_is_more_than_the_current_one() -> None:
    assert first(H_NOW, head()).committed_hashes is None
    assert first(H_NEW, head()).committed_hashes == {H_NOW[:16]}


# ----------------------------------------------------------------- met again


def test_a_repeat_under_fail_is_a_conflict_naming_the_first() -> None:
    seen = Seen(H_NOW[:16], 7)
    d = decide_repeat(H_NEW, logical_iri=LOGICAL, seen=seen, on_duplicate="fail")
    assert d.verdict == "conflict" and d.seen is seen


@pytest.mark.parametrize("content_hash", [H_NOW, H_NEW])
def test_a_repeat_under_skip_is_skipped(content_hash: str) -> None:
    d = decide_repeat(
        content_hash, logical_iri=LOGICAL, seen=Seen(H_NOW[:16], 7), on_duplicate="skip"
    )
    assert d.verdict == "skipped"


def test_an_identical_repeat_under_overwrite_is_unchanged() -> None:
    d = decide_repeat(
        H_NOW, logical_iri=LOGICAL, seen=Seen(H_NOW[:16], 7), on_duplicate="overwrite"
    )
    assert d.verdict == "unchanged"


def test_a_changed_repeat_under_overwrite_revises_the_batch_revision() -> None:
    seen = Seen(H_NOW[:16], 7)
    d = decide_repeat(H_NEW, logical_iri=LOGICAL, seen=seen, on_duplicate="overwrite")
    assert d.verdict == "revised"
    assert d.previous == ids.revision_iri(LOGICAL, H_NOW) and d.invalidate_previous
    assert d.seen.hash16 == H_NEW[:16] and d.seen.location == 7
    assert d.seen.batch_hashes == {H_NOW[:16], H_NEW[:16]}


def test_overwrite_back_to_content_of_this_batch_is_a_revert() -> None:
    seen = decide_repeat(
        H_NEW, logical_iri=LOGICAL, seen=Seen(H_NOW[:16], 7), on_duplicate="overwrite"
    ).seen
    d = decide_repeat(H_NOW, logical_iri=LOGICAL, seen=seen, on_duplicate="overwrite")
    assert d.verdict == "reverted" and d.seen is seen


def test_overwrite_back_to_a_committed_revision_is_a_revert() -> None:
    seen = first(H_NEW, head(earlier=(H_OLD,)))  # revises the head in this batch
    d = decide_repeat(H_OLD, logical_iri=LOGICAL, seen=seen, on_duplicate="overwrite")
    assert d.verdict == "reverted"


def test_overwrite_of_a_deleted_sample_does_not_invalidate_it_again() -> None:
    seen = first(H_NOW, head(invalidated=True))
    d = decide_repeat(H_NEW, logical_iri=LOGICAL, seen=seen, on_duplicate="overwrite")
    assert d.verdict == "revised" and not d.invalidate_previous
    assert not d.seen.invalidated
