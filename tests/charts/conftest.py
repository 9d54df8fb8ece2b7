"""Fixtures of the chart and analysis tests: small real runs of the 2024 workbook.

The runs are short (one week, two replications) so the whole folder stays quick, but they
go through the real model and KPI code, so charts are checked against real results.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hospital_twin.config import LabConfig, read_workbook, template_path
from hospital_twin.kpis import build_results
from hospital_twin.model import run_replications
from hospital_twin.model.output import ReplicationOutput

SIM_HOURS = 168.0
WARMUP_HOURS = 24.0
REPS = 2


def run(config: LabConfig, reps: int = REPS) -> tuple[list[ReplicationOutput], dict]:
    """Replications of ``config`` and their results dict."""
    outputs = run_replications(config, reps=reps, sim_hours=SIM_HOURS,
                               warmup_hours=WARMUP_HOURS)
    return outputs, build_results(outputs, config.model_dump(mode="json"), config.run.seed)


@pytest.fixture(scope="session")
def run_config() -> Callable[..., tuple[list[ReplicationOutput], dict]]:
    """The :func:`run` helper, for tests that run a configuration of their own."""
    return run


@pytest.fixture(scope="session")
def config_2024() -> LabConfig:
    return read_workbook(template_path("2024"))


@pytest.fixture(scope="session")
def base_run(config_2024: LabConfig) -> tuple[list[ReplicationOutput], dict]:
    return run(config_2024)


@pytest.fixture(scope="session")
def results(base_run: tuple[list[ReplicationOutput], dict]) -> dict:
    return base_run[1]


@pytest.fixture(scope="session")
def single_rep_results(config_2024: LabConfig) -> dict:
    return run(config_2024, reps=1)[1]
