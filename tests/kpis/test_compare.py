"""Paired comparison of two scenarios' replications (common random numbers)."""

from __future__ import annotations

import math

import pytest
from kpi_builders import scenario_output
from scipy import stats

from hospital_twin.kpis import build_results
from hospital_twin.kpis.compare import compare_replications, compare_results, paired_difference


def test_paired_difference_on_known_numbers() -> None:
    d = paired_difference([10.0, 12.0, 14.0], [11.0, 14.0, 15.0])
    # differences 1, 2, 1: mean 4/3, s² = (1/9 + 4/9 + 1/9) / 2 = 1/3
    half = stats.t.ppf(0.975, 2) * math.sqrt(1 / 3) / math.sqrt(3)
    assert d["n"] == 3
    assert d["mean"] == pytest.approx(4 / 3)
    assert (d["min"], d["max"]) == pytest.approx((4 / 3 - half, 4 / 3 + half))
    assert d["significant"] is False  # 4/3 − 1.43 < 0


def test_consistent_difference_is_significant() -> None:
    d = paired_difference([10.0, 20.0, 30.0], [11.0, 21.1, 30.9])
    # differences 1, 1.1, 0.9: mean 1, s = 0.1, half = t·0.1/√3 ≈ 0.25
    assert d["mean"] == pytest.approx(1.0)
    assert d["significant"] is True


def test_single_pair_and_missing_values() -> None:
    assert paired_difference([1.0], [2.0])["significant"] is None
    d = paired_difference([1.0, None, 3.0], [2.0, 5.0, None])
    assert (d["n"], d["mean"], d["significant"]) == (1, 1.0, None)


def test_compare_pairs_by_replication_number() -> None:
    base = [{"replication": 0, "overall_tat": 100.0, "progress": {"7": 0.5}, "events": 9},
            {"replication": 1, "overall_tat": 110.0, "progress": {"7": 0.6}, "events": 9}]
    other = [{"replication": 1, "overall_tat": 100.0, "progress": {"7": 0.7}, "events": 5},
             {"replication": 0, "overall_tat": 95.0, "progress": {"7": 0.6}, "events": 5}]
    diff = compare_replications(base, other)
    assert set(diff) == {"overall_tat", "progress"}  # events are not a KPI
    # paired differences −5 and −10
    half = stats.t.ppf(0.975, 1) * (5 / math.sqrt(2)) / math.sqrt(2)
    assert diff["overall_tat"]["mean"] == pytest.approx(-7.5)
    assert diff["overall_tat"]["max"] == pytest.approx(-7.5 + half)
    assert diff["progress"]["7"]["mean"] == pytest.approx(0.1)


def test_compare_results_flags_common_random_numbers() -> None:
    base = {"seed": 3, "replications": [{"replication": 0, "lab_tat": 10.0},
                                        {"replication": 1, "lab_tat": 12.0}]}
    other = {"seed": 3, "replications": [{"replication": 0, "lab_tat": 8.0},
                                         {"replication": 1, "lab_tat": 10.0}]}
    res = compare_results(base, other)
    assert res["common_random_numbers"] is True and res["pairs"] == 2
    # both differences −2: zero spread, interval [−2, −2] excludes 0
    assert res["differences"]["lab_tat"] == {"mean": -2.0, "min": -2.0, "max": -2.0, "n": 2,
                                             "significant": True}
    assert compare_results(base, other | {"seed": 4})["common_random_numbers"] is False


def test_compare_built_results() -> None:
    hours = 20 * 24.0
    base = build_results([scenario_output(0, 100.0, hours), scenario_output(1, 110.0, hours)],
                         None, seed=5)
    other = build_results([scenario_output(0, 90.0, hours), scenario_output(1, 105.0, hours)],
                          None, seed=5)
    res = compare_results(base, other)
    # overall TAT per replication: base 105, 115; other 95, 110 → differences −10, −5
    half = stats.t.ppf(0.975, 1) * (5 / math.sqrt(2)) / math.sqrt(2)
    d = res["differences"]["overall_tat"]
    assert d["mean"] == pytest.approx(-7.5)
    assert (d["min"], d["max"]) == pytest.approx((-7.5 - half, -7.5 + half))
    assert res["differences"]["utilisation"]["BMS"]["mean"] == pytest.approx(0.0)
    assert res["differences"]["progress"]["7"]["significant"] is False
