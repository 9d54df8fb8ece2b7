"""``/multi``: analyses of several scenarios run with one seed (common random numbers)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request

from hospital_twin.api.deps import parse_id, require_token, services
from hospital_twin.api.errors import ApiError, not_finished
from hospital_twin.api.multi_results import multi_results
from hospital_twin.api.routing import both
from hospital_twin.api.submission import submit_form
from hospital_twin.api.uploads import form_openapi
from hospital_twin.jobs.removal import remove_scenarios
from hospital_twin.store import (
    DONE,
    get_analysis,
    get_results,
    list_analyses,
    list_scenarios,
)

router = APIRouter(tags=["multi-scenario analyses"])


def _status_or_404(request: Request, analysis_id: str) -> dict:
    aid = parse_id(analysis_id, "analysis")
    status = get_analysis(services(request).engine, aid)
    if status is None:
        raise ApiError(404, f"unknown analysis {aid}")
    return status


@both(router, "/multi", ["POST"], dependencies=[Depends(require_token)],
      openapi_extra=form_openapi(multi=True), summary="Submit a multi-scenario analysis")
async def submit_multi(request: Request) -> dict:
    """Multipart: any number of .xlsx files (any field names), ``sim_hours``, ``num_reps``,
    optional ``seed``/``name``. All files are validated before anything is stored; the
    reply carries ``warnings`` (each prefixed by its workbook's name) as ``POST /scenarios``."""
    done = await submit_form(request, multi=True)
    return get_analysis(services(request).engine, done.analysis_id) | {
        "warnings": done.warnings}


@both(router, "/multi", ["GET"], summary="List analyses")
def list_all(request: Request) -> list[dict]:
    """Every analysis's status object (a JSON array)."""
    return list_analyses(services(request).engine)


@both(router, "/multi/{analysis_id}/status", ["GET"], summary="Analysis status")
def status(request: Request, analysis_id: str) -> dict:
    """Progress is Σ done / Σ replications, exactly 1 when every scenario is done."""
    return _status_or_404(request, analysis_id)


@both(router, "/multi/{analysis_id}/results", ["GET"], summary="Analysis results")
def results(request: Request, analysis_id: str) -> dict:
    """Mean TAT and utilisation per scenario, hourly utilisation, paired differences."""
    status = _status_or_404(request, analysis_id)
    if status["status"] != DONE:
        raise not_finished(f"analysis {status['analysis_id']}", status)
    engine = services(request).engine
    stored = {sid: json.loads(get_results(engine, sid)) for sid in status["scenario_ids"]}
    return multi_results(status, stored)


@both(router, "/multi/{analysis_id}", ["DELETE"], dependencies=[Depends(require_token)],
      summary="Delete an analysis")
def delete(request: Request, analysis_id: str) -> dict:
    """Delete an analysis and all its scenarios: their rows (one transaction), queued jobs
    and report files."""
    aid = _status_or_404(request, analysis_id)["analysis_id"]
    svc = services(request)
    ids = remove_scenarios(svc.redis, svc.engine, list_scenarios(svc.engine, aid), aid)
    return {"deleted": aid, "scenario_ids": ids}
