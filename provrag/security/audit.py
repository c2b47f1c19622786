"""The audit trail of ``provrag serve``, written off the request path.

A request hands its :class:`~kg.mapping.audit.AuditEntry` to :meth:`AuditTrail.record`
(a non-blocking put on a bounded queue) and answers at once; one background thread
takes what is queued, up to ``batch`` entries at a time, and adds them to the audit
named graph in one store transaction. So an audit write never blocks or loses an
answer. When the store refuses a batch, or the queue is full, the entries are
counted (``failed``, ``dropped``), logged as an error and recorded as an ``audit``
alert in the risk log (:func:`provrag.services.alerts.raise_alert`). That alert is
written by a short-lived thread of its own, never on the request path, and at most
once per failure kind per ``alert_every`` seconds (a stuck store cannot flood it).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any, Literal

from kg.graph import AUDIT_GRAPH, KnowledgeGraph
from kg.mapping import nquads
from kg.mapping.audit import AuditEntry, audit_triples

log = logging.getLogger("provrag.audit")
_STOP = object()

#: what went wrong with an audit write: the store refused a batch, or the queue was full
AuditFailure = Literal["failed", "dropped"]


class AuditTrail:
    """A bounded queue of audit entries and the thread that writes them."""

    def __init__(
        self,
        kg: KnowledgeGraph,
        *,
        queue_size: int = 10_000,
        batch: int = 500,
        alert_every: float = 60.0,
    ) -> None:
        self.kg = kg
        self.batch = batch
        self.alert_every = alert_every
        self._last_alert: dict[AuditFailure, float] = {}
        self._alert_lock = threading.Lock()
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=queue_size)
        self.written = 0
        self.failed = 0
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, name="provrag-audit", daemon=True)
        self._thread.start()

    def record(self, entry: AuditEntry) -> None:
        """Queue ``entry`` for writing; never blocks (a full queue drops it, counted)."""
        try:
            self._queue.put_nowait(entry)
        except queue.Full:
            self.dropped += 1
            log.error(
                "audit queue full (%d entries): request %s %s by %s not audited "
                "(%d dropped so far); the store is slower than the requests, or stuck",
                self._queue.maxsize, entry.method, entry.route, entry.token_id, self.dropped,
            )  # fmt: skip
            self._alert(
                "dropped",
                self.dropped,
                f"audit queue full ({self._queue.maxsize} entries): {self.dropped} requests "
                "not audited so far; the store is slower than the requests, or stuck",
            )

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            items = [item]
            while len(items) < self.batch:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            entries = [e for e in items if isinstance(e, AuditEntry)]
            if entries:
                self._write(entries)
            for _ in items:
                self._queue.task_done()
            if any(e is _STOP for e in items):
                return

    def _write(self, entries: list[AuditEntry]) -> None:
        statements = [t for e in entries for t in audit_triples(e)]
        try:
            self.kg.store.add_nquads(nquads(statements, AUDIT_GRAPH), atomic=True)
        except Exception:  # any failure of the store: count, alert, keep serving
            self.failed += len(entries)
            log.exception(
                "ALERT: %d audit entries could not be written to %s (%d failed so far)",
                len(entries), AUDIT_GRAPH, self.failed,
            )  # fmt: skip
            self._alert(
                "failed",
                self.failed,
                f"{self.failed} audit entries could not be written to {AUDIT_GRAPH}; "
                "check the store (disk space, permissions, lock) and the server log",
            )
        else:
            self.written += len(entries)

    def _alert(self, kind: AuditFailure, count: int, message: str) -> None:
        """Record an ``audit`` alert for ``kind`` in a thread of its own, unless one was
        started less than ``alert_every`` seconds ago (never blocks the caller)."""
        now = time.monotonic()
        with self._alert_lock:
            last = self._last_alert.get(kind)
            if last is not None and now - last < self.alert_every:
                return
            self._last_alert[kind] = now
        threading.Thread(
            target=self._write_alert,
            args=(kind, count, message),
            name=f"provrag-audit-alert-{kind}",
            daemon=True,
        ).start()

    def _write_alert(self, kind: AuditFailure, count: int, message: str) -> None:
        from provrag.services.alerts import raise_alert

        try:
            raise_alert(
                self.kg,
                monitor="audit",
                measure=f"audit_{kind}",
                value=float(count),
                threshold=0.0,
                comparator="<=",
                message=f"audit: {message}",
            )
        except Exception:  # the store may be what failed: the log line is the alert then
            log.exception("ALERT: the audit alert (%s, %d) could not be recorded", kind, count)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued entry is written (or failed); False on timeout."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop the writer."""
        if not self._thread.is_alive():
            return
        self._queue.put(_STOP)
        self._thread.join(timeout)

    def stats(self) -> dict[str, int]:
        return {
            "written": self.written,
            "failed": self.failed,
            "dropped": self.dropped,
            "queued": self._queue.qsize(),
        }
