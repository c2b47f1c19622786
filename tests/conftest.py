"""Shared fixtures: a real Oxigraph server for the remote-store tests, and a small
writer of sample records through kg.mapping.

Package-specific fixtures live in ``tests/<pkg>/conftest.py``.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import httpx
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

SERVER_START_TIMEOUT_S = 30.0


def _oxigraph_binary() -> str | None:
    """The ``oxigraph`` CLI of PyPI ``oxigraph``: next to the interpreter, else on PATH."""
    local = Path(sys.executable).parent / "oxigraph"
    if local.is_file():
        return str(local)
    return shutil.which("oxigraph")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(proc: subprocess.Popen[bytes], base: str, log: IO[bytes]) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            log.seek(0)
            err = log.read().decode(errors="replace")
            pytest.fail(f"oxigraph serve exited with code {proc.returncode}: {err}")
        try:
            if httpx.get(f"{base}/query", params={"query": "ASK {}"}, timeout=2).is_success:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"oxigraph serve did not answer on {base} in {SERVER_START_TIMEOUT_S}s")
        time.sleep(0.1)


@pytest.fixture(scope="session")
def oxigraph_server() -> Iterator[str]:
    """Base URL of an in-memory Oxigraph server on 127.0.0.1, for the whole session."""
    binary = _oxigraph_binary()
    if binary is None:
        pytest.fail(
            "the `oxigraph` server binary is missing, so the remote-store tests cannot run; "
            "install the test extras: pip install -e '.[test]'"
        )
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    # the log is a file, not a pipe: a chatty server never blocks on it
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [binary, "serve", "--bind", f"127.0.0.1:{port}"], stdout=log, stderr=log
        )
        try:
            _wait_until_up(proc, base, log)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


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
