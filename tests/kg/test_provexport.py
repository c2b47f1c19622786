"""Lineage exports: Turtle, and PROV-JSON / PROV-N read back by the W3C ``prov`` library."""

from __future__ import annotations

import io
from typing import Any

import prov
import pyoxigraph as ox
import pytest
from prov.model import (
    ProvAssociation,
    ProvAttribution,
    ProvDerivation,
    ProvDocument,
    ProvGeneration,
    ProvRecord,
    ProvUsage,
)

from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping import PROV
from kg.provenance import TraceNode, trace
from kg.provexport import lineage_turtle, to_prov_document, to_prov_json, to_prov_n
from kg.store.embedded import OxigraphStore
from kg.terms import PR, PR_NS
from tests.kg import lineage_data


@pytest.fixture(scope="module")
def built() -> tuple[KnowledgeGraph, Any, TraceNode]:
    kg = KnowledgeGraph(OxigraphStore(None))
    lineage = lineage_data.build(kg)
    return kg, lineage, trace(kg, lineage.answer_id)


def _uri(value: Any) -> Any:
    return value.uri if hasattr(value, "uri") else value


def _relations(doc: ProvDocument, cls: type[ProvRecord]) -> set[tuple[Any, ...]]:
    """Each relation of a type as the tuple of its formal arguments (IRIs, times, None)."""
    return {tuple(_uri(v) for _, v in r.formal_attributes) for r in doc.get_records(cls)}


def _attr(doc: ProvDocument, iri: str, name: str) -> set[Any]:
    (record,) = doc.get_record(iri)
    return set(record.get_attribute(f"pr:{name}"))


def _check_relations(doc: ProvDocument, lineage: Any) -> None:
    answer = ids.answer_iri(lineage.answer_id)
    ask = f"{answer}/ask"
    derived = {(g, u) for g, u, *_ in _relations(doc, ProvDerivation) if g == answer}
    assert derived == {(answer, lineage.synthetic), (answer, lineage.labelled)}

    generations = {(e, a) for e, a, _ in _relations(doc, ProvGeneration)}
    generation = ids.generation_iri(lineage.synthetic)
    assert (lineage.synthetic, generation) in generations
    assert (answer, ask) in generations

    usages = {(a, e) for a, e, _ in _relations(doc, ProvUsage)}
    configs = [e for a, e in usages if a == generation]
    assert len(configs) == 1
    assert _attr(doc, configs[0], "promptVersion") == {"3"}
    assert _attr(doc, configs[0], "seed") == {7}
    assert _attr(doc, configs[0], "modelName") == {"template-engine-1"}
    assert {(ask, lineage.synthetic), (ask, lineage.labelled)} <= usages
    files = [e for a, e in usages if a == lineage.batch2]
    assert [_attr(doc, f, "sha256") for f in files] == [{lineage_data.SHA_B}]

    associations = _relations(doc, ProvAssociation)
    annotators = {
        (_attr(doc, plan, "guidelineVersion").pop(), agent)
        for activity, agent, plan in associations
        if activity.endswith("/annotation")
    }
    assert annotators == {
        ("1.1", ids.agent_iri("person", "alice")),
        ("1.2", ids.agent_iri("person", "bob")),
    }
    attributed = {agent for _, agent in _relations(doc, ProvAttribution)}
    assert attributed == {ids.agent_iri("person", "alice"), ids.agent_iri("person", "bob")}


def test_prov_document_has_the_lineage_relations(
    built: tuple[KnowledgeGraph, Any, TraceNode],
) -> None:
    _, lineage, node = built
    _check_relations(to_prov_document(node), lineage)


def test_prov_json_reads_back_with_the_same_relations(
    built: tuple[KnowledgeGraph, Any, TraceNode],
) -> None:
    _, lineage, node = built
    doc = prov.read(io.StringIO(to_prov_json(node)), format="json")
    assert isinstance(doc, ProvDocument)
    assert doc == to_prov_document(node)
    _check_relations(doc, lineage)


