"""kg.queries.golden: golden sets read back as kg.mapping.golden wrote them."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping.golden import golden_content_hash, golden_set_triples
from kg.model import GoldenItem, SplitRule
from kg.queries.golden import golden_content_hashes, golden_set_record, golden_set_versions
from kg.store.embedded import OxigraphStore


@dataclass
class Golden:
    name: str
    version: str
    dataset: str | None = "kb"
    author: str | None = "expert-a"
    guideline_version: str | None = "g-1"
    description: str | None = "tiny"
    items: list[GoldenItem] = field(default_factory=list)
    split_rule: SplitRule | None = None


ITEMS = [
    GoldenItem(query_id="q2", query="second?", relevant={"a/b": 1, "r1": 2}, tags=["z", "fees"]),
    GoldenItem(
        query_id="q1",
        query="first?",
        gold_answers=["yes", "indeed"],
        author="expert-b",
        guideline_version="g-2",
    ),
]


def _write(kg: KnowledgeGraph, golden: Golden) -> None:
    with kg.write_graph(ids.golden_set_iri(golden.name, golden.version)) as writer:
        writer.add_statements(golden_set_triples(golden))


@pytest.fixture
def kg() -> KnowledgeGraph:
    graph = KnowledgeGraph(OxigraphStore(None))
    _write(graph, Golden("toy", "1", items=ITEMS))
    _write(graph, Golden("toy", "10", items=ITEMS[:1]))
    _write(graph, Golden("other", "1", dataset=None, author=None, items=ITEMS[1:]))
    return graph


def test_versions_of_a_golden_set(kg: KnowledgeGraph) -> None:
    assert golden_set_versions(kg, "toy") == ["1", "10"]
    assert golden_set_versions(kg, "nope") == []


def test_a_golden_set_reads_back_sorted(kg: KnowledgeGraph) -> None:
    stored = golden_set_record(kg, "toy", "1")
    assert stored is not None
    assert stored.iri == ids.golden_set_iri("toy", "1")
    assert (stored.name, stored.version, stored.dataset) == ("toy", "1", "kb")
    assert (stored.author, stored.guideline_version, stored.description) == (
        "expert-a",
        "g-1",
        "tiny",
    )
    assert stored.items == [
        GoldenItem(
            query_id="q1",
            query="first?",
            gold_answers=["indeed", "yes"],
            author="expert-b",
            guideline_version="g-2",
        ),
        # "a/b": the id comes back from the judged IRI, percent-decoded
        GoldenItem(
            query_id="q2", query="second?", relevant={"a/b": 1, "r1": 2}, tags=["fees", "z"]
        ),
    ]


def test_a_golden_set_without_dataset_or_author(kg: KnowledgeGraph) -> None:
    stored = golden_set_record(kg, "other", "1")
    assert stored is not None
    assert (stored.dataset, stored.author) == (None, None)
    assert [it.query_id for it in stored.items] == ["q1"]


def test_an_unknown_golden_set_version_is_none(kg: KnowledgeGraph) -> None:
    assert golden_set_record(kg, "toy", "2") is None


def test_content_hash_of_a_stored_version(kg: KnowledgeGraph) -> None:
    expected = golden_content_hash(Golden("toy", "1", items=ITEMS))
    assert golden_content_hashes(kg, ids.golden_set_iri("toy", "1")) == {expected}
    assert golden_content_hashes(kg, ids.golden_set_iri("toy", "2")) == set()
