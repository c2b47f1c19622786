"""The networkx views: the sample—entity graph (built from kg.mapping.mention_triples)
and the lineage graph (on tests/kg/lineage_data.py).

Tiny graph: s1 mentions Acme and Visa, s2 mentions Visa and Paris, s3 mentions Paris,
s4 mentions Acme but is invalidated, s5 mentions Bob alone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import networkx as nx
import pytest

from kg import ids, mapping
from kg.errors import NetViewError
from kg.graph import KnowledgeGraph
from kg.model import SampleRecord
from kg.netview import entity_graph, entity_neighbours, lineage_graph, samples_for_entities
from kg.queries.graph_info import MentionCounts, mention_counts
from kg.store.embedded import OxigraphStore
from tests.kg import lineage_data

T0 = datetime(2026, 11, 2, tzinfo=UTC)
BATCH = ids.batch_iri("b1")
ACME = ids.entity_iri("ORG", "acme")
VISA = ids.entity_iri("PRODUCT", "visa")
PARIS = ids.entity_iri("GPE", "paris")
BOB = ids.entity_iri("PERSON", "bob")
SPANS = {
    ACME: mapping.MentionSpan("Acme", 0, 4, "ORG", "acme", "Acme Bank"),
    VISA: mapping.MentionSpan("Visa", 10, 14, "PRODUCT", "visa", "Visa"),
    PARIS: mapping.MentionSpan("Paris", 20, 25, "GPE", "paris", "Paris"),
    BOB: mapping.MentionSpan("Bob", 30, 33, "PERSON", "bob", "Bob"),
}
MENTIONS = {"s1": [ACME, VISA], "s2": [VISA, PARIS], "s3": [PARIS], "s4": [ACME], "s5": [BOB]}


def sample_iri(external: str) -> str:
    return ids.sample_iri("kb", external, ids.sha256_hex(external))


S1, S2, S3, S4, S5 = (sample_iri(f"s{i}") for i in range(1, 6))


@pytest.fixture(scope="module")
def graph() -> nx.Graph:
    kg = KnowledgeGraph(OxigraphStore(None))
    shared = mapping.SharedNodes()
    statements: list[str] = []
    for external, entities in MENTIONS.items():
        iri = sample_iri(external)
        rec = SampleRecord(
            id=external,
            text=f"text of {external}",
            origin="real",
            dataset="kb",
            kind="question" if external == "s2" else "passage",
        )
        ctx = mapping.SampleContext(
            iri=iri,
            logical_iri=ids.logical_sample_iri("kb", external),
            external_id=external,
            content_hash=ids.sha256_hex(external),
            dataset_version_iri=ids.dataset_version_iri("kb", "1"),
            batch_iri=BATCH,
        )
        statements += mapping.sample_triples(rec, ctx, shared)
        spans = [SPANS[e] for e in entities]
        statements += mapping.mention_triples(iri, spans, ids.extraction_iri(iri), shared)
    statements += mapping.invalidation_triples(S4, ids.deletion_iri("d"), T0)
    with kg.write_graph(BATCH) as w:
        w.add_statements(statements)
    return entity_graph(kg)


def test_the_view_is_bipartite_over_current_samples(graph: nx.Graph) -> None:
    samples = {n for n, k in graph.nodes(data="kind") if k == "sample"}
    entities = {n for n, k in graph.nodes(data="kind") if k == "entity"}
    assert samples == {S1, S2, S3, S5}
    assert entities == {ACME, VISA, PARIS, BOB}
    assert nx.is_bipartite(graph)
    assert all(
        {graph.nodes[a]["kind"], graph.nodes[b]["kind"]} == {"sample", "entity"}
        for a, b in graph.edges
    )
    assert graph.number_of_edges() == 6


def test_node_attributes(graph: nx.Graph) -> None:
    assert graph.nodes[ACME] == {
        "kind": "entity",
        "bipartite": 1,
        "label": "Acme Bank",
        "type": "ORG",
    }
    assert graph.nodes[S2] == {
        "kind": "sample",
        "bipartite": 0,
        "label": "s2",
        "type": "question",
        "origin": "real",
    }


def test_an_entity_only_an_invalidated_sample_mentions_is_left_out() -> None:
    kg = KnowledgeGraph(OxigraphStore(None))
    shared = mapping.SharedNodes()
    statements = mapping.mention_triples(S4, [SPANS[ACME]], ids.extraction_iri(S4), shared)
    statements += [f"<{S4}> {mapping.A} {mapping.pr('Sample')}"]
    statements += mapping.invalidation_triples(S4, ids.deletion_iri("d"), T0)
    with kg.write_graph(BATCH) as w:
        w.add_statements(statements)
    assert entity_graph(kg).number_of_nodes() == 0


def test_neighbours_one_hop(graph: nx.Graph) -> None:
    assert entity_neighbours(graph, ACME) == {VISA: 1}


def test_neighbours_two_hops_carry_their_distance(graph: nx.Graph) -> None:
    assert entity_neighbours(graph, ACME, hops=2) == {VISA: 1, PARIS: 2}


def test_neighbours_of_an_isolated_or_unknown_entity(graph: nx.Graph) -> None:
    assert entity_neighbours(graph, BOB, hops=3) == {}
    assert entity_neighbours(graph, ids.entity_iri("ORG", "nobody")) == {}


def test_samples_one_hop_are_the_direct_mentions(graph: nx.Graph) -> None:
    assert samples_for_entities(graph, [ACME]) == {S1: [ACME, S1]}


def test_samples_two_hops_go_through_one_bridge(graph: nx.Graph) -> None:
    assert samples_for_entities(graph, [ACME], hops=2) == {
        S1: [ACME, S1],
        S2: [ACME, S1, VISA, S2],
    }


def test_each_sample_gets_a_shortest_path_from_any_entity(graph: nx.Graph) -> None:
    found = samples_for_entities(graph, [ACME, PARIS, ids.entity_iri("ORG", "nobody")], hops=2)
    assert found == {
        S1: [ACME, S1],
        S2: [PARIS, S2],
        S3: [PARIS, S3],
    }


def test_bad_hops_are_refused(graph: nx.Graph) -> None:
    with pytest.raises(NetViewError, match="hops"):
        samples_for_entities(graph, [ACME], hops=0)
    with pytest.raises(NetViewError, match="hops"):
        entity_neighbours(graph, ACME, hops=0)


# ------------------------------------------------------------------ lineage graph


@pytest.fixture(scope="module")
def lineage() -> tuple[nx.MultiDiGraph, Any]:
    """The lineage test graph, plus: syn-1 derived from the current real-1."""
    kg = KnowledgeGraph(OxigraphStore(None))
    built = lineage_data.build(kg)
    derivation = ids.batch_iri("derive")
    with kg.write_graph(derivation) as w:
        w.add_statements(
            [f"<{built.synthetic}> {mapping.prov('wasDerivedFrom')} <{built.labelled}>"]
        )
    return lineage_graph(kg), built


def test_samples_carry_their_provenance(lineage: tuple[nx.MultiDiGraph, Any]) -> None:
    g, built = lineage
    syn = g.nodes[built.synthetic]
    assert syn["node_type"] == "sample" and syn["label"] == "syn-1"
    assert (syn["origin"], syn["kind"], syn["current"]) == ("synthetic", "passage", True)
    assert (syn["dataset"], syn["version"]) == ("support", "1")
    assert (syn["generator"], syn["model"], syn["prompt_version"], syn["seed"]) == (
        "template-engine",
        "template-engine-1",
        "3",
        7,
    )
    labelled = g.nodes[built.labelled]
    assert labelled["annotators"] == "alice | bob"
    assert labelled["guideline_versions"] == "1.1 | 1.2"
    assert (labelled["origin"], labelled["version"], labelled["current"]) == ("real", "2", True)
    assert "generator" not in labelled


def test_invalidated_revisions_stay_with_current_false(
    lineage: tuple[nx.MultiDiGraph, Any],
) -> None:
    g, built = lineage
    old = g.nodes[built.labelled_old]
    assert old["current"] is False
    assert old["invalidated_at"].startswith("2024-06-01T09:00:00")


def test_edges_say_what_they_mean(lineage: tuple[nx.MultiDiGraph, Any]) -> None:
    g, built = lineage

    def out(sample: str) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for _, target, key, data in g.out_edges(sample, keys=True, data=True):
            assert key == data["relation"]
            found.setdefault(key, set()).add(g.nodes[target]["node_type"] + ":" + target)
        return found

    syn = out(built.synthetic)
    assert syn.keys() == {"generated_by_config", "in_version", "mentions", "derived_from"}
    assert syn["mentions"] == {f"entity:{ids.entity_iri('ORG', 'acme')}"}
    assert syn["derived_from"] == {f"sample:{built.labelled}"}
    assert syn["in_version"] == {f"dataset_version:{ids.dataset_version_iri('support', '1')}"}
    labelled = out(built.labelled)
    assert labelled.keys() == {"labelled_by", "in_version", "revision_of"}
    assert labelled["revision_of"] == {f"sample:{built.labelled_old}"}
    assert {t.split(":", 1)[0] for t in labelled["labelled_by"]} == {"annotator"}
    annotators = {g.nodes[t.split(":", 1)[1]]["label"] for t in labelled["labelled_by"]}
    assert annotators == {"alice", "bob"}
    # a derived question: its generation used its source too, which is not a config
    question = out(built.question)
    assert question["derived_from"] == {f"sample:{built.labelled}"}
    (config,) = question["generated_by_config"]
    assert config.startswith("generator_config:")


def test_provenance_nodes_have_their_own_attributes(
    lineage: tuple[nx.MultiDiGraph, Any],
) -> None:
    g, _ = lineage
    by_type: dict[str, list[dict[str, Any]]] = {}
    for _, data in g.nodes(data=True):
        by_type.setdefault(data["node_type"], []).append(data)
    assert sorted(by_type) == [
        "annotator",
        "dataset_version",
        "entity",
        "generator_config",
        "sample",
    ]
    assert {(a["label"], a["agent"]) for a in by_type["annotator"]} == {
        ("alice", "person"),
        ("bob", "person"),
    }
    assert by_type["entity"] == [
        {"node_type": "entity", "label": "Acme", "entity_type": "ORG", "normalized": "acme"}
    ]
    configs = {c["generator"]: c for c in by_type["generator_config"]}
    assert configs.keys() == {"template-engine", "question-maker"}
    config = configs["template-engine"]
    assert config["label"] == "template-engine v3"
    assert (config["generator"], config["prompt_version"], config["seed"]) == (
        "template-engine",
        "3",
        7,
    )
    versions = {(d["dataset"], d["version"]) for d in by_type["dataset_version"]}
    assert versions == {("support", "1"), ("support", "2"), ("other", "1")}
    assert len(by_type["sample"]) == 6


def test_mention_counts() -> None:
    kg = KnowledgeGraph(OxigraphStore(None))
    assert mention_counts(kg) == MentionCounts(0, 0)
    shared = mapping.SharedNodes()
    statements = mapping.mention_triples(
        S1, [SPANS[ACME], SPANS[VISA]], ids.extraction_iri(S1), shared
    )
    statements += mapping.mention_triples(S2, [SPANS[VISA]], ids.extraction_iri(S2), shared)
    with kg.write_graph(BATCH) as w:
        w.add_statements(statements)
    assert mention_counts(kg) == MentionCounts(2, 3)
