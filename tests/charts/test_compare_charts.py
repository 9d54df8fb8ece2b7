"""Scenario comparison figures and the paired differences table."""

from __future__ import annotations

import numpy as np
import pytest

from hospital_twin import charts
from hospital_twin.analysis import with_staff_delta
from hospital_twin.config import LabConfig
from hospital_twin.kpis import compare_results


@pytest.fixture(scope="module")
def scenarios(results: dict, config_2024: LabConfig, run_config) -> dict[str, dict]:
    more_qc = with_staff_delta(config_2024, "QC staff", 1)
    return {"Base": results, "QC +1": run_config(more_qc)[1]}


def test_tat_comparison_groups_overall_and_lab(scenarios: dict[str, dict]) -> None:
    fig = charts.tat_comparison_figure(scenarios)
    overall, lab = fig.data
    assert list(overall.x) == ["Base", "QC +1"]
    assert list(overall.y) == [s["overall_tat"] for s in scenarios.values()]
    assert list(lab.y) == [s["lab_tat"] for s in scenarios.values()]
    np.testing.assert_allclose(overall.error_y.arrayminus,
                               [s["overall_tat"] - s["overall_tat_min"]
                                for s in scenarios.values()])
    assert fig.layout.barmode == "group"
    assert "completed specimens only" in fig.layout.title.text  # not the Kaplan–Meier figures
    assert fig.layout.yaxis.title.text == "Turnaround time (hours)"


def test_utilisation_comparison_has_one_trace_per_scenario(scenarios: dict[str, dict]) -> None:
    fig = charts.utilisation_comparison_figure(scenarios)
    assert [t.name for t in fig.data] == list(scenarios)
    for trace, res in zip(fig.data, scenarios.values(), strict=True):
        assert list(trace.x) == res["utilization_by_resource"]["x"]
        assert list(trace.y) == res["utilization_by_resource"]["y"]
    qc = fig.data[0].x.index("QC staff")
    assert fig.data[1].y[qc] < fig.data[0].y[qc]  # more QC staff, same work: less busy


def test_hourly_comparison_one_line_per_scenario(scenarios: dict[str, dict]) -> None:
    fig = charts.hourly_utilisation_comparison_figure(scenarios, "QC staff")
    lines = [t for t in fig.data if t.fill is None]
    assert [t.name for t in lines] == list(scenarios)
    for line, res in zip(lines, scenarios.values(), strict=True):
        data = res["hourly_utilization_by_resource"]
        assert list(line.y) == data["y"][data["labels"].index("QC staff")]
    with pytest.raises(KeyError):
        charts.hourly_utilisation_comparison_figure(scenarios, "Coffee machine")


def test_differences_table_matches_compare_results(scenarios: dict[str, dict]) -> None:
    table = charts.differences_table(scenarios, "Base", include_utilisation=True)
    diffs = compare_results(scenarios["Base"], scenarios["QC +1"])["differences"]
    assert set(table["scenario"]) == {"QC +1"}
    row = table.set_index("measure").loc["Overall TAT"]
    assert row["difference"] == diffs["overall_tat"]["mean"]
    assert (row["ci_low"], row["ci_high"]) == (diffs["overall_tat"]["min"],
                                               diffs["overall_tat"]["max"])
    assert row["baseline"] == scenarios["Base"]["overall_tat"]
    assert row["value"] == scenarios["QC +1"]["overall_tat"]
    assert bool(row["common_random_numbers"]) is True
    seven = table.set_index("measure").loc["Reported within 7 days"]
    assert seven["difference"] == diffs["progress"]["7"]["mean"]
    qc = table.set_index("measure").loc["Utilisation: QC staff"]
    assert qc["difference"] == diffs["utilisation"]["QC staff"]["mean"]
    assert qc["significant"] == diffs["utilisation"]["QC staff"]["significant"]
    assert "Within 7 days, every specimen (Kaplan–Meier)" in set(table["measure"])
    km = table.set_index("measure").loc[
        "Lab work within 3 days, every specimen (Kaplan–Meier)"]  # defined in a 1-week run
    assert km["difference"] == diffs["km_lab_progress"]["3"]["mean"]
    assert km["baseline"] == scenarios["Base"]["tat_km"]["lab"]["within"]["3"]["mean"]
    assert len(table) == 2 + 4 + 1 + 4 + 1 + 15


def test_differences_table_needs_a_known_baseline(scenarios: dict[str, dict]) -> None:
    with pytest.raises(KeyError):
        charts.differences_table(scenarios, "Nope")
