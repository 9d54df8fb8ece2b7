"""Builders of small hand-made ReplicationOutputs for the KPI tests (imported by them)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from hospital_twin.config.labels import RESOURCES
from hospital_twin.model.output import (
    SPECIMEN_COLUMNS,
    STAGES,
    WIP_NAMES,
    ReplicationOutput,
    StepSeries,
)


def step(*pairs: tuple[float, float]) -> StepSeries:
    """``step((0, 1), (2, 3))``: level 1 from t=0, 3 from t=2 on."""
    return StepSeries(times=np.array([p[0] for p in pairs], dtype=float),
                      values=np.array([p[1] for p in pairs], dtype=float))


def specimen(arrival: float, stage_hours: float = 1.0, *, report_end: float | None = None,
             qc_end: float | None = None, pathway: str = "cancer", priority: str = "Cancer",
             run_end: float = math.inf) -> dict:
    """One event-log row: each stage takes ``stage_hours`` back to back from ``arrival``;
    ``qc_end``/``report_end`` override the last stamps; stamps after ``run_end`` are NaN."""
    row: dict = {"specimen_id": 0, "pathway": pathway, "priority": priority,
                 "source": "Internal", "cutup_type": "BMS", "block_type": "small surgical",
                 "decalc": "none", "num_blocks": 1, "num_slides": 2}
    t = arrival
    for s in STAGES:
        row[f"{s}_start"] = t
        t += stage_hours
        row[f"{s}_end"] = t
    if qc_end is not None:
        row["qc_end"] = qc_end
        row["report_start"] = qc_end
    if report_end is not None:
        row["report_end"] = report_end
    for s in STAGES:
        for edge in ("start", "end"):
            if row[f"{s}_{edge}"] > run_end:
                row[f"{s}_{edge}"] = math.nan
    return row


def log(rows: list[dict]) -> pd.DataFrame:
    """The specimen DataFrame with ids in arrival order and the contract's columns."""
    df = pd.DataFrame(rows, columns=list(SPECIMEN_COLUMNS))
    df["specimen_id"] = np.arange(len(df))
    return df


def make_output(rows: list[dict] | None = None, *, sim_hours: float = 4.0,
                warmup_hours: float = 0.0, replication: int = 0,
                capacity: dict[str, StepSeries] | None = None,
                busy: dict[str, StepSeries] | None = None,
                queue: dict[str, StepSeries] | None = None,
                wip: dict[str, StepSeries] | None = None, **extra: object) -> ReplicationOutput:
    """A ReplicationOutput; resources default to the 15 workbook labels with capacity 1 and
    nothing busy or queued, WIP monitors to 0."""
    names = list(capacity) if capacity is not None else list(RESOURCES)
    capacity = capacity if capacity is not None else {n: step((0, 1)) for n in names}
    busy = {n: step((0, 0)) for n in names} | (busy or {})
    queue = {n: step((0, 0)) for n in names} | (queue or {})
    wip = {n: step((0, 0)) for n in WIP_NAMES} | (wip or {})
    return ReplicationOutput(
        sim_hours=sim_hours, warmup_hours=warmup_hours, seed_entropy=12345,
        replication=replication, specimens=log(rows or []), wip=wip, capacity=capacity,
        busy=busy, queue=queue, **extra)


def scenario_output(rep: int, tat: float, sim_hours: float) -> ReplicationOutput:
    """Two completed specimens with overall TATs ``tat`` and ``tat + 10`` and one still in
    progress; every resource has capacity 2 on [9, 17.5) and [33, 41.5) and 1 busy on [9, 18);
    Total WIP 1 from t=1 and 2 from t=2.5."""
    rows = [specimen(1.0, report_end=1.0 + tat), specimen(2.0, report_end=12.0 + tat),
            specimen(sim_hours - 20.0, stage_hours=5.0, run_end=sim_hours)]
    cap = {n: step((0, 0), (9, 2), (17.5, 0), (33, 2), (41.5, 0)) for n in RESOURCES}
    busy = {n: step((0, 0), (9, 1), (18, 0)) for n in RESOURCES}
    wip = {"Total WIP": step((0, 0), (1, 1), (2.5, 2))}
    return make_output(rows, sim_hours=sim_hours, replication=rep, capacity=cap, busy=busy,
                       wip=wip, events=100 + rep, wall_seconds=0.5)
