"""The explorer page is served by the app, from package data, with nothing external."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from provrag.server import create_app
from provrag.server.explorer import STATIC_DIR
from provrag.settings import load_settings


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = load_settings(tmp_path_factory.mktemp("home"), ner=False)
    with TestClient(create_app(settings)) as c:
        yield c


def test_root_redirects_to_the_page(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code in (302, 307) and response.headers["location"] == "/explorer/"


def test_page_and_its_assets_are_served(client: TestClient) -> None:
    page = client.get("/explorer/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for asset in re.findall(r'(?:src|href)="(static/[^"]+)"', page.text):
        assert client.get(f"/explorer/{asset}").status_code == 200, asset


def test_page_loads_nothing_from_elsewhere() -> None:
    """No CDN, no absolute URL: every file refers only to the server that served it."""
    for path in Path(STATIC_DIR).iterdir():
        text = path.read_text(encoding="utf-8")
        external = r"""(?:src|href|url\(|fetch\()\s*=?\s*["']?(?:https?:)?//"""
        assert not re.search(external, text), path
