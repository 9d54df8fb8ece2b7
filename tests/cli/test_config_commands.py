"""`hospital-twin config ...` through the installed console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from hospital_twin.config import LabConfig, default_config, read_workbook, template_path

SCRIPT = Path(sys.executable).parent / "hospital-twin"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, timeout=120
    )


def test_script_is_installed():
    assert SCRIPT.is_file(), f"console script missing at {SCRIPT}"


@pytest.mark.parametrize("layout", ["2023", "2024"])
def test_validate_accepts_the_reference_workbooks(layout):
    result = run_cli("config", "validate", str(template_path(layout)))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert f"valid: {layout} layout" in lines[0]
    assert "1482.4 specimens/week" in lines[0]


def test_validate_lists_every_problem_with_its_location(tmp_path):
    broken = tmp_path / "broken.xlsx"
    workbook = openpyxl.load_workbook(template_path("2023"))
    tasks = workbook["Task Durations"]
    row = next(r for r in range(1, 60) if tasks.cell(r, 1).value == "Cut-up (BMS)")
    tasks.cell(row, 3).value = "abc"  # Optimistic
    workbook["Batch Sizes"]["B4"] = -5  # Bone station (blocks)
    workbook.save(broken)

    result = run_cli("config", "validate", str(broken))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert (
        'sheet "Task Durations", table "TaskDurations", row "Cut-up (BMS)", '
        'column "Optimistic"' in result.stderr
    )
    assert 'row "Bone station (blocks)", column "Size"' in result.stderr


@pytest.mark.parametrize(
    "content, expected",
    [(b"", "empty"), (b"a,b,c\n1,2,3\n", "text file (csv or similar), not a workbook")],
)
def test_validate_rejects_files_that_are_not_workbooks(tmp_path, content, expected):
    path = tmp_path / "input.xlsx"
    path.write_bytes(content)
    result = run_cli("config", "validate", str(path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert expected in result.stderr.lower()


def test_validate_reports_a_missing_file_without_a_traceback(tmp_path):
    result = run_cli("config", "validate", str(tmp_path / "nowhere.xlsx"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "nowhere.xlsx" in result.stderr


def test_template_writes_the_default_as_a_valid_workbook(tmp_path):
    out = tmp_path / "sub" / "template.xlsx"
    result = run_cli("config", "template", str(out))
    assert result.returncode == 0, result.stderr
    assert read_workbook(out) == default_config()
    assert run_cli("config", "validate", str(out)).returncode == 0


def test_show_prints_the_configuration_as_json(tmp_path):
    result = run_cli("config", "show", str(template_path("2024")))
    assert result.returncode == 0, result.stderr
    shown = LabConfig.model_validate(json.loads(result.stdout))
    assert shown == read_workbook(template_path("2024"))
    # and JSON is accepted back as input
    as_json = tmp_path / "lab.json"
    as_json.write_text(result.stdout)
    again = run_cli("config", "validate", str(as_json))
    assert again.returncode == 0 and "2024 layout" in again.stdout
