"""``create_app``: the API on one session of the project, its routers and error handlers.

Each route parses its request, calls the same service as the CLI command
(:mod:`provrag.services`) on the one :class:`~provrag.services.session.Session`
of the process, and answers with the service result's JSON. One process owns the
embedded store (RocksDB allows one writer): the services serialise writes with
the session's write lock (ingest jobs run one at a time in a worker thread);
reads run concurrently. Start it with ``provrag serve --host 127.0.0.1 --port 8765``.

Errors: a bad parameter or option is 400, an unknown id 404, a bad upload 422, a
SPARQL query past its time budget 503, any other provrag error 500; the body is
``{"error": <class>, "message": ...}``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from kg.errors import KGError, NotFoundError, ProvragError, QueryTimeoutError
from provrag.errors import ReleaseError, ReleaseRefusedError, UsageError
from provrag.security.http import Security, install
from provrag.server import data, evals, explorer, metrics, sparql, uploads
from provrag.server.deps import session_of
from provrag.server.models import Health
from provrag.services.jobs import IngestJobs
from provrag.services.session import Session
from provrag.services.sparql import QueryThreads
from provrag.settings import Settings

#: SPARQL queries run at once; a query past its budget keeps its slot until it ends
SPARQL_THREADS = 4


def status_of(exc: ProvragError) -> int:
    """The HTTP status of an error raised by a service."""
    from evaluation.errors import RunNotFoundError
    from ingest.errors import IngestError

    if isinstance(exc, NotFoundError | RunNotFoundError):
        return 404
    if isinstance(exc, ReleaseError):  # an unknown release (404), or one refused (409)
        return 409 if isinstance(exc, ReleaseRefusedError) else 404
    if isinstance(exc, QueryTimeoutError):
        return 503
    if isinstance(exc, UsageError | KGError):
        return 400
    if isinstance(exc, IngestError):  # a bad file, record or option
        return 422
    return 500


def _error(status: int, kind: str, message: str) -> JSONResponse:
    return JSONResponse({"error": kind, "message": message}, status_code=status)


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        # a parameter that is missing or not one of its values is the caller's error: 400
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}"
            for e in exc.errors()
        ]
        return _error(400, "RequestValidationError", "; ".join(problems))

    @app.exception_handler(ProvragError)
    async def _provrag_error(_: Request, exc: ProvragError) -> JSONResponse:
        return _error(status_of(exc), type(exc).__name__, str(exc))


def create_app(settings: Settings) -> FastAPI:
    """The API on a session of ``settings`` (opened now, closed when the app stops)."""
    session = Session.open(settings)
    counters = metrics.Metrics()
    jobs = IngestJobs(session, keep=settings.server.jobs_kept, listener=counters.job_finished)
    threads = QueryThreads(SPARQL_THREADS)
    security: Security | None = None

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.close()
        if security is not None:
            security.close()  # writes the audit entries still queued
        session.close()  # releases the embedded store's lock

    app = FastAPI(title="provrag", version=_version(), lifespan=lifespan)
    app.state.session = session
    app.state.jobs = jobs
    app.state.query_threads = threads
    app.state.metrics = counters
    app.add_middleware(metrics.MetricsMiddleware, metrics=counters)
    # the outermost middleware: 401/403 before anything else runs, every request audited
    security = install(app, session, settings)
    _handlers(app)

    @app.get("/health", response_model=Health, tags=["operations"])
    def health(session: Annotated[Session, Depends(session_of)]) -> dict[str, Any]:
        return {"status": "ok", "store": session.kg.store.kind, "home": str(settings.home)}

    for module in (sparql, data, uploads, evals, metrics):
        app.include_router(module.router)
    explorer.mount_explorer(app)  # the provenance explorer page at /explorer/ (/ redirects)
    return app


def _version() -> str:
    from provrag import __version__

    return __version__
