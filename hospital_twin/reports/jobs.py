"""Report jobs on the RQ queue the scenario workers serve.

:func:`enqueue_report` queues :func:`run_report_job`; :func:`report_status` reads a job
back as ``queued``/``running``/``done``/``failed`` with the failure's reason, which the
job stores in its ``meta`` before failing (so it survives as one readable sentence).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redis import Redis

from hospital_twin.errors import ConfigError
from hospital_twin.reports.request import ReportError, ReportRequest

JOB_FUNCTION = "hospital_twin.reports.jobs.run_report_job"
JOB_PREFIX = "report-"


def failure_reason(exc: BaseException) -> str:
    """One readable reason: a workbook's every problem with its sheet/row/column, or why."""
    if isinstance(exc, ConfigError | ReportError):
        return str(exc)
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def run_report_job(request: dict[str, Any], out_dir: str, timeout: int) -> dict[str, str]:
    """The RQ job: render one report into ``out_dir``; returns the paths written."""
    from hospital_twin.jobs.memory_limit import limited_job
    from hospital_twin.reports.render import render_report

    with limited_job(failure_reason):
        files = render_report(ReportRequest.from_dict(request), out_dir, timeout=timeout)
    return {"html": str(files.html), "ipynb": str(files.ipynb)}


def new_report_id() -> str:
    """A fresh report (= RQ job) id."""
    return f"{JOB_PREFIX}{uuid.uuid4().hex}"


def enqueue_report(connection: Redis, queue_name: str, request: ReportRequest,
                   out_dir: str | Path, *, timeout: int = 900, result_ttl: int = 86400,
                   report_id: str | None = None) -> str:
    """Queue one report job; returns its id. Raises ``QueueUnavailable`` if Redis is down."""
    from hospital_twin.jobs.queue import QueueUnavailable, ping, scenario_queue

    ping(connection)
    report_id = report_id or new_report_id()
    try:
        scenario_queue(connection, queue_name).enqueue(
            JOB_FUNCTION,
            kwargs={"request": request.resolved().as_dict(),
                    "out_dir": str(Path(out_dir).resolve()), "timeout": int(timeout)},
            job_id=report_id, job_timeout=int(timeout) + 60, result_ttl=result_ttl,
            failure_ttl=result_ttl, description=f"report {request.stem}")
    except Exception as exc:
        raise QueueUnavailable(f"the job queue (Redis) refused the job: {exc}") from exc
    return report_id


@dataclass(frozen=True)
class ReportStatus:
    """Where a report job is: ``queued``, ``running``, ``done`` or ``failed``."""

    report_id: str
    status: str
    error: str | None = None
    html: str | None = None
    ipynb: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The status JSON of ``GET /reports/{id}``."""
        out: dict[str, Any] = {"report_id": self.report_id, "status": self.status}
        if self.error:
            out["error"] = self.error
        return out


def report_status(connection: Redis, report_id: str) -> ReportStatus | None:
    """The job's status, or None if Redis no longer knows it."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus
    from rq.serializers import JSONSerializer

    try:
        job = Job.fetch(report_id, connection=connection, serializer=JSONSerializer)
    except NoSuchJobError:
        return None
    status = job.get_status(refresh=True)
    if status == JobStatus.FINISHED:
        value = job.return_value() or {}
        return ReportStatus(report_id, "done", html=value.get("html"),
                            ipynb=value.get("ipynb"))
    if status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
        reason = (job.meta or {}).get("reason")
        if not reason:
            result = job.latest_result()
            lines = (result.exc_string or "").strip().splitlines() if result else []
            reason = lines[-1] if lines else f"the job {status.value}"
        return ReportStatus(report_id, "failed", error=reason)
    return ReportStatus(report_id, "running" if status == JobStatus.STARTED else "queued")
