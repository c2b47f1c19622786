"""SPARQL over the project's graph, bounded: a time budget and a cap on the answer.

``GET/POST /sparql`` runs :func:`run_query` (the dataset of the SPARQL 1.1
Protocol's ``default-graph-uri`` / ``named-graph-uri``, the ``[server]``
settings' ``sparql_timeout_s`` and ``sparql_max_rows``); ``POST /sparql/update``
runs :func:`run_update`.

The time budget is kept twice: the store stops reading solutions once the
deadline passes, and, when :class:`QueryThreads` run it, the caller stops waiting
for a query still being evaluated (the store cannot interrupt an evaluation that
yields no solution yet, e.g. a big ``ORDER BY``; that evaluation finishes in
its daemon thread and its answer is dropped).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from kg.errors import QueryTimeoutError
from kg.graph import KnowledgeGraph
from kg.store.base import QueryResult, SelectResult
from provrag.services.session import Session

T = TypeVar("T")


@dataclass(frozen=True)
class SparqlRequest:
    """A query and the dataset it runs over (None and None: every committed graph)."""

    query: str
    default_graphs: Sequence[str] | None = None
    named_graphs: Sequence[str] | None = None


@dataclass
class SparqlOutcome:
    """The answer, and whether it was cut at ``max_rows``."""

    result: QueryResult
    truncated: bool = False
    max_rows: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        """Solutions or triples in the answer (1 for ASK)."""
        return 1 if isinstance(self.result, bool) else len(self.result)


def _bounded(
    kg: KnowledgeGraph, request: SparqlRequest, max_rows: int, timeout_s: float
) -> SparqlOutcome:
    deadline = time.monotonic() + timeout_s
    result = kg.query(
        request.query,
        default_graphs=request.default_graphs,
        named_graphs=request.named_graphs,
        max_rows=max_rows + 1,  # one more than allowed tells that there were more
        deadline=deadline,
    )
    truncated = False
    if isinstance(result, SelectResult) and len(result.rows) > max_rows:
        result, truncated = SelectResult(result.variables, result.rows[:max_rows]), True
    elif isinstance(result, list) and len(result) > max_rows:
        result, truncated = result[:max_rows], True
    return SparqlOutcome(result, truncated, max_rows)


class QueryThreads:
    """At most ``size`` queries at once, each in a daemon thread the caller stops waiting
    for at its budget (a daemon thread: a query still running never holds up the exit)."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._slots = threading.BoundedSemaphore(size)

    def run(self, work: Callable[[], T], timeout_s: float) -> T:
        """``work()``'s result; :class:`~kg.errors.QueryTimeoutError` after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        if not self._slots.acquire(timeout=timeout_s):
            raise QueryTimeoutError(
                f"all {self.size} query threads stayed busy for {timeout_s:g}s (settings "
                "[server] sparql_timeout_s); try again later",
                timeout_s,
            )
        done = threading.Event()
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["result"] = work()
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
                box["error"] = exc
            finally:
                self._slots.release()
                done.set()

        threading.Thread(target=target, name="provrag-sparql", daemon=True).start()
        if not done.wait(max(0.0, deadline - time.monotonic())):
            raise QueryTimeoutError(
                f"the query did not finish within {timeout_s:g}s (settings [server] "
                "sparql_timeout_s); narrow it (a LIMIT, more specific patterns) or ask the "
                "operator to raise the budget",
                timeout_s,
            )
        if "error" in box:
            raise box["error"]
        result: T = box["result"]
        return result


def run_query(
    session: Session,
    request: SparqlRequest,
    *,
    timeout_s: float | None = None,
    max_rows: int | None = None,
    threads: QueryThreads | None = None,
    kg: KnowledgeGraph | None = None,
) -> SparqlOutcome:
    """Run a read-only query within ``timeout_s`` and keep at most ``max_rows`` of its answer
    (None: the ``[server]`` settings'), on ``kg`` (None: the session's graph; the server
    passes a caller's view, :mod:`kg.view`).

    Raises :class:`~kg.errors.QueryError` for a malformed query or an update and
    :class:`~kg.errors.QueryTimeoutError` when the budget runs out.
    """
    limits = session.settings.server
    budget = limits.sparql_timeout_s if timeout_s is None else timeout_s
    cap = limits.sparql_max_rows if max_rows is None else max_rows
    graph = session.kg if kg is None else kg
    if threads is None:
        return _bounded(graph, request, cap, budget)
    return threads.run(lambda: _bounded(graph, request, cap, budget), budget)


def run_update(session: Session, update: str) -> None:
    """Run a SPARQL 1.1 update on the graph, under the session's write lock.

    The update bypasses ingest's batches and the search index (run ``provrag index``
    afterwards when it changed sample text). Raises :class:`~kg.errors.QueryError`
    when the text does not parse.
    """
    with session.write_lock:
        try:
            session.kg.update(update)
        finally:
            session.changed()
