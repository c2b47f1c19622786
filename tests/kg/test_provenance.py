"""Lineage trees: what a trace names, how ids resolve, how unknown/ambiguous ids fail."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kg import ids
from kg.errors import AmbiguousIdError, NotFoundError
from kg.graph import KnowledgeGraph
from kg.provenance import TraceNode, trace
from kg.store.embedded import OxigraphStore
from tests.kg import lineage_data


@pytest.fixture(scope="module")
def built() -> tuple[KnowledgeGraph, Any]:
    kg = KnowledgeGraph(OxigraphStore(None))
    return kg, lineage_data.build(kg)


@pytest.fixture(scope="module")
def answer_tree(built: tuple[KnowledgeGraph, Any]) -> TraceNode:
    kg, lineage = built
    return trace(kg, lineage.answer_id)


def _cited(tree: TraceNode, iri: str) -> TraceNode:
    (node,) = [c for c in tree.children if c.kind == "sample" and c.iri == iri]
    return node


def test_answer_tree_cites_both_samples_with_their_sentences(
    answer_tree: TraceNode, built: tuple[KnowledgeGraph, Any]
) -> None:
    _, lineage = built
    data = lineage_data
    assert answer_tree.kind == "answer"
    assert answer_tree.attrs["query"] == lineage.answer.query
    assert answer_tree.attrs["settings"]["retriever"] == "hybrid"
    cited = [c for c in answer_tree.children if c.relation == "prov:wasDerivedFrom"]
    assert [c.iri for c in cited] == [lineage.synthetic, lineage.labelled]
    assert _cited(answer_tree, lineage.synthetic).attrs["cited_by"] == [
        {"position": 0, "sentence": data.SYN_TEXT, "score": 0.91}
    ]


def test_synthetic_sample_names_generator_config_prompt_version_and_seed(
    answer_tree: TraceNode, built: tuple[KnowledgeGraph, Any]
) -> None:
    _, lineage = built
    sample = _cited(answer_tree, lineage.synthetic)
    (generation,) = sample.find("generation")
    (config,) = generation.find("generator_config")
    assert config.attrs["generator"] == "template-engine"
    assert config.attrs["model"] == "template-engine-1"
    assert config.attrs["prompt_version"] == "3"
    assert config.attrs["seed"] == 7
    assert config.attrs["params"] == {"temperature": 0.2}
    assert [a.attrs["name"] for a in generation.find("agent")] == ["template-engine"]


def test_labelled_sample_names_annotators_and_guideline_versions(
    answer_tree: TraceNode, built: tuple[KnowledgeGraph, Any]
) -> None:
    _, lineage = built
    sample = _cited(answer_tree, lineage.labelled)
    labels = [c for c in sample.children if c.kind == "label"]
    found = set()
    for label in labels:
        (annotation,) = label.find("annotation")
        (agent,) = annotation.find("agent")
        (guideline,) = annotation.find("guideline")
        found.add(
            (
                label.attrs["value"],
                agent.attrs["name"],
                agent.attrs["agent_kind"],
                guideline.attrs["version"],
            )
        )
    assert found == {("account", "alice", "person", "1.1"), ("account", "bob", "person", "1.2")}


def test_each_cited_sample_names_dataset_version_batch_and_source_sha256(
    answer_tree: TraceNode, built: tuple[KnowledgeGraph, Any]
) -> None:
    _, lineage = built
    data = lineage_data
    expected = {
        lineage.synthetic: ("1", lineage.batch1, data.SHA_A),
        lineage.labelled: ("2", lineage.batch2, data.SHA_B),
    }
    for iri, (version, batch, sha) in expected.items():
        sample = _cited(answer_tree, iri)
        (dv,) = [c for c in sample.children if c.kind == "dataset_version"]
        (b,) = [c for c in sample.children if c.kind == "ingest_batch"]
        (f,) = b.find("source_file")
        assert (dv.attrs["dataset"], dv.attrs["version"]) == ("support", version)
        assert b.iri == batch and b.attrs["provrag_version"] == "0.1.0"
        assert f.attrs["sha256"] == sha


def test_revision_chain_shows_the_previous_revision_and_its_invalidation(
    answer_tree: TraceNode, built: tuple[KnowledgeGraph, Any]
) -> None:
    _, lineage = built
    sample = _cited(answer_tree, lineage.labelled)
    assert "invalidated_at" not in sample.attrs
    (previous,) = [c for c in sample.children if c.relation == "prov:wasRevisionOf"]
    assert previous.iri == lineage.labelled_old
    assert previous.attrs["invalidated_at"] == lineage_data.T1
    assert previous.attrs["superseded_by"] == [lineage.labelled]
    (inv,) = previous.find("invalidation")
    assert inv.iri == lineage.batch2


def test_mentions_appear_in_brief(
    answer_tree: TraceNode, built: tuple[KnowledgeGraph, Any]
) -> None:
    _, lineage = built
    (entity,) = _cited(answer_tree, lineage.synthetic).find("entity")
    assert entity.iri == ids.entity_iri("ORG", "acme")
    assert (entity.attrs["name"], entity.attrs["mentions"]) == ("Acme", 1)


def test_answer_resolves_by_id_iri_and_prefixed_iri(built: tuple[KnowledgeGraph, Any]) -> None:
    kg, lineage = built
    iri = ids.answer_iri(lineage.answer_id)
    for ref in (lineage.answer_id, iri, f"<{iri}>", "prid:answer/" + lineage.answer_id):
        node = trace(kg, ref)
        assert (node.kind, node.iri) == ("answer", iri)


def test_sample_resolves_by_external_id_to_its_current_revision(
    built: tuple[KnowledgeGraph, Any],
) -> None:
    kg, lineage = built
    assert trace(kg, "syn-1").iri == lineage.synthetic
    assert trace(kg, "real-1").iri == lineage.labelled
    assert trace(kg, ids.logical_sample_iri("support", "real-1")).iri == lineage.labelled


def test_an_old_revision_traced_by_iri_says_what_superseded_it(
    built: tuple[KnowledgeGraph, Any],
) -> None:
    kg, lineage = built
    node = trace(kg, lineage.labelled_old)
    assert node.iri == lineage.labelled_old
    assert node.attrs["superseded_by"] == [lineage.labelled]


def test_an_id_in_two_datasets_is_ambiguous_and_lists_both(
    built: tuple[KnowledgeGraph, Any],
) -> None:
    kg, _ = built
    with pytest.raises(AmbiguousIdError) as err:
        trace(kg, "dup-1")
    assert "support" in str(err.value) and "other" in str(err.value)
    assert {c["dataset"] for c in err.value.candidates} == {"support", "other"}


def test_the_dataset_disambiguates(built: tuple[KnowledgeGraph, Any]) -> None:
    kg, lineage = built
    assert trace(kg, "dup-1", dataset="other").iri == lineage.dup_other


def test_unknown_ids_and_iris_are_not_found_with_the_value(
    built: tuple[KnowledgeGraph, Any],
) -> None:
    kg, _ = built
    with pytest.raises(NotFoundError, match="no-such-thing"):
        trace(kg, "no-such-thing")
    with pytest.raises(NotFoundError, match="nowhere"):
        trace(kg, ids.sample_iri("nowhere", "x", "0" * 64))
    with pytest.raises(NotFoundError, match="'other'"):
        trace(kg, "syn-1", dataset="other")


def test_to_dict_is_json_and_keeps_the_tree(answer_tree: TraceNode) -> None:
    data = json.loads(json.dumps(answer_tree.to_dict()))
    assert data["kind"] == "answer"
    assert data["attrs"]["created"] == "2024-07-01T09:00:00Z"
    count = 0
    stack = [data]
    while stack:
        node = stack.pop()
        count += 1
        stack.extend(node["children"])
    assert count == sum(1 for _ in answer_tree.walk())


def test_a_derived_sample_shows_the_revision_it_was_derived_from(
    built: tuple[KnowledgeGraph, Any],
) -> None:
    kg, lineage = built
    node = trace(kg, "q-1")
    assert node.iri == lineage.question
    (source,) = [c for c in node.children if c.relation == "prov:wasDerivedFrom"]
    assert (source.kind, source.iri) == ("sample", lineage.labelled)
    assert source.find("label")  # the source in full, its own lineage included
    # the generation used the source too, but its children stay the config and the agent
    (generation,) = [c for c in node.children if c.kind == "generation"]
    assert [c.kind for c in generation.children] == ["generator_config", "agent"]
    assert generation.children[0].attrs["generator"] == "question-maker"
    # the question is in the tree already: its source does not list it again
    assert not node.find("derived_sample")


def test_a_passage_lists_the_samples_derived_from_it(built: tuple[KnowledgeGraph, Any]) -> None:
    kg, lineage = built
    node = trace(kg, "real-1")
    (derived,) = [c for c in node.children if c.kind == "derived_sample"]
    assert (derived.iri, derived.relation) == (lineage.question, "^prov:wasDerivedFrom")
    assert derived.label == "support/q-1 (question, question-maker prompt v1)"
    a = derived.attrs
    assert (a["external_id"], a["dataset"], a["kind"], a["origin"]) == (
        "q-1",
        "support",
        "question",
        "synthetic",
    )
    assert (a["generator"], a["prompt_template"], a["prompt_version"]) == (
        "question-maker",
        "ask",
        "1",
    )
    assert a["generation"] == ids.generation_iri(lineage.question)
    assert a["text"] == lineage_data.QUESTION_TEXT
    assert not derived.children


def test_an_earlier_revision_lists_nothing_derived_from_the_later_one(
    built: tuple[KnowledgeGraph, Any],
) -> None:
    kg, lineage = built
    assert not trace(kg, lineage.labelled_old).find("derived_sample")
