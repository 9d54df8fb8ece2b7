"""Validation against a log: the issue's two checks through the command line, and its parts."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hospital_twin.config import default_config, write_workbook
from hospital_twin.lims import event_log_frame, read_event_log
from hospital_twin.lims.intervals import prediction_band
from hospital_twin.lims.measures import REPORTING_STAGE, censored_hours
from hospital_twin.lims.validate import INSIDE, OUTSIDE, WarmUpStart
from hospital_twin.model import run_replication
from hospital_twin.reports.render import external_resources

SCRIPT = Path(sys.executable).parent / "hospital-twin"
LOG_START = pd.Timestamp("2024-01-15")  # a Monday, two weeks into the run that made the log


@pytest.fixture(scope="module")
def model_log(tmp_path_factory) -> Path:
    """Four weeks of the bundled lab's specimens (seed 100), as a LIMS export would list
    them: those received from the log start, the lab having run for two weeks before."""
    output = run_replication(default_config().with_run(seed=100), 0, sim_hours=6 * 168)
    frame = event_log_frame(output, "2024-01-01")
    frame = frame[pd.to_datetime(frame["received"]) >= LOG_START]
    path = tmp_path_factory.mktemp("validate") / "lims-export.csv"
    frame.to_csv(path, index=False)
    return path


def validate(log: Path, config, out: Path, *more: str) -> dict:
    workbook = out.with_suffix(".xlsx")
    write_workbook(config, workbook)
    result = subprocess.run(
        [str(SCRIPT), "validate", str(log), "--config", str(workbook), "--reps", "10",
         "--warmup-weeks", "2", "--seed", "1", "--workers", "2", "--out", str(out), *more],
        capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    assert f"validation written to {out}" in result.stdout
    return json.loads(out.read_text())


def test_the_configuration_that_made_the_log_is_inside(model_log, tmp_path):
    report = validate(model_log, default_config(), tmp_path / "same.json",
                      "--report", str(tmp_path / "html"))
    rows = report["rows"]
    assert {r["section"] for r in rows} == {"Turnaround (days)", "Stage to stage (hours)",
                                           "Reports per weekday", "RCPath shares"}
    assert len(rows) == 44 and report["summary"]["too_few"] == 0
    assert report["summary"]["share_inside"] >= 0.9, [
        (r["measure"], r["group"]) for r in rows if r["verdict"] == OUTSIDE]
    assert report["period"]["start"].startswith("2024-01-15")
    assert [t["group"] for t in report["tests"]] == ["all", "cancer", "noncancer"]
    assert all(0 <= t["p_value"] <= 1 and 0 < t["statistic"] < 0.1 for t in report["tests"])
    # the HTML report shows every row with its verdict, four charts, and loads nothing
    page = (tmp_path / "html" / "same.html").read_text(encoding="utf-8")
    assert external_resources(page) == []
    verdicts = re.findall(r'data-verdict="([^"]+)"', page)
    assert verdicts == [r["verdict"] for r in rows]
    assert page.count("Plotly.newPlot") == 4
    assert "Validation: same.xlsx against lims-export.csv" in page
    assert "19 times in 20" in page or "95 % of periods" in page


def test_half_the_histopathologists_is_outside_on_the_reporting_stage(model_log, tmp_path):
    base = default_config()
    half = base.model_copy(update={"resources": {
        **base.resources, "Histopathologist": base.resources["Histopathologist"].scaled(0.5)}})
    report = validate(model_log, half, tmp_path / "half.json")
    reporting = [r for r in report["rows"] if r["group"] == REPORTING_STAGE]
    assert len(reporting) == 2
    assert all(r["verdict"] == OUTSIDE and r["observed"] < r["low"] for r in reporting), reporting
    # the stages before reporting are untouched by the histopathologists
    cutup = [r for r in report["rows"] if r["group"] == "received → cutup_end"]
    assert all(r["verdict"] == INSIDE for r in cutup)


def test_warm_up_starts_whole_weeks_before_the_logs_monday():
    start = WarmUpStart(3)
    assert start.origin(pd.Timestamp("2024-01-18T10:30")) == pd.Timestamp("2023-12-25")
    assert "3 weeks" in start.description


def test_prediction_band_and_censoring():
    mean, low, high = prediction_band(np.array([1.0, 2.0, 3.0]))
    assert mean == 2.0 and low == pytest.approx(2 - 4.302653 * np.sqrt(4 / 3), rel=1e-5)
    assert prediction_band(np.array([5.0])) == (5.0, None, None)
    frame = read_event_log(
        b"specimen_id,pathway,priority,received,cutup_end,processing_end,microtomy_end,"
        b"staining_end,scanning_end,qc_end,reported\n"
        b"A,cancer,Urgent,2024-01-01T08:00,2024-01-01T10:00,,,,,,\n"
        b"B,cancer,Urgent,2024-01-01T09:00,,,,,,,\n"
        b"C,cancer,Urgent,2024-01-09T09:00,2024-01-09T10:00,,,,,,\n").frame
    hours = censored_hours(frame, "received", "cutup_end", pd.Timestamp("2024-01-09T12:00"),
                           pd.Timedelta(days=7))
    assert sorted(hours) == [2.0, 168.0]  # C is too recent; B not cut up in 7 days counts 7 days


def test_warm_up_dates_a_configurations_calendar_on_the_log():
    """A calendar's exceptions fall on the log's own dates (hour 0 = the warm-up's Monday)."""
    from hospital_twin.config.calendar import Calendar

    config = default_config().model_copy(update={"calendar": Calendar(
        closures=[{"first_date": "2024-01-17"}])})  # a Wednesday of the log's week
    (frame,) = WarmUpStart(1).simulate(config, 1, pd.Timestamp("2024-01-15"),
                                       pd.Timestamp("2024-01-20"))
    days = frame["received"].dt.date.value_counts()
    assert dt.date(2024, 1, 17) not in days.index
    assert days[dt.date(2024, 1, 16)] > 100 and days[dt.date(2024, 1, 18)] > 100
