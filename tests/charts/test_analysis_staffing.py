"""Staffing sweeps: roster changes, common random numbers, the table and cheapest levels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hospital_twin import charts
from hospital_twin.analysis import (
    cheapest_levels,
    staffing_sweep,
    sweep_table,
    with_staff_delta,
)
from hospital_twin.analysis.staffing import weekly_unit_hours
from hospital_twin.config import LabConfig


def test_delta_changes_only_working_half_hours(config_2024: LabConfig) -> None:
    before = config_2024.resources["QC staff"].half_hour_units
    more = with_staff_delta(config_2024, "QC staff", 2).resources["QC staff"].half_hour_units
    fewer = with_staff_delta(config_2024, "QC staff", -4).resources["QC staff"].half_hour_units
    for b, m, f in zip(before, more, fewer, strict=True):
        assert m == (b + 2 if b else 0)
        assert f == max(0, b - 4)
    assert config_2024.resources["QC staff"].half_hour_units == before  # copy, not in place
    with pytest.raises(KeyError):
        with_staff_delta(config_2024, "Tea lady", 1)


def test_sweep_uses_common_random_numbers(config_2024: LabConfig) -> None:
    ticks: list[tuple[int, int]] = []
    levels = staffing_sweep(config_2024, "QC staff", (0, 1), reps=2, sim_hours=120,
                            progress=lambda done, total: ticks.append((done, total)))
    assert ticks == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert [lv.delta for lv in levels] == [0, 1]
    base = weekly_unit_hours(config_2024, "QC staff")
    working = sum(1 for u in config_2024.resources["QC staff"].weekly_capacity() if u)
    assert levels[1].unit_hours_per_week == base + working / 2
    arrived = [[r["arrived"] for r in lv.results["replications"]] for lv in levels]
    assert arrived[0] == arrived[1]  # same specimens at every level
    table = sweep_table(levels)
    assert list(table["delta"]) == [0, 1]
    assert table.loc[1, "overall_tat"] == levels[1].results["overall_tat"]
    assert table.loc[0, "within_7d"] == levels[0].results["progress"]["7"]
    assert table.loc[0, "lab_within_3d_low"] == levels[0].results["lab_progress_min"]["3"]
    assert table.loc[1, "overall_tat_high"] == levels[1].results["overall_tat_max"]
    fig = charts.sweep_tat_figure(table, "QC staff")
    np.testing.assert_allclose(fig.data[0].y, table["overall_tat"])
    assert fig.layout.yaxis.title.text == "Turnaround time (hours)"
    shares = charts.sweep_shares_figure(table, "QC staff")
    np.testing.assert_allclose(shares.data[0].y, table["within_7d"])
    assert list(shares.data[1].y) == [0.8, 0.8]  # the 7-day target line
    assert "completed specimens only" in shares.layout.title.text
    # whether work piles up, per level; the Kaplan–Meier shares on request
    stab = levels[1].results["stability"]
    assert table.loc[1, "stability"] == stab["verdict"]
    assert table.loc[1, "wip_growth_low"] == stab["wip_growth_per_week"]["min"]
    km = sweep_table(levels, km=True)
    seven = levels[0].results["tat_km"]["overall"]["within"]["7"]
    assert (km.loc[0, "within_7d"], km.loc[0, "within_7d_low"], km.loc[0, "within_7d_high"]
            ) == (seven["mean"], seven["min"], seven["max"])
    assert km.loc[1, "lab_within_3d"] == levels[1].results["tat_km"]["lab"]["within"]["3"][
        "mean"]
    assert "Kaplan-Meier" in charts.sweep_shares_figure(km, "QC staff").layout.title.text


def _table(shares_7d: list[float], lows: list[float]) -> pd.DataFrame:
    rows = []
    for delta, (share, low) in enumerate(zip(shares_7d, lows, strict=True), start=-1):
        row = {"delta": delta, "unit_hours_per_week": 100.0 + 10 * delta}
        for col in ("within_7d", "within_10d", "within_12d", "within_21d", "lab_within_3d"):
            row[col], row[f"{col}_low"], row[f"{col}_high"] = share, low, share + 0.01
        rows.append(row)
    return pd.DataFrame(rows)


def test_cheapest_level_meeting_each_target() -> None:
    table = _table([0.70, 0.85, 0.92, 0.97], [0.60, 0.79, 0.91, 0.96])
    best = cheapest_levels(table).set_index("column")
    assert best.loc["within_7d", "delta"] == 0  # 0.85 >= 0.80 at 100 h
    assert best.loc["within_10d", "delta"] == 1  # 0.92 >= 0.90
    assert best.loc["within_12d", "delta"] == 2
    assert best.loc["lab_within_3d", "unit_hours_per_week"] == 100.0
    confident = cheapest_levels(table, confident=True).set_index("column")
    assert confident.loc["within_7d", "delta"] == 1  # lower bound 0.79 at +0 misses 0.80


def test_no_level_meets_the_target() -> None:
    best = cheapest_levels(_table([0.1, 0.2, 0.3, 0.4], [0.0, 0.1, 0.2, 0.3]))
    assert best["delta"].isna().all()


def test_a_level_where_work_piles_up_meets_no_target() -> None:
    table = _table([0.70, 0.85, 0.92, 0.97], [0.60, 0.85, 0.91, 0.96])
    table["stability"] = ["unstable", "unstable", "stable", "too short to tell"]
    best = cheapest_levels(table).set_index("column")
    assert best.loc["within_7d", "delta"] == 1  # 0.85 at +0 would do, but work piles up
    assert best.loc["within_12d", "delta"] == 2
