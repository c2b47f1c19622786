"""The risk log: recording a threshold breach as an alert, listing alerts, noting them.

:func:`raise_alert` is the one function every monitor and KPI gate calls when a
threshold is breached (the graph write is :func:`kg.monitors.record_alert`). The
alert id is a hash of what was breached (monitor, measure, dataset, scope, value,
threshold), so the same breach measured twice is logged once.
"""

from __future__ import annotations

import operator
import secrets
from collections.abc import Callable
from datetime import UTC, datetime

from kg import ids
from kg.graph import KnowledgeGraph
from kg.mapping.monitors import AlertIn, AlertNoteIn
from kg.monitors import add_alert_note, record_alert
from kg.queries.monitors import AlertRecord
from kg.queries.monitors import alerts as recorded_alerts
from kg.typing import Comparator, MonitorName
from provrag.errors import UsageError

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}


def holds(value: float | None, comparator: Comparator, threshold: float) -> bool:
    """``value comparator threshold`` (no value: does not hold)."""
    return value is not None and _OPS[comparator](value, threshold)


def alert_id(
    monitor: MonitorName,
    measure: str,
    value: float | None,
    threshold: float,
    *,
    dataset: str | None = None,
    scope: str = "",
) -> str:
    """``<monitor>-<12 hex>``: the same breach, the same id."""
    key = ids.canonical_json(
        [monitor, measure, dataset, scope, None if value is None else round(value, 9), threshold]
    )
    return f"{monitor}-{ids.sha256_hex(key)[:12]}"


def raise_alert(
    kg: KnowledgeGraph,
    *,
    monitor: MonitorName,
    measure: str,
    value: float | None,
    threshold: float,
    comparator: Comparator,
    message: str,
    dataset: str | None = None,
    scope: str = "",
    informed_by: str | None = None,
    now: datetime | None = None,
) -> str | None:
    """Record that ``measure`` (``value``) broke ``comparator threshold``; the alert id,
    or ``None`` when that very breach is already in the risk log."""
    aid = alert_id(monitor, measure, value, threshold, dataset=dataset, scope=scope)
    alert = AlertIn(
        alert_id=aid,
        monitor=monitor,
        measure=measure,
        value=value,
        threshold=threshold,
        comparator=comparator,
        message=message,
        time=(now or datetime.now(UTC)).astimezone(UTC),
        dataset=dataset,
        informed_by=informed_by,
    )
    return aid if record_alert(kg, alert) is not None else None


def check_threshold(
    kg: KnowledgeGraph,
    *,
    monitor: MonitorName,
    measure: str,
    value: float | None,
    threshold: float,
    comparator: Comparator,
    dataset: str | None = None,
    scope: str = "",
    informed_by: str | None = None,
) -> str | None:
    """Raise an alert when ``value comparator threshold`` does not hold (a value that
    could not be measured is not a breach here); the new alert's id, else ``None``."""
    if value is None or holds(value, comparator, threshold):
        return None
    where = f" on {dataset}" if dataset else ""
    where += f" ({scope})" if scope else ""
    message = (
        f"{monitor}: {measure}{where} is {value:.4g}, "
        f"breaking the threshold {measure} {comparator} {threshold:g}"
    )
    return raise_alert(
        kg,
        monitor=monitor,
        measure=measure,
        value=value,
        threshold=threshold,
        comparator=comparator,
        message=message,
        dataset=dataset,
        scope=scope,
        informed_by=informed_by,
    )


def list_alerts(kg: KnowledgeGraph) -> list[AlertRecord]:
    """The risk log, newest first."""
    return sorted(recorded_alerts(kg), key=lambda a: (a.time, a.alert_id), reverse=True)


def note_alert(kg: KnowledgeGraph, alert: str, text: str, *, by: str | None = None) -> str:
    """Add a note to an alert; the note's IRI. An empty note is a usage error; an
    unknown alert raises :class:`~kg.errors.NotFoundError`."""
    if not text.strip():
        raise UsageError("the note is empty; say what was done about the alert")
    now = datetime.now(UTC)
    note = AlertNoteIn(
        alert_id=alert,
        note_id=f"{now:%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(2)}",
        text=text.strip(),
        time=now,
        author=by,
    )
    return add_alert_note(kg, note)
