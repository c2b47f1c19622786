"""HTTP server (FastAPI): ``POST /ingest``, ``GET/POST /sparql`` (SPARQL 1.1 Protocol,
read-only), ``GET /search``, ``GET /ask``, ``GET /trace/{id}``, ``GET /health``.

Each endpoint parses its request, calls the same service as the CLI command
(:mod:`provrag.services`) on the one :class:`~provrag.services.session.Session`
of the process, and answers with the service result's JSON. One process owns the
embedded store (RocksDB allows one writer): the services serialise writes with
the session's write lock; reads run concurrently. Start it with
``provrag serve --host 127.0.0.1 --port 8765``. ``GET /`` is the provenance explorer
page (:mod:`provrag.explorer`).

Errors: a bad parameter or option is 400, an unknown id 404, a bad upload 422,
any other provrag error 500; the body is ``{"error": <class>, "message": ...}``.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from kg.errors import KGError, NotFoundError, ProvragError, QueryError
from kg.model import Filters
from kg.store.base import SelectResult
from kg.typing import (
    Clearance,
    OnDuplicate,
    OnInvalid,
    Origin,
    RetrieverMode,
    SampleKind,
    TraceDocumentFormat,
)
from provrag.errors import UsageError
from provrag.exit_codes import ExitCode
from provrag.services.session import Session
from provrag.settings import Settings

SPARQL_JSON = "application/sparql-results+json"
#: the label parameter: FIELD=VALUE, repeatable
Labels = Annotated[list[str] | None, Query()]


def _filters(
    origin: Origin | None = None,
    dataset: str | None = None,
    version: str | None = None,
    generator: str | None = None,
    prompt_version: str | None = None,
    annotator: str | None = None,
    label: Labels = None,
    clearance: Clearance | None = None,
    kind: Annotated[list[SampleKind] | None, Query()] = None,
) -> Filters:
    """The provenance filters of ``/search`` and ``/ask`` (the same query parameters)."""
    from provrag.services.searching import filters_from

    return filters_from(
        origin=origin, dataset=dataset, version=version, generator=generator,
        prompt_version=prompt_version, annotator=annotator, labels=label,
        clearance=clearance, kinds=kind,
    )  # fmt: skip


def _sparql_response(result: Any, accept: str) -> Response:
    from provrag.render.sparql import render_result

    if isinstance(result, SelectResult | bool):
        if "text/csv" in accept and isinstance(result, SelectResult):
            return PlainTextResponse(render_result(result, "csv"), media_type="text/csv")
        return Response(render_result(result, "json"), media_type=SPARQL_JSON)
    return Response(render_result(result, "turtle"), media_type="text/turtle")


def _status(exc: ProvragError) -> int:
    from ingest.errors import IngestError

    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, UsageError | KGError):
        return 400
    if isinstance(exc, IngestError):  # a bad file, record or option
        return 422
    return 500


def create_app(settings: Settings) -> FastAPI:
    """The API on a session of ``settings`` (opened now, closed when the app stops)."""
    session = Session.open(settings)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        session.close()  # releases the embedded store's lock

    app = FastAPI(title="provrag", version=_version(), lifespan=lifespan)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        # a parameter that is missing or not one of its values is the caller's error: 400
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}"
            for e in exc.errors()
        ]
        return JSONResponse(
            {"error": "RequestValidationError", "message": "; ".join(problems)}, status_code=400
        )

    @app.exception_handler(ProvragError)
    async def _provrag_error(_: Request, exc: ProvragError) -> JSONResponse:
        return JSONResponse(
            {"error": type(exc).__name__, "message": str(exc)}, status_code=_status(exc)
        )

    from provrag.explorer import mount_explorer

    mount_explorer(app)  # the provenance explorer page at /explorer/ (/ redirects there)

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "store": session.kg.store.kind, "home": str(settings.home)}

    @app.get("/sparql")
    def sparql_get(request: Request, query: str = Query(...)) -> Response:
        return _sparql_response(session.kg.query(query), request.headers.get("accept", ""))

    @app.post("/sparql")
    async def sparql_post(request: Request) -> Response:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("application/sparql-query"):
            text = (await request.body()).decode("utf-8")
        elif ctype.startswith("application/x-www-form-urlencoded"):
            form = await request.form()
            value = form.get("query")
            if not isinstance(value, str):
                raise HTTPException(400, "form field 'query' is missing")
            text = value
        else:
            raise HTTPException(
                415, "send application/sparql-query or a form with 'query' (SPARQL 1.1 Protocol)"
            )
        try:
            result = session.kg.query(text)
        except QueryError as exc:
            raise HTTPException(400, str(exc)) from exc
        return _sparql_response(result, request.headers.get("accept", ""))

    @app.post("/ingest")
    def ingest(
        file: Annotated[UploadFile, File(description="JSONL, CSV or Parquet")],
        dataset: Annotated[str | None, Form()] = None,
        version: Annotated[str | None, Form()] = None,
        on_invalid: Annotated[OnInvalid, Form()] = "quarantine",
        on_duplicate: Annotated[OnDuplicate, Form()] = "skip",
        ner: Annotated[bool, Form()] = True,
        index: Annotated[bool, Form()] = True,
    ) -> JSONResponse:
        from provrag.services.ingesting import IngestOptions
        from provrag.services.ingesting import ingest as ingest_service

        options = IngestOptions(
            dataset=dataset,
            version=version,
            on_invalid=on_invalid,
            on_duplicate=on_duplicate,
            ner=ner,
            index=index,
        )
        name = Path(file.filename or "upload.jsonl").name
        with tempfile.TemporaryDirectory(prefix="provrag-upload-") as tmp:
            target = Path(tmp) / name
            with target.open("wb") as out:
                shutil.copyfileobj(file.file, out)
            outcome = ingest_service(session, [target], options)
        status = 200 if outcome.exit_code == ExitCode.OK else 207
        return JSONResponse(outcome.to_dict(), status_code=status)

    @app.get("/search")
    def search(
        q: str,
        filters: Annotated[Filters, Depends(_filters)],
        k: int = 10,
        retriever: RetrieverMode | None = None,
    ) -> list[dict[str, Any]]:
        """The hits (``provrag search --json``'s ``hits``); retriever: settings' by default."""
        from provrag.services.searching import search as search_service

        return search_service(session, q, k=k, mode=retriever, filters=filters).hits_json()

    @app.get("/ask")
    def ask(
        q: str,
        filters: Annotated[Filters, Depends(_filters)],
        k: int = 5,
        record: bool = False,
        retriever: RetrieverMode | None = None,
    ) -> dict[str, Any]:
        """The answer as ``provrag ask --json`` prints it; ``record`` stores it."""
        from provrag.services.asking import ask as ask_service

        outcome = ask_service(
            session, q, k=k, mode=retriever, filters=filters, record_answer=record
        )
        return outcome.to_dict()

    @app.get("/trace/{ref:path}")
    def trace(
        ref: str, format: TraceDocumentFormat = "json", dataset: str | None = None
    ) -> Response:
        """The lineage of ``ref`` as ``provrag trace --format`` writes it."""
        from provrag.services.tracing import trace as trace_service

        outcome = trace_service(session.kg, ref, format, dataset=dataset)
        return Response(outcome.document, media_type=outcome.media_type)

    return app


def _version() -> str:
    from provrag import __version__

    return __version__
