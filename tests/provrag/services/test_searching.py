"""Search as a service: the one reading of filter options, and the JSON of a search."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kg.errors import FilterError
from kg.model import Filters, ScoredPassage
from provrag import wiring
from provrag.errors import UsageError
from provrag.services.searching import filters_from, search
from provrag.services.session import Session
from provrag.settings import load_settings


def test_filters_read_labels_and_leave_the_rest_unset() -> None:
    filters = filters_from(origin="real", labels=["intent=fees", "lang=en"])
    assert filters == Filters(origin="real", labels=(("intent", "fees"), ("lang", "en")))
    assert filters_from() == Filters()


def test_a_malformed_label_is_a_filter_error() -> None:
    with pytest.raises(FilterError, match="FIELD=VALUE"):
        filters_from(labels=["topic"])


def test_a_value_that_is_none_of_its_kind_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"origin.*'alien'"):
        filters_from(origin="alien")  # type: ignore[arg-type]


class _Retriever:
    """Two fixed hits; records the filters it was given."""

    mode = "enriched"
    channels = ("dense", "lexical", "graph")

    def __init__(self) -> None:
        self.filters: Filters | None = None

    def search(self, query: str, k: int, filters: Filters | None = None) -> list[ScoredPassage]:
        self.filters = filters
        return [
            ScoredPassage(sample_iri=f"urn:s{i}", sample_id=f"s{i}", text="t", score=1.0 / i)
            for i in range(1, k + 1)
        ]

    def linked_entities(self, query: str) -> list[dict[str, str]]:
        return [{"iri": "urn:e", "label": "Acme", "type": "ORG"}]

    def describe(self) -> dict[str, Any]:
        return {"retriever": self.mode}


def test_the_json_of_a_search(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = _Retriever()
    monkeypatch.setattr(wiring, "build_retriever", lambda *a, **k: engine)
    with Session.open(load_settings(tmp_path, store="memory")) as session:
        outcome = search(session, "q", k=2, filters=filters_from(origin="real"), explain=True)
    assert engine.filters == Filters(origin="real")
    payload = outcome.to_dict()
    assert list(payload) == [
        "query", "k", "retriever", "filters", "clearance", "settings", "linked_entities", "hits",
    ]  # fmt: skip
    assert payload["clearance"] == "internal"  # the settings' default
    assert payload["filters"] == {"origin": "real"}
    assert [h["sample_id"] for h in payload["hits"]] == ["s1", "s2"]
    assert payload["linked_entities"][0]["label"] == "Acme"
    frame = outcome.to_dataframe()
    assert list(frame["sample_id"]) == ["s1", "s2"] and list(frame["rank"]) == [1, 2]
