from __future__ import annotations

import pytest

from kg import ids
from kg.errors import FilterError
from kg.graph import KnowledgeGraph
from kg.model import Filters
from kg.queries.filters import allowed_sample_iris, visible_sensitivities
from tests.conftest import WriteSamples
from tests.filter_records import RECORDS
from tests.kg.queries.conftest import invalidate


@pytest.fixture
def graph(kg: KnowledgeGraph, write_samples: WriteSamples) -> dict[str, str]:
    iris = write_samples(kg, RECORDS)
    return {r.id or "": iri for r, iri in zip(RECORDS, iris, strict=True)}


def names(graph: dict[str, str], iris: set[str]) -> set[str]:
    back = {v: k for k, v in graph.items()}
    return {back[i] for i in iris}


@pytest.mark.parametrize(
    ("criteria", "clearance", "expected"),
    [
        (Filters(), "internal", {"r1", "r2", "s1", "s3"}),
        (Filters(), "public", {"r2"}),
        (Filters(), "restricted", {"r1", "r2", "s1", "s2", "s3"}),
        (Filters(origin="real"), "internal", {"r1", "r2"}),
        (Filters(dataset="other"), "internal", {"s3"}),
        (Filters(dataset="kb", version="2"), "internal", {"r2"}),
        (Filters(version="1"), "internal", {"r1", "s1", "s3"}),  # "other" has version "1" too
        (Filters(generator="simgen"), "internal", {"s1"}),
        (Filters(prompt_version="3"), "internal", {"s1", "s3"}),
        (Filters(generator="othergen", prompt_version="3"), "internal", {"s3"}),
        (Filters(annotator="alice"), "internal", {"r2", "s3"}),
        (Filters(labels=(("intent", "refund"),)), "internal", {"r2", "s3"}),
        (Filters(labels=(("intent", "refund"), ("intent", "cancel"))), "internal", {"s3"}),
        (Filters(labels=(("urgent", "true"),)), "internal", {"s1"}),
        (Filters(origin="synthetic", dataset="other"), "restricted", {"s2", "s3"}),
        (Filters(annotator="nobody"), "restricted", set()),
        (Filters(dataset='kb" } DROP ALL { "'), "restricted", set()),  # a literal, not SPARQL
        (Filters(scopes=("other",)), "restricted", {"s2", "s3"}),  # a token's datasets
        (Filters(scopes=("kb", "other")), "internal", {"r1", "r2", "s1", "s3"}),
        (Filters(dataset="kb", scopes=("other",)), "restricted", set()),  # scopes bound it
        (Filters(scopes=()), "restricted", set()),
    ],
)
def test_each_criterion_selects_exactly_its_samples(
    kg: KnowledgeGraph,
    graph: dict[str, str],
    criteria: Filters,
    clearance: str,
    expected: set[str],
) -> None:
    assert names(graph, allowed_sample_iris(kg, criteria, clearance)) == expected


def test_invalidated_samples_are_never_allowed(kg: KnowledgeGraph, graph: dict[str, str]) -> None:
    invalidate(kg, [graph["r2"]], "del-1")
    assert "r2" not in names(graph, allowed_sample_iris(kg, Filters(), "restricted"))


def test_a_sample_without_sensitivity_counts_as_restricted(kg: KnowledgeGraph) -> None:
    s = f"{ids.ID_NS}sample/x/1/abc"
    kg.update(f'INSERT DATA {{ GRAPH <{ids.batch_iri("manual")}> {{ <{s}> a pr:Sample ; '
              'pr:text "bare" ; pr:origin "real" } }')  # fmt: skip
    assert s not in allowed_sample_iris(kg, Filters(), "internal")
    assert s in allowed_sample_iris(kg, Filters(), "restricted")


def test_clearances_see_their_level_and_below() -> None:
    assert visible_sensitivities("public") == ["public"]
    assert visible_sensitivities("restricted") == ["public", "internal", "restricted"]
    with pytest.raises(FilterError, match="clearance 'secret' is unknown"):
        visible_sensitivities("secret")  # type: ignore[arg-type]
