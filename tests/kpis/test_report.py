"""The results JSON: compatibility with the earlier Report, CIs, nulls, schema."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import jsonschema
import pytest
from kpi_builders import make_output, scenario_output
from scipy import stats

from hospital_twin.config.labels import RESOURCES
from hospital_twin.kpis import build_results, validate_results
from hospital_twin.model.output import STAGE_LABELS, WIP_NAMES, ReplicationOutput

#: The earlier implementation's results JSON (a copy of the hospital's reference example).
EXAMPLE = Path(__file__).resolve().parent / "earlier-results-example.json"
T = 30 * 24.0  # 30 days, so every progress day and its cohort window is defined
# scenario_output: capacity 2 on [9, 17.5) and [33, 41.5), busy 1 on [9, 18); two specimens
# with overall TATs tat and tat + 10, one still in progress


def _output(rep: int, tat: float) -> ReplicationOutput:
    return scenario_output(rep, tat, T)


@pytest.fixture(scope="module")
def one() -> dict:
    return build_results([_output(0, 100.0)], {"layout": "2023"}, seed=7)


@pytest.fixture(scope="module")
def two() -> dict:
    return build_results([_output(0, 100.0), _output(1, 120.0)], None, seed=7)


def structure(value: object) -> object:
    """Key structure: dicts by key, lists by their first item, scalars by JSON type."""
    if isinstance(value, dict):
        return {k: structure(v) for k, v in value.items()}
    if isinstance(value, list):
        return [structure(value[0])] if value else []
    if value is None:
        return "null"
    return "string" if isinstance(value, str) else "number"


def test_keys_and_shapes_match_earlier_example(one: dict) -> None:
    example = json.loads(EXAMPLE.read_text())
    missing = set(example) - set(one)
    assert not missing
    for key, value in example.items():
        assert structure(one[key]) == structure(value), key
    for chart in ("tat_by_stage", "utilization_by_resource", "q_length_by_resource"):
        assert set(one[chart]) == {"x", "y", "ymin", "ymax"}
    for chart in ("wip_by_stage", "hourly_utilization_by_resource"):
        assert set(one[chart]) == {"x", "y", "labels", "ymin", "ymax"}
    assert one["tat_by_stage"]["x"] == example["tat_by_stage"]["x"]
    assert one["wip_by_stage"]["labels"] == example["wip_by_stage"]["labels"]
    assert one["hourly_utilization_by_resource"]["labels"] == list(RESOURCES)
    assert set(one["resource_allocation"]) == set(example["resource_allocation"])
    assert set(one["utilization_by_resource"]["x"]) == set(example["utilization_by_resource"]["x"])
    assert list(one["progress"]) == ["7", "10", "12", "21"]
    assert list(one["lab_progress"]) == ["3"]


def test_single_replication_has_null_bounds(one: dict) -> None:
    for key in ("overall_tat", "lab_tat", "progress", "lab_progress", "progress_cohort"):
        assert one[f"{key}_min"] is None and one[f"{key}_max"] is None
    for chart in ("tat_by_stage", "utilization_by_resource", "wip_by_stage",
                  "hourly_utilization_by_resource", "tat_histogram"):
        assert one[chart]["ymin"] is None and one[chart]["ymax"] is None
    assert one["specimens"]["total"]["arrived"] == {"mean": 3.0, "min": None, "max": None}


def test_values_of_one_replication(one: dict) -> None:
    assert one["overall_tat"] == pytest.approx(105.0)  # TATs 100 and 110
    assert one["progress"] == {"7": 1.0, "10": 1.0, "12": 1.0, "21": 1.0}
    assert one["tat_by_stage"]["x"] == list(STAGE_LABELS.values())
    # day 1: capacity 2 on [9, 17.5), busy 1 on [9, 18): used 8.5 of 17; day 2 capacity 17
    util = one["utilization_by_resource"]["y"][0]
    assert util == pytest.approx(8.5 / 34)
    assert one["overtime_by_resource"]["y"][0] == pytest.approx(0.5)
    allocation = one["resource_allocation"]["BMS"]
    assert allocation["x"] == [0.0, 9.0, 17.5, 33.0, 41.5, T]
    assert allocation["y"] == [0.0, 2.0, 0.0, 2.0, 0.0, 0.0]
    wip = one["wip_by_stage"]
    assert len(wip["x"]) == 720 and wip["x"][:3] == [0.0, 1.0, 2.0]
    assert wip["y"][0][:4] == pytest.approx([0.0, 1.0, 1.5, 2.0])
    assert one["specimens"]["total"]["in_progress"]["mean"] == 1.0
    assert one["config"] == {"layout": "2023"} and one["seed"] == 7
    assert one["run"]["replications"] == 1 and one["run"]["sim_hours"] == T
    assert one["replications"][0]["overall_tat"] == pytest.approx(105.0)
    assert isinstance(one["version"], str) and one["version"]


def test_two_replications_give_t_intervals(two: dict) -> None:
    # per replication overall TAT 105 and 125: s = 20/√2, half = t·s/√2 = t·10
    half = stats.t.ppf(0.975, 1) * 10.0
    assert two["overall_tat"] == pytest.approx(115.0)
    assert 115.0 - half < 0  # t(0.975, 1) = 12.7: the raw bound is negative, a TAT cannot be
    assert two["overall_tat_min"] == 0.0  # clipped to the possible range
    assert two["overall_tat_max"] == pytest.approx(115.0 + half)
    # identical replications of a KPI give a zero-width interval
    assert two["progress_min"] == {"7": 1.0, "10": 1.0, "12": 1.0, "21": 1.0}
    reporting = two["tat_by_stage"]
    assert len(reporting["ymin"]) == 9 and len(reporting["ymax"]) == 9
    assert len(two["wip_by_stage"]["ymin"]) == len(WIP_NAMES)
    assert [r["replication"] for r in two["replications"]] == [0, 1]


def test_json_is_strict_and_schema_accepts(one: dict, two: dict) -> None:
    for res in (one, two):
        json.dumps(res, allow_nan=False)
        validate_results(res)


@pytest.mark.parametrize("breakage", ["missing key", "wrong type", "short series", "nan",
                                      "bad progress key"])
def test_schema_rejects_broken_results(one: dict, breakage: str) -> None:
    broken = copy.deepcopy(one)
    if breakage == "missing key":
        del broken["q_length_by_resource"]
    elif breakage == "wrong type":
        broken["overall_tat"] = "105 h"
    elif breakage == "short series":
        broken["wip_by_stage"]["y"][3] = broken["wip_by_stage"]["y"][3][:-1]
    elif breakage == "nan":
        broken["hourly_utilization_by_resource"]["y"][0][5] = math.nan
    else:
        broken["progress"]["seven"] = 0.5
    with pytest.raises(jsonschema.ValidationError):
        validate_results(broken)


def test_mismatched_replications_are_refused() -> None:
    a = _output(0, 100.0)
    b = make_output([], sim_hours=T / 2)
    with pytest.raises(ValueError, match="run length"):
        build_results([a, b], None, seed=0)
    with pytest.raises(ValueError, match="no replication"):
        build_results([], None, seed=0)
