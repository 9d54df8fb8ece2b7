"""TAT definitions, populations, censoring and the strict "< 24·d h" rule (11.C19-C20)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from kpi_builders import log, make_output, specimen

from hospital_twin.kpis.replication import replication_kpis, specimen_counts
from hospital_twin.kpis.tat import cohort_share, share_within, tat_kpis

T = 400.0
WARMUP = 24.0
# Each stage takes 1 h from arrival unless overridden, so qc_end = arrival + 8.
ROWS = [
    # A: overall TAT exactly 168 h (not within 7 days), lab TAT 8
    specimen(30, report_end=198.0, priority="Urgent", run_end=T),
    # B: overall 167.5 h (within 7 days), lab 8
    specimen(30, report_end=197.5, run_end=T),
    # C: arrived before the warm-up: in no population
    specimen(10, report_end=50.0, run_end=T),
    # D: lab TAT exactly 72 h, report after the run end (censored for overall)
    specimen(100, qc_end=172.0, report_end=450.0, pathway="noncancer", priority="Routine",
             run_end=T),
    # E: not through QC at the run end
    specimen(300, stage_hours=20, pathway="noncancer", priority="Routine", run_end=T),
    # F: reported exactly at the run end: included (report_end ≤ run end), TAT 350
    specimen(50, report_end=400.0, run_end=T),
]


@pytest.fixture(scope="module")
def kpis() -> dict:
    return tat_kpis(log(ROWS), WARMUP, T)


def test_strict_boundary() -> None:
    assert share_within(np.array([168.0]), 7) == 0.0
    assert share_within(np.array([167.999]), 7) == 1.0
    assert share_within(np.array([]), 7) is None


def test_overall_population_and_means(kpis: dict) -> None:
    # population A, B, F
    assert kpis["overall_tat"] == pytest.approx((168 + 167.5 + 350) / 3)
    assert kpis["progress"] == pytest.approx({"7": 1 / 3, "10": 2 / 3, "12": 2 / 3, "21": 1.0})


def test_lab_population(kpis: dict) -> None:
    # population A, B, D, F with lab TATs 8, 8, 72, 8
    assert kpis["lab_tat"] == pytest.approx((8 + 8 + 72 + 8) / 4)
    assert kpis["lab_progress"] == pytest.approx({"3": 3 / 4})


def test_cohort_is_free_of_censoring(kpis: dict) -> None:
    # d=7: arrivals in [24, 232] are A, B, D, F; only B under 168 h
    # d=10: [24, 160] same four, A and B under 240 h; d=12: [24, 112] same four
    # d=21: 400 − 504 < 24, the window is empty
    assert kpis["progress_cohort"] == {"7": 0.25, "10": 0.5, "12": 0.5, "21": None}
    # lab d=3: arrivals in [24, 328] are A, B, D, E, F; A, B, F under 72 h
    assert kpis["lab_progress_cohort"] == pytest.approx({"3": 3 / 5})


def test_cohort_window_edges() -> None:
    arrival = np.array([24.0, 232.0, 232.5])
    tat = np.array([1.0, 1.0, 1.0])
    # 232.5 > 400 − 168 is outside the cohort
    assert cohort_share(arrival, tat, 7, 24.0, 400.0) == 1.0
    assert cohort_share(arrival, np.array([1.0, math.nan, 1.0]), 7, 24.0, 400.0) == 0.5


def test_stage_means_over_overall_population(kpis: dict) -> None:
    # A, B, F: every stage 1 h except reporting: report_end − (arrival + 8)
    reporting = ((198 - 38) + (197.5 - 38) + (400 - 58)) / 3
    assert kpis["stage_means"] == pytest.approx([1.0] * 8 + [reporting])


def test_percentiles_and_histogram(kpis: dict) -> None:
    # sorted 167.5, 168, 350; linear interpolation
    p = kpis["tat_percentiles"]["overall"]
    assert p["50"] == pytest.approx(168.0)
    assert p["90"] == pytest.approx(168 + 0.8 * (350 - 168))
    assert p["95"] == pytest.approx(168 + 0.9 * (350 - 168))
    hist = kpis["tat_histogram"]
    assert len(hist) == math.ceil(T / 24)
    expected = [0.0] * 17
    expected[6] = expected[7] = expected[14] = 1 / 3  # 167.5 h, 168 h, 350 h
    assert hist == pytest.approx(expected)


def test_by_priority_and_pathway(kpis: dict) -> None:
    urgent = kpis["tat_by_priority"]["Urgent"]
    assert urgent["overall_tat"] == pytest.approx(168.0)
    assert urgent["progress"]["7"] == 0.0
    cancer = kpis["tat_by_priority"]["Cancer"]
    assert cancer["completed"] == 2  # B and F (C is before the warm-up)
    assert cancer["overall_tat"] == pytest.approx((167.5 + 350) / 2)
    routine = kpis["tat_by_priority"]["Routine"]
    assert routine["overall_tat"] is None
    assert routine["lab_tat"] == pytest.approx(72.0)
    assert kpis["tat_by_priority"]["Priority"]["completed"] == 0
    assert kpis["tat_by_pathway"]["noncancer"]["lab_completed"] == 1


def test_counts_in_progress_and_after_warmup() -> None:
    counts = specimen_counts(log(ROWS), WARMUP, T)
    total = counts["total"]
    assert (total["arrived"], total["completed"], total["in_progress"]) == (6, 4, 2)
    assert total["by_priority"]["Routine"] == {"arrived": 2, "completed": 0, "in_progress": 2}
    assert total["by_priority"]["Priority"] == {"arrived": 0, "completed": 0, "in_progress": 0}
    assert total["by_pathway"]["cancer"] == {"arrived": 4, "completed": 4, "in_progress": 0}
    after = counts["after_warmup"]
    assert (after["arrived"], after["completed"], after["in_progress"]) == (5, 3, 2)
    assert after["by_priority"]["Cancer"] == {"arrived": 2, "completed": 2, "in_progress": 0}


def test_replication_kpis_carry_output_counts() -> None:
    out = make_output(ROWS, sim_hours=T, warmup_hours=WARMUP, blocks_arrived=7,
                      blocks_completed=5, slides_arrived=20, slides_completed=11,
                      partial_batches={"Delivery (reception to cut-up)": 3})
    k = replication_kpis(out)
    assert k["overall_tat"] == pytest.approx((168 + 167.5 + 350) / 3)
    assert k["blocks"] == {"arrived": 7, "completed": 5}
    assert k["slides"] == {"arrived": 20, "completed": 11}
    assert k["partial_batches"] == {"Delivery (reception to cut-up)": 3}
    assert len(k["wip_hourly"]["Total WIP"]) == 400


def test_empty_log_gives_undefined_not_errors() -> None:
    k = tat_kpis(log([]), 0.0, 48.0)
    assert k["overall_tat"] is None and k["lab_tat"] is None
    assert k["progress"] == {"7": None, "10": None, "12": None, "21": None}
    assert k["tat_histogram"] == [None, None]
