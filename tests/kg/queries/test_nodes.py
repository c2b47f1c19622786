"""described_nodes: which of the given IRIs the committed graph already describes."""

from __future__ import annotations

from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping import dataset_version_triples
from kg.queries.nodes import described_nodes
from kg.store.embedded import OxigraphStore


def test_only_nodes_with_a_class_in_committed_graphs_are_described() -> None:
    kg = KnowledgeGraph(OxigraphStore(None))
    dataset, dv = ids.dataset_iri("kb"), ids.dataset_version_iri("kb", "1")
    other = ids.dataset_iri("other")
    with kg.write_graph(ids.batch_iri("b1")) as writer:
        writer.add_statements(dataset_version_triples("kb", "1"))
        assert described_nodes(kg, [dataset]) == set()  # not committed yet
    assert described_nodes(kg, [dataset, dv, other]) == {dataset, dv}
    assert described_nodes(kg, []) == set()
