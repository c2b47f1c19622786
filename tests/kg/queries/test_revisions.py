"""Revision lookups on a tiny graph: heads, hashes, dataset versions, deleted samples."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping import (
    SharedNodes,
    dataset_version_triples,
    invalidation_triples,
    membership_triple,
    sample_context,
    sample_triples,
)
from kg.model import SampleRecord
from kg.queries.revisions import current_revision_iris, current_revisions, dataset_has_samples
from kg.store.embedded import OxigraphStore
from tests.conftest import WriteSamples

AT = datetime(2026, 11, 5, tzinfo=UTC)


def rec(external_id: str, text: str, version: str = "1") -> SampleRecord:
    return SampleRecord(id=external_id, text=text, origin="real", dataset="kb", version=version)


def revise(kg: KnowledgeGraph, old: SampleRecord, new: SampleRecord, batch_id: str) -> str:
    """Write ``new`` as a revision of ``old`` (invalidated) in its own batch graph."""
    batch = ids.batch_iri(batch_id)
    previous = sample_context(old, "a", batch).iri
    ctx = sample_context(new, "a", batch, previous_revision=previous)
    statements = sample_triples(new, ctx, SharedNodes())
    statements += invalidation_triples(previous, batch, AT)
    with kg.write_graph(batch) as writer:
        writer.add_statements(statements)
    return ctx.iri


@pytest.fixture
def kg() -> KnowledgeGraph:
    return KnowledgeGraph(OxigraphStore(None))


def test_a_dataset_has_samples_once_one_is_committed(
    kg: KnowledgeGraph, write_samples: WriteSamples
) -> None:
    assert not dataset_has_samples(kg, "kb")
    write_samples(kg, [rec("a", "one")])
    assert dataset_has_samples(kg, "kb")
    assert not dataset_has_samples(kg, "other")


def test_an_open_batch_is_not_seen(kg: KnowledgeGraph) -> None:
    batch = ids.batch_iri("open")
    ctx = sample_context(rec("a", "one"), "a", batch)
    with kg.write_graph(batch) as writer:
        writer.add_statements(sample_triples(rec("a", "one"), ctx, SharedNodes()))
        writer.add_statements(dataset_version_triples("kb", "1"))
        assert not dataset_has_samples(kg, "kb")
        assert current_revisions(kg, [ctx.logical_iri]) == {}
    assert ctx.logical_iri in current_revisions(kg, [ctx.logical_iri])


def test_one_revision_is_its_own_head(kg: KnowledgeGraph, write_samples: WriteSamples) -> None:
    (iri,) = write_samples(kg, [rec("a", "one")])
    logical = ids.logical_sample_iri("kb", "a")
    missing = ids.logical_sample_iri("kb", "nope")
    found = current_revisions(kg, [logical, missing])
    assert list(found) == [logical]
    head = found[logical]
    digest = sample_context(rec("a", "one"), "a", "b").content_hash
    assert (head.iri, head.content_hash, head.invalidated) == (iri, digest, False)
    assert head.dataset_versions == {ids.dataset_version_iri("kb", "1")}
    assert head.revision_hashes == {digest[:16]}


def test_the_head_is_the_newest_revision_and_every_hash_is_listed(
    kg: KnowledgeGraph, write_samples: WriteSamples
) -> None:
    write_samples(kg, [rec("a", "one")])
    newer = revise(kg, rec("a", "one"), rec("a", "two"), "b2")
    head = current_revisions(kg, [ids.logical_sample_iri("kb", "a")])[
        ids.logical_sample_iri("kb", "a")
    ]
    assert head.iri == newer and not head.invalidated
    old_hash = sample_context(rec("a", "one"), "a", "b").content_hash
    assert head.revision_hashes == {old_hash[:16], head.content_hash[:16]}


def test_a_deleted_head_is_invalidated(kg: KnowledgeGraph, write_samples: WriteSamples) -> None:
    (iri,) = write_samples(kg, [rec("a", "one")])
    deletion = ids.deletion_iri("d1")
    with kg.write_graph(deletion) as writer:
        writer.add_statements(invalidation_triples(iri, deletion, AT))
    logical = ids.logical_sample_iri("kb", "a")
    head = current_revisions(kg, [logical])[logical]
    assert head.iri == iri and head.invalidated


def test_every_dataset_version_of_the_head_is_listed(
    kg: KnowledgeGraph, write_samples: WriteSamples
) -> None:
    (iri,) = write_samples(kg, [rec("a", "one")])
    dv2 = ids.dataset_version_iri("kb", "2")
    batch = ids.batch_iri("join")
    with kg.write_graph(batch) as writer:
        writer.add_statements([membership_triple(iri, dv2)])
    logical = ids.logical_sample_iri("kb", "a")
    assert current_revisions(kg, [logical])[logical].dataset_versions == {
        ids.dataset_version_iri("kb", "1"),
        dv2,
    }


def test_no_keys_ask_nothing(kg: KnowledgeGraph) -> None:
    assert current_revisions(kg, []) == {}


def test_current_revision_iris_name_the_current_revision_only(
    kg: KnowledgeGraph, write_samples: WriteSamples
) -> None:
    write_samples(kg, [rec("a", "one"), rec("gone", "bye")])
    newer = revise(kg, rec("a", "one"), rec("a", "two"), "b2")
    gone = sample_context(rec("gone", "bye"), "gone", "b").iri
    deletion = ids.deletion_iri("d1")
    with kg.write_graph(deletion) as writer:
        writer.add_statements(invalidation_triples(gone, deletion, AT))
    logical = {name: ids.logical_sample_iri("kb", name) for name in ("a", "gone", "nope")}
    assert current_revision_iris(kg, logical.values()) == {logical["a"]: newer}
    assert current_revision_iris(kg, []) == {}
