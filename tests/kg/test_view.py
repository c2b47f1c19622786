"""A caller's view of the graph: only what their clearance and dataset scopes may see."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest

from kg.errors import QueryError
from kg.graph import AUDIT_GRAPH, REGISTRY_GRAPH, KnowledgeGraph
from kg.model import SampleRecord
from kg.queries.access import SampleAccess
from kg.store.embedded import OxigraphStore
from kg.terms import ID_NS, PR
from kg.view import ViewCache, build_view, hidden_samples, query_view

PROV = "http://www.w3.org/ns/prov#"
SECRET_TEXT = "The vault code is 4711."


def rec(ext: str, text: str, sensitivity: str, dataset: str = "kb", **extra: Any) -> SampleRecord:
    return SampleRecord.model_validate(
        {"id": ext, "text": text, "origin": "real", "dataset": dataset,
         "sensitivity": sensitivity, **extra}
    )  # fmt: skip


@pytest.fixture
def kg(write_samples: Any) -> Iterator[KnowledgeGraph]:
    graph = KnowledgeGraph(OxigraphStore(None))
    label = {"field": "intent", "value": "vault", "annotator": "ann-secret",
             "guideline_version": "1"}  # fmt: skip
    generation = {"generator": "secret-generator", "prompt_version": "9"}
    pub, sec, other = write_samples(
        graph,
        [
            rec(
                "pub",
                "Open an account online.",
                "public",
                labels=[{**label, "value": "open", "annotator": "ann-1"}],
            ),
            rec(
                "sec",
                SECRET_TEXT,
                "restricted",
                origin="synthetic",
                labels=[label],
                generation=generation,
            ),  # fmt: skip
            rec("other", "Savings pay interest.", "public", dataset="other"),
        ],
    )
    answer = f"{ID_NS}answer/a1"
    n = ox.NamedNode
    graph.write_atomic(
        f"{ID_NS}answer/a1",
        [
            ox.Quad(n(pub), n(f"{PROV}wasDerivedFrom"), n(sec)),
            ox.Quad(n(answer), n(f"{PROV}wasDerivedFrom"), n(sec)),
            ox.Quad(n(answer), n(str(PR.answerText)), ox.Literal("the vault code")),
        ],
    )
    graph.store.add(
        [ox.Quad(n(f"{ID_NS}audit/r1"), n(str(PR.route)), ox.Literal("/search"), n(AUDIT_GRAPH))]
    )
    yield graph
    graph.close()


def dump(kg: KnowledgeGraph) -> str:
    buf = io.BytesIO()
    kg.store.dump(buf, "nquads")
    return buf.getvalue().decode("utf-8")


def test_hidden_samples_follow_clearance_scopes_and_fail_closed() -> None:
    samples = [
        SampleAccess("s:pub", "public", frozenset({"kb"})),
        SampleAccess("s:int", "internal", frozenset({"kb"})),
        SampleAccess("s:res", "restricted", frozenset({"kb"})),
        SampleAccess("s:none", None, frozenset({"kb"})),
        SampleAccess("s:other", "public", frozenset({"other"})),
    ]
    assert hidden_samples(samples, "internal", None) == {"s:res", "s:none"}
    assert hidden_samples(samples, "public", ["kb"]) == {"s:int", "s:res", "s:none", "s:other"}
    assert hidden_samples(samples, "restricted", None) == set()


def test_a_view_holds_nothing_of_a_hidden_sample(kg: KnowledgeGraph) -> None:
    text = dump(build_view(kg, "internal"))
    sec = f"{ID_NS}sample/kb/sec"
    assert sec not in text and SECRET_TEXT not in text
    assert "ann-secret" not in text and "secret-generator" not in text  # only it used them
    assert "the vault code" not in text  # an answer built on it
    assert f"{ID_NS}sample/kb/pub/" in text and "Open an account online." in text
    assert str(PR.route) not in text and REGISTRY_GRAPH not in text  # audit, registry


def test_a_visible_sample_keeps_its_own_nodes_but_not_its_edge_to_a_hidden_one(
    kg: KnowledgeGraph,
) -> None:
    view = build_view(kg, "internal")
    rows = view.select(
        'SELECT ?s ?v WHERE { ?s pr:externalId "pub" ; pr:hasLabel ?l . ?l pr:labelValue ?v }'
    )
    assert [r["v"] for r in rows] == ["open"]
    assert not view.ask('ASK { ?s pr:externalId "pub" ; prov:wasDerivedFrom ?x }')


def test_scopes_hide_other_datasets_and_their_versions(kg: KnowledgeGraph) -> None:
    text = dump(build_view(kg, "restricted", ["kb"]))
    assert f"{ID_NS}sample/other/" not in text and f"{ID_NS}dataset/other" not in text
    assert SECRET_TEXT in text  # restricted clearance, in scope


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "select * where { service silent <http://x/> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o . SeRvIcE ?ep { ?s ?p ?o } }",
    ],
)
def test_a_view_refuses_service(kg: KnowledgeGraph, query: str) -> None:
    with pytest.raises(QueryError, match="SERVICE"):
        query_view(build_view(kg, "internal"), query)


def test_service_in_a_literal_iri_or_comment_is_not_a_clause(kg: KnowledgeGraph) -> None:
    query = (
        'SELECT ?s WHERE { ?s pr:text ?t FILTER(?t != "SERVICE") '
        "FILTER(?s != <http://x/SERVICE>) } # SERVICE"
    )
    assert query_view(build_view(kg, "internal"), query).rows  # type: ignore[union-attr]


def test_the_cache_builds_once_per_graph_state(kg: KnowledgeGraph, write_samples: Any) -> None:
    cache = ViewCache(kg)
    first = cache.view("internal")
    assert cache.view("internal") is first
    assert cache.view("public") is not first
    write_samples(kg, [rec("new", "A new passage.", "public")], batch_id="batch-2")
    again = cache.view("internal")
    assert again is not first
    assert again.ask('ASK { ?s pr:externalId "new" }')


def test_scopes_hide_golden_sets_of_other_datasets_and_their_runs(kg: KnowledgeGraph) -> None:
    n, rdf_type = ox.NamedNode, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    gs, run = f"{ID_NS}golden/faq/1", f"{ID_NS}run/r1"
    kg.write_atomic(
        run,
        [
            ox.Quad(n(gs), rdf_type, n(str(PR.GoldenSet))),
            ox.Quad(n(gs), n("http://purl.org/dc/terms/references"), n(f"{ID_NS}dataset/other")),
            ox.Quad(n(f"{gs}/item/q1"), n(str(PR.queryText)), ox.Literal("other question")),
            ox.Quad(n(run), n(str(PR.goldenSet)), n(gs)),
            ox.Quad(n(f"{run}/metric/overall/all/ndcg"), n(str(PR.metricValue)), ox.Literal("0.5")),
        ],
    )
    scoped, everything = (
        dump(build_view(kg, "restricted", ["kb"])),
        dump(build_view(kg, "restricted")),
    )
    for node in (gs, run, "other question"):
        assert node not in scoped and node in everything
