"""One contract for every GraphStore backend: memory, embedded (on disk) and remote (HTTP)."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import QueryError, QueryTimeoutError, RemoteStoreError, StoreError
from kg.store.base import GraphStore, SelectResult
from kg.store.embedded import OxigraphStore
from kg.store.remote import RemoteSparqlStore
from tests.servers import free_port

EX = "http://example.org/"
G1, G2 = f"{EX}g1", f"{EX}g2"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"


def n(local: str) -> ox.NamedNode:
    return ox.NamedNode(EX + local)


def quad(s: str, p: str, o: ox.NamedNode | ox.Literal | ox.BlankNode, g: str) -> ox.Quad:
    return ox.Quad(n(s), n(p), o, ox.NamedNode(g))


@pytest.fixture(params=["memory", "embedded", pytest.param("remote", marks=pytest.mark.server)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    if request.param == "remote":
        yield request.getfixturevalue("fresh_remote_store")
        return
    local = OxigraphStore(None if request.param == "memory" else tmp_path / "store")
    yield local
    local.close()


def select(store: GraphStore, sparql: str, default_graphs: list[str] | None = None) -> SelectResult:
    result = store.query(sparql, default_graphs=default_graphs)
    assert isinstance(result, SelectResult)
    return result


def subjects(store: GraphStore, default_graphs: list[str] | None = None) -> set[str]:
    rows = select(store, "SELECT ?s WHERE { ?s ?p ?o }", default_graphs)
    return {r["s"].value for r in rows}  # type: ignore[union-attr]


def dataset_of(data: bytes, fmt: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> ox.Dataset:
    ds = ox.Dataset(ox.parse(data, fmt))
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return ds


def dumped(store: GraphStore, fmt: str = "nquads") -> bytes:
    buf = io.BytesIO()
    store.dump(buf, fmt)  # type: ignore[arg-type]
    return buf.getvalue()


def test_kind_names_the_backend(store: GraphStore) -> None:
    assert isinstance(store, GraphStore)
    assert store.kind in ("memory", "embedded", "remote")


def test_add_then_select_returns_the_same_terms(store: GraphStore) -> None:
    added = store.add([quad("a", "p", ox.Literal("x"), G1), quad("a", "q", n("b"), G1)])
    rows = select(store, f"SELECT ?p ?o WHERE {{ <{EX}a> ?p ?o }} ORDER BY ?p")
    assert added == 2
    assert rows.variables == ["p", "o"]
    assert [(r["p"], r["o"]) for r in rows] == [(n("p"), ox.Literal("x")), (n("q"), n("b"))]


def test_default_graph_is_the_union_unless_graphs_are_listed(store: GraphStore) -> None:
    store.add([quad("a", "p", ox.Literal("1"), G1), quad("b", "p", ox.Literal("2"), G2)])
    assert subjects(store) == {f"{EX}a", f"{EX}b"}
    assert subjects(store, [G1]) == {f"{EX}a"}
    assert subjects(store, [G1, G2]) == {f"{EX}a", f"{EX}b"}
    assert subjects(store, []) == set()  # the store's own (empty) default graph


def test_graph_patterns_see_only_the_listed_graphs_when_default_graphs_are_listed(
    store: GraphStore,
) -> None:
    # an open batch is left out of the list: GRAPH ?g must not reach it either
    store.add([quad("a", "p", ox.Literal("1"), G1), quad("b", "p", ox.Literal("2"), G2)])
    rows = select(store, "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", [G1])
    assert {r["g"].value for r in rows} == {G1}  # type: ignore[union-attr]


def test_named_graphs_apart_from_the_default_graph(store: GraphStore) -> None:
    store.add([quad("a", "p", ox.Literal("1"), G1), quad("b", "p", ox.Literal("2"), G2)])
    in_graphs = "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }"
    only_g2 = store.query(in_graphs, default_graphs=[G1], named_graphs=[G2])
    no_named = store.query(in_graphs, default_graphs=[G1], named_graphs=[])
    assert isinstance(only_g2, SelectResult) and isinstance(no_named, SelectResult)
    assert [r["s"] for r in only_g2] == [n("b")] and len(no_named) == 0
    assert subjects(store, [G1]) == {f"{EX}a"}


def test_max_rows_stops_the_answer(store: GraphStore) -> None:
    store.add([quad(f"s{i}", "p", ox.Literal(str(i)), G1) for i in range(5)])
    rows = store.query("SELECT ?s WHERE { ?s ?p ?o }", max_rows=2)
    triples = store.query("CONSTRUCT WHERE { ?s ?p ?o }", max_rows=3)
    assert isinstance(rows, SelectResult) and len(rows) == 2
    assert isinstance(triples, list) and len(triples) == 3


def test_a_passed_deadline_is_a_timeout(store: GraphStore) -> None:
    store.add([quad("a", "p", ox.Literal("1"), G1)])
    with pytest.raises(QueryTimeoutError, match="time budget"):
        store.query("SELECT ?s WHERE { ?s ?p ?o }", deadline=time.monotonic() - 1)


def test_ask(store: GraphStore) -> None:
    store.add([quad("a", "p", ox.Literal("x"), G1)])
    assert store.query(f'ASK {{ <{EX}a> <{EX}p> "x" }}') is True
    assert store.query(f'ASK {{ <{EX}a> <{EX}p> "y" }}') is False


def test_construct_and_describe_return_triples(store: GraphStore) -> None:
    store.add([quad("a", "p", ox.Literal("x"), G1), quad("b", "p", ox.Literal("y"), G2)])
    built = store.query(f"CONSTRUCT {{ ?s <{EX}r> ?o }} WHERE {{ ?s <{EX}p> ?o }}")
    described = store.query(f"DESCRIBE <{EX}a>")
    assert isinstance(built, list)
    assert set(built) == {
        ox.Triple(n("a"), n("r"), ox.Literal("x")),
        ox.Triple(n("b"), n("r"), ox.Literal("y")),
    }
    assert isinstance(described, list)
    assert set(described) == {ox.Triple(n("a"), n("p"), ox.Literal("x"))}


def test_update_inserts_and_deletes(store: GraphStore) -> None:
    store.update(f'INSERT DATA {{ GRAPH <{G1}> {{ <{EX}a> <{EX}p> "x" }} }}')
    assert store.quad_count(G1) == 1
    store.update(f"DELETE WHERE {{ GRAPH <{G1}> {{ <{EX}a> ?p ?o }} }}")
    assert store.quad_count(G1) == 0


def test_drop_graph_removes_only_that_graph(store: GraphStore) -> None:
    store.add([quad("a", "p", ox.Literal("1"), G1), quad("b", "p", ox.Literal("2"), G2)])
    store.drop_graph(G1)
    store.drop_graph(f"{EX}never-there")
    assert store.named_graphs() == [G2]
    assert subjects(store) == {f"{EX}b"}


def test_named_graphs_lists_non_empty_graphs_sorted(store: GraphStore) -> None:
    store.add([quad("b", "p", ox.Literal("2"), G2), quad("a", "p", ox.Literal("1"), G1)])
    assert store.named_graphs() == [G1, G2]
    store.update(f"DELETE WHERE {{ GRAPH <{G2}> {{ ?s ?p ?o }} }}")
    assert store.named_graphs() == [G1]


def test_quad_count_whole_dataset_and_per_graph(store: GraphStore) -> None:
    store.add(
        [
            quad("a", "p", ox.Literal("1"), G1),
            quad("a", "p", ox.Literal("1"), G2),  # same triple, other graph: another quad
            quad("b", "p", ox.Literal("2"), G2),
        ]
    )
    assert store.quad_count() == 3
    assert store.quad_count(G1) == 1
    assert store.quad_count(G2) == 2
    assert store.quad_count(f"{EX}empty") == 0


def test_add_nquads_puts_quads_in_their_graphs(store: GraphStore) -> None:
    store.add_nquads(
        f'<{EX}a> <{EX}p> "x" <{G1}> .\n<{EX}b> <{EX}p> "y" <{G2}> .\n'.encode(), atomic=False
    )
    store.add_nquads(b"")
    assert store.quad_count(G1) == 1
    assert store.quad_count(G2) == 1


def test_add_nquads_is_all_or_nothing(store: GraphStore) -> None:
    broken = f'<{EX}a> <{EX}p> "x" <{G1}> .\n<{EX}b> <{EX}p "y" <{G1}> .\n'.encode()
    with pytest.raises(StoreError):
        store.add_nquads(broken)
    assert store.quad_count() == 0


SAMPLE_TEXTS = [
    "plain",
    "unicode: café, 東京, emoji 🙂",
    'quotes " and \\ backslash',
    "new\nline\ttab\rreturn",
    "",
]


def typed_literals() -> list[ox.Literal]:
    return [
        *(ox.Literal(t) for t in SAMPLE_TEXTS),
        ox.Literal("42", datatype=ox.NamedNode(f"{XSD}integer")),
        ox.Literal("0.7", datatype=ox.NamedNode(f"{XSD}double")),
        ox.Literal("true", datatype=ox.NamedNode(f"{XSD}boolean")),
        ox.Literal("2026-11-02T10:00:00Z", datatype=ox.NamedNode(f"{XSD}dateTime")),
        ox.Literal('{"a":[1,"é"]}', datatype=ox.NamedNode(RDF_JSON)),
        ox.Literal("bonjour", language="fr"),
    ]


def test_literal_types_and_escapes_survive_a_round_trip(store: GraphStore) -> None:
    literals = typed_literals()
    store.add([quad(f"s{i}", "v", lit, G1) for i, lit in enumerate(literals)])
    rows = select(store, f"SELECT ?s ?o WHERE {{ ?s <{EX}v> ?o }}")
    got = {r["s"].value: r["o"] for r in rows}  # type: ignore[union-attr]
    assert got == {f"{EX}s{i}": lit for i, lit in enumerate(literals)}


def test_literals_survive_update_and_dump(store: GraphStore) -> None:
    literals = typed_literals()
    body = " ".join(f"<{EX}s{i}> <{EX}v> {lit} ." for i, lit in enumerate(literals))
    store.update(f"INSERT DATA {{ GRAPH <{G1}> {{ {body} }} }}")
    parsed = {q.object for q in ox.parse(dumped(store), ox.RdfFormat.N_QUADS)}
    assert parsed == set(literals)


def populate(store: GraphStore) -> None:
    blank = ox.BlankNode("b1")
    store.add(
        [
            quad("a", "p", ox.Literal("x"), G1),
            quad("a", "q", blank, G1),
            ox.Quad(blank, n("name"), ox.Literal("anon é"), ox.NamedNode(G1)),
            quad("b", "p", ox.Literal("2", datatype=ox.NamedNode(f"{XSD}integer")), G2),
        ]
    )


@pytest.mark.parametrize("fmt", ["nquads", "trig"])
def test_dump_then_load_is_isomorphic(store: GraphStore, fmt: str) -> None:
    populate(store)
    before = dumped(store, fmt)
    store.update("DROP ALL")
    assert store.quad_count() == 0
    loaded = store.load(before, fmt)  # type: ignore[arg-type]
    after = dumped(store, "nquads")
    rdf_format = ox.RdfFormat.N_QUADS if fmt == "nquads" else ox.RdfFormat.TRIG
    assert loaded == 4
    assert dataset_of(after) == dataset_of(before, rdf_format)
    assert store.named_graphs() == [G1, G2]


def test_turtle_dump_is_the_union_of_graphs(store: GraphStore) -> None:
    populate(store)
    triples = {
        (q.subject.value, q.predicate.value)
        for q in ox.parse(dumped(store, "turtle"), ox.RdfFormat.TURTLE)
    }
    assert (f"{EX}a", f"{EX}p") in triples
    assert (f"{EX}b", f"{EX}p") in triples
    assert len(triples) == 4


def test_load_triples_into_a_named_graph(store: GraphStore) -> None:
    data = f'<{EX}a> <{EX}p> "x" .\n'.encode()
    assert store.load(data, "ntriples", graph=G2) == 1
    assert store.named_graphs() == [G2]
    with pytest.raises(StoreError):
        store.load(data, "turtle")


def test_load_rejects_broken_data(store: GraphStore) -> None:
    with pytest.raises(StoreError):
        store.load(b"<http://a> <http://b> .", "turtle", graph=G1)
    assert store.quad_count() == 0


def test_query_syntax_error_raises_query_error(store: GraphStore) -> None:
    with pytest.raises(QueryError):
        store.query("SELECT ?s WHERE { ?s ?p ")


def test_update_syntax_error_raises_query_error(store: GraphStore) -> None:
    with pytest.raises(QueryError):
        store.update("INSERT DATA { <http://a> <http://b> }")


# ------------------------------------------------------------------ remote only


@pytest.mark.server
def test_remote_without_union_parameter_lists_graphs(oxigraph_server: str) -> None:
    store = RemoteSparqlStore.from_settings(
        base_url=oxigraph_server, union_default_graph_param=False
    )
    try:
        store.update("DROP ALL")
        store.add([quad("a", "p", ox.Literal("1"), G1), quad("b", "p", ox.Literal("2"), G2)])
        assert subjects(store) == {f"{EX}a", f"{EX}b"}
        rows = select(store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert {r["g"].value for r in rows} == {G1, G2}  # type: ignore[union-attr]
    finally:
        store.close()


@pytest.mark.server
def test_remote_sends_long_graph_lists_form_encoded(
    fresh_remote_store: RemoteSparqlStore,
) -> None:
    graphs = [f"{EX}graph/{i:04d}" for i in range(120)]
    fresh_remote_store.add(
        [quad(f"s{i}", "p", ox.Literal(str(i)), g) for i, g in enumerate(graphs)]
    )
    assert len(subjects(fresh_remote_store, graphs[:100])) == 100


def test_from_settings_derives_the_oxigraph_layout() -> None:
    store = RemoteSparqlStore.from_settings(base_url="http://db.example:7878/")
    assert (store.query_url, store.update_url, store.gsp_url) == (
        "http://db.example:7878/query",
        "http://db.example:7878/update",
        "http://db.example:7878/store",
    )
    explicit = RemoteSparqlStore.from_settings(
        base_url="http://db.example:7878", query_url="http://other/sparql"
    )
    assert explicit.query_url == "http://other/sparql"
    assert explicit.gsp_url == "http://db.example:7878/store"


def test_from_settings_without_urls_says_what_to_set() -> None:
    with pytest.raises(RemoteStoreError, match="store_url"):
        RemoteSparqlStore.from_settings(query_url="http://x/query")


def test_unreachable_endpoint_names_the_url() -> None:
    url = f"http://127.0.0.1:{free_port()}"  # a port nobody listens on
    store = RemoteSparqlStore.from_settings(base_url=url, timeout=2.0)
    with pytest.raises(RemoteStoreError, match=f"cannot reach {url}/query.*oxigraph serve"):
        store.query("ASK {}")


@pytest.mark.server
def test_http_error_names_url_status_and_body(oxigraph_server: str) -> None:
    store = RemoteSparqlStore(
        f"{oxigraph_server}/query", f"{oxigraph_server}/update", f"{oxigraph_server}/nowhere"
    )
    with pytest.raises(RemoteStoreError, match=r"/nowhere answered HTTP 404.*gsp_url"):
        store.add_nquads(b'<http://a> <http://b> "c" .\n')


@pytest.mark.server
def test_remote_dump_falls_back_to_sparql_without_a_dataset_get(
    oxigraph_server: str, fresh_remote_store: RemoteSparqlStore
) -> None:
    populate(fresh_remote_store)
    expected = dataset_of(dumped(fresh_remote_store))
    no_gsp = RemoteSparqlStore(
        f"{oxigraph_server}/query", f"{oxigraph_server}/update", f"{oxigraph_server}/nowhere"
    )
    try:
        assert dataset_of(dumped(no_gsp)) == expected
    finally:
        no_gsp.close()


def test_purge_keeps_the_data_and_says_whether_it_rewrote_files(store: GraphStore) -> None:
    store.add([quad("s", "p", ox.Literal("kept"), G1), quad("s", "q", ox.Literal("gone"), G1)])
    store.update(f'DELETE DATA {{ GRAPH <{G1}> {{ <{EX}s> <{EX}q> "gone" }} }}')
    assert store.purge() is (store.kind == "embedded")
    assert {str(r["o"].value) for r in select(store, "SELECT ?o WHERE { ?s ?p ?o }")} == {"kept"}


def test_purge_leaves_no_byte_of_removed_data_on_disk(tmp_path: Path) -> None:
    secret = "Zanzibar-secret-7731 " * 20
    store = OxigraphStore(tmp_path / "store")
    store.add([quad("s", "p", ox.Literal(secret), G1), quad("s", "p", ox.Literal("kept"), G2)])
    store.flush()
    store.update(f"CLEAR GRAPH <{G1}>")
    assert store.purge() is True
    store.add([quad("t", "p", ox.Literal("after"), G2)])  # the store is open and writable
    store.close()
    leftovers = [
        p.name for p in tmp_path.rglob("*") if p.is_file() and b"Zanzibar" in p.read_bytes()
    ]
    assert leftovers == [] and sorted(p.name for p in tmp_path.iterdir()) == ["store"]
    reopened = OxigraphStore(tmp_path / "store")
    assert reopened.quad_count() == 2
    reopened.close()


def test_a_purge_interrupted_mid_swap_is_recovered_on_open(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    store.add([quad("s", "p", ox.Literal("kept"), G1)])
    store.close()
    (tmp_path / "store").rename(tmp_path / "store.old")  # the crash: old moved, fresh not yet in
    reopened = OxigraphStore(tmp_path / "store")
    assert reopened.quad_count() == 1
    reopened.close()
