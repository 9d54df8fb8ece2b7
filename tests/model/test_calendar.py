"""The calendar in the model: neutral = unchanged, closures, extra shifts, bank holidays, demand.

Issue 14, step 1. The bit-for-bit check compares the whole results JSON (KPIs, monitors,
event-log summaries; only wall-clock seconds differ) of a run without a calendar, which is
the code path of every run before calendars existed, with runs under neutral calendars.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from hospital_twin.config.calendar import Calendar
from hospital_twin.config.labels import RESOURCES, STAFF
from hospital_twin.config.models import LabConfig
from hospital_twin.kpis import build_results
from hospital_twin.model import run_replications
from hospital_twin.model.calendar_plan import CalendarPlan
from hospital_twin.model.lab import Lab

HOURS = 2 * 168 + 7  # two weeks and a bit: week boundaries and a partial week


def _results(config: LabConfig) -> dict:
    outputs = run_replications(config, 2, workers=1)
    results = json.loads(json.dumps(build_results(outputs, None, config.run.seed)))
    for rep in results["replications"]:
        rep.pop("wall_seconds", None)
    results["run"].pop("wall_seconds", None)
    return results


def _dated(config: LabConfig, **calendar: object) -> LabConfig:
    return config.model_copy(update={"calendar": Calendar(**calendar)})


def _run(config: LabConfig, hours: float = HOURS) -> Lab:
    lab = Lab(config, 0, hours)
    lab.run()
    return lab


@pytest.fixture(scope="module")
def base(reference_config: LabConfig) -> LabConfig:
    return reference_config.with_run(sim_hours=HOURS, seed=3, warmup_hours=24)


@pytest.fixture(scope="module")
def plain_results(base: LabConfig) -> dict:
    return _results(base)


def test_no_calendar_dumps_the_configuration_as_before(base: LabConfig) -> None:
    assert "calendar" not in base.model_dump(mode="json")
    assert "calendar" in _dated(base).model_dump(mode="json")
    again = LabConfig.model_validate_json(_dated(base).model_dump_json())
    assert again.calendar == Calendar()


@pytest.mark.parametrize("start", [
    dt.datetime(2024, 1, 1),  # the default start
    dt.datetime(2026, 12, 7),  # another Monday: dates alone change nothing
])
def test_neutral_calendar_gives_the_same_results_bit_for_bit(
    base: LabConfig, plain_results: dict, start: dt.datetime
) -> None:
    dated = _dated(base, start=start)
    assert dated.calendar.is_neutral()
    assert _results(dated) == plain_results


def test_a_non_neutral_calendar_changes_results(base: LabConfig, plain_results: dict) -> None:
    """The comparison above can fail: a 10 % demand rise changes the results."""
    dated = _dated(base, demand_multipliers=[{"period": "month", "number": 1,
                                               "multiplier": 1.1}])
    assert not dated.calendar.is_neutral()
    assert _results(dated) != plain_results


def test_closure_day_has_no_arrivals_and_no_staff_work(base: LabConfig) -> None:
    # 2024-01-03 is the Wednesday of the first week: hours 48..72.
    closed = _dated(base, closures=[{"first_date": "2024-01-03"}])
    lab = _run(closed)
    out = lab.output()
    day = (48.0, 72.0)
    arrivals = out.specimens["reception_start"]
    assert not ((arrivals >= day[0]) & (arrivals < day[1])).any()
    assert ((arrivals >= 24) & (arrivals < 48)).sum() > 100  # the day before is busy
    stamps = out.specimens.filter(regex="_(start|end)$").to_numpy()
    assert not ((stamps >= day[0]) & (stamps < day[1])).any()  # nothing completes
    for label in STAFF:
        busy = out.busy[label]
        during = (busy.times >= day[0]) & (busy.times < day[1])
        assert not (busy.values[during] > 0).any(), label
        assert (_capacity_at(out, label, np.arange(48.25, 72.0, 0.5)) == 0).all(), label
    # machines are not staff: their capacity is untouched
    cap = out.capacity["Processing machine"]
    assert cap.values.min() == base.resources["Processing machine"].half_hour_units[0]


def test_closure_of_arrivals_only_keeps_staff(base: LabConfig) -> None:
    closed = _dated(base, closures=[{"first_date": "2024-01-03", "no_staff": False}])
    out = _run(closed).output()
    arrivals = out.specimens["reception_start"]
    assert not ((arrivals >= 48) & (arrivals < 72)).any()
    busy = out.busy["BMS"]
    assert (busy.values[(busy.times >= 48) & (busy.times < 72)] > 0).any()


def _capacity_at(out, label: str, hours: np.ndarray) -> np.ndarray:
    series = out.capacity[label]
    index = np.searchsorted(series.times, hours, side="right") - 1
    return series.values[index]


def test_saturday_extra_shift_raises_only_that_resources_saturday_capacity(
    base: LabConfig,
) -> None:
    plain = _run(_dated(base)).output()
    shift = {"resource": "Microtomy staff", "first_date": "2024-01-01",
             "last_date": "2024-01-31", "days": ["SAT"], "start_time": "08:00",
             "end_time": "12:00", "units": 2}
    extra = _run(_dated(base, extra_shifts=[shift])).output()
    probe = np.arange(0.25, HOURS, 0.5)  # the middle of every half hour of the run
    saturday_morning = np.array([
        (t // 24) % 7 == 5 and 8 <= t % 24 < 12 for t in probe
    ])
    for label in RESOURCES:
        before, after = _capacity_at(plain, label, probe), _capacity_at(extra, label, probe)
        if label == "Microtomy staff":
            assert (after[saturday_morning] == before[saturday_morning] + 2).all()
            assert (after[~saturday_morning] == before[~saturday_morning]).all()
        else:
            assert (after == before).all(), label
    # the extra staff really work: microtomy is busy on Saturday morning
    busy = extra.busy["Microtomy staff"]
    saturday = (busy.times >= 5 * 24 + 8) & (busy.times < 5 * 24 + 12)
    assert (busy.values[saturday] > 0).any()


def test_weekday_profile_and_bank_holiday(base: LabConfig) -> None:
    saturday = [0] * 16 + [3] * 8 + [0] * 24  # 08:00-12:00, 3 units
    calendar = Calendar(
        staff_profiles=[{"resource": "BMS", "day": "SAT", "half_hour_units": saturday}],
        bank_holidays=[{"date": "2024-01-02"}],  # a Tuesday follows Sunday's pattern
    )
    plan = CalendarPlan(base, calendar, HOURS)
    bms = plan.capacity["BMS"].reshape(-1, 48)
    assert bms[5].tolist() == saturday and bms[12].tolist() == saturday
    assert bms[6].sum() == 0 and bms[1].sum() == 0  # Sunday, and the bank holiday
    assert bms[0].tolist() == base.resources["BMS"].half_hour_units
    sunday_rates = np.asarray(base.arrivals.cancer[6 * 24:7 * 24])
    assert plan.rates["cancer"][24:48].tolist() == sunday_rates.tolist()


def test_demand_multipliers_and_growth_scale_arrival_rates(base: LabConfig) -> None:
    calendar = Calendar(
        start=dt.datetime(2024, 1, 29),
        demand_multipliers=[{"period": "month", "number": 2, "multiplier": 1.5},
                            {"period": "week", "number": 6, "multiplier": 2.0}],
        yearly_growth=0.05,
    )
    plan = CalendarPlan(base, calendar, HOURS)
    weekly = np.asarray(base.arrivals.noncancer)
    rates = plan.rates["noncancer"]
    # 2024-01-29 (Mon, January, ISO week 5): only growth (0 days -> 1.0)
    assert rates[:24].tolist() == weekly[:24].tolist()
    # 2024-02-05 (Mon, February, ISO week 6): 1.5 * 2.0 * growth over 7 days
    growth = 1.05 ** (7 / 365.25)
    assert np.allclose(rates[7 * 24:8 * 24], weekly[:24] * 3.0 * growth)
    # 2024-02-12 (week 7): month only
    assert np.allclose(rates[14 * 24:15 * 24], weekly[:24] * 1.5 * 1.05 ** (14 / 365.25))


def test_start_mid_week_runs_the_weekday_pattern_of_that_date(base: LabConfig) -> None:
    """A Saturday 00:00 start: the first 48 hours have no BMS staff, then Monday's roster."""
    lab = Lab(_dated(base, start=dt.datetime(2024, 1, 6)), 0, 72.0)
    lab.run()
    out = lab.output()
    probe = np.arange(0.25, 72.0, 0.5)
    cap = _capacity_at(out, "BMS", probe)
    assert (cap[:96] == 0).all()
    assert cap[96:].tolist() == base.resources["BMS"].half_hour_units


@pytest.mark.parametrize(("calendar", "fragment"), [
    ({"start": "2024-01-01T08:15:00"}, "half hour"),
    ({"staff_profiles": [{"resource": "Wizard", "day": "SAT",
                          "half_hour_units": [0] * 48}]}, "unknown resource"),
    ({"staff_profiles": [{"resource": "BMS", "day": "SAT", "half_hour_units": [0] * 47}]},
     "48"),
    ({"closures": [{"first_date": "2024-01-10", "last_date": "2024-01-09"}]}, "before"),
    ({"extra_shifts": [{"resource": "BMS", "first_date": "2024-01-06",
                        "start_time": "12:00", "end_time": "08:00"}]}, "after"),
    ({"extra_shifts": [{"resource": "BMS", "first_date": "2024-01-06",
                        "start_time": "12:15"}]}, "pattern"),
    ({"demand_multipliers": [{"period": "month", "number": 13, "multiplier": 1}]}, "1-12"),
    ({"bank_holidays": [{"date": "2024-12-25"}, {"date": "2024-12-25"}]}, "twice"),
])
def test_bad_calendars_are_rejected(calendar: dict, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        Calendar.model_validate(calendar)
