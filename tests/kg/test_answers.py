"""Recording answers: the model, the triples, the atomic write into their own graph."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox
import pytest
from pydantic import ValidationError

from kg import ids
from kg.answers import record_answer
from kg.errors import KGError, NotFoundError
from kg.graph import KnowledgeGraph
from kg.mapping import PROV, RDF
from kg.mapping.answers import answer_triples
from kg.model import CitedSentence, RecordedAnswer, new_answer_id
from kg.store.embedded import OxigraphStore
from kg.terms import PR
from tests.kg import lineage_data

WHEN = datetime(2024, 7, 1, 9, 0, tzinfo=UTC)
S1 = ids.sample_iri("d", "one", "1" * 64)
S2 = ids.sample_iri("d", "two", "2" * 64)


def _answer(**overrides: object) -> RecordedAnswer:
    fields: dict[str, object] = {
        "query": "what?",
        "text": "First. Second. Third.",
        "sentences": [
            {"text": "First.", "sample_iri": S1, "sample_id": "one", "score": 0.9},
            {"text": "Second.", "sample_iri": S2, "sample_id": "two", "score": 0.8},
            {"text": "Third.", "sample_iri": S1, "sample_id": "one", "score": 0.7},
        ],
        "settings": {"retriever": "dense", "k": 3},
        "created": WHEN,
    }
    fields.update(overrides)
    return RecordedAnswer.model_validate(fields)


def _graph(statements: list[str]) -> ox.Store:
    store = ox.Store()
    data = "".join(f"{s} .\n" for s in statements).encode()
    store.extend(
        ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(data, ox.RdfFormat.N_TRIPLES)
    )
    return store


def _objects(store: ox.Store, s: str, p: str) -> list[Any]:
    return [q.object for q in store.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(p), None)]


def test_answer_id_is_derived_from_query_settings_and_time() -> None:
    a, b = _answer(), _answer()
    assert a.id == b.id == new_answer_id("what?", {"retriever": "dense", "k": 3}, WHEN)
    assert _answer(query="other?").id != a.id
    assert _answer(created=datetime(2024, 7, 1, 9, 1, tzinfo=UTC)).id != a.id
    assert _answer(id="mine").id == "mine"


def test_sentences_may_be_given_as_tuples() -> None:
    answer = _answer(sentences=[("First.", S1, "one", 0.5)])
    assert answer.sentences == [
        CitedSentence(text="First.", sample_iri=S1, sample_id="one", score=0.5)
    ]
    with pytest.raises(ValidationError, match="2 to 4 items"):
        _answer(sentences=[("First.",)])


def test_answer_is_derived_from_each_cited_sample_once() -> None:
    answer = _answer()
    store = _graph(answer_triples(answer))
    derived = _objects(store, answer.iri, f"{PROV}wasDerivedFrom")
    assert sorted(o.value for o in derived) == sorted([S1, S2])
    ask = _objects(store, answer.iri, f"{PROV}wasGeneratedBy")
    assert len(ask) == 1
    assert sorted(o.value for o in _objects(store, ask[0].value, f"{PROV}used")) == sorted([S1, S2])
    assert ox.NamedNode(f"{PROV}Activity") in _objects(store, ask[0].value, f"{RDF}type")


def test_each_sentence_is_a_citation_with_its_position_and_sample() -> None:
    answer = _answer()
    store = _graph(answer_triples(answer))
    cited = {}
    for c in _objects(store, answer.iri, str(PR.citation)):
        (pos,) = _objects(store, c.value, str(PR.position))
        (sample,) = _objects(store, c.value, str(PR.citedSample))
        (sentence,) = _objects(store, c.value, str(PR.sentence))
        cited[int(pos.value)] = (sentence.value, sample.value)
    assert cited == {0: ("First.", S1), 1: ("Second.", S2), 2: ("Third.", S1)}


def test_settings_are_stored_as_json_and_an_endpoint_generator_is_an_agent() -> None:
    answer = _answer(generator="http://127.0.0.1:9/v1", model="tiny-llm")
    store = _graph(answer_triples(answer))
    (settings,) = _objects(store, answer.iri, str(PR.querySettings))
    assert isinstance(settings, ox.Literal)
    assert settings.datatype.value == f"{RDF}JSON"
    assert settings.value == ids.canonical_json({"retriever": "dense", "k": 3})
    (ask,) = _objects(store, answer.iri, f"{PROV}wasGeneratedBy")
    agents = {o.value for o in _objects(store, ask.value, f"{PROV}wasAssociatedWith")}
    assert agents == {ids.agent_iri("software", "provrag"), ids.agent_iri("software", "tiny-llm")}


@pytest.fixture
def kg_with_samples() -> tuple[KnowledgeGraph, Any]:
    kg = KnowledgeGraph(OxigraphStore(None))
    return kg, lineage_data.build(kg)


def test_record_answer_writes_its_own_committed_graph(
    kg_with_samples: tuple[KnowledgeGraph, Any],
) -> None:
    kg, lineage = kg_with_samples
    graph = ids.answer_iri(lineage.answer_id)
    assert kg.graph_status(graph) == "committed"
    assert kg.store.quad_count(graph) == len(answer_triples(lineage.answer))
    rows = kg.select(f"SELECT ?s WHERE {{ <{graph}> prov:wasDerivedFrom ?s }} ORDER BY ?s")
    assert sorted(r["s"] for r in rows) == sorted([lineage.synthetic, lineage.labelled])


def test_record_answer_refuses_unknown_samples_and_writes_nothing(
    kg_with_samples: tuple[KnowledgeGraph, Any],
) -> None:
    kg, _ = kg_with_samples
    before = kg.triple_count()
    ghost = ids.sample_iri("nowhere", "x", "0" * 64)
    with pytest.raises(NotFoundError, match="nowhere"):
        record_answer(kg, _answer(sentences=[("Ghost.", ghost, "x", 0.1)]))
    assert kg.triple_count() == before


def test_record_answer_refuses_an_id_already_recorded(
    kg_with_samples: tuple[KnowledgeGraph, Any],
) -> None:
    kg, lineage = kg_with_samples
    again = lineage.answer.model_copy(update={"query": "a different question"})
    with pytest.raises(KGError, match="already recorded"):
        record_answer(kg, again)
