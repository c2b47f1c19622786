"""``/sparql``: the SPARQL 1.1 Protocol, read-only; ``/sparql/update`` for admins.

A query comes by ``GET ?query=``, by ``POST`` form-encoded (``query=``) or by
``POST`` with ``Content-Type: application/sparql-query``; ``default-graph-uri``
and ``named-graph-uri`` (repeatable) set its dataset. The answer's media type is
negotiated (:mod:`provrag.server.negotiation`); none acceptable: 406. A request
with no query, two queries, an update or a query that does not parse: 400 with
the parser's message. A query past ``[server] sparql_timeout_s``: 503. An answer
cut at ``[server] sparql_max_rows`` carries ``X-Provrag-Truncated: true``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from starlette.datastructures import ImmutableMultiDict

from provrag.errors import UsageError
from provrag.render.sparql_results import GRAPH_TYPES, media_types_for, serialize
from provrag.security.http import audit_parameters, caller, graph_for
from provrag.server.access import require_admin
from provrag.server.deps import query_threads_of, session_of
from provrag.server.negotiation import choose
from provrag.services.session import Session
from provrag.services.sparql import (
    QueryThreads,
    SparqlOutcome,
    SparqlRequest,
    run_query,
    run_update,
)

router = APIRouter(tags=["sparql"])

QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
FORM_TYPE = "application/x-www-form-urlencoded"
#: header of an answer cut at the row cap
TRUNCATED_HEADER = "X-Provrag-Truncated"

_QUERY_DOC = {
    "parameters": [
        {"name": "query", "in": "query", "schema": {"type": "string"}, "required": False,
         "description": "the SPARQL query (GET; POST sends it in the body)"},
        {"name": "default-graph-uri", "in": "query", "required": False,
         "schema": {"type": "array", "items": {"type": "string"}}},
        {"name": "named-graph-uri", "in": "query", "required": False,
         "schema": {"type": "array", "items": {"type": "string"}}},
    ],
    "responses": {
        "200": {"description": "the answer, in the negotiated media type", "content": {
            t: {} for t in ("application/sparql-results+json", "application/sparql-results+xml",
                            "text/csv", "text/tab-separated-values", *GRAPH_TYPES)}},
        "400": {"description": "no query, two queries, an update, or a parse error"},
        "406": {"description": "no acceptable media type for this query form"},
        "503": {"description": "the query ran past [server] sparql_timeout_s"},
    },
}  # fmt: skip


def _one(values: list[str], name: str, *, required: bool = True) -> str | None:
    if len(values) > 1:
        raise UsageError(
            f"the request carries {len(values)} '{name}' parameters; send exactly one "
            "(SPARQL 1.1 Protocol)"
        )
    if not values:
        if required:
            raise UsageError(
                f"the request carries no '{name}' parameter; send the SPARQL text as "
                f"?{name}=, a form field '{name}', or the body of a POST with Content-Type "
                f"{QUERY_TYPE if name == 'query' else UPDATE_TYPE}"
            )
        return None
    return values[0]


def _graphs(values: list[str]) -> list[str] | None:
    return values or None


def _answer(outcome: SparqlOutcome, request: Request, formats: list[str]) -> Response:
    offered = media_types_for(outcome.result)
    graph = offered == GRAPH_TYPES
    media = choose(request.headers.get("accept"), offered, graph=graph, format_param=formats)
    if media is None:
        raise HTTPException(
            406,
            f"none of the media types in Accept ({request.headers.get('accept')!r}"
            + (f", format={formats[0]!r}" if formats else "")
            + f") fits this query's answer; accept one of: {', '.join(offered)}",
        )
    headers = {"Vary": "Accept"}
    if outcome.truncated:
        headers[TRUNCATED_HEADER] = "true"
        headers["X-Provrag-Max-Rows"] = str(outcome.max_rows)
    body = serialize(outcome.result, media)
    return Response(body, media_type=f"{media}; charset=utf-8", headers=headers)


def _run(
    session: Session, threads: QueryThreads, request: Request, query: str, default: list[str],
    named: list[str], formats: list[str],
) -> Response:  # fmt: skip
    audit_parameters(request, query)
    if not caller(request).admin:  # a caller's view, which reaches out to no other endpoint
        from kg.view import refuse_service

        refuse_service(query)
    outcome = run_query(
        session,
        SparqlRequest(query, default_graphs=_graphs(default), named_graphs=_graphs(named)),
        threads=threads,
        kg=graph_for(request),
    )
    return _answer(outcome, request, formats)


def _formats(*sources: ImmutableMultiDict[str, Any]) -> list[str]:
    """The ``format`` / ``output`` values of the query string and the form, in order."""
    return [
        value
        for source in sources
        for name in ("format", "output")
        for value in source.getlist(name)
        if isinstance(value, str)
    ]


@router.get("/sparql", openapi_extra=_QUERY_DOC, summary="SPARQL query (GET)")
def sparql_get(
    request: Request,
    session: Annotated[Session, Depends(session_of)],
    threads: Annotated[QueryThreads, Depends(query_threads_of)],
) -> Response:
    params = request.query_params
    if params.getlist("update"):
        raise UsageError("updates are not run at /sparql; POST them to /sparql/update")
    query = _one(params.getlist("query"), "query")
    return _run(
        session, threads, request, query or "", params.getlist("default-graph-uri"),
        params.getlist("named-graph-uri"), _formats(params),
    )  # fmt: skip


@router.post("/sparql", openapi_extra=_QUERY_DOC, summary="SPARQL query (POST)")
async def sparql_post(
    request: Request,
    session: Annotated[Session, Depends(session_of)],
    threads: Annotated[QueryThreads, Depends(query_threads_of)],
) -> Response:
    from starlette.concurrency import run_in_threadpool

    params = request.query_params
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    default = params.getlist("default-graph-uri")
    named = params.getlist("named-graph-uri")
    if ctype == QUERY_TYPE:
        if params.getlist("query"):
            raise UsageError("the request carries two queries (the body and ?query=); send one")
        query = (await request.body()).decode("utf-8")
        formats = _formats(params)
    elif ctype == FORM_TYPE:
        form = await request.form()
        if form.getlist("update"):
            raise UsageError("updates are not run at /sparql; POST them to /sparql/update")
        texts = [
            v for v in [*params.getlist("query"), *form.getlist("query")] if isinstance(v, str)
        ]
        query = _one(texts, "query") or ""
        default = default + [v for v in form.getlist("default-graph-uri") if isinstance(v, str)]
        named = named + [v for v in form.getlist("named-graph-uri") if isinstance(v, str)]
        formats = _formats(params, form)
    else:
        raise HTTPException(
            415,
            f"Content-Type {ctype or '(none)'!r} is not a SPARQL query; send "
            f"{QUERY_TYPE} or a form ({FORM_TYPE}) with 'query' (SPARQL 1.1 Protocol)",
        )
    if not query.strip():
        raise UsageError("the query is empty; send the SPARQL text")
    return await run_in_threadpool(_run, session, threads, request, query, default, named, formats)


@router.post(
    "/sparql/update",
    status_code=204,
    dependencies=[Depends(require_admin)],
    summary="SPARQL update (admins)",
    responses={400: {"description": "no update, two updates, or a parse error"}},
)
async def sparql_update(
    request: Request, session: Annotated[Session, Depends(session_of)]
) -> Response:
    """Run a SPARQL 1.1 update (``application/sparql-update`` body or form ``update=``)."""
    from starlette.concurrency import run_in_threadpool

    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == UPDATE_TYPE:
        if request.query_params.getlist("update"):
            raise UsageError("the request carries two updates (the body and ?update=); send one")
        text = (await request.body()).decode("utf-8")
    elif ctype == FORM_TYPE:
        form = await request.form()
        text = _one([v for v in form.getlist("update") if isinstance(v, str)], "update") or ""
    else:
        raise HTTPException(
            415,
            f"Content-Type {ctype or '(none)'!r} is not a SPARQL update; send "
            f"{UPDATE_TYPE} or a form ({FORM_TYPE}) with 'update'",
        )
    if not text.strip():
        raise UsageError("the update is empty; send the SPARQL update text")
    await run_in_threadpool(run_update, session, text)
    return Response(status_code=204)
