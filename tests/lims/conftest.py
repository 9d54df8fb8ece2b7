"""Fixtures of the LIMS event-log tests: short real model runs."""

from __future__ import annotations

import pytest

from hospital_twin.config import default_config
from hospital_twin.model import run_replication
from hospital_twin.model.output import ReplicationOutput


@pytest.fixture(scope="session")
def two_week_output() -> ReplicationOutput:
    """Replication 0 of the bundled lab for two weeks: many specimens still in the lab."""
    return run_replication(default_config().with_run(seed=11), 0, sim_hours=2 * 168)
