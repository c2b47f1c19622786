"""Acceptance: with an ``internal`` token no route returns a ``restricted`` sample, its
text or its id; the 401/403 rules; every audited request is in ``provrag audit``.

On the bundled example data (12 restricted samples, 5 internal ones derived from
them, a golden query judging restricted samples), served in process.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from provrag.cli import app as cli_app
from provrag.security.tokens import TokenStore
from provrag.server import create_app
from provrag.settings import load_settings
from tests.conftest import bearer

DATA = Path(__file__).resolve().parents[3] / "provrag" / "example_data"
SAMPLE_NS = "https://w3id.org/provrag/id/sample/"
AUDIT = "https://w3id.org/provrag/id/graph/audit"


def cli(home: Path, *args: str) -> str:
    result = CliRunner().invoke(cli_app, ["--home", str(home), *args])
    assert result.exit_code == 0, result.output
    return result.output


def _records() -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for name in ("kb_v1.jsonl", "kb_v2.jsonl")
        for line in (DATA / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


@pytest.fixture(scope="module")
def restricted() -> dict[str, Any]:
    """The restricted samples' ids and texts (what must never come back)."""
    recs = [r for r in _records() if r.get("sensitivity") == "restricted"]
    return {"ids": sorted({r["id"] for r in recs}), "texts": sorted({r["text"] for r in recs})}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("home")
    (home / "provrag.toml").write_text("ner = false\n", encoding="utf-8")
    cli(home, "ingest", str(DATA / "kb_v1.jsonl"))
    cli(home, "ingest", str(DATA / "kb_v2.jsonl"))
    # a recorded run on a golden set that judges restricted samples (q-045)
    cli(home, "eval", "--golden", str(DATA / "golden.jsonl"), "--retriever", "dense", "--json")
    return home


@pytest.fixture(scope="module")
def tokens(home: Path) -> dict[str, dict[str, str]]:
    store = TokenStore(home / "tokens.sqlite")
    revoked, record = store.create("restricted")
    store.revoke(record.id)
    expired, _ = store.create("restricted", expires=datetime.now(UTC) + timedelta(seconds=1))
    made = json.loads(cli(home, "token", "create", "--role", "internal", "--json"))
    assert set(made) == {"token", "id", "role"} and made["role"] == "internal"
    return {
        "admin": bearer(home),
        "internal": {"Authorization": f"Bearer {made['token']}"},
        "other_dataset": bearer(home, "restricted", datasets=["some-other-dataset"]),
        "revoked": {"Authorization": f"Bearer {revoked}"},
        "expired": {"Authorization": f"Bearer {expired}"},
        "unknown": {"Authorization": "Bearer prv_never-issued"},
        "not_bearer": {"Authorization": "Basic dXNlcjpwYXNz"},
    }


@pytest.fixture(scope="module")
def client(home: Path, tokens: dict[str, dict[str, str]]) -> Iterator[TestClient]:
    with TestClient(create_app(load_settings(home))) as c:
        yield c


