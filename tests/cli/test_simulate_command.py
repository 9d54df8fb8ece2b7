"""`hospital-twin simulate` through the installed console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hospital_twin.config import default_config, write_workbook
from hospital_twin.kpis import validate_results

SCRIPT = Path(sys.executable).parent / "hospital-twin"


def simulate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SCRIPT), "simulate", *args], capture_output=True, text=True, timeout=300
    )


def test_simulate_writes_valid_reproducible_results(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    for out in (first, second):
        result = simulate("--hours", "60", "--reps", "2", "--seed", "5", "--workers", "2",
                          "--out", str(out))
        assert result.returncode == 0, result.stderr
    assert "Overall turnaround time" in result.stdout
    assert f"results written to {second}" in result.stdout
    results = json.loads(first.read_text())
    validate_results(results)
    assert results["run"]["sim_hours"] == 60 and results["seed"] == 5
    assert len(results["replications"]) == 2
    # same seed, same numbers (wall-clock fields aside)
    again = json.loads(second.read_text())
    for key in ("overall_tat", "lab_tat", "progress", "tat_by_stage", "utilization_by_resource"):
        assert results[key] == again[key]


def test_simulate_reads_a_workbook_and_weeks(tmp_path):
    workbook = tmp_path / "lab.xlsx"
    config = default_config()
    config.batch_sizes["Delivery (reception to cut-up)"] = 10
    write_workbook(config, workbook)
    out = tmp_path / "r.json"
    result = simulate("--config", str(workbook), "--weeks", "0.5", "--reps", "1",
                      "--out", str(out))
    assert result.returncode == 0, result.stderr
    results = json.loads(out.read_text())
    assert results["run"]["sim_hours"] == 84
    assert results["config"]["batch_sizes"]["Delivery (reception to cut-up)"] == 10
    assert results["overall_tat_min"] is None  # one replication: no interval


def test_simulate_rejects_bad_options_without_a_traceback(tmp_path):
    both = simulate("--hours", "10", "--weeks", "1")
    assert both.returncode == 2 and "not both" in both.stderr
    bad = simulate("--hours", "10", "--warmup", "20", "--out", str(tmp_path / "x.json"))
    assert bad.returncode == 2 and "warm-up" in bad.stderr
    assert "Traceback" not in bad.stderr + both.stderr


def test_summary_opens_with_the_stability_warning_and_km_share() -> None:
    from hospital_twin.cli.simulate_cmd import summary_table

    results = {
        "stability": {"verdict": "unstable", "message": "Unstable: work piles up by about "
                      "196 specimens a week; turnaround figures depend on run length."},
        "tat_km": {"overall": {"within": {"7": {"mean": 0.845, "min": 0.83, "max": 0.86}}}},
        "overall_tat": 106.3, "overall_tat_min": None, "overall_tat_max": None,
        "lab_tat": 50.0, "lab_tat_min": None, "lab_tat_max": None,
        "progress": {"7": 0.97}, "lab_progress": {"3": 0.9},
    }
    lines = summary_table(results).splitlines()
    assert lines[0].startswith("Unstable: work piles up by about 196 specimens a week")
    assert "84.5 %" in lines[2] and "Kaplan-Meier" in lines[2]
    assert "97.0 %" in summary_table(results)  # the completed-only share stays, labelled
