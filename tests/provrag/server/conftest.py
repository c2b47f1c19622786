"""An app on a small project (three samples, no model: no entities, no index), in process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from provrag.server import create_app
from provrag.settings import load_settings
from tests.conftest import bearer

RECORDS = [
    {"id": "p1", "text": "Freeze a lost card in the app.", "origin": "real", "dataset": "kb",
     "version": "1", "sensitivity": "public", "metadata": {"lang": "en"}},
    {"id": "p2", "text": "Savings accounts pay 3% interest.", "origin": "real", "dataset": "kb",
     "version": "1", "sensitivity": "public"},
    {"id": "p3", "text": "You can freeze your card from the app.", "origin": "synthetic",
     "dataset": "kb", "version": "1", "sensitivity": "public", "derived_from": ["p1"],
     "generation": {"generator": "para", "prompt_version": "2", "seed": 3}},
]  # fmt: skip


def write_records(path: Path, records: list[dict[str, Any]] = RECORDS) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def upload(client: TestClient, path: Path, *, wait: bool = True, **form: str) -> Any:  # noqa: ANN401
    """POST /ingest of ``path`` without entities or index (no model loads)."""
    with path.open("rb") as fh:
        return client.post(
            "/ingest",
            params={"wait": "true"} if wait else {},
            files={"file": (path.name, fh)},
            data={"ner": "false", "index": "false", **form},
        )


def make_client(home: Path, **settings: Any) -> TestClient:  # noqa: ANN401
    """A client of the app of ``home``, sending a new admin token."""
    return TestClient(create_app(load_settings(home, ner=False, **settings)), headers=bearer(home))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A client of an app whose project holds :data:`RECORDS` (one ingest batch)."""
    home = tmp_path_factory.mktemp("home")
    with make_client(home) as c:
        data = write_records(tmp_path_factory.mktemp("data") / "kb.jsonl")
        response = upload(c, data)
        assert response.status_code == 200, response.text
        yield c