def test_prov_n_reads_back_with_the_same_relations(
    built: tuple[KnowledgeGraph, Any, TraceNode],
) -> None:
    _, lineage, node = built
    text = to_prov_n(node)
    assert text.startswith("document")
    doc = prov.read(io.StringIO(text), format="provn")
    assert isinstance(doc, ProvDocument)
    assert doc == to_prov_document(node)
    _check_relations(doc, lineage)


def test_revision_and_specialization_are_prov_relations(
    built: tuple[KnowledgeGraph, Any, TraceNode],
) -> None:
    _, lineage, node = built
    text = to_prov_n(node)
    assert f"wasDerivedFrom(prid:{lineage.labelled[len(ids.ID_NS) :]}" in text
    assert "[prov:type='prov:Revision']" in text
    assert "specializationOf(" in text and "hadMember(" in text


def test_a_sample_alone_exports_too(built: tuple[KnowledgeGraph, Any, TraceNode]) -> None:
    kg, lineage, _ = built
    doc = prov.read(io.StringIO(to_prov_json(trace(kg, "syn-1"))), format="json")
    assert isinstance(doc, ProvDocument)
    generation = ids.generation_iri(lineage.synthetic)
    assert (lineage.synthetic, generation) in {
        (e, a) for e, a, _ in _relations(doc, ProvGeneration)
    }


def _turtle_graph(text: str) -> ox.Store:
    store = ox.Store()
    store.load(text.encode(), ox.RdfFormat.TURTLE)
    return store


def test_turtle_holds_exactly_the_lineage(built: tuple[KnowledgeGraph, Any, TraceNode]) -> None:
    kg, lineage, node = built
    text = lineage_turtle(kg, node)
    assert "@prefix prov:" in text and "@prefix pr:" in text
    store = _turtle_graph(text)
    answer = ox.NamedNode(ids.answer_iri(lineage.answer_id))
    derived = {
        q.object
        for q in store.quads_for_pattern(answer, ox.NamedNode(f"{PROV}wasDerivedFrom"), None)
    }
    assert derived == {ox.NamedNode(lineage.synthetic), ox.NamedNode(lineage.labelled)}
    shas = {
        q.object.value
        for q in store.quads_for_pattern(None, ox.NamedNode(str(PR.sha256)), None)
        if isinstance(q.object, ox.Literal)
    }
    assert shas == {lineage_data.SHA_A, lineage_data.SHA_B}
    subjects = {q.subject.value for q in store}
    assert lineage.dup_support not in subjects and lineage.dup_other not in subjects
    assert not any(q.predicate.value == f"{PR_NS}batchStatus" for q in store)


def test_a_derived_sample_exports_its_source_both_ways(
    built: tuple[KnowledgeGraph, Any, TraceNode],
) -> None:
    kg, lineage, _ = built
    generation = ids.generation_iri(lineage.question)
    for ref in ("q-1", "real-1"):  # from the derived sample, and from its source
        doc = prov.read(io.StringIO(to_prov_json(trace(kg, ref))), format="json")
        assert isinstance(doc, ProvDocument)
        derivations = {(g, u, a) for g, u, a, *_ in _relations(doc, ProvDerivation)}
        assert (lineage.question, lineage.labelled, generation) in derivations, ref
        usages = {(a, e) for a, e, _ in _relations(doc, ProvUsage)}
        assert (generation, lineage.labelled) in usages, ref
        text = to_prov_n(trace(kg, ref))
        assert f"wasDerivedFrom(prid:{lineage.question[len(ids.ID_NS) :]}" in text


def test_turtle_of_a_passage_holds_what_was_derived_from_it(
    built: tuple[KnowledgeGraph, Any, TraceNode],
) -> None:
    kg, lineage, _ = built
    store = _turtle_graph(lineage_turtle(kg, trace(kg, "real-1")))
    edges = store.quads_for_pattern(
        ox.NamedNode(lineage.question), ox.NamedNode(f"{PROV}wasDerivedFrom"), None
    )
    assert {q.object for q in edges} == {ox.NamedNode(lineage.labelled)}
