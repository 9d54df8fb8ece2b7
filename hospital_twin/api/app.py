"""The FastAPI application: drop-in compatible with the seed backend's REST API.

``create_app()`` wires settings, database (migrated on start-up), Redis, CORS, the upload
limit, JSON errors and the routes; on start-up and then periodically it sweeps abandoned
jobs so no scenario stays "running" for ever.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.concurrency import run_in_threadpool

from hospital_twin.api import (
    routes_forecasts,
    routes_multi,
    routes_reports,
    routes_root,
    routes_scenarios,
    routes_validations,
)
from hospital_twin.api.deps import Services
from hospital_twin.api.errors import install_error_handlers
from hospital_twin.api.limits import BodySizeLimit
from hospital_twin.jobs.options import JobOptions
from hospital_twin.jobs.queue import connect
from hospital_twin.jobs.sweep import sweep_abandoned
from hospital_twin.settings import Settings, get_settings
from hospital_twin.store import init_db

log = logging.getLogger(__name__)


def _sweep(svc: Services) -> None:
    try:
        failed = sweep_abandoned(svc.engine, svc.redis, svc.settings.queue_name)
        if failed:
            log.warning("marked abandoned scenarios failed: %s", failed)
    except Exception as exc:  # Redis down: try again next time
        log.warning("abandoned-job sweep skipped: %s", exc)


async def _sweep_forever(svc: Services) -> None:
    while True:
        await run_in_threadpool(_sweep, svc)
        await asyncio.sleep(max(svc.settings.sweep_interval, 1.0))


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new application on ``settings`` (default: from the environment)."""
    settings = settings or get_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        svc = Services(settings, init_db(settings.db_url), connect(settings.redis_url),
                       JobOptions.from_settings(settings))
        app.state.services = svc
        sweeper = asyncio.create_task(_sweep_forever(svc))
        try:
            yield
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            svc.engine.dispose()
            svc.redis.close()

    app = FastAPI(title="Hospital Twin", debug=False, redirect_slashes=False,
                  lifespan=lifespan, redoc_url=None,
                  description="Simulation scenarios of the histopathology lab twin.")
    install_error_handlers(app)
    for module in (routes_root, routes_scenarios, routes_multi, routes_reports,
                   routes_forecasts, routes_validations):
        app.include_router(module.router)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes)
    app.add_middleware(CORSMiddleware, allow_origins=settings.api_cors_origins,
                       allow_methods=["*"], allow_headers=["*"])
    return app
