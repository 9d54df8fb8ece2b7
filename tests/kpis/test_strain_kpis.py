"""KPIs for a lab under strain, on hand-made outputs: Kaplan–Meier TAT, the stability
verdict, the machine-time split and clipped intervals (issue 13)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from kpi_builders import make_output, specimen, step

from hospital_twin.kpis import build_results, validate_results
from hospital_twin.kpis.censored import km_estimates, tat_km_kpis
from hospital_twin.kpis.intervals import clip_intervals
from hospital_twin.kpis.machine_time import machine_time
from hospital_twin.kpis.stability import stability, verdict

RUN_END = 300.0


def hand_rows() -> list[dict]:
    """Five specimens arriving at t = 0, 10, 20, 30, 40 h. Reported after 50, 100 and 150 h
    (the 1st, 2nd and 4th); the 3rd and 5th are still in the lab at the run end (300 h), so
    they are censored at 280 h and 260 h."""
    rows = []
    for arrival, tat in ((0, 50), (10, 100), (20, None), (30, 150), (40, None)):
        end = arrival + tat if tat is not None else math.inf
        rows.append(specimen(arrival, 1.0, report_end=end, qc_end=arrival + 5,
                             run_end=RUN_END))
    return rows


def test_kaplan_meier_equals_the_hand_computed_curve() -> None:
    # At risk 5 at 50 h: S = 4/5 = 0.8; at 100 h (4 at risk): S = 0.8·3/4 = 0.6;
    # at 150 h (3 at risk: 150, 260 and 280 censored): S = 0.6·2/3 = 0.4;
    # censored at 260 and 280 h. Median: first t with S ≤ 0.5 → 150 h; P90 never reached.
    km = tat_km_kpis(make_output(hand_rows(), sim_hours=RUN_END).specimens, 0.0, RUN_END)
    overall = km["overall"]
    assert overall["n"] == 5 and overall["censored"] == 2
    assert overall["percentiles"] == {"50": pytest.approx(150.0), "90": None}
    # within 7 days (168 h) = 1 − S(168−) = 1 − 0.4; 10 days (240 h) likewise;
    # 12 days (288 h) lies beyond the longest follow-up (280 h) with S > 0: undefined
    assert overall["within"]["7"] == pytest.approx(0.6)
    assert overall["within"]["10"] == pytest.approx(0.6)
    assert overall["within"]["12"] is None and overall["within"]["21"] is None
    # lab TAT: every specimen finished QC after 5 h
    assert km["lab"]["within"]["3"] == pytest.approx(1.0)
    assert km["lab"]["percentiles"]["50"] == pytest.approx(5.0)
    # the completed-only share of the same log says every specimen was within 7 days
    assert km["by_pathway"]["cancer"]["overall"]["within"]["7"] == pytest.approx(0.6)
    assert km["by_priority"]["Urgent"]["overall"]["n"] == 0


def test_kaplan_meier_share_is_strictly_below_d_days() -> None:
    # one specimen at exactly 168 h is not "within 7 days" (11.C19: TAT < 24·d)
    est = km_estimates(np.array([100.0, 168.0]), np.array([True, True]), [7])
    assert est["within"]["7"] == pytest.approx(0.5)


def test_completed_only_share_overstates_against_kaplan_meier() -> None:
    results = build_results([make_output(hand_rows(), sim_hours=RUN_END)], None, 0)
    assert results["progress"]["7"] == pytest.approx(1.0)  # 3 of 3 reported
    assert results["tat_km"]["overall"]["within"]["7"]["mean"] == pytest.approx(0.6)
    assert "completed only" in results["tat_populations"][
        "overall_tat, progress, tat_percentiles.overall, tat_by_priority, tat_by_pathway, "
        "tat_histogram, tat_by_stage"]
    validate_results(results)
    assert next(iter(results)) == "stability"  # what a reader must see first


def test_stability_verdicts() -> None:
    flat = [[0, 600, 610, 590, 605, 600, 598], [0, 610, 590, 600, 600, 612, 601],
            [0, 590, 600, 611, 596, 603, 605]]
    # week 0 fills up; then +100 a week (±5 between replications)
    growing = [[0.0] + [600.0 + 100 * k + j for k in range(6)] for j in (0, 5, -5)]
    result = stability(flat, 0.0)
    assert result["verdict"] == "stable" and result["weeks_used"] == 6
    g = result["wip_growth_per_week"]
    assert g["min"] <= 0 <= g["max"]
    grown = stability(growing, 0.0)
    assert grown["verdict"] == "unstable"
    assert grown["wip_growth_per_week"]["mean"] == pytest.approx(100.0)
    assert grown["message"].startswith("Unstable: work piles up by about 100 specimens a "
                                       "week; turnaround figures depend on run length.")
    assert result["message"] is None
    # the first week (filling up) is never used; three weeks after it are too few
    assert stability([w[:4] for w in growing], 0.0)["verdict"] == "too short to tell"
    assert stability([[0.0, 600.0]], 0.0)["wip_growth_per_week"]["mean"] is None
    # the warm-up moves the first week used
    assert stability(flat, 3 * 168.0)["weeks_used"] == 4
    # a wide interval that includes both 0 and material growth cannot be told
    assert verdict(10.0, -40.0, 60.0, material=12.0, weeks=8) == "too short to tell"
    assert verdict(5.0, 1.0, 9.0, material=12.0, weeks=8) == "stable"  # real but immaterial


def test_machine_time_splits_busy_into_running_and_held() -> None:
    # one machine, capacity 2 for 10 h; busy 1 on [0, 6), of which held (finished, waiting
    # for staff) on [4, 6): running 4 unit-h, held 2, idle 20 − 6 = 14 of 20 unit-hours
    out = make_output(sim_hours=10.0, capacity={"Staining machine": step((0, 2))},
                      busy={"Staining machine": step((0, 1), (6, 0))},
                      held={"Staining machine": step((0, 0), (4, 1), (6, 0))})
    split = machine_time(out)["Staining machine"]
    assert split == pytest.approx({"running": 0.2, "held": 0.1, "idle": 0.7})
    assert sum(split.values()) == pytest.approx(1.0)


def test_intervals_of_counts_and_shares_are_clipped() -> None:
    results = {
        "partial_batches": {"Bone station (blocks)": {"mean": 1.0, "min": -2.0, "max": 4.0}},
        "progress_max": {"7": 1.03},
        "utilization_by_resource": {"x": ["a"], "y": [0.99], "ymin": [0.9], "ymax": [1.2]},
        "tat_km": {"overall": {"within": {"7": {"mean": 0.98, "min": 0.9, "max": 1.1}},
                               "percentiles": {"50": {"mean": 5, "min": -1, "max": 9}}}},
        "stability": {"wip_growth_per_week": {"mean": -3.0, "min": -9.0, "max": 2.0}},
    }
    clipped = clip_intervals(results)
    assert clipped["partial_batches"]["Bone station (blocks)"] == {
        "mean": 1.0, "min": 0.0, "max": 4.0}
    assert clipped["progress_max"] == {"7": 1.0}
    assert clipped["utilization_by_resource"]["ymax"] == [1.0]
    assert clipped["tat_km"]["overall"]["within"]["7"]["max"] == 1.0
    assert clipped["tat_km"]["overall"]["percentiles"]["50"]["min"] == 0.0
    # a signed quantity keeps its negative bound
    assert clipped["stability"]["wip_growth_per_week"]["min"] == -9.0


def test_too_short_says_why_and_what_to_do() -> None:
    few = stability([[0.0, 600.0, 610.0, 605.0]], 0.0)
    assert few["verdict"] == "too short to tell"
    assert "only 3 whole weeks" in few["message"] and "Run longer" in few["message"]
    noisy = [[0.0, 600, 700, 560, 690, 580], [0.0, 600, 540, 680, 590, 720],
             [0.0, 640, 600, 560, 700, 610]]
    wide = stability(noisy, 0.0)
    assert wide["verdict"] == "too short to tell" and wide["weeks_used"] == 5
    assert "too uncertain" in wide["message"]
