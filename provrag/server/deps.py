"""What the routes depend on: the app's session and ingest jobs, and the search filters."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

from kg.model import Filters
from kg.typing import Clearance, Origin, SampleKind
from provrag.services.jobs import IngestJobs
from provrag.services.session import Session
from provrag.services.sparql import QueryThreads

#: the label parameter: FIELD=VALUE, repeatable
Labels = Annotated[list[str] | None, Query(description="FIELD=VALUE, repeatable")]


def session_of(request: Request) -> Session:
    """The one session of the app (opened by :func:`provrag.server.app.create_app`)."""
    session: Session = request.app.state.session
    return session


def jobs_of(request: Request) -> IngestJobs:
    """The app's ingest jobs."""
    jobs: IngestJobs = request.app.state.jobs
    return jobs


def query_threads_of(request: Request) -> QueryThreads:
    """The threads SPARQL queries run in (so that a caller stops waiting at the budget)."""
    threads: QueryThreads = request.app.state.query_threads
    return threads


def filters(
    request: Request,
    origin: Origin | None = None,
    dataset: str | None = None,
    version: str | None = None,
    generator: str | None = None,
    prompt_version: str | None = None,
    annotator: str | None = None,
    label: Labels = None,
    clearance: Clearance | None = None,
    kind: Annotated[list[SampleKind] | None, Query()] = None,
    release: str | None = None,
) -> Filters:
    """The provenance filters of ``/search`` and ``/ask`` (the same query parameters;
    ``release``: a release to serve, ``current``, or by default the one promoted),
    bounded by the caller's clearance and dataset scopes."""
    from provrag.security.http import bounded_filters
    from provrag.services.searching import filters_from

    asked = filters_from(
        origin=origin, dataset=dataset, version=version, generator=generator,
        prompt_version=prompt_version, annotator=annotator, labels=label,
        clearance=clearance, kinds=kind, release=release,
    )  # fmt: skip
    return bounded_filters(request, asked)
