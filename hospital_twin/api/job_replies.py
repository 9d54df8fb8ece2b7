"""Replies shared by the endpoints that read back an RQ job producing files (reports,
forecasts, validations): Redis down is a 503, an unknown id a 404, a job still queued or
running a 202 with its state, a failed one a 200 with its reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi.responses import JSONResponse

from hospital_twin.api.errors import ApiError

T = TypeVar("T")


def read_job(read: Callable[[], T]) -> T:
    """``read()``, with an unreachable job queue answered as 503."""
    try:
        return read()
    except Exception as exc:  # Redis down
        raise ApiError(503, f"the job queue (Redis) is unreachable: {exc}") from exc


def unfinished_reply(what: str, state: dict[str, Any] | None) -> JSONResponse | None:
    """404 for an unknown ``what`` (e.g. "forecast 'x'"), the 202/failed reply for a job
    not done, or None when it is done and its files can be served."""
    if state is None:
        raise ApiError(404, f"unknown {what} (or expired)")
    if state["status"] in ("queued", "running"):
        return JSONResponse(state, status_code=202)
    if state["status"] == "failed":
        return JSONResponse(state)
    return None
