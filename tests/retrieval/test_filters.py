from __future__ import annotations

import pytest

from kg import ids
from kg.errors import FilterError as LabelFilterError
from kg.graph import KnowledgeGraph
from kg.model import Filters, GenerationIn, LabelIn, SampleRecord, parse_label
from retrieval.errors import FilterError
from retrieval.filters import (
    AllowedSet,
    AllowedSets,
    allowed_iris,
    graph_state,
    visible_sensitivities,
)
from retrieval.index import iri_to_id
from tests.retrieval.conftest import invalidate
from tests.retrieval.search_data import write_corpus


def gen(generator: str, prompt_version: str) -> GenerationIn:
    return GenerationIn(generator=generator, prompt_version=prompt_version, seed=1)


def label(field: str, value: object, annotator: str) -> LabelIn:
    return LabelIn(field=field, value=value, annotator=annotator, guideline_version="g1")  # type: ignore[arg-type]


RECORDS = [
    SampleRecord(id="r1", text="real one", origin="real", dataset="kb", version="1"),
    SampleRecord(id="r2", text="real two", origin="real", dataset="kb", version="2",
                 sensitivity="public", labels=[label("intent", "refund", "alice")]),
    SampleRecord(id="s1", text="synthetic one", origin="synthetic", dataset="kb", version="1",
                 generation=gen("simgen", "3"), labels=[label("urgent", True, "bob")]),
    SampleRecord(id="s2", text="synthetic two", origin="synthetic", dataset="other",
                 generation=gen("simgen", "4"), sensitivity="restricted"),
    SampleRecord(id="s3", text="synthetic three", origin="synthetic", dataset="other",
                 generation=gen("othergen", "3"),
                 labels=[label("intent", "refund", "bob"), label("intent", "cancel", "alice")]),
]  # fmt: skip


@pytest.fixture
def graph(kg: KnowledgeGraph) -> dict[str, str]:
    iris = write_corpus(kg, RECORDS)
    return {r.id or "": iri for r, iri in zip(RECORDS, iris, strict=True)}


def names(graph: dict[str, str], iris: set[str]) -> set[str]:
    back = {v: k for k, v in graph.items()}
    return {back[i] for i in iris}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(), {"r1", "r2", "s1", "s3"}),  # default clearance internal hides s2
        (Filters(origin="real"), {"r1", "r2"}),
        (Filters(dataset="other"), {"s3"}),
        (Filters(dataset="kb", version="2"), {"r2"}),
        (Filters(version="1"), {"r1", "s1", "s3"}),  # "other" has version "1" too
        (Filters(generator="simgen"), {"s1"}),
        (Filters(prompt_version="3"), {"s1", "s3"}),
        (Filters(generator="othergen", prompt_version="3"), {"s3"}),
        (Filters(annotator="alice"), {"r2", "s3"}),
        (Filters(labels=(("intent", "refund"),)), {"r2", "s3"}),
        (Filters.model_validate({"labels": ["intent=refund", "intent=cancel"]}), {"s3"}),
        (Filters(labels=(("urgent", "true"),)), {"s1"}),
        (Filters(clearance="public"), {"r2"}),
        (Filters(clearance="restricted"), {"r1", "r2", "s1", "s2", "s3"}),
        (Filters(origin="synthetic", clearance="restricted", dataset="other"), {"s2", "s3"}),
        (Filters(annotator="nobody"), set()),
    ],
)
def test_each_filter_selects_exactly_its_samples(
    kg: KnowledgeGraph, graph: dict[str, str], filters: Filters, expected: set[str]
) -> None:
    assert names(graph, allowed_iris(kg, filters)) == expected


def test_default_clearance_is_a_parameter(kg: KnowledgeGraph, graph: dict[str, str]) -> None:
    assert names(graph, allowed_iris(kg, None, default_clearance="public")) == {"r2"}


def test_invalidated_samples_are_never_allowed(kg: KnowledgeGraph, graph: dict[str, str]) -> None:
    invalidate(kg, [graph["r2"]], "del-1")
    assert "r2" not in names(graph, allowed_iris(kg, Filters(clearance="restricted")))
    assert names(graph, allowed_iris(kg, Filters(labels=(("intent", "refund"),)))) == {"s3"}


def test_a_sample_without_sensitivity_counts_as_restricted(kg: KnowledgeGraph) -> None:
    s = f"{ids.ID_NS}sample/x/1/abc"
    kg.update(f'INSERT DATA {{ GRAPH <{ids.batch_iri("manual")}> {{ <{s}> a pr:Sample ; '
              'pr:text "bare" ; pr:origin "real" } }')  # fmt: skip
    assert s not in allowed_iris(kg, Filters(clearance="internal"))
    assert s in allowed_iris(kg, Filters(clearance="restricted"))


def test_label_filter_needs_field_and_value() -> None:
    assert parse_label(" intent = refund ") == ("intent", "refund")
    for bad in ("intent", "=refund", "intent="):
        with pytest.raises(LabelFilterError, match="FIELD=VALUE"):
            parse_label(bad)


def test_unknown_clearance_is_rejected() -> None:
    with pytest.raises(ValueError):
        Filters(clearance="secret")  # type: ignore[arg-type]
    with pytest.raises(FilterError, match="clearance"):
        visible_sensitivities("secret")  # type: ignore[arg-type]


def test_allowed_sets_are_cached_until_the_graph_changes(
    kg: KnowledgeGraph, graph: dict[str, str]
) -> None:
    sets = AllowedSets(kg)
    first = sets.get(Filters(origin="real"), graph_state(kg))
    assert sets.get(Filters(origin="real"), graph_state(kg)) is first
    assert sets.queries == 1
    invalidate(kg, [graph["r1"]], "del-2")
    again = sets.get(Filters(origin="real"), graph_state(kg))
    assert sets.queries == 2 and names(graph, set(again.iris)) == {"r2"}


def test_recording_an_answer_does_not_change_the_graph_state(kg: KnowledgeGraph) -> None:
    write_corpus(kg, RECORDS[:1])
    before = graph_state(kg)
    kg.write_atomic(ids.answer_iri("a1"), [])
    assert graph_state(kg) == before
    write_corpus(kg, RECORDS[1:2], batch_id="batch-2")
    assert graph_state(kg) != before


def test_allowed_set_masks_index_ids() -> None:
    allowed = AllowedSet.of({"urn:a", "urn:b"})
    probe = [iri_to_id("urn:b"), iri_to_id("urn:c"), iri_to_id("urn:a")]
    assert allowed.mask(probe).tolist() == [True, False, True]
