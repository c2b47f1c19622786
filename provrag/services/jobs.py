"""Ingest jobs: uploads ingested one after the other by a background worker thread.

``POST /ingest`` submits a job (:meth:`IngestJobs.submit`) and answers at once
with its id; ``GET /jobs/{id}`` reads :meth:`IngestJobs.get`. The worker runs
:func:`provrag.services.ingesting.ingest`, which takes the session's write lock,
so jobs and every other write of the process are serialised. The last
``keep`` jobs are remembered (in memory: a restart forgets them).
"""

from __future__ import annotations

import logging
import queue
import shutil
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from kg.errors import NotFoundError, ProvragError
from provrag.errors import ServiceError
from provrag.services.ingesting import IngestOptions, IngestOutcome, ingest
from provrag.services.session import Session

log = logging.getLogger(__name__)

#: where a job is: waiting for the worker, being ingested, finished, or stopped by an error
JobStatus = Literal["queued", "running", "done", "failed"]
#: called by the worker when a job ends (the outcome is None when it failed)
JobListener = Callable[["Job", IngestOutcome | None], None]


def _now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class Job:
    """One ingest job and how far it got."""

    id: str
    paths: list[Path]
    options: IngestOptions
    status: JobStatus = "queued"
    #: records read so far, and the records expected (None: not known yet)
    done: int = 0
    total: int | None = None
    created: str = field(default_factory=_now)
    started: str | None = None
    finished: str | None = None
    #: the ingest report (``provrag ingest --json``) once done
    report: dict[str, Any] | None = None
    #: 0, or 3 (``INGEST_PARTIAL``) when records were quarantined or skipped
    exit_code: int | None = None
    #: ``{"error": class, "message": ...}`` once failed
    error: dict[str, str] | None = None
    #: a directory removed once the job ends (the uploaded file's)
    cleanup: Path | None = None
    #: the error that stopped it (re-raised by a caller waiting for the job)
    exception: BaseException | None = field(default=None, repr=False)
    finished_event: threading.Event = field(default_factory=threading.Event, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``GET /jobs/{id}``."""
        return {
            "job": self.id,
            "status": self.status,
            "progress": {"done": self.done, "total": self.total},
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
            "exit_code": self.exit_code,
            "report": self.report,
            "error": self.error,
        }


class _Progress:
    """The ingest pipeline's progress callback, writing into a job."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def total(self, n: int | None) -> None:
        self.job.total = n

    def advance(self, records: int) -> None:
        self.job.done += records


class IngestJobs:
    """A queue of ingest jobs on one session, and the one worker thread that runs them."""

    def __init__(
        self, session: Session, *, keep: int = 100, listener: JobListener | None = None
    ) -> None:
        self.session = session
        self.keep = keep
        self.listener = listener
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._worker: threading.Thread | None = None

    def submit(
        self,
        paths: Sequence[Path],
        options: IngestOptions | None = None,
        *,
        cleanup: Path | None = None,
    ) -> Job:
        """Queue an ingest of ``paths``; ``cleanup`` is removed when the job ends."""
        job = Job(uuid.uuid4().hex, list(paths), options or IngestOptions(), cleanup=cleanup)
        with self._lock:
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._run, name="provrag-ingest-jobs", daemon=True
                )
                self._worker.start()
            self._jobs[job.id] = job
            self._forget_old()
        self._queue.put(job)
        return job

    def get(self, job_id: str) -> Job:
        """The job ``job_id``; :class:`~kg.errors.NotFoundError` when unknown or forgotten."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(
                f"no ingest job {job_id!r} (the server keeps the last {self.keep} jobs, and "
                "forgets them on restart); submit the file again with POST /ingest"
            )
        return job

    def counts(self) -> dict[JobStatus, int]:
        """Jobs remembered, by status."""
        out: dict[JobStatus, int] = {"queued": 0, "running": 0, "done": 0, "failed": 0}
        with self._lock:
            for job in self._jobs.values():
                out[job.status] += 1
        return out

    def close(self, timeout: float = 30.0) -> None:
        """Stop the worker after the jobs already queued (waiting at most ``timeout`` s)."""
        with self._lock:
            worker, self._worker = self._worker, None
        if worker is not None:
            self._queue.put(None)
            worker.join(timeout)

    def _forget_old(self) -> None:
        finished = [j.id for j in self._jobs.values() if j.status in ("done", "failed")]
        while len(self._jobs) > self.keep and finished:
            self._jobs.pop(finished.pop(0), None)

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            self._execute(job)

    def _execute(self, job: Job) -> None:
        job.status, job.started = "running", _now()
        outcome: IngestOutcome | None = None
        try:
            outcome = ingest(self.session, job.paths, job.options, progress=_Progress(job))
        except ProvragError as exc:
            job.exception = exc
            job.error = {"error": type(exc).__name__, "message": str(exc)}
        except Exception as exc:  # noqa: BLE001 - a job must end, whatever stopped it
            log.exception("ingest job %s failed", job.id)
            job.exception = ServiceError(f"the ingest job {job.id} stopped on a bug: {exc!r}")
            job.error = {"error": type(exc).__name__, "message": str(exc)}
        finally:
            if job.cleanup is not None:
                shutil.rmtree(job.cleanup, ignore_errors=True)
        if outcome is not None:
            job.report = outcome.to_dict()
            job.exit_code = int(outcome.exit_code)
            job.done = max(job.done, outcome.report.read)
            job.total = job.total if job.total is not None else outcome.report.read
        job.finished = _now()
        job.status = "done" if outcome is not None else "failed"
        if self.listener is not None:
            try:
                self.listener(job, outcome)
            except Exception:  # noqa: BLE001 - counting must not stop the worker
                log.exception("the listener of ingest job %s failed", job.id)
        job.finished_event.set()
