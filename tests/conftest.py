"""Shared fixtures: a real Oxigraph server for the remote-store tests, a small
writer of sample records through kg.mapping, the browser of the rendering tests
(skipped off CI when absent), and the guard that keeps ``@pytest.mark.model``
honest.

Package-specific fixtures live in ``tests/<pkg>/conftest.py``.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping import (
    BatchInfo,
    SharedNodes,
    SourceFileInfo,
    batch_triples,
    dataset_version_triples,
    sample_context,
    sample_triples,
)
from kg.model import SampleRecord
from kg.store.remote import RemoteSparqlStore
from tests.servers import free_port, running

SERVER_START_TIMEOUT_S = 30.0


def _oxigraph_binary() -> str | None:
    """The ``oxigraph`` CLI of PyPI ``oxigraph``: next to the interpreter, else on PATH."""
    local = Path(sys.executable).parent / "oxigraph"
    if local.is_file():
        return str(local)
    return shutil.which("oxigraph")


@pytest.fixture(scope="session")
def oxigraph_server() -> Iterator[str]:
    """Base URL of an in-memory Oxigraph server on 127.0.0.1, for the whole session."""
    binary = _oxigraph_binary()
    if binary is None:
        pytest.fail(
            "the `oxigraph` server binary is missing, so the remote-store tests cannot run; "
            "install the test extras: pip install -e '.[test]'"
        )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running(
        [binary, "serve", "--bind", f"127.0.0.1:{port}"], f"{base}/query",
        name="oxigraph serve", timeout_s=SERVER_START_TIMEOUT_S, params={"query": "ASK {}"},
        stop_timeout_s=10.0,
    ):  # fmt: skip
        yield base


@pytest.fixture
def fresh_remote_store(oxigraph_server: str) -> Iterator[RemoteSparqlStore]:
    """A ``RemoteSparqlStore`` on the session server, emptied (``DROP ALL``) first."""
    store = RemoteSparqlStore.from_settings(base_url=oxigraph_server)
    store.update("DROP ALL")
    try:
        yield store
    finally:
        store.close()


# ------------------------------------------------------------------ graph building

WriteSamples = Callable[..., list[str]]


def _write_samples(
    kg: KnowledgeGraph,
    records: list[SampleRecord],
    *,
    batch_id: str = "batch-1",
    file_sha256: str = "f" * 64,
    file_path: str = "samples.jsonl",
) -> list[str]:
    """Write ``records`` as one committed ingest batch through kg.mapping; returns sample IRIs."""
    batch = ids.batch_iri(batch_id)
    shared = SharedNodes()
    statements: list[str] = []
    iris: list[str] = []
    for i, rec in enumerate(records):
        external_id = rec.id or f"rec-{i}"
        ctx = sample_context(rec, external_id, batch)
        statements += sample_triples(rec, ctx, shared)
        iris.append(ctx.iri)
    for dataset, version in sorted({(r.dataset, r.version) for r in records}):
        statements += dataset_version_triples(dataset, version)
    when = datetime(2026, 11, 1, tzinfo=UTC)
    statements += batch_triples(
        BatchInfo(
            iri=batch,
            started=when,
            ended=when,
            provrag_version="test",
            files=[SourceFileInfo(path=file_path, sha256=file_sha256, size=100)],
            counts={"read": len(records), "valid": len(records), "new": len(records)},
            on_invalid="quarantine",
            on_duplicate="skip",
        )
    )
    with kg.write_graph(batch) as writer:
        writer.add_statements(statements)
    return iris


@pytest.fixture(scope="session")
def write_samples() -> WriteSamples:
    """``write_samples(kg, records, batch_id=..., file_sha256=...)``: one ingest batch."""
    return _write_samples


def bearer(home: Path, role: str = "admin", **options: Any) -> dict[str, str]:
    """Headers carrying a new API token of ``role`` for the server of ``home``
    (``options``: ``datasets``, ``expires`` of :meth:`TokenStore.create`)."""
    from provrag.security.tokens import TokenStore, parse_role

    secret, _ = TokenStore(home / "tokens.sqlite").create(parse_role(role), **options)
    return {"Authorization": f"Bearer {secret}"}


# ------------------------------------------------------------------ tools of CI


def on_ci() -> bool:
    """Whether the ``CI`` environment variable is set (``.ci/run`` runs with CI=true)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_tool(name: str, candidates: tuple[str, ...], install: str) -> str:
    """The path of an external program a test needs (a browser, a converter...).

    Absent on a developer's machine (the ``CI`` environment variable unset): the
    test is skipped, saying how to install it. Absent on CI: the test fails, since
    ``.ci/run`` installs it and a skip there would hide a broken install step.
    """
    for candidate in candidates:
        found = candidate if Path(candidate).is_file() else shutil.which(candidate)
        if found:
            return found
    why = f"{name} is not installed ({install})"
    if on_ci():
        pytest.fail(f"{why}; CI is set and .ci/run installs it, so its install step failed")
    pytest.skip(f"{why}; skipped off CI (set CI=1 to make this a failure)")


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of headless Chromium (Debian's ``chromium``); skip off CI when it is absent."""
    return require_tool(
        "Chromium",
        ("/usr/bin/chromium", "chromium", "chromium-browser"),
        "apt-get install chromium",
    )


# ------------------------------------------------------------------ model marker

#: fixtures that hand a test a loaded model: a test using one must be marked ``model``
MODEL_FIXTURES = frozenset({"embedder", "spacy_extractor"})
#: every model load of the session, in order ("what (where)")
_MODEL_LOADS: list[str] = []
#: how many of ``_MODEL_LOADS`` earlier tests have accounted for
_ACCOUNTED = [0]
#: (fixture name, node id of its scope) of the fixtures whose setup loaded a model:
#: every test that uses such a fixture instance needs the marker, not only the first
_LOADING_FIXTURES: set[tuple[str, str]] = set()


def _note_load(what: str) -> None:
    """Record a load, and the fixtures (by name and scope) being set up around it."""
    _MODEL_LOADS.append(what)
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "call_fixture_func":  # pytest setting up a fixture
            request = frame.f_locals.get("request")
            if isinstance(request, pytest.FixtureRequest) and request.fixturename:
                _LOADING_FIXTURES.add((request.fixturename, request.node.nodeid))
        frame = frame.f_back  # type: ignore[assignment]


def _has_ner(nlp: Any) -> bool:
    """A trained pipeline, as opposed to a blank one saved to disk."""
    return nlp is not None and "ner" in getattr(nlp, "pipe_names", ())


@pytest.fixture(scope="session", autouse=True)
def _record_model_loads() -> Iterator[None]:
    """Wrap the two places a model is loaded, for the whole session (autouse runs first).

    ``retrieval.embedder._load_model`` is what ``load_embedder`` calls on every real
    load (also when its in-process cache answers), and ``ingest.ner._load_pipeline``
    is where ``load_extractor`` loads a spaCy pipeline (``spacy.load`` or the
    package's ``load()``). Tests reach models through these only. A load that fails
    (a missing model) is not a load.
    """
    import ingest.ner as ner
    import retrieval.embedder as embedder

    real_embedder = embedder._load_model
    real_pipeline = ner._load_pipeline

    def load_model(source: str, model: str, device: str) -> Any:
        loaded = real_embedder(source, model, device)
        _note_load(f"the sentence-transformers model {model!r}")
        return loaded

    def load_pipeline(model: str) -> Any:
        nlp = real_pipeline(model)
        if _has_ner(nlp):
            _note_load(f"the spaCy pipeline {model!r}")
        return nlp

    embedder._load_model = load_model  # type: ignore[assignment]
    ner._load_pipeline = load_pipeline  # type: ignore[assignment]
    try:
        yield
    finally:
        embedder._load_model = real_embedder  # type: ignore[assignment]
        ner._load_pipeline = real_pipeline  # type: ignore[assignment]


@pytest.fixture(autouse=True)
def _model_marker_is_honest(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that loads a model, or uses a fixture that did, without ``model``.

    Loads are attributed to the test during whose setup, call or teardown they
    happened (a session or module fixture built for it included): they fall
    between the previous test's teardown and this one's. A fixture whose setup
    loaded a model (or one of MODEL_FIXTURES) makes every test using it a model test.
    """
    marked = request.node.get_closest_marker("model") is not None
    scopes = {node.nodeid for node in request.node.listchain()}
    used = sorted(
        name
        for name in request.fixturenames
        if name in MODEL_FIXTURES or any((name, s) in _LOADING_FIXTURES for s in scopes)
    )
    if used and not marked:
        _ACCOUNTED[0] = len(_MODEL_LOADS)  # this test's loads, if any: blame no other
        pytest.fail(
            f"{request.node.nodeid} uses the fixture(s) {', '.join(used)}, which load a model, "
            "but is not marked: add @pytest.mark.model (or pytestmark = pytest.mark.model)"
        )
    yield
    loads = _MODEL_LOADS[_ACCOUNTED[0] :]
    _ACCOUNTED[0] = len(_MODEL_LOADS)
    if loads and not marked:
        pytest.fail(
            f"{request.node.nodeid} loads {'; '.join(dict.fromkeys(loads))} but is not "
            "marked: add @pytest.mark.model (or pytestmark = pytest.mark.model), so that "
            "`pytest -m 'not model'` really runs without models"
        )
