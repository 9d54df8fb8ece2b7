"""Staffing what-ifs: sweep one resource's roster and find the cheapest level meeting targets.

Every level runs with the same seed, so replication i sees the same specimens at every level
(common random numbers) and differences between levels come from the staffing alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from hospital_twin.charts.kpi_cards import RCPATH_TARGETS
from hospital_twin.config import LabConfig
from hospital_twin.kpis import build_results
from hospital_twin.model import run_replications

Progress = Callable[[int, int], None]


def with_staff_delta(config: LabConfig, resource: str, delta: int) -> LabConfig:
    """A copy with ``delta`` units added on each of the resource's working half hours.

    Working half hours are those with at least one unit; results are floored at 0, so −1 on
    a one-person half hour leaves it unstaffed. Other half hours stay untouched.
    """
    if resource not in config.resources:
        raise KeyError(f"unknown resource {resource!r}")
    roster = config.resources[resource]
    units = [max(0, u + delta) if u > 0 else 0 for u in roster.half_hour_units]
    resources = dict(config.resources)
    resources[resource] = roster.model_copy(update={"half_hour_units": units})
    return config.model_copy(update={"resources": resources})


def weekly_unit_hours(config: LabConfig, resource: str) -> float:
    """Rostered unit-hours per week of one resource: the cost measure of a level."""
    return sum(config.resources[resource].weekly_capacity()) / 2


@dataclass
class SweepLevel:
    """One staffing level of a sweep and its results dict."""

    delta: int
    unit_hours_per_week: float
    results: dict


def staffing_sweep(config: LabConfig, resource: str, deltas: Sequence[int] = (-1, 0, 1, 2), *,
                   reps: int = 5, sim_hours: float | None = None,
                   warmup_hours: float | None = None,
                   progress: Progress | None = None) -> list[SweepLevel]:
    """Run every level in this process with the configuration's seed (common random numbers).

    ``progress(done, total)`` counts replications over the whole sweep.
    """
    total, done = len(deltas) * reps, 0
    levels = []
    for delta in deltas:
        changed = with_staff_delta(config, resource, delta)

        def tick(i: int, _n: int, base: int = done) -> None:
            if progress is not None:
                progress(base + i, total)

        outputs = run_replications(changed, reps=reps, sim_hours=sim_hours,
                                   warmup_hours=warmup_hours, progress=tick)
        done += reps
        results = build_results(outputs, changed.model_dump(mode="json"), changed.run.seed)
        levels.append(SweepLevel(delta, weekly_unit_hours(changed, resource), results))
    return levels


def _share(results: dict, key: str, days: int, suffix: str = "") -> float | None:
    tree = results.get(key + suffix)
    return None if not tree else tree.get(str(days))


def _km_share(results: dict, key: str, days: int, bound: str) -> float | None:
    group = "lab" if key == "lab_progress" else "overall"
    node = (((results.get("tat_km") or {}).get(group) or {}).get("within") or {}).get(str(days))
    return None if not node else node.get(bound)


#: ``sweep_table``'s ``attrs["population"]``: which specimens the share columns count.
POPULATIONS = {"km": "every specimen (Kaplan-Meier)", "cohort": "arrival cohort",
               "completed": "completed specimens only"}


def sweep_table(levels: Sequence[SweepLevel], *, cohort: bool = False,
                km: bool = False) -> pd.DataFrame:
    """One row per level: TATs and RCPath shares with their 95 % CI bounds (``_low``/``_high``),
    and whether work piles up (``stability`` verdict, ``wip_growth`` per week with its CI).

    Share columns are named ``within_<d>d`` (overall) and ``lab_within_<d>d`` (lab): among
    completed specimens by default, the arrival cohort with ``cohort=True``, every specimen
    (Kaplan–Meier, ``tat_km``) with ``km=True``; ``attrs["population"]`` says which.
    """
    rows = []
    for level in levels:
        r = level.results
        row: dict = {"delta": level.delta, "unit_hours_per_week": level.unit_hours_per_week}
        for key in ("overall_tat", "lab_tat"):
            row[key], row[f"{key}_low"], row[f"{key}_high"] = (
                r.get(key), r.get(f"{key}_min"), r.get(f"{key}_max"))
        for key, days, _target, _label in RCPATH_TARGETS:
            col = f"{'lab_' if key == 'lab_progress' else ''}within_{days}d"
            if km:
                row[col], row[f"{col}_low"], row[f"{col}_high"] = (
                    _km_share(r, key, days, b) for b in ("mean", "min", "max"))
                continue
            source = f"{key}_cohort" if cohort else key
            row[col] = _share(r, source, days)
            row[f"{col}_low"] = _share(r, source, days, "_min")
            row[f"{col}_high"] = _share(r, source, days, "_max")
        stab = r.get("stability") or {}
        growth = stab.get("wip_growth_per_week") or {}
        row["stability"] = stab.get("verdict")
        row["wip_growth"], row["wip_growth_low"], row["wip_growth_high"] = (
            growth.get("mean"), growth.get("min"), growth.get("max"))
        rows.append(row)
    table = pd.DataFrame(rows).sort_values("unit_hours_per_week", ignore_index=True)
    table.attrs["population"] = POPULATIONS["km" if km else "cohort" if cohort else "completed"]
    return table


def cheapest_levels(table: pd.DataFrame, *, confident: bool = False) -> pd.DataFrame:
    """For each RCPath target, the cheapest level (fewest unit-hours) meeting it.

    With ``confident=True`` the CI's lower bound must meet the target, not just the mean.
    A level at which work piles up (``stability`` "unstable") meets no target: its shares
    depend on the run length. ``delta`` is None when no level in the sweep meets the target.
    """
    rows = []
    ordered = table.sort_values("unit_hours_per_week")
    if "stability" in ordered:
        ordered = ordered[ordered["stability"] != "unstable"]
    for key, days, target, label in RCPATH_TARGETS:
        col = f"{'lab_' if key == 'lab_progress' else ''}within_{days}d"
        test = ordered[f"{col}_low" if confident else col]
        meeting = ordered[test.notna() & (test.astype(float) >= target)]
        best = meeting.iloc[0] if len(meeting) else None
        rows.append({
            "measure": label, "target": target, "column": col,
            "delta": None if best is None else int(best["delta"]),
            "unit_hours_per_week": None if best is None else float(best["unit_hours_per_week"]),
            "share": None if best is None else float(best[col]),
        })
    return pd.DataFrame(rows)
