"""``POST /forecasts`` and ``GET /forecasts/{id}`` against a real API process, a real RQ
worker (papermill) and a private redis-server."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from api_helpers import Live
from twin_helpers import wait_until

from hospital_twin.config import default_config
from hospital_twin.config.calendar import Calendar
from hospital_twin.forecast import validate_forecast

SNAPSHOT = (
    "specimen_id,arrived_at,pathway,priority,stage,blocks,slides\n"
    "A1,2026-12-04T09:30,cancer,Cancer,cutup,,\n"
    "A2,2026-12-05 10:00,noncancer,Routine,microtomy,3,7\n"
    "A3,2026-12-01T08:00,cancer,Urgent,report,,\n"
)


def _forecasts(live: Live) -> Path:
    return Path(live.settings.var_dir).resolve() / "forecasts"


def _until_finished(client: httpx.Client, forecast_id: str) -> httpx.Response:
    def poll() -> httpx.Response | None:
        reply = client.get(f"/forecasts/{forecast_id}")
        return None if reply.status_code == 202 else reply
    return wait_until(poll, 180, 0.3, f"forecast {forecast_id}")


def test_post_then_get_gives_status_then_the_forecast(live: Live) -> None:
    config = default_config().model_copy(update={"calendar": Calendar(
        closures=[{"first_date": "2026-12-08"}])})
    reply = live.client.post(
        "/forecasts", data={"from": "2026-12-07", "days": "3", "reps": "2", "seed": "4"},
        files={"state": ("state.csv", SNAPSHOT.encode(), "text/csv"),
               "config": ("lab.json", config.model_dump_json().encode(), "application/json")})
    assert reply.status_code == 202, reply.text
    body = reply.json()
    forecast_id = body["forecast_id"]
    assert body["url"] == f"/forecasts/{forecast_id}" and body["status"] == "queued"
    done = _until_finished(live.client, forecast_id)
    assert done.status_code == 200, done.text
    result = done.json()
    assert result["status"] == "done"
    validate_forecast(result)
    assert result["dates"] == ["2026-12-07", "2026-12-08", "2026-12-09"]
    assert result["snapshot_specimens"] == 3 and result["replications"] == 2
    assert result["reports"]["max"][1] == 0  # the closure day: no staff, no reports
    assert set(result["backlog_cleared"]) == {"date", "low", "high"}
    notebook = live.client.get(f"/forecasts/{forecast_id}/", params={"format": "ipynb"})
    assert notebook.status_code == 200 and notebook.json()["nbformat"] == 4
    saved = json.loads((_forecasts(live) / forecast_id / "request.json").read_text())
    assert saved == {"start": "2026-12-07T00:00:00", "days": 3, "reps": 2}


def test_bad_inputs_get_every_problem_and_nothing_is_queued(live: Live) -> None:
    before = set(_forecasts(live).glob("*")) if _forecasts(live).exists() else set()
    bad_state = SNAPSHOT + "A1,2026-12-09T09:00,cancer,Cancer,lunch,,\n"
    reply = live.client.post(
        "/forecasts", data={"from": "2026-12-07", "days": "0", "reps": "many"},
        files={"state": ("state.csv", bad_state.encode(), "text/csv"),
               "config": ("lab.json", b'{"layout": "2023"}', "application/json")})
    assert reply.status_code == 400
    problems = reply.json()["problems"]
    texts = " | ".join(p["text"] for p in problems)
    assert "form field 'days'" in texts and "form field 'reps'" in texts
    assert any(p.get("file") == "lab.json" for p in problems)
    rows = {(p["row"], p["column"]) for p in problems if p.get("file") == "state.csv"}
    assert ("5", "specimen_id") in rows and ("5", "stage") in rows and ("5", "arrived_at") in rows
    after = set(_forecasts(live).glob("*")) if _forecasts(live).exists() else set()
    assert after == before


def test_missing_start_and_unknown_ids(live: Live) -> None:
    reply = live.client.post("/forecasts", data={"days": "3"}, files={
        "state": ("state.csv", SNAPSHOT.encode(), "text/csv")})
    assert reply.status_code == 400 and "missing form field 'from'" in reply.text
    reply = live.client.post("/forecasts", data={"from": "2026-12-07T08:15"})
    assert reply.status_code == 400 and "half hour" in reply.text
    assert live.client.get("/forecasts/forecast-" + "0" * 32).status_code == 404
    assert live.client.get("/forecasts/../etc").status_code == 404
    assert live.client.post("/forecasts", json={"from": "2026-12-07"}).status_code == 400


def test_scenario_workbook_with_a_calendar_sheet_runs_dated(live: Live, tmp_path: Path) -> None:
    """POST /scenarios accepts the Calendar sheet: it is stored and the model follows it."""
    import io

    from api_helpers import upload

    from hospital_twin.config import write_workbook

    plain = default_config()
    closed = plain.model_copy(update={"calendar": Calendar(closures=[
        {"first_date": "2024-01-01", "note": "closed"}])})  # the first of the two days
    ids = {}
    for name, config in (("plain", plain), ("closed", closed)):
        buffer = io.BytesIO()
        write_workbook(config, buffer)
        reply = live.client.post(
            "/scenarios", files={"config": upload(f"{name}.xlsx", buffer.getvalue())},
            data={"sim_hours": "48", "num_reps": "1", "seed": "9", "name": name})
        assert reply.status_code == 200, reply.text
        ids[name] = reply.json()["scenario_id"]

    def finished(sid: int) -> bool:
        return live.client.get(f"/scenarios/{sid}/status").json()["status"] in ("done", "failed")

    results = {}
    for name, sid in ids.items():
        wait_until(lambda sid=sid: finished(sid), 120, 0.1, f"scenario {name}")
        reply = live.client.get(f"/scenarios/{sid}/results")
        assert reply.status_code == 200, reply.text
        results[name] = reply.json()
    assert "calendar" not in results["plain"]["config"]
    assert results["closed"]["config"]["calendar"]["closures"][0]["note"] == "closed"
    arrived = {n: r["specimens"]["total"]["arrived"]["mean"] for n, r in results.items()}
    assert 0 < arrived["closed"] < 0.7 * arrived["plain"], arrived  # Monday had no arrivals
