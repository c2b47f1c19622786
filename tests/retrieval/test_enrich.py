from __future__ import annotations

import math

import numpy as np
import pytest

from kg import ids
from kg.graph import KnowledgeGraph
from kg.model import Filters
from kg.queries.state import graph_state
from retrieval.enrich import GraphEnricher, expand, load_entity_graph
from retrieval.filters import AllowedSet, allowed_iris
from retrieval.index import VectorIndex, iri_to_id
from retrieval.linking import LinkedEntity, NameLinker, simple_normalize
from tests.retrieval.conftest import invalidate
from tests.retrieval.search_data import ENTITIES, passages, write_corpus


def entity(etype: str, name: str) -> LinkedEntity:
    return LinkedEntity(ids.entity_iri(etype, simple_normalize(name)), name, etype)


@pytest.fixture
def corpus(kg: KnowledgeGraph) -> list[str]:
    return write_corpus(kg, passages(), ENTITIES)


def allowed(kg: KnowledgeGraph, filters: Filters | None = None) -> AllowedSet:
    return AllowedSet.of(allowed_iris(kg, filters))


def ext(hits_ids: np.ndarray, corpus: list[str]) -> list[str]:
    by_id = {iri_to_id(iri): f"p{i}" for i, iri in enumerate(corpus)}
    return [by_id[int(i)] for i in hits_ids]


def test_adjacency_holds_current_samples_and_their_entities(kg, corpus) -> None:
    graph = load_entity_graph(kg)
    assert graph.n_samples == 4  # p2 and p4 mention nothing
    paris = graph.entity_index[ids.entity_iri("GPE", "paris")]
    assert sorted(graph.external_ids[p] for p in graph.samples_of(paris)) == ["p0", "p5"]
    assert graph.labels[paris] == "Paris" and graph.types[paris] == "GPE"
    # idf = ln(1 + N/df) with N = 4 samples with mentions
    assert graph.idf[paris] == pytest.approx(math.log1p(4 / 2))


def test_hop_one_scores_by_idf_of_the_matched_entities(kg, corpus) -> None:
    graph = load_entity_graph(kg)
    q = graph.resolve([entity("GPE", "Paris"), entity("FAC", "Eiffel Tower")])
    hits = expand(graph, q, allowed(kg))
    scores = dict(zip(ext(hits.ids, corpus), hits.scores.tolist(), strict=True))
    two = math.log1p(4 / 2)  # both entities are mentioned by two samples
    assert scores == {
        "p0": pytest.approx(2 * two),
        "p1": pytest.approx(two),
        "p5": pytest.approx(two),
    }
    assert ext(hits.ids, corpus)[0] == "p0"
    assert hits.paths[iri_to_id(corpus[0])] == [
        "Eiffel Tower (FAC) -[mentioned in]-> p0",
        "Paris (GPE) -[mentioned in]-> p0",
    ]


def test_hop_two_reaches_co_mentioned_entities_with_the_path(kg, corpus) -> None:
    graph = load_entity_graph(kg)
    q = graph.resolve([entity("PERSON", "Gustave Eiffel")])
    one = expand(graph, q, allowed(kg), hops=1)
    assert ext(one.ids, corpus) == ["p1"]
    two = expand(graph, q, allowed(kg), hops=2)
    assert ext(two.ids, corpus) == ["p1", "p0"]
    assert two.paths[iri_to_id(corpus[0])] == [
        "Gustave Eiffel (PERSON) -[mentioned in]-> p1",
        "p1 -[mentions]-> Eiffel Tower (FAC)",
        "Eiffel Tower (FAC) -[mentioned in]-> p0",
    ]


def test_a_filtered_out_sample_is_neither_a_hit_nor_a_bridge(kg, corpus) -> None:
    graph = load_entity_graph(kg)
    q = graph.resolve([entity("PERSON", "Gustave Eiffel")])
    without_p1 = AllowedSet.of(set(allowed_iris(kg)) - {corpus[1]})
    assert len(expand(graph, q, without_p1, hops=2)) == 0


def test_invalidated_samples_leave_the_adjacency(kg, corpus) -> None:
    invalidate(kg, [corpus[5]], "del-1")
    enricher = GraphEnricher(kg)
    hits = enricher.expand([entity("GPE", "Paris")], allowed(kg), graph_state(kg))
    assert ext(hits.ids, corpus) == ["p0"]


