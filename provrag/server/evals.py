"""Evaluation results: ``/eval/runs`` (the recorded runs) and ``/eval/runs/{id}``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from provrag.security.http import graph_for
from provrag.server.models import ERRORS, RunDetail, RunSummary

router = APIRouter(tags=["evaluation"])


@router.get("/eval/runs", response_model=list[RunSummary])
def runs(request: Request) -> Any:  # noqa: ANN401 - the JSON as the service gives it
    """Every recorded evaluation run the caller may see (runs on golden sets of datasets
    outside their scopes are not), as ``provrag eval list --json`` prints them."""
    from provrag.services.runs import list_runs

    return JSONResponse(list_runs(graph_for(request)))


@router.get("/eval/runs/{run_id}", response_model=RunDetail, responses=ERRORS)
def run(request: Request, run_id: str) -> Any:  # noqa: ANN401 - the JSON as the service gives it
    """One recorded run with its settings and every metric value; 404 when unknown."""
    from provrag.services.runs import run_detail

    return JSONResponse(run_detail(graph_for(request), run_id))
