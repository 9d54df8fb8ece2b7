"""Calibration from an event log: the issue's round trip through the command line."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from hospital_twin.config import default_config, read_workbook, write_workbook
from hospital_twin.lims import read_event_log
from hospital_twin.lims.calibrate import calibrate, observed_hours

SCRIPT = __import__("pathlib").Path(sys.executable).parent / "hospital-twin"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, timeout=600)


def test_calibration_recovers_arrivals_scaled_by_one_and_a_half(tmp_path):
    """Model run 8 weeks on arrivals x1.5 → its log → calibrate against the unscaled base."""
    base = default_config()
    true = {p: 1.5 * np.asarray(getattr(base.arrivals, p)) for p in ("cancer", "noncancer")}
    scaled = base.model_copy(update={"arrivals": base.arrivals.model_copy(
        update={p: v.tolist() for p, v in true.items()})})
    write_workbook(base, tmp_path / "base.xlsx")
    write_workbook(scaled, tmp_path / "scaled.xlsx")
    sim = run("simulate", "--config", str(tmp_path / "scaled.xlsx"), "--weeks", "8", "--reps",
              "1", "--seed", "21", "--workers", "1", "--out", str(tmp_path / "r.json"),
              "--event-log", str(tmp_path / "log.csv"))
    assert sim.returncode == 0, sim.stderr
    cal = run("calibrate", str(tmp_path / "log.csv"), "--base", str(tmp_path / "base.xlsx"),
              "--out", str(tmp_path / "cal.xlsx"))
    assert cal.returncode == 0, cal.stderr

    calibrated = read_workbook(tmp_path / "cal.xlsx")  # reads back valid
    for pathway, rates in true.items():
        got = np.asarray(getattr(calibrated.arrivals, pathway))
        assert got.sum() == pytest.approx(rates.sum(), rel=0.05), pathway
        assert np.corrcoef(got, rates)[0, 1] >= 0.9, pathway
    # what a log cannot show stays from the base workbook
    assert calibrated.task_durations == base.task_durations
    assert calibrated.resources == base.resources
    assert calibrated.batch_sizes == base.batch_sizes
    g, b = calibrated.globals, base.globals
    assert g.prob_urgent_cancer != b.prob_urgent_cancer  # re-estimated ...
    assert g.prob_urgent_cancer == pytest.approx(b.prob_urgent_cancer, abs=0.02)  # ... closely
    assert g.num_blocks_mega == b.num_blocks_mega

    report = (tmp_path / "cal-report.md").read_text()
    assert "task durations" in report and "Weeks behind each hour" in report
    assert "Blocks per specimen" in report
    hourly = pd.read_csv(tmp_path / "cal-arrivals.csv")
    assert len(hourly) == 168
    assert set(hourly["cancer_weeks"]) <= {7, 8} and hourly["cancer_weeks"].max() == 8
    inside = (hourly["cancer_low"] <= true["cancer"]) & (true["cancer"] <= hourly["cancer_high"])
    assert inside.mean() >= 0.85  # 95 % intervals cover the true hourly rates


def test_weeks_behind_each_hour(tmp_path):
    text = ("specimen_id,pathway,priority,received,cutup_end,processing_end,microtomy_end,"
            "staining_end,scanning_end,qc_end,reported\n"
            "A,cancer,Urgent,2024-01-03T10:15:00,,,,,,,\n"  # Wednesday 10:00 starts the period
            "B,noncancer,Routine,2024-01-10T10:20:00,,,,,,,\n"
            "C,noncancer,Routine,2024-01-17T10:59:00,,,,,,,\n")
    log = read_event_log(text.encode())
    start, end, weeks = observed_hours(log)
    assert (start, end) == (pd.Timestamp("2024-01-03T10:00"), pd.Timestamp("2024-01-17T11:00"))
    wednesday_10 = 2 * 24 + 10
    assert weeks[wednesday_10] == 3 and weeks[wednesday_10 + 1] == 2 and weeks.sum() == 337
    result = calibrate(log, default_config())
    assert result.arrivals["cancer"].rates[wednesday_10] == pytest.approx(1 / 3)
    assert result.arrivals["noncancer"].rates[wednesday_10] == pytest.approx(2 / 3)
    assert any("observed only 2 time(s)" in note for note in result.notes)
    assert any("no source column" in note for note in result.notes)


def test_calibrate_refuses_a_bad_log_with_every_problem(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("specimen_id,pathway,priority,received\nA,cancer,Soon,yesterday\n")
    result = run("calibrate", str(bad), "--out", str(tmp_path / "cal.xlsx"))
    assert result.returncode == 2
    assert "bad.csv: invalid event log" in result.stderr
    assert 'row "1", column "cutup_end": missing column' in result.stderr
    assert not (tmp_path / "cal.xlsx").exists()
