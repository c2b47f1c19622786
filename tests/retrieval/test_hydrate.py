from __future__ import annotations

import pytest

from kg.graph import KnowledgeGraph
from kg.queries.state import graph_state
from retrieval import hydrate
from retrieval.hydrate import Hydrator
from tests.retrieval.conftest import invalidate
from tests.retrieval.search_data import passages, write_corpus


@pytest.fixture
def queried(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The IRIs of every hit-details query the hydrator runs."""
    calls: list[list[str]] = []
    real = hydrate.hit_details

    def counting(kg: KnowledgeGraph, iris: list[str]):  # type: ignore[no-untyped-def]
        calls.append(list(iris))
        return real(kg, iris)

    monkeypatch.setattr(hydrate, "hit_details", counting)
    return calls


def test_details_are_read_once_per_graph_state(
    kg: KnowledgeGraph, queried: list[list[str]]
) -> None:
    iris = write_corpus(kg, passages(["alpha text", "beta text"]))
    hydrator = Hydrator(kg)
    state = graph_state(kg)
    assert hydrator.details([iris[0]], state)[iris[0]].text == "alpha text"
    assert set(hydrator.details(iris, state)) == set(iris)
    assert queried == [[iris[0]], [iris[1]]]


def test_a_change_of_the_graph_empties_the_cache(
    kg: KnowledgeGraph, queried: list[list[str]]
) -> None:
    iris = write_corpus(kg, passages(["alpha text"]))
    hydrator = Hydrator(kg)
    assert not hydrator.details(iris, graph_state(kg))[iris[0]].invalidated
    invalidate(kg, iris, "del-1")
    assert hydrator.details(iris, graph_state(kg))[iris[0]].invalidated
    assert len(queried) == 2


def test_the_cache_keeps_at_most_its_size(kg: KnowledgeGraph, queried: list[list[str]]) -> None:
    iris = write_corpus(kg, passages(["a one", "b two", "c three"]))
    hydrator = Hydrator(kg, size=2)
    state = graph_state(kg)
    hydrator.details(iris, state)
    hydrator.details([iris[0]], state)
    assert queried == [iris, [iris[0]]]
