"""The one way to raise an alert: a breach is logged once, a met threshold not at all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kg.graph import KnowledgeGraph
from kg.store.embedded import OxigraphStore
from provrag.errors import UsageError
from provrag.services.alerts import check_threshold, holds, list_alerts, note_alert


@pytest.fixture
def kg() -> Iterator[KnowledgeGraph]:
    graph = KnowledgeGraph(OxigraphStore(None))
    yield graph
    graph.close()


@pytest.mark.parametrize(
    ("value", "op", "threshold", "expected"),
    [
        (0.5, ">=", 0.5, True),
        (0.5, ">", 0.5, False),
        (0.2, "<=", 0.1, False),
        (None, "<", 1, False),
    ],
)
def test_holds(value: float | None, op: str, threshold: float, expected: bool) -> None:
    assert holds(value, op, threshold) is expected  # type: ignore[arg-type]


def test_a_breach_is_logged_once_and_a_met_threshold_never(kg: KnowledgeGraph) -> None:
    args = {"monitor": "drift", "measure": "label_js_divergence", "comparator": "<="}
    assert check_threshold(kg, value=0.05, threshold=0.1, dataset="kb", **args) is None  # type: ignore[arg-type]
    first = check_threshold(kg, value=0.3, threshold=0.1, dataset="kb", scope="1..2", **args)  # type: ignore[arg-type]
    assert first is not None and first.startswith("drift-")
    assert check_threshold(kg, value=0.3, threshold=0.1, dataset="kb", scope="1..2", **args) is None  # type: ignore[arg-type]
    other = check_threshold(kg, value=0.3, threshold=0.1, dataset="kb", scope="2..3", **args)  # type: ignore[arg-type]
    assert other not in (None, first)
    [a, b] = list_alerts(kg)
    assert {a.alert_id, b.alert_id} == {first, other}
    assert any("label_js_divergence on kb (1..2) is 0.3" in x.message for x in (a, b))


def test_an_empty_note_is_a_usage_error(kg: KnowledgeGraph) -> None:
    with pytest.raises(UsageError, match="empty"):
        note_alert(kg, "any", "  ")
