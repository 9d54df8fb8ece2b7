"""environment.yml (conda-forge) must ask for exactly what pyproject.toml asks for."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
#: conda-forge package names that differ from their PyPI names.
CONDA_TO_PYPI = {"redis-py": "redis"}
NOT_PYTHON_PACKAGES = {"python", "pip"}


def _canonical(requirement: str) -> tuple[str, str]:
    parsed = Requirement(requirement)
    name = CONDA_TO_PYPI.get(parsed.name.lower(), parsed.name.lower())
    return name.replace("_", "-"), str(parsed.specifier)


def _environment_requirements() -> dict[str, str]:
    spec = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert spec["channels"] == ["conda-forge"]
    found: dict[str, str] = {}
    for entry in spec["dependencies"]:
        items = entry["pip"] if isinstance(entry, dict) else [entry]
        for item in items:
            if item.startswith("-e"):
                continue
            name, specifier = _canonical(item)
            if name not in NOT_PYTHON_PACKAGES:
                found[name] = specifier
    return found


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["dev"]
    return dict(_canonical(r) for r in requirements)


def test_environment_lists_the_same_requirements_as_pyproject():
    assert _environment_requirements() == _pyproject_requirements()


def test_environment_python_matches_requires_python():
    spec = yaml.safe_load((ROOT / "environment.yml").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert f"python{project['requires-python']}" in spec["dependencies"]


def test_environment_requirements_resolve_with_pip(tmp_path):
    """No conda here: resolve the environment's requirements with pip's dry run."""
    requirements = [
        f"{name}{specifier}" for name, specifier in _environment_requirements().items()
    ]
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
         "--quiet", "--report", "-", *requirements],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    resolved = {item["metadata"]["name"].lower() for item in report["install"]}
    assert set(_environment_requirements()) <= resolved
