"""The CLI and the HTTP server run the same services: on one tiny ingested home, the
JSON of ``provrag search/ask/trace`` and of ``GET /search, /ask, /trace/{id}`` agree
(same hits in the same order, same answer, same lineage).

The server is the app ``provrag serve`` builds (its ``uvicorn.run`` is caught), driven
through FastAPI's TestClient; the CLI runs first, since one process may hold the
embedded store only once at a time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from provrag.cli import app
from tests.conftest import bearer
from tests.ingest.ingest_helpers import real, record, write_jsonl

pytestmark = pytest.mark.model

QUERY = "How do I report a lost card?"
FILTERS = ["--origin", "synthetic", "--label", "intent=card_lost"]
PARAMS = {"origin": "synthetic", "label": "intent=card_lost"}


def cli(home: Path, *args: str) -> Any:  # noqa: ANN401 - a JSON document
    result = CliRunner().invoke(app, ["--home", str(home), *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def served_app(home: Path, monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    """The app ``provrag serve`` builds for ``home``, caught before uvicorn runs it."""
    import uvicorn

    built: list[FastAPI] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: built.append(app))
    result = CliRunner().invoke(app, ["--home", str(home), "serve", "--port", "0"])
    assert result.exit_code == 0, result.output
    return built[0]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every CLI output and the same requests to the server, on one home."""
    home = tmp_path_factory.mktemp("home")
    (home / "provrag.toml").write_text("ner = false\n", encoding="utf-8")
    data = write_jsonl(
        tmp_path_factory.mktemp("data") / "kb.jsonl",
        [record(i) for i in range(1, 7)]
        + [
            real(i, text=f"Call 0800 {i} to block a lost card, then order a new one.")
            for i in (7, 8)
        ]
        + [real(9, text="Savings accounts pay 3% interest a year.")],
    )
    out: dict[str, Any] = {}
    cli(home, "ingest", str(data), "--dataset", "kb", "--version", "1", "--json")
    out["cli_search"] = cli(home, "search", QUERY, "-k", "4", "--json")
    out["cli_search_filtered"] = cli(
        home, "search", QUERY, "-k", "3", "--retriever", "dense", *FILTERS, "--json"
    )
    out["cli_ask"] = cli(home, "ask", QUERY, "-k", "3", "--json")
    recorded = cli(home, "ask", QUERY, "-k", "3", "--record", "--json")
    out["answer_id"] = recorded["id"]
    out["cli_trace_answer"] = cli(home, "trace", recorded["id"], "--format", "json")
    out["cli_trace_sample"] = cli(home, "trace", "kb-0003", "--format", "json")

    with (
        pytest.MonkeyPatch.context() as mp,
        TestClient(served_app(home, mp), headers=bearer(home)) as client,
    ):

        def get(path: str, **params: Any) -> Any:  # noqa: ANN401 - a JSON document
            response = client.get(path, params=params)
            assert response.status_code == 200, response.text
            return response.json()

        out["http_search"] = get("/search", q=QUERY, k=4)
        out["http_search_filtered"] = get("/search", q=QUERY, k=3, retriever="dense", **PARAMS)
        out["http_ask"] = get("/ask", q=QUERY, k=3)
        out["http_trace_answer"] = get(f"/trace/{recorded['id']}")
        out["http_trace_sample"] = get("/trace/kb-0003")
    return out


def test_search_returns_the_same_hits_in_the_same_order(outputs: dict[str, Any]) -> None:
    cli_hits = outputs["cli_search"]["hits"]
    assert cli_hits and [h["sample_id"] for h in cli_hits] == [
        h["sample_id"] for h in outputs["http_search"]
    ]
    assert cli_hits == outputs["http_search"]  # scores, channels, provenance too


def test_filtered_search_agrees(outputs: dict[str, Any]) -> None:
    hits = outputs["cli_search_filtered"]["hits"]
    assert hits and all(h["provenance"]["origin"] == "synthetic" for h in hits)
    assert hits == outputs["http_search_filtered"]


def test_ask_gives_the_same_answer(outputs: dict[str, Any]) -> None:
    cli_answer, http_answer = outputs["cli_ask"], outputs["http_ask"]
    assert cli_answer["answer"] and cli_answer["answer"] == http_answer["answer"]
    assert cli_answer == http_answer  # sentences, citations, passages, retriever, filters


@pytest.mark.parametrize("what", ["answer", "sample"])
def test_trace_is_the_same_lineage(outputs: dict[str, Any], what: str) -> None:
    assert outputs[f"cli_trace_{what}"] == outputs[f"http_trace_{what}"]
    assert outputs[f"cli_trace_{what}"]["children"]
