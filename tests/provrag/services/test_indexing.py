"""Index sync after a write: a failure says the graph changed anyway, and how to retry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kg.graph import KnowledgeGraph
from kg.store.embedded import OxigraphStore
from provrag.errors import ServiceError
from provrag.services import indexing
from provrag.settings import load_settings
from retrieval.errors import RetrievalError


def test_a_failed_sync_after_a_write_names_the_retry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RetrievalError("disk full")

    monkeypatch.setattr(indexing, "sync", broken)
    with (
        KnowledgeGraph(OxigraphStore(None)) as kg,
        pytest.raises(ServiceError, match=r"graph was updated.*disk full.*provrag index") as err,
    ):
        indexing.sync_after_write(load_settings(tmp_path), kg)
    assert isinstance(err.value.__cause__, RetrievalError)


def test_check_only_runs_no_sync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indexing, "sync", lambda *a, **k: pytest.fail("synced"))
    with KnowledgeGraph(OxigraphStore(None)) as kg:
        outcome = indexing.update(load_settings(tmp_path), kg, verify=True)
    assert outcome.sync is None and outcome.check is not None
    assert set(outcome.to_dict()) == {"check"}
