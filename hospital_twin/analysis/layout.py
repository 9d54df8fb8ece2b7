"""Layout what-ifs: change the runners' walking distances (2024 workbook layout).

When the lift between floors is out of service, runners take the stairs round, which
lengthens the two routes that change floor.
"""

from __future__ import annotations

from collections.abc import Mapping

from hospital_twin.config import LabConfig, RunnerTimes

#: Routes through the lift in the 2024 layout: 86.90 m with the lift, 155.86 m without.
LIFT_ROUTES: tuple[str, ...] = ("(labelling, scanning)", "(scanning, qc)")
LIFT_OUT_DISTANCE_M = 155.86


def with_distances(config: LabConfig, changes: Mapping[str, float]) -> LabConfig:
    """A validated copy of ``config`` with some runner journeys' distances (metres) replaced."""
    if config.runner.distances_m is None:
        raise ValueError("this configuration has no runner distances (2023 layout)")
    unknown = [k for k in changes if k not in config.runner.distances_m]
    if unknown:
        raise KeyError(f"unknown runner journeys: {unknown}")
    runner = RunnerTimes.model_validate(
        config.runner.model_dump() | {"distances_m": config.runner.distances_m | dict(changes)})
    return config.model_copy(update={"runner": runner})
