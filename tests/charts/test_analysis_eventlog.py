"""Event log, stage time split and the lift-outage layout change."""

from __future__ import annotations

import numpy as np
import pytest

from hospital_twin import charts
from hospital_twin.analysis import LIFT_ROUTES, event_log, stage_time_split, with_distances
from hospital_twin.analysis.layout import LIFT_OUT_DISTANCE_M
from hospital_twin.config import LabConfig, default_config


def test_event_log_population_matches_the_kpis(base_run) -> None:
    outputs, results = base_run
    log = event_log(outputs)
    assert len(log) == sum(len(o.specimens) for o in outputs)
    assert sorted(log["replication"].unique()) == [0, 1]
    per_rep = log[log["in_population"]].groupby("replication")["tat_hours"].mean()
    assert per_rep.mean() == pytest.approx(results["overall_tat"])
    done = log[log["in_population"]]
    np.testing.assert_allclose(done["tat_hours"], done["report_end"] - done["reception_start"])
    assert (done["reception_start"] >= 24.0).all()


def test_stage_split_adds_up_to_turnaround(base_run) -> None:
    log = event_log(base_run[0])
    split = stage_time_split(log)
    assert list(split["stage"])[0] == "Reception" and len(split) == 9
    total = split["between_hours"].sum() + split["in_stage_hours"].sum()
    assert total == pytest.approx(log.loc[log["in_population"], "tat_hours"].mean())
    assert split.loc[0, "between_hours"] == 0  # reception starts at arrival
    by_path = stage_time_split(log, by="pathway")
    assert set(by_path["pathway"]) == {"cancer", "noncancer"}
    fig = charts.time_split_figure(split)
    np.testing.assert_allclose(fig.data[1].y, split["in_stage_hours"])
    assert fig.layout.barmode == "stack"


def test_tat_by_group_boxes(base_run) -> None:
    log = event_log(base_run[0])
    fig = charts.tat_by_group_figure(log, "priority")
    done = log[log["in_population"]]
    for trace, (value, frame) in zip(fig.data, done.groupby("priority"), strict=True):
        assert trace.name.startswith(str(value))
        np.testing.assert_allclose(trace.y, frame["tat_hours"] / 24)
    assert fig.layout.yaxis.title.text == "Turnaround time (days)"


def test_lift_outage_lengthens_the_two_lift_routes(config_2024: LabConfig) -> None:
    base = config_2024.runner.distances_m
    assert [round(base[r], 2) for r in LIFT_ROUTES] == [86.90, 86.90]
    out = with_distances(config_2024, {r: LIFT_OUT_DISTANCE_M for r in LIFT_ROUTES})
    for journey, metres in out.runner.distances_m.items():
        assert metres == (155.86 if journey in LIFT_ROUTES else base[journey])
    assert config_2024.runner.distances_m == base
    with pytest.raises(KeyError):
        with_distances(config_2024, {"(qc, pub)": 10.0})
    with pytest.raises(ValueError):
        with_distances(config_2024, {LIFT_ROUTES[0]: -1.0})


def test_no_distances_in_the_2023_layout() -> None:
    with pytest.raises(ValueError, match="no runner distances"):
        with_distances(default_config(), {LIFT_ROUTES[0]: 100.0})
