"""Utilisation (11.C21), overtime, raw queue length (11.C22) and allocation steps."""

from __future__ import annotations

import numpy as np
import pytest
from kpi_builders import make_output, step

from hospital_twin.kpis.replication import capacity_steps, resource_kpis

CAP = {"Microtomy staff": step((0, 2), (2, 1), (3, 0)), "Idle machine": step((0, 0))}
# busy exceeds capacity on [2, 4): the tasks run on after the capacity drops
BUSY = {"Microtomy staff": step((0, 1), (1, 2), (3, 1)), "Idle machine": step((0, 0), (1, 3))}


def test_utilisation_capped_and_overtime_separate() -> None:
    k = resource_kpis(make_output(sim_hours=4, capacity=CAP, busy=BUSY))
    assert k["resources"] == ["Microtomy staff", "Idle machine"]
    # ∫min(busy, cap) = 1 + 2 + 1 + 0 = 4; ∫cap = 2 + 2 + 1 + 0 = 5
    assert k["utilisation"]["Microtomy staff"] == pytest.approx(4 / 5)
    # ∫max(0, busy − cap) = 1 on [2,3) + 1 on [3,4)
    assert k["overtime"]["Microtomy staff"] == pytest.approx(2.0)
    hourly = k["hourly_utilisation"]["Microtomy staff"]
    assert hourly == pytest.approx([0.5, 1.0, 1.0, 0.0])
    assert np.all((hourly >= 0) & (hourly <= 1))


def test_no_capacity_gives_zero_utilisation() -> None:
    k = resource_kpis(make_output(sim_hours=4, capacity=CAP, busy=BUSY))
    assert k["utilisation"]["Idle machine"] == 0.0
    assert k["hourly_utilisation"]["Idle machine"] == pytest.approx([0, 0, 0, 0])
    # all its busy time is overtime: 3 units for 3 h
    assert k["overtime"]["Idle machine"] == pytest.approx(9.0)


def test_window_starts_at_warmup() -> None:
    k = resource_kpis(make_output(sim_hours=4, warmup_hours=1, capacity=CAP, busy=BUSY))
    # over [1, 4]: used 2 + 1 + 0 = 3, capacity 2 + 1 + 0 = 3
    assert k["utilisation"]["Microtomy staff"] == pytest.approx(1.0)
    # hourly series still cover every hour from 0
    assert k["hourly_utilisation"]["Microtomy staff"] == pytest.approx([0.5, 1.0, 1.0, 0.0])


def test_queue_length_is_raw_time_weighted_mean() -> None:
    queue = {"Microtomy staff": step((0, 0), (1, 3), (3, 1))}
    k = resource_kpis(make_output(sim_hours=4, warmup_hours=1, capacity=CAP, busy=BUSY,
                                  queue=queue))
    # ∫_1^4 = 3·2 + 1·1 = 7 over 3 h, not divided by capacity
    assert k["queue_length"]["Microtomy staff"] == pytest.approx(7 / 3)


def test_missing_busy_series_is_reported() -> None:
    out = make_output(sim_hours=4, capacity=CAP, busy=BUSY)
    del out.busy["Idle machine"]
    with pytest.raises(ValueError, match="Idle machine"):
        resource_kpis(out)


def test_capacity_steps_keep_changes_and_end_point() -> None:
    cap = step((0, 0), (7.5, 2), (9, 2), (9, 4), (12, 2), (30, 1))
    xs, ys = capacity_steps(cap, 24.0)
    assert xs == [0.0, 7.5, 9.0, 12.0, 24.0]
    assert ys == [0.0, 2.0, 4.0, 2.0, 2.0]
