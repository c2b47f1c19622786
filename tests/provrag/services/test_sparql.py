"""QueryThreads: a caller stops waiting at the budget; errors reach the caller."""

from __future__ import annotations

import threading

import pytest

from kg.errors import QueryError, QueryTimeoutError
from provrag.services.sparql import QueryThreads


def test_the_result_or_the_error_of_the_work_reaches_the_caller() -> None:
    threads = QueryThreads(1)
    assert threads.run(lambda: 42, 5.0) == 42

    def bad() -> int:
        raise QueryError("SPARQL syntax error: x")

    with pytest.raises(QueryError, match="syntax"):
        threads.run(bad, 5.0)


def test_work_past_the_budget_times_out_and_busy_threads_too() -> None:
    threads = QueryThreads(1)
    release = threading.Event()
    with pytest.raises(QueryTimeoutError, match="did not finish within 0.05s"):
        threads.run(lambda: release.wait(10), 0.05)
    with pytest.raises(QueryTimeoutError, match="busy"):  # the one slot is still taken
        threads.run(lambda: 1, 0.05)
    release.set()
    assert threads.run(lambda: 2, 5.0) == 2
