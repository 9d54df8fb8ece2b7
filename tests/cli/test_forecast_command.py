"""`hospital-twin forecast` through the installed console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hospital_twin.config import default_config, write_workbook
from hospital_twin.config.calendar import Calendar
from hospital_twin.forecast import validate_forecast

SCRIPT = Path(sys.executable).parent / "hospital-twin"
SNAPSHOT = (
    "specimen_id,arrived_at,pathway,priority,stage,blocks,slides\n"
    "A1,2026-12-04T09:30,cancer,Cancer,cutup,,\n"
    "A2,2026-12-05 10:00,noncancer,Routine,microtomy,3,7\n"
    "A3,2026-12-01T08:00,cancer,Urgent,report,,\n"
)


def forecast(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPT), "forecast", *args], capture_output=True, text=True,
                          timeout=300)


def test_forecast_writes_the_json_by_date(tmp_path: Path) -> None:
    state = tmp_path / "state.csv"
    state.write_text(SNAPSHOT)
    config = default_config().model_copy(update={"calendar": Calendar(
        closures=[{"first_date": "2026-12-09"}])})
    workbook = tmp_path / "lab.xlsx"
    write_workbook(config, workbook)
    out = tmp_path / "f.json"
    result = forecast("--config", str(workbook), "--state", str(state), "--from", "2026-12-07",
                      "--days", "4", "--reps", "2", "--workers", "1", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Backlog" in result.stdout and "2026-12-10" in result.stdout
    data = json.loads(out.read_text())
    validate_forecast(data)
    assert data["dates"] == ["2026-12-07", "2026-12-08", "2026-12-09", "2026-12-10"]
    assert data["snapshot_specimens"] == 3
    for key in ("wip_total", "reports", "share_within_7_days"):
        assert set(data[key]) == {"mean", "min", "max"} and len(data[key]["mean"]) == 4
    assert data["reports"]["max"][2] == 0  # the closure day (no staff): no reports
    assert set(data["backlog_cleared"]) == {"date", "low", "high"}
    assert isinstance(data["warnings"], list)


def test_bad_snapshot_exits_2_with_every_problem(tmp_path: Path) -> None:
    state = tmp_path / "state.csv"
    state.write_text(SNAPSHOT + "A1,2026-12-09T09:00,cancer,Cancer,lunch,,\n")
    out = tmp_path / "f.json"
    result = forecast("--state", str(state), "--from", "2026-12-07", "--days", "2",
                      "--reps", "1", "--out", str(out))
    assert result.returncode == 2
    assert "invalid snapshot" in result.stderr
    assert 'row "5", column "specimen_id": duplicate specimen_id' in result.stderr
    assert 'row "5", column "arrived_at"' in result.stderr
    assert "unknown stage 'lunch'" in result.stderr
    assert not out.exists()
