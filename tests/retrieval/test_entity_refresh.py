"""Refreshing the entity adjacency by a delta equals reloading it whole."""

from __future__ import annotations

from kg.graph import KnowledgeGraph
from kg.queries.state import graph_state
from retrieval.enrich import GraphEnricher
from retrieval.entity_graph import EntityGraph, load_entity_graph
from tests.retrieval.conftest import invalidate
from tests.retrieval.search_data import ENTITIES, TEXTS, passages, write_corpus


def _edges(g: EntityGraph) -> set[tuple[str, str]]:
    return {
        (g.sample_iris[s], g.entity_iris[int(e)])
        for s in range(g.n_samples)
        for e in g.entities_of(s)
    }


def _df(g: EntityGraph) -> dict[str, float]:
    return {iri: float(g.df[i]) for i, iri in enumerate(g.entity_iris) if g.df[i] > 0}


def test_refresh_after_ingest_and_delete_equals_a_full_reload(kg: KnowledgeGraph) -> None:
    iris = write_corpus(kg, passages(TEXTS[:4]), ENTITIES[:4])
    enricher = GraphEnricher(kg)
    enricher.graph(graph_state(kg))
    write_corpus(kg, passages(TEXTS[4:], prefix="n"), ENTITIES[4:], batch_id="b2")
    invalidate(kg, [iris[0]], "del-1")
    refreshed = enricher.graph(graph_state(kg))
    assert (enricher.loads, enricher.refreshes) == (1, 1)
    full = load_entity_graph(kg)
    assert _edges(refreshed) == _edges(full)
    assert _df(refreshed) == _df(full)
    assert iris[0] not in {s for s, _ in _edges(refreshed)}


def test_a_state_without_new_graphs_keeps_the_adjacency(kg: KnowledgeGraph) -> None:
    write_corpus(kg, passages(TEXTS[:2]), ENTITIES[:2])
    enricher = GraphEnricher(kg)
    first = enricher.graph(graph_state(kg))
    assert enricher.graph(graph_state(kg)) is first
    assert enricher.loads == 1