def leaks(body: str, restricted: dict[str, Any]) -> list[str]:
    """What ``body`` holds of a restricted sample: an id (bare, or in an IRI) or text."""
    found = [i for i in restricted["ids"] if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", body)]
    found += [t[:50] for t in restricted["texts"] if t[:50] in body]
    return found


@pytest.mark.model  # the example data is embedded at ingest
def test_an_internal_token_gets_no_restricted_sample_anywhere(
    client: TestClient, tokens: dict[str, dict[str, str]], restricted: dict[str, Any]
) -> None:
    admin, internal = tokens["admin"], tokens["internal"]
    # a query that finds restricted samples (as the admin sees), and their texts
    # (words of a restricted text, reordered: /ask echoes the query, not a sample's text)
    secret_query = " ".join(reversed(restricted["texts"][0].split()[:12]))
    graphs = client.get(
        "/sparql",
        params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s a pr:Sample } }"},
        headers=admin,
    ).json()["results"]["bindings"]
    batch = graphs[0]["g"]["value"]
    admin_hits = client.get(
        "/search", params={"q": secret_query, "clearance": "restricted"}, headers=admin
    ).json()
    assert leaks(json.dumps(admin_hits), restricted), "the admin should find restricted ones"

    sparql_tricks = [
        "SELECT ?s ?t WHERE { GRAPH ?g { ?s pr:text ?t } }",
        f"SELECT ?s ?t FROM NAMED <{batch}> WHERE {{ GRAPH ?g {{ ?s pr:text ?t }} }}",
        f"SELECT ?s ?t FROM <{batch}> WHERE {{ ?s pr:text ?t }}",
        'SELECT ?s WHERE { { ?s pr:sensitivity "restricted" } UNION '
        '{ GRAPH ?g { ?s pr:sensitivity "restricted" } } }',
        "SELECT ?s ?t WHERE { { SELECT ?s WHERE { ?s a pr:Sample } } ?s pr:text ?t }",
        "SELECT ?a ?b WHERE { ?a (prov:wasDerivedFrom|^prov:wasDerivedFrom)+ ?b }",
        "SELECT ?a ?id WHERE { ?a pr:judgedSample|pr:citedSample ?x . ?x pr:externalId ?id }",
        "SELECT ?x ?id WHERE { ?x pr:externalId ?id }",
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
        "DESCRIBE ?s WHERE { ?s a pr:Sample }",
        f"SELECT * WHERE {{ GRAPH <{AUDIT}> {{ ?s ?p ?o }} }}",
    ]
    bodies: dict[str, str] = {}
    for n, q in enumerate(sparql_tricks):
        r = client.post(
            "/sparql", content=q, headers={**internal, "content-type": "application/sparql-query"}
        )
        assert r.status_code == 200, (q, r.text)
        bodies[f"sparql {n}: {q}"] = r.text
    service = client.get(
        "/sparql",
        params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"},
        headers=internal,
    )
    assert service.status_code == 400 and "SERVICE" in service.text
    ids = restricted["ids"]
    routes = [
        ("/search", {"q": secret_query}),
        ("/search", {"q": secret_query, "clearance": "restricted", "k": 50}),
        ("/ask", {"q": secret_query, "clearance": "restricted"}),
        ("/trace/kb-0298", {}),  # internal, derived from the restricted kb-0081
        ("/trace/kb-0298", {"format": "turtle"}),
        ("/trace/kb-0081", {"format": "prov-n"}),
        (f"/trace/{SAMPLE_NS}northwind-support/{ids[0]}", {}),
        ("/samples/kb-0298", {}),
        (f"/samples/{ids[-1]}", {}),
        ("/eval/runs", {}),
    ]
    runs = client.get("/eval/runs", headers=internal).json()
    assert runs, "an internal token sees the run (its metrics are aggregates)"
    routes += [(f"/eval/runs/{r['run_id']}", {}) for r in runs]
    for path, params in routes:
        r = client.get(path, params=params, headers=internal)
        if r.status_code == 200:
            bodies[f"{path} {params}"] = r.text
        else:  # a hidden sample is unknown; the message only echoes the id asked for
            assert r.status_code == 404 and r.json()["error"] == "NotFoundError", r.text
    assert client.get("/trace/kb-0298", headers=internal).status_code == 200
    assert client.get("/trace/kb-0081", headers=internal).status_code == 404
    found = {name: got for name, body in bodies.items() if (got := leaks(body, restricted))}
    assert not found, found


@pytest.mark.model  # the example data is embedded at ingest
def test_an_answer_built_on_a_restricted_sample_is_hidden_with_it(
    client: TestClient, tokens: dict[str, dict[str, str]], restricted: dict[str, Any]
) -> None:
    admin, internal = tokens["admin"], tokens["internal"]
    words = " ".join(restricted["texts"][0].split()[:12])
    secret = client.get(
        "/ask", params={"q": words, "clearance": "restricted", "record": "true"}, headers=admin
    ).json()
    public = client.get(
        "/ask", params={"q": "lost card", "clearance": "public", "record": "true"}, headers=admin
    ).json()
    assert secret["id"] and public["id"]
    assert leaks(client.get(f"/trace/{secret['id']}", headers=admin).text, restricted)
    assert client.get(f"/trace/{secret['id']}", headers=internal).status_code == 404
    assert client.get(f"/trace/{public['id']}", headers=internal).status_code == 200
    rows = client.get(
        "/sparql",
        params={"query": "SELECT ?a ?t WHERE { ?a a pr:Answer ; pr:answerText ?t }"},
        headers=internal,
    ).json()["results"]["bindings"]
    assert [r["a"]["value"].rsplit("/", 1)[-1] for r in rows] == [public["id"]]


