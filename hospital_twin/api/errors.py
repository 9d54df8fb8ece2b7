"""JSON errors ``{code, name, description}`` (+ ``problems``) for every failure, as the
seed backend answered, so a client that ignores status codes can still show them."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hospital_twin.store import FAILED

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error answered as JSON with status ``code``."""

    def __init__(self, code: int, description: str,
                 problems: list[dict[str, Any]] | None = None, **extra: Any) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.problems = problems
        self.extra = extra


def not_finished(what: str, status: dict[str, Any]) -> ApiError:
    """The 404 for results asked of a scenario or analysis (``what`` with its id) that is not
    done: its error if it failed, else its state and progress."""
    why = (f"{what} failed: {status['error']}" if status["status"] == FAILED else
           f"{what} is not finished ({status['status']}, progress {status['progress']:.2f})")
    return ApiError(404, why, status=status["status"], progress=status["progress"])


def error_body(code: int, description: str, problems: list[dict[str, Any]] | None = None,
               **extra: Any) -> dict[str, Any]:
    """The JSON body of an error reply."""
    body: dict[str, Any] = {"code": code, "name": HTTPStatus(code).phrase,
                            "description": description}
    if problems is not None:
        body["problems"] = problems
    return body | extra


def error_response(code: int, description: str, **kwargs: Any) -> JSONResponse:
    """An error reply."""
    return JSONResponse(error_body(code, description, **kwargs), status_code=code)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error, including unknown paths and crashes, as JSON."""

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.code, exc.description, problems=exc.problems, **exc.extra)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(error_body(exc.status_code, str(exc.detail)),
                            status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        text = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return error_response(400, f"invalid request: {text}")

    @app.exception_handler(Exception)
    async def _crash(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return error_response(500, f"internal error: {type(exc).__name__}")
