"""``/``: health (``PING`` → ``PONG``) and database reset; ``/config/template``."""

from __future__ import annotations

import importlib.metadata

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, PlainTextResponse
from rq import Worker
from starlette.concurrency import run_in_threadpool

from hospital_twin.api.deps import require_token, services
from hospital_twin.api.errors import ApiError
from hospital_twin.api.routing import both
from hospital_twin.config import template_path
from hospital_twin.jobs.queue import scenario_queue
from hospital_twin.store import reset_db

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _queue_health(request: Request) -> dict:
    svc = services(request)
    try:
        queue = scenario_queue(svc.redis, svc.settings.queue_name)
        return {"queue": "ok", "queued_jobs": queue.count,
                "workers": Worker.count(connection=svc.redis)}
    except Exception as exc:  # Redis down is reported, not raised
        return {"queue": f"unreachable: {type(exc).__name__}"}


@both(router, "/", ["GET"], summary="Health check")
async def health(request: Request):
    """JSON health; a raw body ``PING`` answers ``PONG`` (the seed backend's check)."""
    if (await request.body()).strip() == b"PING":
        return PlainTextResponse("PONG")
    try:
        version = importlib.metadata.version("hospital-twin")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return {"service": "hospital-twin", "version": version, "status": "ok"} | (
        await run_in_threadpool(_queue_health, request))


@both(router, "/", ["DELETE"], summary="Reset the database",
      dependencies=[Depends(require_token)])
def reset(request: Request) -> dict:
    """Empty every table; refused unless ``HOSPITAL_TWIN_ALLOW_RESET`` is true."""
    svc = services(request)
    if not svc.settings.allow_reset:
        raise ApiError(403, "resetting the database is disabled "
                            "(set HOSPITAL_TWIN_ALLOW_RESET=true to allow it)")
    reset_db(svc.engine)
    try:
        scenario_queue(svc.redis, svc.settings.queue_name).empty()
    except Exception:  # queued jobs of deleted rows end quietly anyway
        pass
    return {"reset": True}


@both(router, "/config/template", ["GET"], summary="Download the default workbook")
def config_template() -> FileResponse:
    """The bundled reference workbook, a starting point for a scenario."""
    return FileResponse(template_path(), media_type=XLSX, filename="hospital-twin-config.xlsx")
