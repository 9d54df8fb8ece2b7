"""KPIs of one replication: a :class:`ReplicationOutput` becomes a plain dict of values.

Scalars are floats or None (undefined, e.g. an empty population); hourly series are numpy
arrays, one value per bin ``[h, h+1)`` for ``h = 0 … ⌈T⌉−1``. Time-weighted KPIs
(utilisation, overtime, queue length, mean WIP) cover ``[warm-up, run end]`` (11.C23).
:mod:`hospital_twin.kpis.aggregate` then combines replications.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hospital_twin.kpis import timeweighted as tw
from hospital_twin.kpis.censored import tat_km_kpis
from hospital_twin.kpis.machine_time import machine_time
from hospital_twin.kpis.stability import weekly_means
from hospital_twin.kpis.tat import (
    LAB_PROGRESS_DAYS,
    PATHWAYS,
    PERCENTILES,
    PRIORITIES,
    PROGRESS_DAYS,
    group_values,
    tat_kpis,
)
from hospital_twin.model.output import (
    SPECIMEN_COLUMNS,
    WIP_NAMES,
    ReplicationOutput,
    StepSeries,
)


def _counts(specimens: pd.DataFrame, completed: np.ndarray) -> dict[str, int]:
    arrived = len(specimens)
    done = int(np.count_nonzero(completed))
    return {"arrived": arrived, "completed": done, "in_progress": arrived - done}


def specimen_counts(specimens: pd.DataFrame, warmup: float, run_end: float) -> dict:
    """Arrived / completed / in progress at the run end, in total, per pathway and per
    priority, for all specimens (``total``) and for those arrived after the warm-up."""
    report_end = specimens["report_end"].to_numpy(dtype=float, na_value=np.nan)
    completed = report_end <= run_end  # NaN (never reported) compares False: in progress
    arrival = specimens["reception_start"].to_numpy(dtype=float, na_value=np.nan)

    def counts_of(mask: np.ndarray) -> dict:
        sub = specimens.loc[mask]
        out: dict = _counts(sub, completed[mask])
        for key, column, known in (("by_pathway", "pathway", PATHWAYS),
                                   ("by_priority", "priority", PRIORITIES)):
            col = specimens[column].to_numpy()
            out[key] = {
                g: _counts(specimens.loc[mask & (col == g)], completed[mask & (col == g)])
                for g in group_values(specimens, column, known)
            }
        return out

    return {
        "total": counts_of(np.ones(len(specimens), dtype=bool)),
        "after_warmup": counts_of(arrival >= warmup),
    }


def capacity_steps(capacity: StepSeries, run_end: float) -> tuple[list[float], list[float]]:
    """The allocation chart of a resource: one point per capacity change in ``[0, T]`` (the last
    value when several share a time, unchanged values dropped), then the value at the run end."""
    times = np.asarray(capacity.times, dtype=float)
    values = np.asarray(capacity.values, dtype=float)
    keep = times <= run_end
    times, values = times[keep], values[keep]
    if len(times) == 0:
        return [0.0, float(run_end)], [0.0, 0.0]
    last_of_time = np.append(times[1:] != times[:-1], True)
    times, values = times[last_of_time], values[last_of_time]
    changed = np.insert(values[1:] != values[:-1], 0, True)
    xs = [float(t) for t in times[changed]]
    ys = [float(v) for v in values[changed]]
    if xs[-1] < run_end:
        xs.append(float(run_end))
        ys.append(ys[-1])
    return xs, ys


def resource_kpis(out: ReplicationOutput) -> dict:
    """Utilisation (11.C21), overtime, raw queue length (11.C22), hourly utilisation and
    allocation steps per resource, in the order of ``out.capacity`` (workbook order)."""
    names = list(out.capacity)
    missing = [n for n in names if n not in out.busy or n not in out.queue]
    if missing:
        raise ValueError(f"busy/queue series missing for resources: {', '.join(missing)}")
    edges = tw.hour_edges(out.sim_hours)
    window = (out.warmup_hours, out.sim_hours)
    span = out.sim_hours - out.warmup_hours
    util, overtime, queue, hourly, alloc = {}, {}, {}, {}, {}
    for name in names:
        cap = out.capacity[name]
        used, over = tw.utilisation_series(out.busy[name], cap)
        used_h, cap_h = tw.bin_integrals(used, edges), tw.bin_integrals(cap, edges)
        used_w, cap_w = tw.integral(used, *window), tw.integral(cap, *window)
        util[name] = float(tw.utilisation_ratio(used_w, cap_w))
        overtime[name] = tw.integral(over, *window)
        queue[name] = tw.integral(out.queue[name], out.warmup_hours, out.sim_hours) / span
        hourly[name] = tw.utilisation_ratio(used_h, cap_h)
        alloc[name] = capacity_steps(cap, out.sim_hours)
    return {
        "resources": names,
        "utilisation": util,
        "overtime": overtime,
        "queue_length": queue,
        "hourly_utilisation": hourly,
        "capacity_steps": alloc,
    }


def wip_kpis(out: ReplicationOutput) -> dict:
    """Hourly and window mean WIP per monitor, in :data:`WIP_NAMES` order."""
    missing = [n for n in WIP_NAMES if n not in out.wip]
    if missing:
        raise ValueError(f"WIP series missing: {', '.join(missing)}")
    return {
        "wip_hourly": {n: tw.hourly_means(out.wip[n], out.sim_hours) for n in WIP_NAMES},
        "wip_mean": {n: tw.window_mean(out.wip[n], out.warmup_hours, out.sim_hours)
                     for n in WIP_NAMES},
    }


def replication_kpis(out: ReplicationOutput, *,
                     progress_days: Sequence[int] = PROGRESS_DAYS,
                     lab_days: Sequence[int] = LAB_PROGRESS_DAYS,
                     qs: Sequence[int] = PERCENTILES) -> dict:
    """Every KPI of one replication, as a plain dict (see the module docstring)."""
    if not out.sim_hours > out.warmup_hours >= 0:
        raise ValueError(
            f"need 0 ≤ warm-up < run end, got {out.warmup_hours:g} and {out.sim_hours:g}"
        )
    absent = [c for c in SPECIMEN_COLUMNS if c not in out.specimens.columns]
    if absent:
        raise ValueError(f"specimen log lacks columns: {', '.join(absent)}")
    result: dict = {
        "replication": int(out.replication),
        "seed_entropy": int(out.seed_entropy),
        "sim_hours": float(out.sim_hours),
        "warmup_hours": float(out.warmup_hours),
        "events": int(out.events),
        "wall_seconds": float(out.wall_seconds),
    }
    result |= tat_kpis(out.specimens, out.warmup_hours, out.sim_hours,
                       progress_days=progress_days, lab_days=lab_days, qs=qs)
    result["specimens"] = specimen_counts(out.specimens, out.warmup_hours, out.sim_hours)
    result["blocks"] = {"arrived": int(out.blocks_arrived),
                        "completed": int(out.blocks_completed)}
    result["slides"] = {"arrived": int(out.slides_arrived),
                        "completed": int(out.slides_completed)}
    result["partial_batches"] = {str(k): int(v) for k, v in out.partial_batches.items()}
    result |= resource_kpis(out)
    result |= wip_kpis(out)
    result["tat_km"] = tat_km_kpis(out.specimens, out.warmup_hours, out.sim_hours,
                                   progress_days=progress_days, lab_days=lab_days)
    result["wip_weekly"] = weekly_means(out.wip[WIP_NAMES[0]], out.sim_hours)
    result["machine_time"] = machine_time(out)
    return result
