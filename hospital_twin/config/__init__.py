"""The lab configuration: pydantic models, the workbook reader/writer, JSON loading."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from hospital_twin.config.models import (
    ArrivalSchedules,
    BatchRelease,
    CountDistribution,
    GlobalParameters,
    LabConfig,
    ResourceSchedule,
    RunnerTimes,
    RunSettings,
    TaskDuration,
)
from hospital_twin.config.workbook import (
    LAYOUTS,
    default_config,
    problems_from_validation_error,
    read_workbook,
    template_path,
    write_workbook,
)
from hospital_twin.errors import ConfigError, ConfigProblem

__all__ = [
    "LAYOUTS",
    "ArrivalSchedules",
    "BatchRelease",
    "ConfigError",
    "ConfigProblem",
    "CountDistribution",
    "GlobalParameters",
    "LabConfig",
    "ResourceSchedule",
    "RunSettings",
    "RunnerTimes",
    "TaskDuration",
    "config_from_json",
    "default_config",
    "load_config",
    "read_workbook",
    "template_path",
    "write_workbook",
]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def config_from_json(text: str | bytes, *, source: str = "") -> LabConfig:
    """A LabConfig from JSON text; invalid input raises ConfigError with readable paths
    such as ``task_durations > Cut-up (BMS) > low``."""
    try:
        return LabConfig.model_validate_json(text)
    except ValidationError as exc:
        raise ConfigError(problems_from_validation_error(exc), source=source) from exc


def load_config(path: str | Path) -> LabConfig:
    """Read a configuration file: an .xlsx workbook (either layout) or a .json LabConfig."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return read_workbook(path)
    if suffix != ".json":
        raise ConfigError(
            f'unsupported file type "{path.suffix}"; expected .xlsx or .json', source=path.name
        )
    if not path.is_file():
        raise ConfigError(f"file not found: {path}", source=path.name)
    return config_from_json(path.read_bytes(), source=path.name)
