"""More staff never makes the lab significantly slower (spec 11, "Monotonicity test").

With common random numbers (same seed, same arrivals and attributes), adding one unit of
any staff resource on every half hour it is staffed must not raise mean TAT by more than
the 95 % CI half-width of the paired per-replication differences.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from scipy import stats

from hospital_twin.config.labels import STAFF
from hospital_twin.config.models import LabConfig
from hospital_twin.kpis import build_results
from hospital_twin.model import run_replications

REPLICATIONS = 10
SIM_HOURS = 240.0  # ten days: two Mondays, so weekday flow and the weekend both occur


def _mean_tats(config: LabConfig) -> np.ndarray:
    outputs = run_replications(config, REPLICATIONS, workers=os.cpu_count() or 1)
    results = build_results(outputs, None, config.run.seed)
    return np.array([rep["overall_tat"] for rep in results["replications"]])


def _one_more(config: LabConfig, staff: str) -> LabConfig:
    roster = config.resources[staff]
    extra = [units + 1 if units > 0 else 0 for units in roster.half_hour_units]
    resources = dict(config.resources)
    resources[staff] = roster.model_copy(update={"half_hour_units": extra})
    return config.model_copy(update={"resources": resources})


@pytest.fixture(scope="module")
def base(reference_config: LabConfig) -> tuple[LabConfig, np.ndarray]:
    config = reference_config.with_run(sim_hours=SIM_HOURS, seed=11)
    return config, _mean_tats(config)


@pytest.mark.parametrize("staff", STAFF)
def test_one_more_staff_unit_does_not_raise_mean_tat(base, staff: str) -> None:
    config, base_tats = base
    more_tats = _mean_tats(_one_more(config, staff))
    differences = more_tats - base_tats
    half_width = stats.t.ppf(0.975, REPLICATIONS - 1) * differences.std(ddof=1) / np.sqrt(
        REPLICATIONS
    )
    assert differences.mean() <= half_width, (
        f"one more {staff}: mean TAT {base_tats.mean():.2f} h -> {more_tats.mean():.2f} h, "
        f"paired difference {differences.mean():+.2f} h > CI half-width {half_width:.2f} h"
    )
