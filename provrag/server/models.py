"""Response models of the JSON API: what /openapi.json shows of each answer.

The routes answer with the services' JSON as is (the CLI's ``--json``); these
models describe it for OpenAPI and are not re-validated per request.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ingest.report import IngestReport
from kg.model import CitedSentence, ScoredPassage
from kg.queries.runs import RunRecord
from provrag.services.jobs import JobStatus


class ErrorBody(BaseModel):
    """Every error answer: the error's class and what to do about it."""

    error: str = Field(description="the error's class, e.g. NotFoundError")
    message: str


class Health(BaseModel):
    status: str = Field(description='"ok"')
    store: str = Field(description="embedded, memory or remote")
    home: str = Field(description="the project home")


class AskAnswer(BaseModel):
    """``provrag ask --json``."""

    id: str | None = Field(description="the recorded answer's id (None: not recorded)")
    query: str
    answer: str
    sentences: list[CitedSentence]
    cited_samples: list[str]
    generator: str | None
    model: str | None
    retriever: str
    filters: dict[str, Any]
    passages: list[ScoredPassage]


class IngestResult(IngestReport):
    """``provrag ingest --json``: the ingest report and the index sync that followed."""

    index: dict[str, Any] | None = Field(default=None, description="the index sync (None: not run)")
    embedded: int | None = Field(default=None, description="vectors embedded by the sync")


class JobAccepted(BaseModel):
    job: str = Field(description="the job id: GET /jobs/{job}")


class JobProgress(BaseModel):
    done: int = Field(description="records read so far")
    total: int | None = Field(description="records expected (None: not known yet)")


class JobView(BaseModel):
    """An ingest job: where it is, how far, and its report once done."""

    job: str
    status: JobStatus
    progress: JobProgress
    created: str
    started: str | None
    finished: str | None
    exit_code: int | None = Field(description="0, or 3 when records were quarantined or skipped")
    report: IngestResult | None = Field(description="provrag ingest --json, once done")
    error: ErrorBody | None = Field(description="what stopped it, once failed")


class RunSummary(BaseModel):
    """``provrag eval list --json``: one recorded run."""

    run_id: str
    golden: str | None
    golden_version: str
    retriever: str
    k: int
    started: str | None
    ndcg: float | None


class MetricValue(BaseModel):
    metric: str
    value: float
    query_count: int
    ci_low: float | None
    ci_high: float | None
    slice_name: str = Field(description='"overall", or the provenance slice')
    slice_value: str


class RunDetail(RunRecord):
    """One recorded run: everything a re-run needs, and its metric values."""

    metrics: list[MetricValue]


#: the error answers a route documents, by status
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "a bad parameter"},
    404: {"model": ErrorBody, "description": "unknown id"},
}