def test_the_adjacency_is_reloaded_only_when_the_graph_changes(kg, corpus) -> None:
    enricher = GraphEnricher(kg)
    for _ in range(3):
        enricher.expand([entity("GPE", "Paris")], allowed(kg), graph_state(kg))
    assert enricher.loads == 1
    write_corpus(kg, passages(["Lyon is a city in France."], prefix="q"),
                 [[("Lyon", "GPE")]], batch_id="b2")  # fmt: skip
    hits = enricher.expand([entity("GPE", "Lyon")], allowed(kg), graph_state(kg))
    assert enricher.loads == 2 and len(hits) == 1


def test_a_query_entity_typed_differently_still_links_by_name(kg, corpus) -> None:
    graph = load_entity_graph(kg)
    assert graph.resolve([entity("PERSON", "Paris")]) == [
        graph.entity_index[ids.entity_iri("GPE", "paris")]
    ]


def test_equal_graph_scores_are_ordered_by_dense_similarity(kg: KnowledgeGraph) -> None:
    texts = [f"Doc {i} about Paris." for i in range(4)]
    iris = write_corpus(kg, passages(texts), [[("Paris", "GPE")]] * 4)
    vectors = VectorIndex(2)
    angles = [0.0, 1.2, 0.4, 0.8]  # similarity to (1, 0): p0 > p2 > p3 > p1
    vectors.add(
        np.array([iri_to_id(i) for i in iris]),
        np.array([[math.cos(a), math.sin(a)] for a in angles], dtype=np.float32),
    )
    graph = load_entity_graph(kg)
    hits = expand(
        graph, graph.resolve([entity("GPE", "Paris")]), allowed(kg),
        query_vector=np.array([1.0, 0.0], dtype=np.float32), vectors=vectors,
    )  # fmt: skip
    assert ext(hits.ids, iris) == ["p0", "p2", "p3", "p1"]


def test_candidates_are_capped(kg: KnowledgeGraph) -> None:
    texts = [f"Doc {i} about Paris." for i in range(10)]
    write_corpus(kg, passages(texts), [[("Paris", "GPE")]] * 10)
    graph = load_entity_graph(kg)
    hits = expand(graph, graph.resolve([entity("GPE", "Paris")]), allowed(kg), max_candidates=3)
    assert len(hits) == 3


def test_name_linker_finds_lower_case_names_longest_first() -> None:
    names = {
        "eiffel tower": [("urn:e:tower", "FAC")],
        "eiffel": [("urn:e:eiffel", "PERSON")],
        "us": [("urn:e:us", "GPE")],
    }
    linker = NameLinker(names, simple_normalize)
    found = linker.link("how tall is the eiffel tower? tell us")
    assert [(e.iri, e.surface) for e in found] == [("urn:e:tower", "eiffel tower")]


def test_unknown_entities_expand_to_nothing(kg, corpus) -> None:
    graph = load_entity_graph(kg)
    assert graph.resolve([entity("ORG", "Nowhere Inc")]) == []
    assert len(GraphEnricher(kg).expand([], allowed(kg), graph_state(kg))) == 0


def test_hits_name_the_sample_iri_of_each_candidate(kg, corpus) -> None:
    hits = GraphEnricher(kg).expand([entity("GPE", "Paris")], allowed(kg), graph_state(kg))
    assert hits.iris == {iri_to_id(iri): iri for iri in (corpus[0], corpus[5])}


def test_the_name_linker_follows_the_adjacency(kg, corpus) -> None:
    enricher = GraphEnricher(kg)
    linker = enricher.name_linker(graph_state(kg))
    assert enricher.name_linker(graph_state(kg)) is linker
    assert not linker.link("a trip to lyon")
    write_corpus(kg, passages(["Lyon is a city in France."], prefix="q"),
                 [[("Lyon", "GPE")]], batch_id="b2")  # fmt: skip
    fresh = enricher.name_linker(graph_state(kg))
    assert fresh is not linker
    assert [e.iri for e in fresh.link("a trip to lyon")] == [ids.entity_iri("GPE", "lyon")]
