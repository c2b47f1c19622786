"""The terminal drawing of a lineage tree: every fact of the trace is on screen."""

from __future__ import annotations

import pytest
from rich.console import Console

from kg.graph import KnowledgeGraph
from kg.provenance import trace
from kg.store.embedded import OxigraphStore
from kg.trace_model import TraceNode
from provrag.render.trace_tree import VALUE_WIDTH, render_tree
from tests.kg import lineage_data


@pytest.fixture(scope="module")
def answer_tree() -> TraceNode:
    kg = KnowledgeGraph(OxigraphStore(None))
    lineage = lineage_data.build(kg)
    return trace(kg, lineage.answer_id)


def _text(node: TraceNode) -> str:
    console = Console(width=200, record=True, color_system=None)
    console.print(render_tree(node))
    return console.export_text()


def test_render_tree_shows_the_lineage_facts(answer_tree: TraceNode) -> None:
    text = _text(answer_tree)
    for fact in (
        "prompt_version: 3",
        "seed: 7",
        "template-engine-1",
        "alice (person)",
        "bob (person)",
        "default v1.1",
        "default v1.2",
        "a" * 64,
        "b" * 64,
    ):
        assert fact in text, fact


def test_long_values_are_cut_with_an_ellipsis() -> None:
    node = TraceNode(kind="sample", iri="urn:x", label="x", attrs={"text": "w" * 500})
    text = _text(node)
    assert "w" * (VALUE_WIDTH - 1) + "…" in text
    assert "w" * VALUE_WIDTH not in text
