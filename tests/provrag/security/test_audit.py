"""An audit write that fails, or a full audit queue, is logged and alerted (rate-limited)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kg.graph import AUDIT_GRAPH, KnowledgeGraph
from kg.mapping.audit import AuditEntry
from kg.store import OxigraphStore
from provrag.security.audit import AuditTrail
from provrag.services.alerts import list_alerts

T = datetime(2026, 11, 30, tzinfo=UTC)


def entry(n: int) -> AuditEntry:
    return AuditEntry(
        request_id=f"r{n}",
        token_id="t1",
        method="GET",
        route="/search",
        parameters="{}",
        status=200,
        started=T,
        ended=T,
    )


def audit_writes_do(kg: KnowledgeGraph, action: Callable[[], object]) -> None:
    """Make the store run ``action`` instead of writing the audit graph (alerts still land)."""
    add_nquads = kg.store.add_nquads

    def add(data: Any, *args: Any, **kwargs: Any) -> Any:
        text = data.decode() if isinstance(data, bytes) else str(data)
        if f"<{AUDIT_GRAPH}> ." in text:
            action()
            return None
        return add_nquads(data, *args, **kwargs)

    kg.store.add_nquads = add  # type: ignore[method-assign]


def refusing_kg() -> KnowledgeGraph:
    """A graph whose store refuses every audit batch."""
    kg = KnowledgeGraph(OxigraphStore(None))

    def refuse() -> None:
        raise OSError("disk full")

    audit_writes_do(kg, refuse)
    return kg


def wait_for_alerts(kg: KnowledgeGraph, n: int, timeout: float = 5.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(list_alerts(kg)) >= n:
            break
        time.sleep(0.01)
    time.sleep(0.05)  # a second (wrong) alert would have landed by now
    return len(list_alerts(kg))


def test_a_failed_audit_write_is_alerted_once_per_minute() -> None:
    kg = refusing_kg()
    trail = AuditTrail(kg, batch=1)
    for n in range(3):
        trail.record(entry(n))
    assert trail.flush()
    assert trail.stats()["failed"] == 3
    assert wait_for_alerts(kg, 1) == 1
    (alert,) = list_alerts(kg)
    assert alert.monitor == "audit"
    assert alert.measure == "audit_failed"
    trail.close()


def test_a_full_queue_is_alerted_without_blocking_the_request() -> None:
    kg = KnowledgeGraph(OxigraphStore(None))
    stuck = threading.Event()
    audit_writes_do(kg, lambda: stuck.wait(5))
    trail = AuditTrail(kg, queue_size=1, batch=1)
    started = time.monotonic()
    for n in range(3):  # one held by the stuck writer, one queued: at least one dropped
        trail.record(entry(n))
    assert time.monotonic() - started < 0.5
    assert trail.stats()["dropped"] >= 1
    assert wait_for_alerts(kg, 1) == 1
    assert [a.measure for a in list_alerts(kg)] == ["audit_dropped"]
    stuck.set()
    trail.close()
