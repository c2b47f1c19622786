"""/metrics: Prometheus text exposition, read back with prometheus_client's parser."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.provrag.server.conftest import RECORDS, make_client, upload, write_records


def _samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def _value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_latency_and_ingest_counters_move(tmp_path: Path) -> None:
    records = [*RECORDS, {"id": "b2", "origin": "alien", "dataset": "kb", "text": "x"}]
    with make_client(tmp_path / "home") as client:
        before = _samples(client)
        assert upload(client, write_records(tmp_path / "kb.jsonl", records)).status_code == 207
        for _ in range(3):
            client.get("/samples/p1")
        client.get("/samples/nope")
        after = _samples(client)
    route = "/samples/{ref:path}"
    ok = {"route": route, "method": "GET", "status": "200"}
    assert _value(after, "provrag_http_requests_total", **ok) == 3
    assert _value(after, "provrag_http_requests_total", **{**ok, "status": "404"}) == 1
    assert _value(after, "provrag_http_request_duration_seconds_count", route=route) == 4
    assert (
        _value(after, "provrag_http_request_duration_seconds_bucket", route=route, le="+Inf") == 4
    )
    assert _value(before, "provrag_ingest_jobs_total", status="done") == 0
    assert _value(after, "provrag_ingest_jobs_total", status="done") == 1
    assert _value(after, "provrag_ingest_records_total") == 4
    assert _value(after, "provrag_ingest_quarantined_total") == 1


def test_an_unknown_path_is_counted_under_one_label(client: TestClient) -> None:
    for path in ("/nothing/1", "/nothing/2"):
        client.get(path)
    samples = _samples(client)
    labels = {"route": "(unmatched)", "method": "GET", "status": "404"}
    assert _value(samples, "provrag_http_requests_total", **labels) >= 2
    assert not any("/nothing" in str(key) for key in samples)
