"""The reads behind a provenance trace, on the shared lineage graph (tests/kg/lineage_data.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping import invalidation_triples
from kg.model import SampleRecord
from kg.queries import lineage as q
from kg.store.embedded import OxigraphStore
from kg.terms import PR
from tests.conftest import WriteSamples
from tests.kg import lineage_data as data


@pytest.fixture(scope="module")
def built() -> tuple[KnowledgeGraph, data.Lineage]:
    kg = KnowledgeGraph(OxigraphStore(None))
    return kg, data.build(kg)


def test_answers_and_samples_are_told_apart(built: tuple[KnowledgeGraph, data.Lineage]) -> None:
    kg, lin = built
    answer = ids.answer_iri(lin.answer_id)
    assert q.is_answer(kg, answer) and not q.is_sample(kg, answer)
    assert q.is_sample(kg, lin.synthetic) and not q.is_answer(kg, lin.synthetic)


def test_a_logical_sample_traces_from_its_current_revision(
    built: tuple[KnowledgeGraph, data.Lineage],
) -> None:
    kg, lin = built
    assert q.revision_to_trace(kg, ids.logical_sample_iri("support", "real-1")) == lin.labelled
    assert q.revision_to_trace(kg, ids.logical_sample_iri("support", "nope")) is None


def test_an_external_id_names_its_logical_samples_with_their_datasets(
    built: tuple[KnowledgeGraph, data.Lineage],
) -> None:
    kg, _ = built
    found = {(m.logical, m.dataset) for m in q.samples_with_external_id(kg, "dup-1")}
    assert found == {
        (ids.logical_sample_iri("support", "dup-1"), "support"),
        (ids.logical_sample_iri("other", "dup-1"), "other"),
    }
    assert q.samples_with_external_id(kg, "no-such-id") == []


def test_node_properties_are_python_values(built: tuple[KnowledgeGraph, data.Lineage]) -> None:
    kg, lin = built
    props = q.node_properties(kg, lin.synthetic)
    assert props[str(PR.externalId)] == ["syn-1"]
    assert props[str(PR.text)] == [data.SYN_TEXT]


def test_citations_come_by_position_with_their_scores(
    built: tuple[KnowledgeGraph, data.Lineage],
) -> None:
    kg, lin = built
    cites = q.citations_of(kg, ids.answer_iri(lin.answer_id))
    assert [(c.position, c.sample, c.score) for c in cites] == [
        (0, lin.synthetic, 0.91),
        (1, lin.labelled, 0.84),
    ]
    assert cites[0].sentence == data.SYN_TEXT


def test_an_old_revision_names_the_newer_one(built: tuple[KnowledgeGraph, data.Lineage]) -> None:
    kg, lin = built
    assert q.newer_revisions(kg, lin.labelled_old) == [lin.labelled]
    assert q.newer_revisions(kg, lin.labelled) == []


def test_mentioned_entities_carry_their_mention_texts(
    built: tuple[KnowledgeGraph, data.Lineage],
) -> None:
    kg, lin = built
    (acme,) = q.mentioned_entities(kg, lin.synthetic)
    assert (acme.iri, acme.name, acme.entity_type) == (ids.entity_iri("ORG", "acme"), "Acme", "ORG")
    assert (acme.mentions, acme.texts) == (1, ("Acme",))
    assert q.mentioned_entities(kg, lin.labelled) == []


def test_a_deleted_sample_traces_from_the_revision_invalidated_last(
    write_samples: WriteSamples,
) -> None:
    kg = KnowledgeGraph(OxigraphStore(None))
    first, second = write_samples(
        kg,
        [
            SampleRecord(id="x", text="one", origin="real", dataset="kb", version="1"),
            SampleRecord(id="y", text="two", origin="real", dataset="kb", version="1"),
        ],
    )
    # two revisions of one logical sample (written as if both were of "x"), both deleted
    logical = ids.logical_sample_iri("kb", "x")
    deletion = ids.deletion_iri("d1")
    with kg.write_graph(deletion) as writer:
        writer.add_statements(
            [f"<{second}> <http://www.w3.org/ns/prov#specializationOf> <{logical}>"]
            + invalidation_triples(first, deletion, datetime(2026, 1, 1, tzinfo=UTC))
            + invalidation_triples(second, deletion, datetime(2026, 2, 1, tzinfo=UTC))
        )
    assert q.revision_to_trace(kg, logical) == second
