"""The provenance explorer page: static HTML, JS and CSS shipped in ``explorer_static/``.

``GET /`` redirects to ``GET /explorer/`` (the page); its script and stylesheet are
under ``/explorer/static/``. The page holds no data: it calls ``/search``,
``/trace/{id}?format=json`` and ``/sparql`` from the browser, with
``Authorization: Bearer <token>`` when the user has entered a token (kept in the
tab's ``sessionStorage``). Nothing is fetched from anywhere else.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

#: where the page's files live (package data of ``provrag``)
STATIC_DIR = Path(__file__).parents[1] / "explorer_static"


def mount_explorer(app: FastAPI) -> None:
    """Serve the explorer on ``app`` at ``/explorer/`` (``/`` redirects there)."""
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    def root() -> RedirectResponse:
        return RedirectResponse("/explorer/")

    @router.get("/explorer/")
    def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    app.include_router(router)
    app.mount("/explorer/static", StaticFiles(directory=STATIC_DIR), name="explorer-static")
