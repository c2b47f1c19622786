"""``GET /metrics``: Prometheus text exposition (format 0.0.4) of the app's counters.

- ``provrag_http_requests_total{route,method,status}``: requests answered;
- ``provrag_http_request_duration_seconds{route}``: latency histogram;
- ``provrag_ingest_records_total``, ``provrag_ingest_quarantined_total``: records
  read and quarantined by ingest jobs; ``provrag_ingest_jobs_total{status}``:
  jobs finished (done, failed).

``route`` is the route's template (``/trace/{ref:path}``), never the raw path,
so the series stay few. Each app has its own registry.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from provrag.services.ingesting import IngestOutcome
    from provrag.services.jobs import Job

router = APIRouter(tags=["operations"])

#: latency buckets (seconds): a search is meant to take ~25 ms, an ingest minutes
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
#: the text exposition format 0.0.4 (every Prometheus server reads it)
EXPOSITION_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: the route label of a request no route matched
UNMATCHED = "(unmatched)"


class Metrics:
    """The app's Prometheus registry and its counters."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram

        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "provrag_http_requests",
            "HTTP requests answered, by route template, method and status",
            ("route", "method", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "provrag_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template",
            ("route",),
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.records = Counter(
            "provrag_ingest_records", "Records read by ingest jobs", registry=self.registry
        )
        self.quarantined = Counter(
            "provrag_ingest_quarantined",
            "Records ingest jobs quarantined (invalid)",
            registry=self.registry,
        )
        self.jobs = Counter(
            "provrag_ingest_jobs",
            "Ingest jobs finished, by status (done, failed)",
            ("status",),
            registry=self.registry,
        )
        for status in ("done", "failed"):
            self.jobs.labels(status=status)

    def job_finished(self, job: Job, outcome: IngestOutcome | None) -> None:
        """Count a finished ingest job (the jobs' listener)."""
        self.jobs.labels(status=job.status).inc()
        if outcome is not None:
            self.records.inc(outcome.report.read)
            self.quarantined.inc(outcome.report.quarantined)

    def exposition(self) -> bytes:
        from prometheus_client import generate_latest

        return generate_latest(self.registry)


def _route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


class MetricsMiddleware:
    """Counts every HTTP request and times it (pure ASGI: no per-request task or copy)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = _route_of(scope)
            self.metrics.requests.labels(
                route=route, method=scope.get("method", ""), status=str(status)
            ).inc()
            self.metrics.latency.labels(route=route).observe(time.perf_counter() - start)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {EXPOSITION_TYPE: {}}}},
)
def metrics(request: Request) -> Any:  # noqa: ANN401 - the exposition text
    """Request counters, latency histograms and ingest counters, in Prometheus text format."""
    registry: Metrics = request.app.state.metrics
    return Response(registry.exposition(), media_type=EXPOSITION_TYPE)
