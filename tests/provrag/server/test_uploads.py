"""POST /ingest (a background job, or ?wait=true) and GET /jobs/{id}."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.provrag.server.conftest import RECORDS, make_client, upload, write_records


def _finished(client: TestClient, job: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(f"/jobs/{job}").json()
        if body["status"] in ("done", "failed") or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def test_an_upload_is_a_job_whose_report_matches_the_cli_json(tmp_path: Path) -> None:
    with make_client(tmp_path / "home") as client:
        response = upload(client, write_records(tmp_path / "kb.jsonl"), wait=False)
        assert response.status_code == 202
        job = response.json()["job"]
        assert response.headers["location"] == f"/jobs/{job}"
        body = _finished(client, job)
    assert body["status"] == "done" and body["exit_code"] == 0
    assert body["progress"]["done"] == 3
    report = body["report"]
    assert (report["read"], report["new"], report["quarantined"]) == (3, 3, 0)
    assert report["index"] is None and report["embedded"] is None  # index=false


def test_a_bad_file_fails_its_job_and_says_why(tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("not a record\n", encoding="utf-8")
    with make_client(tmp_path / "home") as client:
        body = _finished(client, upload(client, bad, wait=False).json()["job"])
        waited = upload(client, bad)
    assert body["status"] == "failed" and body["report"] is None
    assert body["error"]["error"] and body["error"]["message"]
    assert waited.status_code == 422 and waited.json()["error"] == body["error"]["error"]


def test_waiting_gives_the_report_and_207_when_records_were_quarantined(tmp_path: Path) -> None:
    records = [*RECORDS, {"id": "b2", "origin": "alien", "dataset": "kb", "text": "x"}]
    with make_client(tmp_path / "home") as client:
        response = upload(client, write_records(tmp_path / "kb.jsonl", records))
    assert response.status_code == 207
    assert (response.json()["new"], response.json()["quarantined"]) == (3, 1)


def test_an_unknown_job_is_404(client: TestClient) -> None:
    response = client.get("/jobs/0123")
    assert response.status_code == 404 and "0123" in response.json()["message"]
