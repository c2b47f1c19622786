"""The explorer page end to end: a real ``provrag serve`` on the example data, driven
in headless Chromium over the DevTools protocol (search, open a trace, SPARQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.provrag.cdp import Page, open_page
from tests.servers import free_port, running

ROOT = Path(__file__).resolve().parents[2]
KB = ROOT / "provrag" / "example_data" / "kb_v1.jsonl"

pytestmark = [pytest.mark.slow, pytest.mark.model]  # ingest embeds the example data

HITS = "document.querySelectorAll('#hits .hit').length"
STATUS = "document.getElementById('search-status').textContent"
#: the search answered: hits listed, or an error shown
SEARCH_DONE = f"{HITS} > 0 || document.getElementById('search-status').classList.contains('error')"


def _provrag(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "provrag.cli", "--home", str(home), *args]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Base URL of ``provrag serve`` on a home holding the example kb_v1, and an
    admin token."""
    home = tmp_path_factory.mktemp("explorer") / "home"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(
        _provrag(home, "ingest", str(KB), "--json"), check=True, env=env,
        capture_output=True, timeout=600,
    )  # fmt: skip
    made = subprocess.run(
        _provrag(home, "token", "create", "--role", "admin", "--json"),
        check=True, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    token = json.loads(made.stdout)["token"]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running(
        _provrag(home, "serve", "--host", "127.0.0.1", "--port", str(port)), f"{base}/health",
        name="provrag serve", timeout_s=120.0, env=env,
    ):  # fmt: skip
        yield base, token


def _use_token(page: Page, token: str) -> None:
    # the page's script must have run: before it hooks the form, a submit is native and
    # reloads the page (the next evaluate then finds no document to fill in)
    page.wait_for(
        "document.readyState === 'complete' && document.getElementById('token-form') !== null"
    )
    page.evaluate(
        f"document.getElementById('token').value = {token!r};"
        "document.getElementById('token-form').requestSubmit(); true"
    )


def test_search_trace_and_screenshot(
    server: tuple[str, str], chromium: str, tmp_path: Path
) -> None:
    base, token = server
    with open_page(chromium, tmp_path / "profile", f"{base}/") as page:
        page.send("Page.enable")
        _use_token(page, token)
        page.evaluate(
            "document.getElementById('q').value = 'I lost my card abroad';"
            "document.getElementById('search-form').requestSubmit(); true"
        )
        page.wait_for(SEARCH_DONE, timeout=180)
        assert page.evaluate(HITS) == 10, page.evaluate(STATUS)
        badges = page.evaluate(
            "[...document.querySelectorAll('#hits .badge')].map(b => b.textContent)"
        )
        assert "real" in badges and "expert-labelled" in badges
        assert page.evaluate("document.querySelector('#hits .why li').textContent").startswith(
            "found by "
        )
        first = page.evaluate("document.querySelector('#hits .hit').dataset.id")
        page.evaluate("document.querySelector('#hits .hit').click(); true")
        page.wait_for(f"document.body.dataset.traced === {first!r}")
        kinds = page.evaluate(
            "[...document.querySelectorAll('#trace-graph g.node')].map(n => n.dataset.kind)"
        )
        edges = page.evaluate("document.querySelectorAll('#trace-graph path.edge').length")
        # sample -> labels -> annotations -> agents/guidelines, dataset version, batch -> file
        assert {"sample", "label", "annotation", "agent", "guideline", "dataset_version",
                "ingest_batch", "source_file"} <= set(kinds)  # fmt: skip
        assert kinds[0] == "sample" and edges >= len(kinds) - 1  # the root, then its lineage
        shot = page.screenshot(tmp_path / "explorer-trace.png")
        print(f"explorer screenshot: {shot}")
        assert shot.stat().st_size > 10_000

        page.evaluate("document.getElementById('tab-sparql').click(); true")
        page.evaluate(
            "document.getElementById('sparql-query').value = "
            "'SELECT (COUNT(?s) AS ?n) WHERE { ?s a pr:Sample }';"
            "document.getElementById('sparql-form').requestSubmit(); true"
        )
        count = page.wait_for("document.querySelector('#sparql-table tbody td')?.textContent")
        assert int(count) >= 321  # the 321 example samples (an admin may see more)
        print(f"explorer SPARQL screenshot: {page.screenshot(tmp_path / 'explorer-sparql.png')}")


def test_page_sends_the_token_it_was_given(
    server: tuple[str, str], chromium: str, tmp_path: Path
) -> None:
    """With a token entered, API calls carry ``Authorization: Bearer <token>``."""
    base, token = server
    with open_page(chromium, tmp_path / "profile", f"{base}/explorer/") as page:
        page.send("Network.enable")
        _use_token(page, token)
        page.evaluate(
            "document.getElementById('q').value = 'fees';"
            "document.getElementById('search-form').requestSubmit(); true"
        )
        page.wait_for(SEARCH_DONE, timeout=180)
        assert page.evaluate(HITS) > 0, page.evaluate(STATUS)
        assert page.evaluate("sessionStorage.getItem('provrag-token')") == token
        assert f"Bearer {token}" in page.network_authorizations()
