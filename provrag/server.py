"""HTTP server (FastAPI): ``POST /ingest``, ``GET/POST /sparql`` (SPARQL 1.1 Protocol,
read-only), ``GET /search``, ``GET /trace/{id}``, ``GET /health``.

One process owns the embedded store (RocksDB allows one writer), so the server
serialises writes with a lock; reads run concurrently. Start it with
``provrag serve --host 127.0.0.1 --port 8765``.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from kg.errors import KGError, NotFoundError, QueryError
from kg.graph import KnowledgeGraph
from kg.store.base import SelectResult
from kg.typing import (
    Clearance,
    OnDuplicate,
    OnInvalid,
    Origin,
    RetrieverMode,
    TraceDocumentFormat,
)
from provrag.app import open_kg
from provrag.exit_codes import ExitCode
from provrag.settings import Settings

SPARQL_JSON = "application/sparql-results+json"


class _State:
    """The open graph, the retriever built on first search, and the write lock."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.kg: KnowledgeGraph = open_kg(settings)
        self.write_lock = threading.Lock()
        self._retrievers: dict[RetrieverMode, Any] = {}

    def retriever(self, mode: RetrieverMode) -> Any:
        if mode not in self._retrievers:
            from provrag.wiring import build_retriever

            self._retrievers[mode] = build_retriever(self.settings, self.kg, mode=mode)
        return self._retrievers[mode]

    def invalidate_retrievers(self) -> None:
        self._retrievers.clear()


def _sparql_response(result: Any, accept: str) -> Response:
    from provrag.commands.graph_cmds import render_result

    if isinstance(result, SelectResult | bool):
        if "text/csv" in accept and isinstance(result, SelectResult):
            return PlainTextResponse(render_result(result, "csv"), media_type="text/csv")
        return Response(render_result(result, "json"), media_type=SPARQL_JSON)
    return Response(render_result(result, "turtle"), media_type="text/turtle")


def create_app(settings: Settings) -> FastAPI:
    state = _State(settings)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        state.kg.store.close()  # releases the embedded store's lock

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

    @app.exception_handler(KGError)
    async def _kg_error(_: Request, exc: KGError) -> JSONResponse:
        code = 404 if isinstance(exc, NotFoundError) else 400
        return JSONResponse({"error": type(exc).__name__, "message": str(exc)}, status_code=code)

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "store": state.kg.store.kind, "home": str(settings.home)}

    @app.get("/sparql")
    def sparql_get(request: Request, query: str = Query(...)) -> Response:
        return _sparql_response(state.kg.query(query), request.headers.get("accept", ""))

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
            result = state.kg.query(text)
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
        from ingest.errors import IngestError
        from ingest.pipeline import ingest_files

        name = Path(file.filename or "upload.jsonl").name
        with tempfile.TemporaryDirectory(prefix="provrag-upload-") as tmp:
            target = Path(tmp) / name
            with target.open("wb") as out:
                shutil.copyfileobj(file.file, out)
            with state.write_lock:
                extractor = None
                if ner and settings.ner:
                    from provrag.wiring import build_extractor

                    extractor = build_extractor(settings)
                try:
                    report = ingest_files(
                        state.kg,
                        [target],
                        dataset=dataset,
                        version=version,
                        on_invalid=on_invalid,
                        on_duplicate=on_duplicate,
                        extractor=extractor,
                        chunk_size=settings.chunk_size,
                        quarantine_dir=settings.quarantine_dir,
                    )
                except IngestError as exc:  # a bad file, record or option
                    return JSONResponse(
                        {"error": type(exc).__name__, "message": str(exc)}, status_code=422
                    )
                payload = report.model_dump(mode="json")
                if index and settings.index_on_ingest:
                    from provrag.indexing import update_index

                    sync = update_index(settings, state.kg)
                    payload["embedded"] = sync.embedded
                    payload["index"] = {"total": sync.total, "removed": sync.removed}
                state.invalidate_retrievers()
        return JSONResponse(payload, status_code=200 if report.exit_code == ExitCode.OK else 207)

    @app.get("/search")
    def search(
        q: str,
        k: int = 10,
        retriever: RetrieverMode = "enriched",
        origin: Origin | None = None,
        dataset: str | None = None,
        version: str | None = None,
        generator: str | None = None,
        prompt_version: str | None = None,
        annotator: str | None = None,
        label: Annotated[list[str] | None, Query()] = None,
        clearance: Clearance | None = None,
    ) -> list[dict[str, Any]]:
        from pydantic import ValidationError

        from kg.model import Filters

        try:  # a malformed label filter is a kg FilterError: 400 from the KGError handler
            filters = Filters.model_validate(
                {
                    "origin": origin,
                    "dataset": dataset,
                    "version": version,
                    "generator": generator,
                    "prompt_version": prompt_version,
                    "annotator": annotator,
                    "labels": list(label or []),
                    "clearance": clearance,
                }
            )
        except ValidationError as exc:
            raise HTTPException(400, f"bad filter: {exc}") from exc
        hits = state.retriever(retriever).search(q, k=k, filters=filters)
        return [h.model_dump(mode="json") for h in hits]

    @app.get("/trace/{ref:path}")
    def trace(ref: str, format: TraceDocumentFormat = "json") -> Response:
        from kg.provenance import trace as do_trace

        node = do_trace(state.kg, ref)
        if format == "json":
            return JSONResponse(node.to_dict())
        from kg import provexport

        if format == "turtle":
            return Response(provexport.lineage_turtle(state.kg, node), media_type="text/turtle")
        if format == "prov-json":
            return Response(provexport.to_prov_json(node), media_type="application/json")
        return PlainTextResponse(provexport.to_prov_n(node))

    return app


def _version() -> str:
    from provrag import __version__

    return __version__
