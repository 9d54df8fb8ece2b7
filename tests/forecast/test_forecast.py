"""Forecasts from a snapshot (issue 14 step 3): a backlog at cut-up is cleared later than an
empty start, and sooner with a second cut-up assistant (common random numbers)."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from hospital_twin.config import default_config
from hospital_twin.config.calendar import Calendar
from hospital_twin.config.models import LabConfig
from hospital_twin.forecast import forecast, validate_forecast
from hospital_twin.state import SnapshotRow, backlog_snapshot

START = dt.datetime(2026, 12, 7)
DAYS = 28
REPS = 3


def cutup_backlog(n: int = 1400) -> list[SnapshotRow]:
    """``n`` specimens waiting at cut-up, arrived over the last five days."""
    return backlog_snapshot(START, n, "cutup")


def lab_with_assistants(units: int) -> LabConfig:
    """The reference lab at 40 % of its demand, with ``units`` cut-up assistants on shift."""
    config = default_config()
    calendar = Calendar(demand_multipliers=[
        {"period": "month", "number": m, "multiplier": 0.4} for m in range(1, 13)])
    resources = dict(config.resources)
    roster = resources["Cut-up assistant"]
    resources["Cut-up assistant"] = roster.model_copy(update={
        "half_hour_units": [units if u else 0 for u in roster.half_hour_units]})
    return config.model_copy(update={"calendar": calendar, "resources": resources})


def _cleared_day(result: dict) -> float:
    date = result["backlog_cleared"]["date"]
    return math.inf if date is None else (dt.date.fromisoformat(date) - START.date()).days


@pytest.fixture(scope="module")
def one_assistant() -> dict:
    return forecast(lab_with_assistants(1), cutup_backlog(), START, DAYS, REPS)


@pytest.fixture(scope="module")
def two_assistants() -> dict:
    return forecast(lab_with_assistants(2), cutup_backlog(), START, DAYS, REPS)


@pytest.fixture(scope="module")
def empty_start() -> dict:
    return forecast(lab_with_assistants(1), [], START, DAYS, REPS)


def test_forecast_json_shape(two_assistants: dict) -> None:
    r = two_assistants
    validate_forecast(r)
    assert r["dates"][0] == "2026-12-07" and r["dates"][-1] == "2027-01-03"
    assert len(r["dates"]) == DAYS and r["snapshot_specimens"] == 1400
    for key in ("wip_total", "reports", "share_within_7_days"):
        band = r[key]
        assert set(band) == {"mean", "min", "max"}
        for low, mean, high in zip(band["min"], band["mean"], band["max"], strict=True):
            if mean is not None:
                assert low <= mean <= high
    assert all(0 <= s <= 1 for s in r["share_within_7_days"]["mean"] if s is not None)
    assert r["wip_total"]["mean"][0] > 1400  # the backlog plus the first day's arrivals
    assert r["wip_by_stage"]["cutup"]["mean"][0] > r["wip_by_stage"]["cutup"]["mean"][-1]
    # the backlog waits at cut-up, not also in reception (their reception ended earlier)
    assert max(r["wip_by_stage"]["reception"]["max"]) < 200
    by_stage_day0 = sum(r["wip_by_stage"][stage]["mean"][0] for stage in r["wip_by_stage"])
    assert by_stage_day0 <= r["wip_total"]["mean"][0]  # between stages (deliveries): total only
    assert set(r["backlog_cleared"]) == {"date", "low", "high"}
    assert isinstance(r["warnings"], list)


def test_backlog_is_cleared_later_than_an_empty_start(
    empty_start: dict, one_assistant: dict
) -> None:
    assert empty_start["backlog_cleared"]["date"] == "2026-12-07"
    assert _cleared_day(one_assistant) > _cleared_day(empty_start)
    assert empty_start["warnings"] == [] or all(
        "7-day" not in w for w in empty_start["warnings"])


def test_a_second_cutup_assistant_clears_it_sooner(
    one_assistant: dict, two_assistants: dict
) -> None:
    assert _cleared_day(two_assistants) < _cleared_day(one_assistant)
    cleared = two_assistants["backlog_cleared"]
    assert cleared["date"] is not None
    assert cleared["low"] <= cleared["date"] <= (cleared["high"] or "9999")
    # with common random numbers the extra assistant lowers cut-up WIP on every day
    one = one_assistant["wip_by_stage"]["cutup"]["mean"]
    two = two_assistants["wip_by_stage"]["cutup"]["mean"]
    assert all(b <= a for a, b in zip(one[1:], two[1:], strict=True))


def test_missed_targets_give_plain_warnings(one_assistant: dict) -> None:
    text = " ".join(one_assistant["warnings"])
    assert "7-day target" in text or "not forecast to be back" in text
    assert "2027-01-03" in text


def test_schema_check_catches_a_broken_forecast(two_assistants: dict) -> None:
    import copy

    broken = copy.deepcopy(two_assistants)
    broken["reports"]["mean"] = broken["reports"]["mean"][:-1]
    with pytest.raises(ValueError, match="reports.mean has 27 values for 28 dates"):
        validate_forecast(broken)
    broken = copy.deepcopy(two_assistants)
    broken["backlog_cleared"]["date"] = "soon"
    with pytest.raises(ValueError, match="backlog_cleared/date"):
        validate_forecast(broken)
    broken = copy.deepcopy(two_assistants)
    broken["wip_total"]["max"][3] = -1
    with pytest.raises(ValueError, match="min <= mean <= max"):
        validate_forecast(broken)
