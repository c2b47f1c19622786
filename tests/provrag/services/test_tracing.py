"""Trace as a service: one writer per format, the same table for the CLI and the server."""

from __future__ import annotations

import json

import pytest

from kg.errors import NotFoundError
from kg.graph import KnowledgeGraph
from kg.store.embedded import OxigraphStore
from kg.typing import TRACE_FORMATS
from provrag.errors import UsageError
from provrag.services.tracing import MEDIA_TYPES, TRACE_WRITERS, trace, trace_format
from tests.kg import lineage_data


@pytest.fixture(scope="module")
def graph() -> tuple[KnowledgeGraph, object]:
    kg = KnowledgeGraph(OxigraphStore(None))
    return kg, lineage_data.build(kg)


def test_every_format_has_a_writer_and_a_media_type() -> None:
    assert set(TRACE_WRITERS) == set(TRACE_FORMATS) == set(MEDIA_TYPES)


def test_an_unknown_format_names_the_choices() -> None:
    with pytest.raises(UsageError, match="prov-json"):
        trace_format("yaml")


@pytest.mark.parametrize("fmt", [f for f in TRACE_FORMATS if f != "tree"])
def test_each_document_is_text_of_the_same_lineage(graph: tuple, fmt: str) -> None:
    kg, lineage = graph
    outcome = trace(kg, lineage.answer_id, fmt)
    assert isinstance(outcome.document, str) and lineage.synthetic.split("/")[-1] in (
        outcome.document
    )
    if fmt == "json":
        assert json.loads(outcome.document) == outcome.to_dict()


def test_the_tree_is_a_rich_renderable(graph: tuple) -> None:
    from rich.tree import Tree

    kg, lineage = graph
    assert isinstance(trace(kg, lineage.answer_id, "tree").document, Tree)


def test_an_unknown_id_is_not_found(graph: tuple) -> None:
    with pytest.raises(NotFoundError):
        trace(graph[0], "no-such-id")
