"""Selections for delete: ids, dataset (version) and generator (prompt version), current only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kg import ids
from kg.errors import QueryError
from kg.graph import KnowledgeGraph
from kg.mapping import invalidation_triples
from kg.model import GenerationIn, SampleRecord
from kg.queries.datasets import SampleSelector, select_current_samples, selection_query
from kg.store.embedded import OxigraphStore
from tests.conftest import WriteSamples


def rec(
    external_id: str, dataset: str = "kb", version: str = "1", prompt: str | None = None
) -> SampleRecord:
    generation = None if prompt is None else GenerationIn(generator="gen", prompt_version=prompt)
    return SampleRecord(
        id=external_id,
        text=f"text of {external_id} in {dataset}",
        origin="real" if prompt is None else "synthetic",
        dataset=dataset,
        version=version,
        generation=generation,
    )


@pytest.fixture(scope="module")
def kg(write_samples: WriteSamples) -> KnowledgeGraph:
    kg = KnowledgeGraph(OxigraphStore(None))
    records = [
        rec("a"),
        rec("b", version="2"),
        rec("a", dataset="other"),
        rec("s1", prompt="1"),
        rec("s2", prompt="2"),
        rec("gone"),
    ]
    iris = write_samples(kg, records)
    deletion = ids.deletion_iri("d1")
    with kg.write_graph(deletion) as writer:
        writer.add_statements(
            invalidation_triples(iris[-1], deletion, datetime(2026, 11, 5, tzinfo=UTC))
        )
    return kg


def selected(kg: KnowledgeGraph, **selector: object) -> list[tuple[str, str]]:
    """(dataset segment, external id) of the selected samples, in the answer's order."""
    return [
        (s.iri.split("/sample/")[1].split("/")[0], s.external_id)
        for s in select_current_samples(kg, SampleSelector.model_validate(selector))
    ]


def test_ids_select_in_every_dataset_unless_one_is_given(kg: KnowledgeGraph) -> None:
    assert sorted(selected(kg, ids=("a",))) == [("kb", "a"), ("other", "a")]
    assert selected(kg, ids=("a",), dataset="other") == [("other", "a")]


def test_a_dataset_selects_its_current_samples_and_a_version_narrows(
    kg: KnowledgeGraph,
) -> None:
    assert sorted(e for _, e in selected(kg, dataset="kb")) == ["a", "b", "s1", "s2"]
    assert selected(kg, dataset="kb", version="2") == [("kb", "b")]


def test_a_generator_selects_and_a_prompt_version_narrows(kg: KnowledgeGraph) -> None:
    assert sorted(e for _, e in selected(kg, generator="gen")) == ["s1", "s2"]
    assert selected(kg, generator="gen", prompt_version="2") == [("kb", "s2")]


def test_invalidated_samples_are_never_selected(kg: KnowledgeGraph) -> None:
    assert selected(kg, ids=("gone",)) == []


def test_the_answer_is_ordered_by_iri(kg: KnowledgeGraph) -> None:
    found = select_current_samples(kg, SampleSelector(dataset="kb"))
    assert [s.iri for s in found] == sorted(s.iri for s in found)


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        (SampleSelector(), "names no sample"),
        (SampleSelector(ids=("a",), version="1"), "'1' needs a dataset"),
        (SampleSelector(ids=("a",), prompt_version="3"), "'3' needs a generator"),
    ],
)
def test_a_selector_that_would_select_too_much_is_refused(
    selector: SampleSelector, message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        selection_query(selector)
