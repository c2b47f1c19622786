"""The access rule: what each route needs, who a header is, what a caller may see."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from provrag.security.access import Caller, Guard, route_access
from provrag.security.tokens import TokenStore
from provrag.server import create_app
from provrag.settings import load_settings


@pytest.mark.parametrize(
    ("method", "path", "query", "need"),
    [
        ("GET", "/health", None, "open"),
        ("GET", "/search", None, "read"),
        ("POST", "/sparql", None, "read"),
        ("GET", "/ask", {"record": "true"}, "admin"),
        ("GET", "/ask", {"record": "false"}, "read"),
        ("POST", "/ingest", None, "admin"),
        ("POST", "/sparql/update", None, "admin"),
        ("DELETE", "/search", None, "admin"),
        ("GET", "/a/route/nobody/classified", None, "admin"),
    ],
)
def test_each_route_needs_what_the_table_says(
    method: str, path: str, query: dict[str, str] | None, need: str
) -> None:
    assert route_access(method, path, query) == need


def test_a_caller_never_runs_above_its_clearance() -> None:
    who = Caller(who="t", role="internal", clearance="internal")
    assert who.cap("restricted") == "internal" and who.cap("public") == "public"
    assert who.cap(None) == "internal" and not who.may("admin") and who.may("read")


def test_anonymous_access_is_off_unless_opened_and_then_public(tmp_path: Path) -> None:
    tokens = TokenStore(tmp_path / "tokens.sqlite")
    assert Guard(tokens).authenticate(None) is None
    anonymous = Guard(tokens, anonymous_public=True).authenticate(None)
    assert anonymous is not None and anonymous.clearance == "public" and not anonymous.admin


def test_every_route_of_the_app_is_closed_without_a_token(tmp_path: Path) -> None:
    app = create_app(load_settings(tmp_path, ner=False))
    with TestClient(app) as client:
        for route in app.routes:
            path = getattr(route, "path", "")
            for method in sorted(getattr(route, "methods", None) or ()):
                concrete = path.replace("{ref:path}", "x").replace("{", "").replace("}", "")
                if route_access(method, concrete) == "open":
                    continue
                r = client.request(method, concrete)
                assert r.status_code == 401, (method, path, r.status_code)


def test_with_security_off_the_server_answers_without_a_token(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, ner=False)
    settings.security.auth = False
    with TestClient(create_app(settings)) as client:
        r = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert r.status_code == 200


def test_anonymous_callers_see_public_data_only(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, ner=False)
    settings.security.anonymous_public = True
    with TestClient(create_app(settings)) as client:
        ok = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        write = client.post("/sparql/update", content="INSERT DATA { <x:a> <x:b> <x:c> }")
    assert ok.status_code == 200 and write.status_code == 403


def test_a_websocket_is_refused(tmp_path: Path) -> None:
    from starlette.websockets import WebSocketDisconnect

    app = create_app(load_settings(tmp_path, ner=False))
    with (
        TestClient(app) as client,
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect("/sparql") as ws,
    ):
        ws.receive_text()
    assert refused.value.code == 1008  # policy violation (a missing route would be 1000)
