"""Reading the data: ``/search``, ``/ask``, ``/trace/{id}``, ``/samples/{id}``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from kg.model import Filters, ScoredPassage
from kg.typing import RetrieverMode, TraceFormat
from provrag.security.http import graph_for
from provrag.server.deps import filters, session_of
from provrag.server.models import ERRORS, AskAnswer
from provrag.services.samples import SampleView
from provrag.services.session import Session

router = APIRouter(tags=["data"])

SessionDep = Annotated[Session, Depends(session_of)]
FiltersDep = Annotated[Filters, Depends(filters)]

#: trace format -> media type, for OpenAPI (the service's table decides the answer)
_TRACE_TYPES = ("application/json", "text/turtle", "text/plain")


@router.get("/search", response_model=list[ScoredPassage], responses=ERRORS)
def search(
    session: SessionDep,
    q: str,
    filters: FiltersDep,
    k: int = 10,
    retriever: RetrieverMode | None = None,
) -> Any:  # noqa: ANN401 - the JSON as the service gives it
    """The hits (``provrag search --json``'s ``hits``); retriever: settings' by default."""
    from provrag.services.searching import search as search_service

    outcome = search_service(session, q, k=k, mode=retriever, filters=filters)
    return JSONResponse(outcome.hits_json())


@router.get("/ask", response_model=AskAnswer, responses=ERRORS)
def ask(
    session: SessionDep,
    q: str,
    filters: FiltersDep,
    k: int = 5,
    record: bool = False,
    retriever: RetrieverMode | None = None,
) -> Any:  # noqa: ANN401 - the JSON as the service gives it
    """The answer as ``provrag ask --json`` prints it; ``record`` stores it."""
    from provrag.services.asking import ask as ask_service

    outcome = ask_service(session, q, k=k, mode=retriever, filters=filters, record_answer=record)
    return JSONResponse(outcome.to_dict())


@router.get(
    "/trace/{ref:path}",
    responses={
        **ERRORS,
        200: {
            "description": "the lineage: json and prov-json as application/json, turtle as "
            "text/turtle, tree and prov-n as text/plain",
            "content": {t: {} for t in _TRACE_TYPES},
        },
    },
)
def trace(
    request: Request,
    ref: str,
    format: TraceFormat = "json",
    dataset: str | None = None,
    release: str | None = None,
) -> Response:
    """The lineage of ``ref`` (answer id, sample id or IRI) as ``provrag trace --format``
    writes it (a sample id: the served release's revision, as ``trace --release``)."""
    from provrag.services.tracing import trace as trace_service

    served = session_of(request).release(release)
    outcome = trace_service(graph_for(request), ref, format, dataset=dataset, release=served)
    if outcome.format == "tree":
        from provrag.render.trace_tree import tree_text

        return Response(tree_text(outcome.node), media_type=outcome.media_type)
    return Response(outcome.document, media_type=outcome.media_type)


@router.get("/samples/{ref:path}", response_model=SampleView, responses=ERRORS)
def sample(request: Request, ref: str, dataset: str | None = None) -> Any:  # noqa: ANN401
    """The current revision of a sample (external id or IRI; ``dataset`` when the id is in
    several): its record and provenance summary. 404 when unknown or invalidated."""
    from provrag.services.samples import current_sample

    found = current_sample(graph_for(request), ref, dataset=dataset)
    return JSONResponse(found.model_dump(mode="json"))
