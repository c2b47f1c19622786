"""The HTTP API end to end, in process (FastAPI TestClient; no network)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from provrag.server import create_app
from provrag.settings import load_settings
from tests.conftest import bearer

RECORDS = [
    {
        "id": "p1",
        "text": "Freeze a lost card in the Northwind app, then call us.",
        "origin": "real",
        "dataset": "kb",
        "version": "1",
        "sensitivity": "public",
    },
    {
        "id": "p2",
        "text": "Savings accounts pay 3% interest a year on balances over 100 pounds.",
        "origin": "real",
        "dataset": "kb",
        "version": "1",
        "sensitivity": "public",
    },
    {
        "id": "p3",
        "text": "You can freeze your card from the app if you lose it.",
        "origin": "synthetic",
        "dataset": "kb",
        "version": "1",
        "sensitivity": "public",
        "generation": {"generator": "para", "prompt_version": "2", "seed": 3},
    },
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    home = tmp_path_factory.mktemp("home")
    settings = load_settings(home, ner=False)
    with TestClient(create_app(settings), headers=bearer(home)) as c:
        yield c


@pytest.fixture(scope="module")
def ingested(client: TestClient, tmp_path_factory: pytest.TempPathFactory) -> dict:
    path = tmp_path_factory.mktemp("data") / "kb.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", encoding="utf-8")
    with path.open("rb") as fh:
        response = client.post(
            "/ingest?wait=true", files={"file": ("kb.jsonl", fh)}, data={"ner": "false"}
        )
    assert response.status_code == 200, response.text
    return response.json()


def test_health(client: TestClient) -> None:
    assert client.get("/health").json()["status"] == "ok"


@pytest.mark.model  # `ingested` embeds the samples
def test_ingest_reports_counts_and_embeddings(ingested: dict) -> None:
    assert (ingested["read"], ingested["new"], ingested["embedded"]) == (3, 3, 3)


@pytest.mark.model  # `ingested` embeds the samples
def test_sparql_get_returns_sparql_json(client: TestClient, ingested: dict) -> None:
    response = client.get(
        "/sparql", params={"query": "SELECT (COUNT(?s) AS ?n) WHERE { ?s a pr:Sample }"}
    )
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "3"


def test_sparql_post_refuses_updates(client: TestClient) -> None:
    response = client.post(
        "/sparql", content=b"DROP ALL", headers={"content-type": "application/sparql-query"}
    )
    assert response.status_code == 400
    assert "read-only" in response.text


@pytest.mark.model  # `ingested` embeds the samples
def test_search_honours_the_origin_filter(client: TestClient, ingested: dict) -> None:
    hits = client.get(
        "/search", params={"q": "lost card", "k": 3, "origin": "real", "retriever": "dense"}
    ).json()
    assert hits and {h["sample_id"] for h in hits} <= {"p1", "p2"}
    assert hits[0]["sample_id"] == "p1"


@pytest.mark.model  # `ingested` embeds the samples
def test_search_returns_the_kinds_asked_for(client: TestClient, ingested: dict) -> None:
    params = {"q": "lost card", "k": 3, "retriever": "dense"}
    hits = client.get("/search", params={**params, "kind": "question"}).json()
    assert hits == []  # the test data holds passages only
    assert client.get("/search", params={**params, "kind": "passage"}).json()


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"origin": "alien"}, "origin"),
        ({"clearance": "secret"}, "clearance"),
        ({"retriever": "magic"}, "retriever"),
        ({"label": "topic"}, "FIELD=VALUE"),
        ({"kind": "tweet"}, "kind"),
    ],
)
def test_search_rejects_a_bad_filter(client: TestClient, params: dict, named: str) -> None:
    response = client.get("/search", params={"q": "x", **params})
    assert response.status_code == 400
    assert named in response.text


@pytest.mark.parametrize(
    ("params", "named"),
    [({"origin": "alien"}, "origin"), ({"label": "topic"}, "FIELD=VALUE"), ({}, "q")],
)
def test_ask_rejects_a_bad_request(client: TestClient, params: dict, named: str) -> None:
    response = client.get("/ask", params={"q": "x", **params} if params else {})
    assert response.status_code == 400
    assert named in response.json()["message"]


def test_trace_rejects_an_unknown_format(client: TestClient) -> None:
    response = client.get("/trace/p3", params={"format": "yaml"})
    assert response.status_code == 400 and "format" in response.json()["message"]


@pytest.mark.model  # `ingested` embeds the samples
def test_trace_of_a_sample_names_its_generator(client: TestClient, ingested: dict) -> None:
    tree = client.get("/trace/p3").json()
    assert "para" in json.dumps(tree)


def test_trace_of_an_unknown_id_is_404(client: TestClient) -> None:
    assert client.get("/trace/nope-404").status_code == 404


def test_upload_with_bad_records_is_207_and_quarantined(client: TestClient, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"id": "b1", "text": "ok", "origin": "real", "dataset": "kb"}\n'
        '{"id": "b2", "origin": "alien", "dataset": "kb", "text": "x"}\n',
        encoding="utf-8",
    )
    with path.open("rb") as fh:
        response = client.post(
            "/ingest?wait=true",
            files={"file": ("bad.jsonl", fh)},
            data={"ner": "false", "index": "false"},
        )
    assert response.status_code == 207
    body = response.json()
    assert (body["new"], body["quarantined"]) == (1, 1)
