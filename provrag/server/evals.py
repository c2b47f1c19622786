"""Evaluation results: ``/eval/runs`` (the recorded runs) and ``/eval/runs/{id}``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from provrag.server.deps import session_of
from provrag.server.models import ERRORS, RunDetail, RunSummary
from provrag.services.session import Session

router = APIRouter(tags=["evaluation"])

SessionDep = Annotated[Session, Depends(session_of)]


@router.get("/eval/runs", response_model=list[RunSummary])
def runs(session: SessionDep) -> Any:  # noqa: ANN401 - the JSON as the service gives it
    """Every recorded evaluation run, as ``provrag eval list --json`` prints them."""
    from provrag.services.runs import list_runs

    return JSONResponse(list_runs(session.kg))


@router.get("/eval/runs/{run_id}", response_model=RunDetail, responses=ERRORS)
def run(session: SessionDep, run_id: str) -> Any:  # noqa: ANN401 - the JSON as the service gives it
    """One recorded run with its settings and every metric value; 404 when unknown."""
    from provrag.services.runs import run_detail

    return JSONResponse(run_detail(session.kg, run_id))
