"""/sparql and /sparql/update: the SPARQL 1.1 Protocol, in process."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib.query import Result

from tests.provrag.server.conftest import make_client, upload, write_records

COUNT = "SELECT (COUNT(?s) AS ?n) WHERE { ?s a pr:Sample }"
TEXTS = "SELECT ?id ?text WHERE { ?s pr:externalId ?id ; pr:text ?text } ORDER BY ?id"
CONSTRUCT = "CONSTRUCT { ?s pr:externalId ?id } WHERE { ?s a pr:Sample ; pr:externalId ?id }"
FORM = "application/x-www-form-urlencoded"


def _count(response) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_a_query_by_get_by_form_and_by_body_answers_alike(client: TestClient) -> None:
    by_get = client.get("/sparql", params={"query": TEXTS})
    by_form = client.post("/sparql", data={"query": TEXTS})
    by_body = client.post(
        "/sparql", content=TEXTS.encode(), headers={"content-type": "application/sparql-query"}
    )
    assert by_get.headers["content-type"].startswith("application/sparql-results+json")
    assert by_get.json() == by_form.json() == by_body.json()
    assert [b["id"]["value"] for b in by_get.json()["results"]["bindings"]] == ["p1", "p2", "p3"]


@pytest.mark.parametrize(
    ("accept", "media", "fmt"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml", "XML"),
        ("text/csv", "text/csv", "CSV"),
        ("text/tab-separated-values", "text/tab-separated-values", "TSV"),
        ("application/json", "application/sparql-results+json", "JSON"),
        ("*/*", "application/sparql-results+json", "JSON"),
    ],
)
def test_select_answers_in_the_negotiated_results_format(
    client: TestClient, accept: str, media: str, fmt: str
) -> None:
    response = client.get("/sparql", params={"query": TEXTS}, headers={"accept": accept})
    assert response.headers["content-type"].startswith(media)
    result = Result.parse(io.BytesIO(response.content), format=fmt.lower())
    assert [str(row[0]) for row in result] == ["p1", "p2", "p3"]  # type: ignore[index]


def test_q_values_decide_between_acceptable_types(client: TestClient) -> None:
    accept = "text/csv;q=0.5, application/sparql-results+xml;q=0.9, */*;q=0.1"
    response = client.get("/sparql", params={"query": COUNT}, headers={"accept": accept})
    assert response.headers["content-type"].startswith("application/sparql-results+xml")


def test_ask_answers_in_json_and_xml(client: TestClient) -> None:
    ask = "ASK { ?s pr:externalId 'p2' }"
    as_json = client.get("/sparql", params={"query": ask}).json()
    as_xml = client.get(
        "/sparql", params={"query": ask}, headers={"accept": "application/sparql-results+xml"}
    )
    assert as_json["boolean"] is True
    assert bool(ox.parse_query_results(as_xml.content, ox.QueryResultsFormat.XML)) is True


@pytest.mark.parametrize(
    ("accept", "rdf_format"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("", ox.RdfFormat.TURTLE),
    ],
)
def test_construct_answers_in_the_negotiated_rdf_format(
    client: TestClient, accept: str, rdf_format: ox.RdfFormat
) -> None:
    headers = {"accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(rdf_format.media_type)
    ids = {t.object.value for t in ox.parse(io.BytesIO(response.content), rdf_format)}
    assert ids == {"p1", "p2", "p3"}


def test_a_format_parameter_overrides_accept(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": CONSTRUCT, "format": "json"}, headers={"accept": "text/csv"}
    )
    assert response.headers["content-type"].startswith("application/ld+json")


def test_nothing_acceptable_is_406_naming_what_is(client: TestClient) -> None:
    select = client.get("/sparql", params={"query": COUNT}, headers={"accept": "image/png"})
    construct = client.get("/sparql", params={"query": CONSTRUCT}, headers={"accept": "text/csv"})
    assert (select.status_code, construct.status_code) == (406, 406)
    assert "application/sparql-results+json" in select.text and "text/turtle" in construct.text


@pytest.mark.parametrize(
    ("method", "kwargs", "says"),
    [
        ("get", {}, "no 'query'"),
        ("get", {"params": [("query", COUNT), ("query", COUNT)]}, "2 'query'"),
        ("post", {"data": {"query": COUNT}, "params": {"query": COUNT}}, "2 'query'"),
        ("get", {"params": {"query": "SELECT ?s WHERE { ?s"}}, "syntax"),
        ("get", {"params": {"query": "DROP ALL"}}, "read-only"),
        ("post", {"data": {"update": "DROP ALL"}}, "/sparql/update"),
    ],
)
def test_protocol_errors_are_400_with_the_reason(
    client: TestClient, method: str, kwargs: dict, says: str
) -> None:
    response = getattr(client, method)("/sparql", **kwargs)
    assert response.status_code == 400
    assert says in response.json()["message"]


def test_a_body_and_a_query_parameter_are_two_queries(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        params={"query": COUNT},
        content=COUNT.encode(),
        headers={"content-type": "application/sparql-query"},
    )
    assert response.status_code == 400 and "two queries" in response.text


def test_another_content_type_is_415(client: TestClient) -> None:
    response = client.post("/sparql", content=b"{}", headers={"content-type": "application/json"})
    assert response.status_code == 415


def _graphs(client: TestClient) -> list[str]:
    rows = client.get(
        "/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s a pr:Sample } }"}
    ).json()["results"]["bindings"]
    return [r["g"]["value"] for r in rows]


def test_default_graph_uri_sets_the_default_graph(client: TestClient) -> None:
    (batch,) = _graphs(client)
    inside = client.get("/sparql", params={"query": COUNT, "default-graph-uri": batch})
    elsewhere = client.get(
        "/sparql", params={"query": COUNT, "default-graph-uri": "http://example.org/none"}
    )
    assert (_count(inside), _count(elsewhere)) == (3, 0)


def test_named_graph_uri_bounds_graph_patterns(client: TestClient) -> None:
    (batch,) = _graphs(client)
    query = "SELECT (COUNT(?s) AS ?n) WHERE { GRAPH ?g { ?s a pr:Sample } }"
    named = client.post("/sparql", data={"query": query, "named-graph-uri": batch})
    other = client.post("/sparql", data={"query": query, "named-graph-uri": "http://x.org/g"})
    # only default-graph-uri given: no named graph is reachable
    none = client.get("/sparql", params={"query": query, "default-graph-uri": batch})
    assert (_count(named), _count(other), _count(none)) == (3, 0, 0)


def _project(tmp_path: Path, **server: object) -> TestClient:
    client = make_client(tmp_path / "home", server=server)
    client.__enter__()
    assert upload(client, write_records(tmp_path / "kb.jsonl")).status_code == 200
    return client


def test_an_answer_over_the_row_cap_is_cut_and_says_so(tmp_path: Path) -> None:
    client = _project(tmp_path, sparql_max_rows=2)
    try:
        cut = client.get("/sparql", params={"query": TEXTS})
        whole = client.get("/sparql", params={"query": TEXTS + " LIMIT 2"})
        triples = client.get("/sparql", params={"query": CONSTRUCT, "format": "ntriples"})
    finally:
        client.__exit__(None, None, None)
    assert len(cut.json()["results"]["bindings"]) == 2
    assert cut.headers["x-provrag-truncated"] == "true"
    assert cut.headers["x-provrag-max-rows"] == "2"
    assert "x-provrag-truncated" not in whole.headers
    assert len(triples.text.strip().splitlines()) == 2 and triples.headers["x-provrag-truncated"]


def test_a_query_past_its_budget_is_503(tmp_path: Path) -> None:
    client = _project(tmp_path, sparql_timeout_s=0.05)
    # every quad cubed (~10^6 solutions to count): far more than 50 ms, a few seconds at most
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"
    try:
        response = client.get("/sparql", params={"query": heavy})
    finally:
        client.__exit__(None, None, None)
    assert response.status_code == 503
    assert "sparql_timeout_s" in response.json()["message"]


def test_an_update_at_sparql_update_changes_the_graph(tmp_path: Path) -> None:
    client = _project(tmp_path)
    insert = "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/x> a pr:Sample } }"
    try:
        by_body = client.post(
            "/sparql/update",
            content=insert.encode(),
            headers={"content-type": "application/sparql-update"},
        )
        after = _count(client.get("/sparql", params={"query": COUNT}))
        by_form = client.post(
            "/sparql/update", data={"update": "DROP GRAPH <http://example.org/g>"}
        )
        dropped = _count(client.get("/sparql", params={"query": COUNT}))
        bad = client.post("/sparql/update", data={"update": "INSERT nonsense"})
    finally:
        client.__exit__(None, None, None)
    assert (by_body.status_code, by_form.status_code) == (204, 204)
    assert (after, dropped) == (4, 3)
    assert bad.status_code == 400 and "syntax" in bad.json()["message"]


def test_the_openapi_document_describes_the_protocol(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    names = {p["name"] for p in spec["paths"]["/sparql"]["get"]["parameters"]}
    assert {"query", "default-graph-uri", "named-graph-uri"} <= names
    assert "406" in spec["paths"]["/sparql"]["post"]["responses"]
    assert json.dumps(spec["paths"]["/sparql/update"])
