"""The Run tab accepts a configuration with a calendar: it says so and submits it unchanged."""

from __future__ import annotations

import datetime as dt

import pytest

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
    assert "No calendar in the loaded lab" in run.calendar_note.value
    config = default_config().model_copy(update={"calendar": CALENDAR})
    run.set_bases([("christmas", config)])
    note = run.calendar_note.value
    assert note.startswith("<p>In the loaded lab: Calendar from ")
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


def test_run_tab_edits_a_calendar(job_env) -> None:
    dashboard = build(Backend(job_env.settings), poll=False)
    run = dashboard.run
    edit = run.calendar_edit
    assert not edit.dated.value  # the bundled lab has no calendar
    ((_, plain),) = run.configs()
    assert plain.calendar is None
    edit.dated.value = True
    edit.start.value = dt.date(2026, 12, 7)
    edit.closed.value = "2026-12-25..2026-12-26, 2027-01-01"
    edit.holidays.value = "2026-12-28"
    edit.growth.value = 5
    ((_, dated),) = run.configs()
    calendar = dated.calendar
    assert calendar.start == dt.datetime(2026, 12, 7)
    assert [(c.first_date, c.last) for c in calendar.closures] == [
        (dt.date(2026, 12, 25), dt.date(2026, 12, 26)), (dt.date(2027, 1, 1),) * 2]
    assert [h.date for h in calendar.bank_holidays] == [dt.date(2026, 12, 28)]
    assert calendar.yearly_growth == 0.05
    # the parts the tab does not show are kept from a workbook's calendar
    run.set_bases([("christmas", default_config().model_copy(update={"calendar": CALENDAR}))])
    assert edit.dated.value and edit.closed.value == "2026-12-25..2026-12-26"
    ((_, kept),) = run.configs()
    assert kept.calendar == CALENDAR
    edit.closed.value = "Christmas, 2026-12-31..2026-12-30"
    edit.start.value = None
    with pytest.raises(ValueError, match="not valid"):
        run.configs()
    problems = run.problems.value
    assert "&#x27;Christmas&#x27; is not a date" in problems and "ends before it starts" in problems
    assert "choose the start date" in problems and "<b>calendar</b>: 3 problem(s)" in problems
