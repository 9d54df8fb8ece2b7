"""``/forecasts``: queue a forecast from a snapshot of the lab, then fetch its JSON.

Everything is checked before anything is saved or queued: the form fields, the
configuration (workbook or JSON, default: the bundled workbook) and the snapshot, every
problem at once in one 400. The inputs are saved under ``<var_dir>/forecasts/<id>/`` and a
worker runs ``notebooks/forecast.ipynb`` on them (see :mod:`hospital_twin.forecast.jobs`).
"""

from __future__ import annotations

import datetime as dt
import json
import re

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from hospital_twin.api.deps import require_token, services
from hospital_twin.api.errors import ApiError
from hospital_twin.api.job_replies import read_job, unfinished_reply
from hospital_twin.api.routing import both
from hospital_twin.api.uploads import read_form
from hospital_twin.config import ConfigError, LabConfig, config_from_json, default_config
from hospital_twin.config.workbook import read_workbook
from hospital_twin.forecast.jobs import (
    JOB_PREFIX,
    NOTEBOOK_FILE,
    ForecastInputs,
    forecasts_dir,
    read_forecast,
    submit_forecast,
)
from hospital_twin.forecast.run import dated_config
from hospital_twin.jobs.queue import QueueUnavailable
from hospital_twin.state.snapshot import SnapshotRow, read_snapshot

router = APIRouter(tags=["forecasts"])
_FORECAST_ID = re.compile(rf"^{JOB_PREFIX}[0-9a-f]{{32}}$")
MAX_DAYS, MAX_REPS = 366, 1000


def _field(form: FormData, key: str, parse, default, problems: list[dict]) -> object:
    raw = form.get(key)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if default is None:
            problems.append(_problem(f"missing form field '{key}'", key))
        return default
    try:
        return parse(str(raw).strip())
    except ValueError as exc:
        problems.append(_problem(f"form field '{key}': {exc}", key))
        return None


def _problem(message: str, column: str | None = None) -> dict:
    return {"message": message, "sheet": None, "table": None, "row": None,
            "column": column, "cell": None, "text": message}


def _in_range(low: int, high: int):
    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise ValueError(f"must be between {low} and {high}, got {value}")
        return value
    return parse


def _start(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"expected an ISO date or date-time, got {text[:40]!r}") from None


def _problems_of(exc: ConfigError) -> list[dict]:
    return [p | {"file": exc.source} for p in exc.as_dicts()]


async def _config(upload: object, problems: list[dict]) -> LabConfig | None:
    if not isinstance(upload, UploadFile):
        return default_config()
    data = await upload.read()
    name = upload.filename or "config"
    try:
        if not data:
            raise ConfigError("the uploaded file is empty", source=name)
        if name.lower().endswith(".json"):
            return config_from_json(data, source=name)
        return await run_in_threadpool(read_workbook, data, name=name)
    except ConfigError as exc:
        problems.extend(_problems_of(exc))
        return None


async def _state(upload: object, start: dt.datetime | None,
                 problems: list[dict]) -> list[SnapshotRow]:
    if not isinstance(upload, UploadFile):
        return []
    data = await upload.read()
    if start is None:
        return []
    try:
        return await run_in_threadpool(read_snapshot, data, start=start,
                                       name=upload.filename or "state.csv")
    except ConfigError as exc:
        problems.extend(_problems_of(exc))
        return []


async def _form(request: Request) -> FormData:
    """Multipart (with files), or URL-encoded fields only (the bundled configuration, an
    empty lab)."""
    if "application/x-www-form-urlencoded" in request.headers.get("content-type", ""):
        return await request.form()
    return await read_form(request)


@both(router, "/forecasts", ["POST"], dependencies=[Depends(require_token)],
      status_code=202, summary="Queue a forecast")
async def create_forecast(request: Request) -> JSONResponse:
    """Multipart (or URL-encoded without files): ``from`` (ISO date or date-time), optional
    ``days`` (28), ``reps`` (30), ``seed``, file ``state`` (snapshot .csv/.json) and file
    ``config`` (.xlsx/.json). 202 with the forecast id; 400 with every problem (file, row,
    column) and nothing queued."""
    form = await _form(request)
    problems: list[dict] = []
    start = _field(form, "from", _start, None, problems)
    days = _field(form, "days", _in_range(1, MAX_DAYS), 28, problems)
    reps = _field(form, "reps", _in_range(1, MAX_REPS), 30, problems)
    seed = _field(form, "seed", _in_range(0, 2**63 - 1), -1, problems)
    config = await _config(form.get("config"), problems)
    state = await _state(form.get("state"), start, problems)
    if config is not None and seed is not None and seed >= 0:
        config = config.with_run(seed=seed)
    if start is not None and config is not None:
        try:
            dated_config(config, start, days or 1, reps or 1)
        except ValueError as exc:  # e.g. a start not on a half hour
            problems.append(_problem(f"form field 'from': {exc}", "from"))
    if problems:
        raise ApiError(400, "; ".join(p["text"] for p in problems), problems=problems)
    svc = services(request)
    try:
        forecast_id = await run_in_threadpool(
            submit_forecast, svc.redis, svc.options.queue_name, svc.settings.var_dir,
            ForecastInputs(config, state, start, days, reps),
            timeout=svc.options.job_timeout, result_ttl=svc.options.result_ttl)
    except QueueUnavailable as exc:
        raise ApiError(503, f"{exc}; nothing was queued, try again later") from exc
    return JSONResponse({"forecast_id": forecast_id, "status": "queued",
                         "url": f"/forecasts/{forecast_id}"}, status_code=202)


@both(router, "/forecasts/{forecast_id}", ["GET"], summary="Forecast status, then its JSON")
def get_forecast(request: Request, forecast_id: str, format: str = "json") -> Response:
    """202 + status while queued/running; 200 + ``{"status": "failed", "error"}`` if it
    failed; then the forecast JSON (``?format=ipynb``: the executed notebook)."""
    if not _FORECAST_ID.match(forecast_id):
        raise ApiError(404, f"unknown forecast {forecast_id!r}")
    if format not in ("json", "ipynb"):
        raise ApiError(400, f"unknown format {format!r}: use json or ipynb")
    svc = services(request)
    state, result = read_job(
        lambda: read_forecast(svc.redis, svc.settings.var_dir, forecast_id))
    if (reply := unfinished_reply(f"forecast {forecast_id!r}", state)) is not None:
        return reply
    if format == "ipynb":
        notebook = forecasts_dir(svc.settings.var_dir) / forecast_id / NOTEBOOK_FILE
        return FileResponse(notebook, media_type="application/x-ipynb+json",
                            filename=f"{forecast_id}.ipynb")
    if result is None:
        raise ApiError(404, f"forecast {forecast_id} finished but its JSON file is gone")
    return Response(json.dumps(result | {"status": "done"}), media_type="application/json")
