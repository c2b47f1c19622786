from __future__ import annotations

import pytest

from kg.errors import FilterError
from kg.graph import KnowledgeGraph
from kg.model import Filters, parse_label
from kg.queries.state import graph_state
from retrieval.filters import (
    AllowedSet,
    AllowedSets,
    allowed_iris,
    visible_sensitivities,
)
from retrieval.index import iri_to_id
from tests.filter_records import RECORDS
from tests.retrieval.conftest import invalidate
from tests.retrieval.search_data import write_corpus


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
        (Filters.model_validate({"labels": ["intent=refund", "intent=cancel"]}), {"s3"}),
        (Filters(clearance="public"), {"r2"}),
        (Filters(origin="synthetic", clearance="restricted", dataset="other"), {"s2", "s3"}),
    ],
)
def test_filters_select_exactly_their_samples(
    kg: KnowledgeGraph, graph: dict[str, str], filters: Filters, expected: set[str]
) -> None:
    assert names(graph, allowed_iris(kg, filters)) == expected


def test_default_clearance_is_a_parameter(kg: KnowledgeGraph, graph: dict[str, str]) -> None:
    assert names(graph, allowed_iris(kg, None, default_clearance="public")) == {"r2"}


def test_an_unknown_default_clearance_is_a_filter_error(kg: KnowledgeGraph) -> None:
    with pytest.raises(FilterError, match="clearance 'secret' is unknown"):
        allowed_iris(kg, None, default_clearance="secret")  # type: ignore[arg-type]


def test_label_filter_needs_field_and_value() -> None:
    assert parse_label(" intent = refund ") == ("intent", "refund")
    for bad in ("intent", "=refund", "intent="):
        with pytest.raises(FilterError, match="FIELD=VALUE"):
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


def test_allowed_set_masks_index_ids() -> None:
    allowed = AllowedSet.of({"urn:a", "urn:b"})
    probe = [iri_to_id("urn:b"), iri_to_id("urn:c"), iri_to_id("urn:a")]
    assert allowed.mask(probe).tolist() == [True, False, True]
