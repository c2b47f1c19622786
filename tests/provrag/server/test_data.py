"""/samples/{id} and /trace/{id} in every format (no model: search and ask are in
tests/provrag/test_server.py)."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient


def test_a_sample_shows_its_current_record_and_provenance(client: TestClient) -> None:
    body = client.get("/samples/p3").json()
    assert (body["sample_id"], body["dataset"], body["version"]) == ("p3", "kb", "1")
    assert (body["origin"], body["kind"], body["sensitivity"]) == ("synthetic", "passage", "public")
    assert body["text"] == "You can freeze your card from the app."
    assert body["provenance"]["generator"] == "para"
    assert body["provenance"]["prompt_version"] == "2"
    assert client.get("/samples/p1").json()["metadata"] == {"lang": "en"}


def test_a_sample_is_found_by_its_iri_too(client: TestClient) -> None:
    iri = client.get("/samples/p2").json()["iri"]
    assert client.get(f"/samples/{iri}").json()["sample_id"] == "p2"


def test_an_unknown_sample_is_404(client: TestClient) -> None:
    response = client.get("/samples/nope-404")
    assert response.status_code == 404 and "nope-404" in response.json()["message"]


@pytest.mark.parametrize(
    ("fmt", "media"),
    [
        ("json", "application/json"),
        ("prov-json", "application/json"),
        ("turtle", "text/turtle"),
        ("prov-n", "text/plain"),
        ("tree", "text/plain"),
    ],
)
def test_every_trace_format_has_its_media_type(client: TestClient, fmt: str, media: str) -> None:
    response = client.get("/trace/p3", params={"format": fmt})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media)
    assert "para" in response.text  # the generator, whatever the format


def test_trace_documents_parse_in_their_format(client: TestClient) -> None:
    as_json = json.loads(client.get("/trace/p3", params={"format": "prov-json"}).text)
    turtle = client.get("/trace/p3", params={"format": "turtle"}).content
    tree = client.get("/trace/p3", params={"format": "tree"}).text
    assert "entity" in as_json
    assert list(ox.parse(turtle, ox.RdfFormat.TURTLE))
    assert "\x1b[" not in tree  # plain text, no terminal colours


def test_openapi_shows_the_response_models(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert {"ScoredPassage", "AskAnswer", "SampleView", "JobView", "RunDetail"} <= set(schemas)
    ok = spec["paths"]["/samples/{ref}"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"]["$ref"].endswith("/SampleView")
    routes = ["/search", "/ask", "/trace/{ref}", "/ingest", "/jobs/{job_id}", "/eval/runs"]
    routes += ["/eval/runs/{run_id}", "/health", "/metrics", "/sparql", "/sparql/update"]
    assert set(routes) <= set(spec["paths"])
