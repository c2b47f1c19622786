"""Writing data: ``POST /ingest`` (an upload, ingested by a background job) and
``GET /jobs/{id}`` (the job's status, progress and report).

``POST /ingest`` answers 202 ``{"job": id}`` at once. With ``?wait=true`` it
answers as before jobs existed: once the job is done, with the ingest report
(200, or 207 when records were quarantined or skipped) or the error that
stopped it (422 for a bad file, ...).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from kg.typing import OnDuplicate, OnInvalid
from provrag.exit_codes import ExitCode
from provrag.security.http import audit_parameters
from provrag.server.deps import jobs_of
from provrag.server.models import ERRORS, ErrorBody, IngestResult, JobAccepted, JobView
from provrag.services.ingesting import IngestOptions
from provrag.services.jobs import IngestJobs

router = APIRouter(tags=["ingest"])

JobsDep = Annotated[IngestJobs, Depends(jobs_of)]


def _save(upload: UploadFile) -> tuple[Path, Path]:
    """The upload written to a new temporary directory: (directory, file)."""
    name = Path(upload.filename or "upload.jsonl").name or "upload.jsonl"
    directory = Path(tempfile.mkdtemp(prefix="provrag-upload-"))
    target = directory / name
    try:
        with target.open("wb") as out:
            shutil.copyfileobj(upload.file, out)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return directory, target


@router.post(
    "/ingest",
    status_code=202,
    response_model=JobAccepted,
    responses={
        200: {"model": IngestResult, "description": "?wait=true: the ingest report"},
        207: {"model": IngestResult, "description": "?wait=true: records quarantined or skipped"},
        422: {"model": ErrorBody, "description": "?wait=true: a bad file"},
    },
)
async def ingest(
    request: Request,
    jobs: JobsDep,
    file: Annotated[UploadFile, File(description="JSONL, CSV or Parquet")],
    dataset: Annotated[str | None, Form()] = None,
    version: Annotated[str | None, Form()] = None,
    on_invalid: Annotated[OnInvalid, Form()] = "quarantine",
    on_duplicate: Annotated[OnDuplicate, Form()] = "skip",
    ner: Annotated[bool, Form()] = True,
    index: Annotated[bool, Form()] = True,
    wait: bool = False,
) -> Any:  # noqa: ANN401 - the JSON as the service gives it
    """Ingest an uploaded file as one batch, in the background (``GET /jobs/{job}``);
    ``wait=true``: answer with the report once done."""
    options = IngestOptions(
        dataset=dataset,
        version=version,
        on_invalid=on_invalid,
        on_duplicate=on_duplicate,
        ner=ner,
        index=index,
    )
    directory, target = await run_in_threadpool(_save, file)
    audit_parameters(request, f"file={target.name} {options!r}")
    job = jobs.submit([target], options, cleanup=directory)
    if not wait:
        return JSONResponse(
            {"job": job.id}, status_code=202, headers={"Location": f"/jobs/{job.id}"}
        )
    await run_in_threadpool(job.finished_event.wait)
    if job.exception is not None:
        raise job.exception
    status = 200 if job.exit_code == ExitCode.OK else 207
    return JSONResponse(job.report, status_code=status)


@router.get("/jobs/{job_id}", response_model=JobView, responses=ERRORS)
def job(jobs: JobsDep, job_id: str) -> Any:  # noqa: ANN401 - the job's JSON
    """Status (queued, running, done, failed), progress, and the ingest report once done."""
    return JSONResponse(jobs.get(job_id).to_dict())
