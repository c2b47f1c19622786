"""The audit trail of ``provrag serve``, written off the request path.

A request hands its :class:`~kg.mapping.audit.AuditEntry` to :meth:`AuditTrail.record`
(a non-blocking put on a bounded queue) and answers at once; one background thread
takes what is queued, up to ``batch`` entries at a time, and adds them to the audit
named graph in one store transaction. So an audit write never blocks or loses an
answer. When the store refuses a batch, or the queue is full, the entries are
counted (``failed``, ``dropped``) and logged as an error: the alert of the audit.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

from kg.graph import AUDIT_GRAPH, KnowledgeGraph
from kg.mapping import nquads
from kg.mapping.audit import AuditEntry, audit_triples

log = logging.getLogger("provrag.audit")
_STOP = object()


class AuditTrail:
    """A bounded queue of audit entries and the thread that writes them."""

    def __init__(self, kg: KnowledgeGraph, *, queue_size: int = 10_000, batch: int = 500) -> None:
        self.kg = kg
        self.batch = batch
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
        else:
            self.written += len(entries)

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
