"""The Forecast tab's logic without a browser: inputs checked at once, a forecast queued,
run by a real RQ worker (papermill) on a private redis-server, and drawn by date."""

from __future__ import annotations

import datetime as dt

import pytest

from hospital_twin.dashboards.simulation.app import FORECAST, TITLES, build
from hospital_twin.dashboards.simulation.backend import Backend
from hospital_twin.dashboards.simulation.forecast_tab import forecast_inputs, next_monday
from hospital_twin.jobs.worker import run_worker

SNAPSHOT = (
    "specimen_id,arrived_at,pathway,priority,stage\n"
    "A1,2026-12-04T09:30,cancer,Cancer,cutup\n"
    "A2,2026-12-05T10:00,noncancer,Routine,qc\n"
)


def _upload(name: str, text: str | bytes) -> dict:
    data = text.encode() if isinstance(text, str) else text
    return {"name": name, "type": "text/csv", "size": len(data), "content": memoryview(data),
            "last_modified": dt.datetime(2026, 12, 7, tzinfo=dt.UTC)}


def test_next_monday() -> None:
    assert next_monday(dt.date(2026, 12, 7)) == dt.date(2026, 12, 7)
    assert next_monday(dt.date(2026, 12, 8)) == dt.date(2026, 12, 14)
    assert next_monday(dt.date(2026, 12, 13)) == dt.date(2026, 12, 14)


def test_inputs_report_every_problem_of_both_files() -> None:
    bad_state = _upload("today.csv", SNAPSHOT + "A1,2026-12-08T09:00,cancer,Cancer,cutup\n")
    bad_config = _upload("lab.json", b'{"layout": "2023"}')
    with pytest.raises(ValueError) as caught:
        forecast_inputs(bad_config, bad_state, dt.date(2026, 12, 7), 7, 2)
    text = str(caught.value)
    assert "today.csv" in text and 'row "4", column "specimen_id"' in text
    assert 'row "4", column "arrived_at"' in text
    assert "lab.json" in text
    good = forecast_inputs(None, _upload("today.csv", SNAPSHOT), dt.date(2026, 12, 7), 7, 2)
    assert [r.specimen_id for r in good.state] == ["A1", "A2"]
    assert good.start == dt.datetime(2026, 12, 7)


def test_forecast_is_queued_run_and_drawn(job_env, monkeypatch) -> None:
    dashboard = build(Backend(job_env.settings), poll=False, poll_interval=0.2)
    assert TITLES[FORECAST] == "Forecast"
    tab = dashboard.forecast
    tab.state_upload.value = (_upload("today.csv", SNAPSHOT),)
    assert "today.csv" in tab.files.value
    tab.start.value = dt.date(2026, 12, 7)
    tab.days.value, tab.reps.value = 3, 2
    tab.poller.start = lambda: None  # polled by hand below, after the worker ran
    tab.go.click()
    assert tab.forecast_id is not None and tab.go.disabled, tab.message.value
    assert "Forecast queued: 2 specimens" in tab.message.value
    tab.check()
    assert tab.result is None and "Now: queued." in tab.message.value
    assert run_worker(job_env.settings, burst=True)
    tab.check()
    assert tab.result is not None, tab.message.value
    assert tab.result["dates"] == ["2026-12-07", "2026-12-08", "2026-12-09"]
    assert "Backlog cleared by 2026-12-07" in tab.headline.value
    assert len(tab.charts.children) == 4 and not tab.go.disabled
    assert all(c.layout.xaxis.type == "date" for c in tab.charts.children)


def test_bad_snapshot_shows_every_problem_and_queues_nothing(job_env) -> None:
    dashboard = build(Backend(job_env.settings), poll=False)
    tab = dashboard.forecast
    tab.state_upload.value = (_upload("today.csv", "specimen_id,when\nA,B\n"),)
    tab.go.click()
    assert tab.forecast_id is None
    assert "missing column" in tab.message.value and "unknown column" in tab.message.value
    assert not (job_env.settings.var_dir / "forecasts").exists()
