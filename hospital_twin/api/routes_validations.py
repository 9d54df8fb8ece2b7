"""``/validations``: upload a LIMS event log and a lab configuration, get the validation.

``POST /validations`` (multipart: files ``log`` and ``config``, fields ``reps`` (default 30),
``warmup_weeks`` (default 4), ``seed``) checks both files first — a bad log or workbook is a
400 listing every problem with its row/column or sheet/row/column — then queues the job.
``GET /validations/{id}``: 202 while it runs; ``{"status": "failed", "error"}`` if it failed;
then the validation JSON (``?format=html``: the HTML report).
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from hospital_twin.api.deps import require_token, services
from hospital_twin.api.errors import ApiError
from hospital_twin.api.job_replies import read_job, unfinished_reply
from hospital_twin.api.routing import both
from hospital_twin.api.uploads import _number, bad_request, config_error, read_form
from hospital_twin.config import ConfigError, read_workbook
from hospital_twin.jobs.queue import QueueUnavailable
from hospital_twin.lims.jobs import JOB_PREFIX, RESULT_FILE, submit_validation, validation_state
from hospital_twin.lims.reader import EventLogError, read_event_log

router = APIRouter(tags=["validations"])
_ID = re.compile(rf"^{JOB_PREFIX}[0-9a-f]{{32}}$")
MAX_REPS = 200


def _log_error(exc: EventLogError) -> ApiError:
    return ApiError(400, f"invalid event log: {exc.render()}", problems=exc.as_dicts())


async def _file(form, key: str, problems: list[str]) -> tuple[str, bytes] | None:
    upload = form.get(key)
    if not isinstance(upload, UploadFile):
        problems.append(f"missing file '{key}'")
        return None
    return upload.filename or key, await upload.read()


@both(router, "/validations", ["POST"], dependencies=[Depends(require_token)],
      status_code=202, summary="Queue a validation of a configuration against a LIMS log")
async def create_validation(request: Request) -> JSONResponse:
    """Multipart ``log`` (event-log CSV) and ``config`` (workbook); 202 with the id."""
    svc = services(request)
    form = await read_form(request)
    problems: list[str] = []
    log_file = await _file(form, "log", problems)
    config_file = await _file(form, "config", problems)
    reps = _number(form, "reps", int, problems, required=False, minimum=2, strict=False)
    warmup = _number(form, "warmup_weeks", int, problems, required=False, minimum=0,
                     strict=False)
    seed = _number(form, "seed", int, problems, required=False, minimum=0, strict=False)
    if reps is not None and reps > MAX_REPS:
        problems.append(f"form field 'reps' must be at most {MAX_REPS}, got {reps}")
    if problems:
        raise bad_request(problems)
    (log_name, log_data), (config_name, config_data) = log_file, config_file
    try:
        await run_in_threadpool(read_event_log, log_data, name=log_name)
    except EventLogError as exc:
        raise _log_error(exc) from exc
    try:
        if not config_data:
            raise ConfigError("the uploaded file is empty", source=config_name)
        config = await run_in_threadpool(read_workbook, config_data, name=config_name)
    except ConfigError as exc:
        raise config_error(exc) from exc
    try:
        validation_id = await run_in_threadpool(
            submit_validation, svc.redis, svc.options.queue_name, svc.options.report_dir,
            log_csv=log_data, log_name=log_name, config=config, config_name=config_name,
            reps=30 if reps is None else reps, warmup_weeks=4 if warmup is None else warmup,
            seed=seed, timeout=svc.options.job_timeout, result_ttl=svc.options.result_ttl)
    except QueueUnavailable as exc:
        raise ApiError(503, f"{exc}; nothing was queued, try again later") from exc
    return JSONResponse({"validation_id": validation_id, "status": "queued",
                         "url": f"/validations/{validation_id}"}, status_code=202)


@both(router, "/validations/{validation_id}", ["GET"], summary="Validation status, then result",
      responses={200: {"content": {"application/json": {}, "text/html": {}}}})
def get_validation(request: Request, validation_id: str, format: str = "json") -> Response:
    """202 + status while queued/running; the failure's reason; then the validation JSON
    (``?format=html``: the HTML report)."""
    if not _ID.match(validation_id):
        raise ApiError(404, f"unknown validation {validation_id!r}")
    if format not in ("json", "html"):
        raise ApiError(400, f"unknown format {format!r}: use json or html")
    folder = Path(services(request).options.report_dir) / validation_id
    state = read_job(
        lambda: validation_state(services(request).redis, folder.parent, validation_id))
    if (reply := unfinished_reply(f"validation {validation_id!r}", state)) is not None:
        return reply
    if format == "html":
        return FileResponse(folder / "validation.html", media_type="text/html")
    return FileResponse(folder / RESULT_FILE, media_type="application/json")
