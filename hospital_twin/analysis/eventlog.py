"""The replications' specimen event logs as one DataFrame, and where each specimen's time goes.

The model stamps when a specimen enters and leaves each stage (spec 11.C18), not when a task
actually starts, so per stage we can measure *time in the stage* (queueing for staff and
machines, waiting for a batch to fill, and the work itself, together) and *time between
stages* (waiting for a delivery batch to be released and the runner's walk). The two add up
exactly to the overall turnaround time.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hospital_twin.model.output import STAGE_LABELS, STAGES, ReplicationOutput


def event_log(outputs: Sequence[ReplicationOutput]) -> pd.DataFrame:
    """All replications' specimens with ``replication``, TATs (hours, days) and population flags.

    ``in_population`` marks the overall KPI population: arrived at or after the warm-up and
    reported by the run end (spec 11.C19).
    """
    frames = []
    for out in outputs:
        df = out.specimens.copy()
        df.insert(0, "replication", out.replication)
        arrival = df["reception_start"].astype(float)
        df["tat_hours"] = df["report_end"].astype(float) - arrival
        df["lab_tat_hours"] = df["qc_end"].astype(float) - arrival
        df["tat_days"] = df["tat_hours"] / 24
        df["after_warmup"] = arrival >= out.warmup_hours
        df["in_population"] = df["after_warmup"] & (df["report_end"] <= out.sim_hours)
        frames.append(df)
    if not frames:
        raise ValueError("no replication outputs")
    return pd.concat(frames, ignore_index=True)


def stage_time_split(log: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Mean hours per stage split into time between stages (before it) and time in the stage.

    Uses the overall population of :func:`event_log`. Returns one row per stage (and per
    value of ``by`` if given) with ``between_hours``, ``in_stage_hours`` and ``specimens``.
    """
    done = log[log["in_population"]] if "in_population" in log else log.dropna(
        subset=["report_end"])
    groups = [(None, done)] if by is None else list(done.groupby(by, sort=True))
    rows = []
    for key, frame in groups:
        previous_end = frame["reception_start"].to_numpy(dtype=float)
        for stage in STAGES:
            start = frame[f"{stage}_start"].to_numpy(dtype=float)
            end = frame[f"{stage}_end"].to_numpy(dtype=float)
            row = {"stage": STAGE_LABELS[stage],
                   "between_hours": float(np.mean(start - previous_end)) if len(frame) else None,
                   "in_stage_hours": float(np.mean(end - start)) if len(frame) else None,
                   "specimens": len(frame)}
            if by is not None:
                row = {by: key} | row
            rows.append(row)
            previous_end = end
    return pd.DataFrame(rows)
