"""``/scenarios``: submit, list, status, results, report and delete single scenarios."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response

from hospital_twin.api.deps import parse_id, require_token, services
from hospital_twin.api.errors import ApiError, not_finished
from hospital_twin.api.routing import both
from hospital_twin.api.submission import submit_form
from hospital_twin.api.uploads import form_openapi
from hospital_twin.jobs.removal import remove_scenarios
from hospital_twin.jobs.task import render_html
from hospital_twin.store import (
    DONE,
    FAILED,
    get_results,
    get_scenario,
    set_report,
)
from hospital_twin.store.views import scenario_view, scenario_views

router = APIRouter(tags=["scenarios"])


def _view_or_404(request: Request, scenario_id: str) -> dict:
    sid = parse_id(scenario_id, "scenario")
    view = scenario_view(services(request).engine, sid)
    if view is None:
        raise ApiError(404, f"unknown scenario {sid}")
    return view


@both(router, "/scenarios", ["POST"], dependencies=[Depends(require_token)],
      openapi_extra=form_openapi(multi=False), summary="Submit a scenario")
async def submit_scenario(request: Request) -> dict:
    """Multipart: file ``config`` (.xlsx), ``sim_hours``, ``num_reps``, optional ``name``,
    ``seed``, ``warmup_hours``. Nothing is stored unless everything is valid. The reply
    is the scenario's status plus ``warnings``: why its lab cannot work (a stage with no
    capacity at any time, no arrivals); it is queued all the same."""
    done = await submit_form(request, multi=False)
    return scenario_view(services(request).engine, done.scenario_ids[0]) | {
        "warnings": done.warnings}


@both(router, "/scenarios", ["GET"], summary="List scenarios")
def list_all(request: Request) -> list[dict]:
    """Every scenario's status object (a JSON array)."""
    return scenario_views(services(request).engine)


@both(router, "/scenarios/{scenario_id}/status", ["GET"], summary="Scenario status")
def status(request: Request, scenario_id: str) -> dict:
    """``progress`` is 0–1, exactly 1 when done."""
    return _view_or_404(request, scenario_id)


@both(router, "/scenarios/{scenario_id}/results", ["GET"], summary="Scenario results")
def results(request: Request, scenario_id: str) -> Response:
    """The stored results JSON; 404 saying why until the scenario is done."""
    view = _view_or_404(request, scenario_id)
    if view["status"] != DONE:
        raise not_finished(f"scenario {view['scenario_id']}", view)
    text = get_results(services(request).engine, view["scenario_id"])
    return Response(text, media_type="application/json")


@both(router, "/scenarios/{scenario_id}/report", ["GET"], summary="Scenario report (HTML)")
def report(request: Request, scenario_id: str, format: str = "html") -> FileResponse:
    """The executed notebook as HTML (code hidden), or ``?format=ipynb`` for the notebook."""
    view = _view_or_404(request, scenario_id)
    sid = view["scenario_id"]
    svc = services(request)
    row = get_scenario(svc.engine, sid)
    notebook = row["notebook_path"]
    if view["status"] not in (DONE, FAILED) or not notebook or not Path(notebook).exists():
        raise ApiError(404, f"scenario {sid} has no report yet ({view['status']})")
    if format == "ipynb":
        return FileResponse(notebook, media_type="application/x-ipynb+json",
                            filename=f"scenario-{sid}.ipynb")
    html = row["report_path"]
    if not html or not Path(html).exists():  # not rendered yet (or failed run): render now
        html = str(render_html(notebook, Path(notebook).with_suffix(".html")))
        set_report(svc.engine, sid, None, html)
    return FileResponse(html, media_type="text/html")


@both(router, "/scenarios/{scenario_id}", ["DELETE"], dependencies=[Depends(require_token)],
      summary="Delete a scenario")
def delete(request: Request, scenario_id: str) -> dict:
    """Delete a scenario, its report files and its queued job(s)."""
    sid = parse_id(scenario_id, "scenario")
    svc = services(request)
    row = get_scenario(svc.engine, sid)
    if row is None:
        raise ApiError(404, f"unknown scenario {sid}")
    remove_scenarios(svc.redis, svc.engine, [row])
    return {"deleted": sid}
