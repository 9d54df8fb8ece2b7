"""The Run tab accepts a configuration with a calendar: it says so and submits it unchanged."""

from __future__ import annotations

import datetime as dt

from hospital_twin.config import default_config
from hospital_twin.config.calendar import Calendar
from hospital_twin.dashboards.simulation.app import build
from hospital_twin.dashboards.simulation.backend import Backend

CALENDAR = Calendar(start=dt.datetime(2026, 12, 7),
                    closures=[{"first_date": "2026-12-25", "last_date": "2026-12-26"}],
                    extra_shifts=[{"resource": "BMS", "first_date": "2026-12-12",
                                   "days": ["SAT"], "units": 2}],
                    yearly_growth=0.05)


def test_run_tab_shows_and_keeps_the_calendar(job_env) -> None:
    dashboard = build(Backend(job_env.settings), poll=False)
    run = dashboard.run
    assert "No calendar" in run.calendar_note.value
    config = default_config().model_copy(update={"calendar": CALENDAR})
    run.set_bases([("christmas", config)])
    note = run.calendar_note.value
    assert "Mon 07 Dec 2026 00:00" in note and "1 closure(s)" in note
    assert "1 extra shift(s)" in note and "5.0% a year" in note
    run.demand.value = 120  # an edit in the tab keeps the calendar
    ((name, edited),) = run.configs()
    assert name == "christmas" and edited.calendar == CALENDAR
    assert sum(edited.arrivals.cancer) > sum(config.arrivals.cancer)
    run.submit()
    from hospital_twin.store import get_config_json

    stored = get_config_json(job_env.engine, 1)
    assert '"closures"' in stored and "2026-12-25" in stored
