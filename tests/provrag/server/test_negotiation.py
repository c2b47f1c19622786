"""Content negotiation of /sparql: Accept with q-values, wildcards, aliases, format=."""

from __future__ import annotations

import pytest

from provrag.render.sparql_results import GRAPH_TYPES, SELECT_TYPES
from provrag.server.negotiation import choose


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "application/sparql-results+json"),
        ("", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/*", "text/csv"),
        ("text/tab-separated-values, text/*;q=0.9", "text/tab-separated-values"),
        ("text/csv;q=0.2, application/sparql-results+xml", "application/sparql-results+xml"),
        ("application/xml", "application/sparql-results+xml"),
        ("application/json;q=0.5, text/csv;q=0.6", "text/csv"),
        ("text/csv;q=0, */*", "application/sparql-results+json"),
        ("image/png", None),
        ("text/csv;q=0", None),
    ],
)
def test_select_answers(accept: str | None, chosen: str | None) -> None:
    assert choose(accept, SELECT_TYPES, graph=False) == chosen


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "text/turtle"),
        ("application/json", "application/ld+json"),
        ("application/xml", "application/rdf+xml"),
        ("application/rdf+xml, application/sparql-results+xml", "application/rdf+xml"),
        ("application/sparql-results+json", None),
    ],
)
def test_graph_answers(accept: str | None, chosen: str | None) -> None:
    assert choose(accept, GRAPH_TYPES, graph=True) == chosen


def test_the_format_parameter_wins_and_its_first_known_value_counts() -> None:
    assert choose("text/csv", SELECT_TYPES, graph=False, format_param=["xml"]) == (
        "application/sparql-results+xml"
    )
    assert choose(None, GRAPH_TYPES, graph=True, format_param=["tsv", "json"]) is None
    assert choose(None, SELECT_TYPES, graph=False, format_param=["?", "tsv"]) == (
        "text/tab-separated-values"
    )
