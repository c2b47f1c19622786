"""A session: the graph of its settings, one retriever per mode, closed on the way out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kg.errors import StoreError
from provrag import wiring
from provrag.services.session import Session
from provrag.settings import load_settings


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The modes retrievers were built for (a stand-in retriever each)."""
    modes: list[Any] = []

    def build(settings: Any, kg: Any, *, mode: Any = None, **kw: Any) -> Any:
        modes.append(mode)
        return object()

    monkeypatch.setattr(wiring, "build_retriever", build)
    return modes


def test_a_retriever_is_built_once_per_mode(tmp_path: Path, built: list[Any]) -> None:
    settings = load_settings(tmp_path, store="memory", retrieval={"mode": "hybrid"})
    with Session.open(settings) as session:
        first = session.retriever()
        assert session.retriever("hybrid") is first  # the settings' mode is hybrid
        assert session.retriever("dense") is not first
        assert built == ["hybrid", "dense"]
        session.changed()
        session.retriever()
        assert built == ["hybrid", "dense", "hybrid"]


def test_leaving_the_session_closes_the_graph(tmp_path: Path) -> None:
    with Session.open(load_settings(tmp_path)) as session:
        assert session.kg.ask("ASK { FILTER(true) }")
    with pytest.raises(StoreError, match="closed"):
        session.kg.query("ASK {}")
    with Session.open(load_settings(tmp_path)) as again:  # the embedded lock was released
        assert again.kg.store.kind == "embedded"
