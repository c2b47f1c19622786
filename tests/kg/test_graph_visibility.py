"""KnowledgeGraph batch visibility, on the embedded and the remote backend."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kg.errors import QueryError, StoreError
from kg.graph import KnowledgeGraph
from kg.store.base import GraphStore, QueryResult
from kg.store.embedded import OxigraphStore
from kg.store.remote import RemoteSparqlStore

EX = "http://example.org/"
BATCH = f"{EX}batch/1"


def triples(*names: str) -> list[ox.Quad]:
    """Statements for a writer (it puts them into its graph)."""
    return [ox.Quad(ox.NamedNode(EX + s), ox.NamedNode(f"{EX}p"), ox.Literal(s)) for s in names]


def visible(kg: KnowledgeGraph) -> set[str]:
    return {r["s"] for r in kg.select(f"SELECT ?s WHERE {{ ?s <{EX}p> ?o }}")}


@pytest.fixture(params=["embedded", pytest.param("remote", marks=pytest.mark.server)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    if request.param == "remote":
        yield request.getfixturevalue("fresh_remote_store")
        return
    local = OxigraphStore(tmp_path / "store")
    yield local
    local.close()


def test_batch_is_invisible_while_open_and_visible_after_commit(store: GraphStore) -> None:
    kg = KnowledgeGraph(store)
    kg.write_atomic(f"{EX}batch/0", triples("old"))
    with kg.write_graph(BATCH) as writer:
        writer.add(triples("a"))
        writer.add(triples("b"))  # a second chunk
        assert visible(kg) == {f"{EX}old"}
        assert kg.graph_status(BATCH) == "open"
    assert visible(kg) == {f"{EX}old", f"{EX}a", f"{EX}b"}
    assert kg.graph_status(BATCH) == "committed"


def test_a_protocol_dataset_never_reaches_an_open_batch(store: GraphStore) -> None:
    kg = KnowledgeGraph(store)
    old = f"{EX}batch/0"
    kg.write_atomic(old, triples("old"))
    query = f"SELECT ?s WHERE {{ {{ ?s <{EX}p> ?o }} UNION {{ GRAPH ?g {{ ?s <{EX}p> ?o }} }} }}"

    def seen(**dataset: list[str]) -> set[str]:
        result = kg.query(query, **dataset)  # type: ignore[arg-type]
        return {r["s"].value for r in result}  # type: ignore[union-attr]

    with kg.write_graph(BATCH) as writer:
        writer.add(triples("a"))
        assert seen(default_graphs=[old, BATCH], named_graphs=[BATCH]) == {f"{EX}old"}
    assert seen(default_graphs=[BATCH]) == {f"{EX}a"}
    assert seen(named_graphs=[old]) == {f"{EX}old"}


def test_statements_from_mapping_land_in_the_batch_graph(store: GraphStore) -> None:
    kg = KnowledgeGraph(store)
    with kg.write_graph(BATCH) as writer:
        writer.add_statements([f'<{EX}s> <{EX}p> "from statements"'])
    assert store.quad_count(BATCH) == 1
    assert visible(kg) == {f"{EX}s"}


def test_failed_batch_is_dropped(store: GraphStore) -> None:
    kg = KnowledgeGraph(store)
    with pytest.raises(RuntimeError, match="writer failed"), kg.write_graph(BATCH) as writer:
        writer.add(triples("a"))
        raise RuntimeError("writer failed")
    assert visible(kg) == set()
    assert kg.graph_status(BATCH) is None
    assert BATCH not in store.named_graphs()


def test_recover_drops_graphs_left_open(store: GraphStore) -> None:
    kg = KnowledgeGraph(store)
    kg.write_atomic(f"{EX}batch/0", triples("kept"))
    kg.open_graph(BATCH)
    kg.store.add(
        [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(BATCH)) for t in triples("half")]
    )
    assert KnowledgeGraph(store).recover() == [BATCH]
    assert visible(kg) == {f"{EX}kept"}
    assert BATCH not in store.named_graphs()


def test_recover_after_a_crashed_writer_on_the_same_embedded_path(tmp_path: Path) -> None:
    crashed = KnowledgeGraph(OxigraphStore(tmp_path / "store"))
    crashed.write_atomic(f"{EX}batch/0", triples("kept"))
    crashed.open_graph(BATCH)  # a writer starts a batch, adds a chunk, then "dies"
    crashed.store.add(
        [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(BATCH)) for t in triples("half")]
    )
    crashed.store.close()
    del crashed
    gc.collect()  # releases the RocksDB lock, as the end of the process would

    reopened = KnowledgeGraph(OxigraphStore(tmp_path / "store"))
    assert reopened.open_graphs() == [BATCH]
    assert reopened.recover() == [BATCH]
    assert visible(reopened) == {f"{EX}kept"}
    assert reopened.open_graphs() == []
    reopened.store.close()


@pytest.mark.server
def test_recover_from_another_client_of_the_same_server(
    oxigraph_server: str, fresh_remote_store: RemoteSparqlStore
) -> None:
    crashed = KnowledgeGraph(fresh_remote_store)
    crashed.open_graph(BATCH)
    crashed.store.add(
        [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(BATCH)) for t in triples("half")]
    )
    other = RemoteSparqlStore.from_settings(base_url=oxigraph_server)
    try:
        assert KnowledgeGraph(other).recover() == [BATCH]
        assert other.quad_count(BATCH) == 0
    finally:
        other.close()


@pytest.mark.parametrize(
    "sparql",
    [
        f'INSERT DATA {{ <{EX}a> <{EX}p> "x" }}',
        f"PREFIX ex: <{EX}>\nDELETE WHERE {{ ?s ?p ?o }}",
        "# a comment first\nDROP ALL",
        "clear default",
    ],
)
def test_read_only_guard_rejects_updates(store: GraphStore, sparql: str) -> None:
    kg = KnowledgeGraph(store)
    kg.write_atomic(BATCH, triples("a"))
    with pytest.raises(QueryError, match="read-only"):
        kg.query(sparql)
    assert visible(kg) == {f"{EX}a"}


def test_a_store_answering_a_select_without_rows_is_a_store_error() -> None:
    class NoRows(OxigraphStore):
        def query(self, sparql: str, *, default_graphs: Any = None) -> QueryResult:
            return True  # an ASK answer where the registry SELECT needs rows

    kg = KnowledgeGraph(NoRows(None))
    with pytest.raises(StoreError, match="instead of solutions"):
        kg.open_graphs()


def test_the_graph_is_a_context_manager_that_closes_its_store(tmp_path: Path) -> None:
    with KnowledgeGraph(OxigraphStore(tmp_path / "store")) as kg:
        kg.write_atomic(BATCH, triples("a"))
    with pytest.raises(StoreError, match="closed"):
        kg.query("ASK {}")
    # the lock went with it: the same directory opens again in this process
    with KnowledgeGraph(OxigraphStore(tmp_path / "store")) as again:
        assert visible(again) == {f"{EX}a"}


def test_leaving_on_an_error_closes_the_store_too(tmp_path: Path) -> None:
    with pytest.raises(QueryError), KnowledgeGraph(OxigraphStore(tmp_path / "store")) as kg:
        kg.query("DROP ALL")
    with KnowledgeGraph(OxigraphStore(tmp_path / "store")) as again:
        assert again.ask("ASK { FILTER(true) }")