@pytest.mark.model  # the example data is embedded at ingest
def test_unknown_and_hidden_ids_answer_alike(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    internal = tokens["internal"]
    hidden = client.get("/trace/kb-0200", headers=internal)
    unknown = client.get("/trace/kb-9999", headers=internal)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["error"] == unknown.json()["error"]
    # without a token, neither a hidden, an unknown nor a visible id is told apart
    for ref in ("kb-0200", "kb-9999", "kb-0001"):
        r = client.get(f"/trace/{ref}")
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.model  # the example data is embedded at ingest
@pytest.mark.parametrize("who", ["revoked", "expired", "unknown", "not_bearer"])
def test_a_revoked_expired_unknown_or_malformed_token_is_401(
    client: TestClient, tokens: dict[str, dict[str, str]], who: str
) -> None:
    import time

    time.sleep(1.1 if who == "expired" else 0)  # the expired token lived one second
    for path in ("/search?q=card", "/trace/kb-0001", "/sparql?query=ASK%7B%7D"):
        assert client.get(path, headers=tokens[who]).status_code == 401, path


@pytest.mark.model  # the example data is embedded at ingest
def test_a_token_without_the_role_is_403_before_anything_is_read(
    client: TestClient, tokens: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    internal = tokens["internal"]
    upload = tmp_path / "x.jsonl"
    upload.write_text("not json\n", encoding="utf-8")
    with upload.open("rb") as fh:
        r = client.post("/ingest", files={"file": ("x.jsonl", fh)}, headers=internal)
    assert r.status_code == 403
    assert (
        client.get("/ask", params={"q": "card", "record": "true"}, headers=internal).status_code
        == 403
    )
    assert client.get("/no/such/route", headers=internal).status_code == 403


@pytest.mark.model  # the example data is embedded at ingest
def test_dataset_scopes_hide_other_datasets(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    other = tokens["other_dataset"]
    assert client.get("/search", params={"q": "lost card"}, headers=other).json() == []
    assert client.get("/eval/runs", headers=other).json() == []  # its golden set is out of scope
    assert client.get("/samples/kb-0001", headers=other).status_code == 404
    assert client.get("/trace/kb-0001", headers=other).status_code == 404
    rows = client.get(
        "/sparql", params={"query": "SELECT ?s WHERE { ?s a pr:Sample }"}, headers=other
    ).json()["results"]["bindings"]
    assert rows == []


def test_every_audited_request_is_in_provrag_audit_with_its_samples(tmp_path: Path) -> None:
    home = tmp_path / "home"
    data = tmp_path / "kb.jsonl"
    data.write_text(
        "\n".join(
            json.dumps(
                {
                    "id": f"d{i}",
                    "text": f"Passage {i} about cards.",
                    "origin": "real",
                    "dataset": "kb",
                    "sensitivity": "internal" if i < 3 else "restricted",
                }
            )  # fmt: skip
            for i in range(1, 5)
        ),
        encoding="utf-8",
    )
    cli(home, "ingest", str(data), "--no-ner", "--no-index")
    internal, admin = bearer(home, "internal"), bearer(home)
    query = "SELECT ?s WHERE { ?s a pr:Sample }"
    with TestClient(create_app(load_settings(home))) as c:
        assert c.get("/trace/d1", headers=internal).status_code == 200
        assert c.get("/trace/d4", headers=internal).status_code == 404
        assert c.get("/sparql", params={"query": query}, headers=internal).status_code == 200
        assert c.get("/sparql", params={"query": query}, headers=admin).status_code == 200
        assert c.get("/trace/d1").status_code == 401
    # the app stopped: its audit writer wrote what was queued
    rows = json.loads(cli(home, "audit", "--json"))
    assert [(r["route"], r["status"]) for r in rows] == [
        ("/trace/d1", 200), ("/trace/d4", 404), ("/sparql", 200), ("/sparql", 200),
        ("/trace/d1", 401),
    ]  # fmt: skip

    def ids(row: dict[str, Any]) -> set[str]:
        return {s.split("/")[-2] for s in row["samples"] if s.count("/") == 8}

    assert ids(rows[0]) == {"d1"} and ids(rows[1]) == set()
    assert ids(rows[2]) == {"d1", "d2"} and ids(rows[3]) == {"d1", "d2", "d3", "d4"}
    assert rows[2]["parameters"] == query and rows[4]["token_id"] == "anonymous"
    who = rows[0]["token_id"]
    saw_d1 = json.loads(cli(home, "audit", "--json", "--sample", "d1"))
    assert [r["route"] for r in saw_d1] == ["/trace/d1", "/sparql", "/sparql"]
    saw_d4 = json.loads(cli(home, "audit", "--json", "--sample", "d4", "--who", who))
    assert saw_d4 == []  # the internal token never saw the restricted d4
    assert json.loads(cli(home, "audit", "--json", "--since", "2999-01-01")) == []
