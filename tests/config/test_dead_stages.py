"""Warnings for labs that cannot work: separate from errors, the run still allowed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from dead_labs import DEAD_LABS, dead_workbook

from hospital_twin.config import LabConfig, default_config, read_workbook
from hospital_twin.config.dead_stages import config_warnings

HOSPITAL_TWIN = str(Path(sys.executable).parent / "hospital-twin")


def test_the_bundled_lab_has_no_warnings():
    assert config_warnings(default_config()) == []


@pytest.mark.parametrize("name", DEAD_LABS)
def test_each_dead_lab_gives_its_warning_and_no_other(name):
    found = config_warnings(read_workbook(dead_workbook(name), name=f"{name}.xlsx"))
    assert len(found) == 1 and found[0].startswith(DEAD_LABS[name][1]), found


def test_a_resource_nobody_is_routed_to_is_not_a_warning():
    data = default_config().model_dump(mode="json")
    data["resources"]["Bone station"]["half_hour_units"] = [0] * 48
    data["globals"]["prob_decalc_bone"] = 0.0
    assert config_warnings(LabConfig.model_validate(data)) == []
    data["globals"]["prob_decalc_bone"] = 0.01
    assert config_warnings(LabConfig.model_validate(data)) == [
        "Bone station has no capacity at any time: no block sent to the bone station "
        "(ProbDecalcBone) can pass processing"]


def test_staff_and_machine_never_on_together():
    data = default_config().model_dump(mode="json")
    data["resources"]["Staining staff"]["half_hour_units"] = [1] * 24 + [0] * 24
    data["resources"]["Staining machine"]["half_hour_units"] = [0] * 24 + [1] * 24
    assert config_warnings(LabConfig.model_validate(data)) == [
        "Staining staff and Staining machine are never available in the same half hour: no "
        "machine can be loaded, so no specimen can pass staining"]


@pytest.mark.parametrize("name", DEAD_LABS)
def test_config_validate_prints_the_warning_and_exits_0(name, tmp_path):
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(dead_workbook(name))
    done = subprocess.run([HOSPITAL_TWIN, "config", "validate", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"{path}: valid:" in done.stdout
    assert f"  warning: {DEAD_LABS[name][1]}" in done.stdout
