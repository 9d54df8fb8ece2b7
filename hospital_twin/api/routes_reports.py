"""``/reports``: queue a batch report (a scenario, an analysis or a configuration file on
the server) and fetch it: status JSON while it runs or after it failed, then the HTML.

A ``config_path`` must name a file inside ``HOSPITAL_TWIN_REPORT_CONFIGS_DIR`` (default
``<var_dir>/configs``): the API never opens any other file of the server for a client.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.concurrency import run_in_threadpool

from hospital_twin.api.deps import require_token, services
from hospital_twin.api.errors import ApiError
from hospital_twin.api.job_replies import read_job, unfinished_reply
from hospital_twin.api.routing import both
from hospital_twin.api.uploads import config_error
from hospital_twin.config import ConfigError
from hospital_twin.jobs.queue import QueueUnavailable
from hospital_twin.reports.jobs import JOB_PREFIX, enqueue_report, new_report_id, report_status
from hospital_twin.reports.request import (
    ReportError,
    ReportNotFound,
    ReportNotReady,
    ReportRequest,
)
from hospital_twin.store.ids import MAX_ID

router = APIRouter(tags=["reports"])
_REPORT_ID = re.compile(rf"^{JOB_PREFIX}[0-9a-f]{{32}}$")


class ReportBody(BaseModel):
    """Exactly one of ``scenario_id``, ``analysis_id`` or ``config_path`` (a workbook or JSON
    file on the server); the run settings apply to ``config_path`` only."""

    model_config = ConfigDict(extra="forbid")

    scenario_id: int | None = Field(None, ge=1, le=MAX_ID)
    analysis_id: int | None = Field(None, ge=1, le=MAX_ID)
    config_path: str | None = Field(None, min_length=1, max_length=4096)
    weeks: float = Field(1.0, gt=0, le=520)
    reps: int = Field(2, ge=1, le=10_000)
    seed: int = Field(0, ge=0, lt=2**63)
    warmup_hours: float = Field(0.0, ge=0, allow_inf_nan=False)

    @field_validator("config_path")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        if value is not None and "\x00" in value:
            raise ValueError("a file path cannot contain a NUL byte")
        return value


def _allowed_config_path(folder: Path, config_path: str) -> str:
    """``config_path`` (absolute, or relative to ``folder``) resolved; 403 outside ``folder``."""
    root = folder.resolve()
    path = (root / config_path).resolve()  # an absolute config_path replaces root
    if not path.is_relative_to(root):
        raise ApiError(403, f"config_path must name a file inside the report configurations "
                            f"folder {root} (HOSPITAL_TWIN_REPORT_CONFIGS_DIR)")
    return str(path)


def _queue(request: Request, body: ReportBody) -> str:
    svc = services(request)
    fields = body.model_dump()
    if body.config_path:
        fields["config_path"] = _allowed_config_path(svc.settings.report_configs_path,
                                                     body.config_path)
    report = ReportRequest(**fields, db_url=svc.options.db_url)
    try:
        report.check()
    except ReportNotFound as exc:
        raise ApiError(404, str(exc)) from exc
    except ReportNotReady as exc:
        raise ApiError(409, str(exc)) from exc
    except ConfigError as exc:
        raise config_error(exc) from exc
    except ReportError as exc:
        raise ApiError(400, str(exc)) from exc
    report_id = new_report_id()
    out_dir = Path(svc.options.report_dir) / report_id
    try:
        return enqueue_report(svc.redis, svc.options.queue_name, report, out_dir,
                              timeout=svc.options.job_timeout,
                              result_ttl=svc.options.result_ttl, report_id=report_id)
    except QueueUnavailable as exc:
        raise ApiError(503, f"{exc}; nothing was queued, try again later") from exc


@both(router, "/reports", ["POST"], dependencies=[Depends(require_token)],
      status_code=202, summary="Queue a report")
async def create_report(request: Request, body: ReportBody) -> JSONResponse:
    """JSON ``{"scenario_id": 3}``, ``{"analysis_id": 1}`` or ``{"config_path": "...",
    "weeks": 1, "reps": 2}`` (a file in the report configurations folder); 202 with the
    report id, checked before anything is queued."""
    report_id = await run_in_threadpool(_queue, request, body)
    return JSONResponse({"report_id": report_id, "status": "queued",
                         "url": f"/reports/{report_id}"}, status_code=202)


def _stored_html(request: Request, report_id: str) -> Path | None:
    folder = Path(services(request).options.report_dir) / report_id
    found = sorted(folder.glob("*.html")) if folder.is_dir() else []
    return found[0] if found else None


@both(router, "/reports/{report_id}", ["GET"], summary="Report status, then the HTML",
      responses={200: {"content": {"text/html": {}}}})
def get_report(request: Request, report_id: str, format: str = "html") -> Response:
    """202 + status JSON while queued/running; 200 + ``{"status": "failed", "error"}`` if it
    failed; then the HTML (``?format=ipynb``: the executed notebook, ``?format=json``: the
    status JSON)."""
    if not _REPORT_ID.match(report_id):
        raise ApiError(404, f"unknown report {report_id!r}")
    if format not in ("html", "ipynb", "json"):
        raise ApiError(400, f"unknown format {format!r}: use html, ipynb or json")
    status = read_job(lambda: report_status(services(request).redis, report_id))
    html = Path(status.html) if status and status.html else _stored_html(request, report_id)
    state = (status.as_dict() if status else
             None if html is None else {"report_id": report_id, "status": "done"})
    if (reply := unfinished_reply(f"report {report_id!r}", state)) is not None:
        return reply
    if format == "json":
        return JSONResponse(state)
    if format == "ipynb":
        ipynb = html.with_suffix(".ipynb")
        return FileResponse(ipynb, media_type="application/x-ipynb+json", filename=ipynb.name)
    if html is None or not html.is_file():
        raise ApiError(404, f"report {report_id} finished but its HTML file is gone")
    return FileResponse(html, media_type="text/html")
