"""Turnaround times of one replication's specimens (spec section 8, 11.C19-C20).

Overall TAT = ``report_end − reception_start``; lab TAT = ``qc_end − reception_start``.
The overall population is the specimens that arrived at or after the warm-up and finished
reporting by the run end; the lab population those that arrived after the warm-up and
finished QC by the run end. "Within d days" is strictly less than ``24·d`` hours.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from hospital_twin.model.output import STAGES

#: Days of the RCPath overall-TAT targets (results key ``progress``).
PROGRESS_DAYS: tuple[int, ...] = (7, 10, 12, 21)
#: Days of the lab-TAT target (results key ``lab_progress``).
LAB_PROGRESS_DAYS: tuple[int, ...] = (3,)
#: TAT percentiles reported per replication.
PERCENTILES: tuple[int, ...] = (50, 90, 95)
#: Known attribute values, so every replication reports the same keys.
PATHWAYS: tuple[str, ...] = ("cancer", "noncancer")
PRIORITIES: tuple[str, ...] = ("Urgent", "Priority", "Cancer", "Routine")

HOURS_PER_DAY = 24.0


def _col(specimens: pd.DataFrame, name: str) -> np.ndarray:
    return specimens[name].to_numpy(dtype=float, na_value=np.nan)


def overall_tat(specimens: pd.DataFrame) -> np.ndarray:
    """Overall TAT in hours per specimen (NaN while not reported)."""
    return _col(specimens, "report_end") - _col(specimens, "reception_start")


def lab_tat(specimens: pd.DataFrame) -> np.ndarray:
    """Lab TAT in hours per specimen (NaN while QC is not done)."""
    return _col(specimens, "qc_end") - _col(specimens, "reception_start")


def overall_population(specimens: pd.DataFrame, warmup: float, run_end: float) -> np.ndarray:
    """Mask of the overall population: arrived ≥ warm-up and ``report_end`` ≤ run end."""
    arrival = _col(specimens, "reception_start")
    return (arrival >= warmup) & (_col(specimens, "report_end") <= run_end)


def lab_population(specimens: pd.DataFrame, warmup: float, run_end: float) -> np.ndarray:
    """Mask of the lab population: arrived ≥ warm-up and ``qc_end`` ≤ run end."""
    arrival = _col(specimens, "reception_start")
    return (arrival >= warmup) & (_col(specimens, "qc_end") <= run_end)


def _mean(values: np.ndarray) -> float | None:
    values = values[~np.isnan(values)]
    return float(values.mean()) if len(values) else None


def share_within(tat: np.ndarray, days: float) -> float | None:
    """Share of ``tat`` strictly below ``24·days`` hours; None for an empty population."""
    if len(tat) == 0:
        return None
    return float(np.count_nonzero(tat < HOURS_PER_DAY * days) / len(tat))


def cohort_share(arrival: np.ndarray, tat: np.ndarray, days: float, warmup: float,
                 run_end: float) -> float | None:
    """Among specimens arrived in ``[warm-up, run end − 24·d]``, the share with TAT < 24·d.

    Every such specimen had the full ``d`` days to finish inside the run, so the share is free
    of censoring; None when the window or the cohort is empty.
    """
    last = run_end - HOURS_PER_DAY * days
    if last < warmup:
        return None
    cohort = (arrival >= warmup) & (arrival <= last)
    n = int(np.count_nonzero(cohort))
    if n == 0:
        return None
    return float(np.count_nonzero(tat[cohort] < HOURS_PER_DAY * days) / n)


def percentiles(tat: np.ndarray, qs: Sequence[int]) -> dict[str, float | None]:
    """Linear-interpolated percentiles keyed by ``str(q)``; None for an empty population."""
    if len(tat) == 0:
        return {str(q): None for q in qs}
    vals = np.percentile(tat, list(qs))
    return {str(q): float(v) for q, v in zip(qs, vals, strict=True)}


def histogram(tat: np.ndarray, run_end: float) -> list[float | None]:
    """Share of the population in each day bin ``[24k, 24(k+1))`` h, k = 0 … ⌈T/24⌉−1."""
    n_bins = max(1, math.ceil(run_end / HOURS_PER_DAY))
    if len(tat) == 0:
        return [None] * n_bins
    idx = np.clip(np.floor(tat / HOURS_PER_DAY).astype(int), 0, n_bins - 1)
    counts = np.bincount(idx, minlength=n_bins)
    return [float(c) for c in counts / len(tat)]


def stage_means(specimens: pd.DataFrame, population: np.ndarray) -> list[float | None]:
    """Mean ``<stage>_end − <stage>_start`` over ``population``, in :data:`STAGES` order."""
    sub = specimens.loc[population]
    return [_mean(_col(sub, f"{s}_end") - _col(sub, f"{s}_start")) for s in STAGES]


def _group_kpis(tat: np.ndarray, ltat: np.ndarray, progress_days: Sequence[int],
                lab_days: Sequence[int]) -> dict:
    return {
        "completed": len(tat),
        "lab_completed": len(ltat),
        "overall_tat": _mean(tat),
        "lab_tat": _mean(ltat),
        "progress": {str(d): share_within(tat, d) for d in progress_days},
        "lab_progress": {str(d): share_within(ltat, d) for d in lab_days},
    }


def group_values(specimens: pd.DataFrame, column: str, known: Sequence[str]) -> list[str]:
    """The known values of an attribute column, then any others found (sorted)."""
    found = [v for v in pd.unique(specimens[column].dropna()) if v not in known]
    return list(known) + sorted(str(v) for v in found)


def tat_kpis(specimens: pd.DataFrame, warmup: float, run_end: float, *,
             progress_days: Sequence[int] = PROGRESS_DAYS,
             lab_days: Sequence[int] = LAB_PROGRESS_DAYS,
             qs: Sequence[int] = PERCENTILES) -> dict:
    """All TAT KPIs of one replication as a plain dict (values None where undefined)."""
    arrival = _col(specimens, "reception_start")
    tat_all = overall_tat(specimens)
    lab_all = lab_tat(specimens)
    overall = overall_population(specimens, warmup, run_end)
    lab = lab_population(specimens, warmup, run_end)
    tat = tat_all[overall]
    ltat = lab_all[lab]

    def by(column: str, known: Sequence[str]) -> dict:
        col = specimens[column].to_numpy()
        return {
            g: _group_kpis(tat_all[overall & (col == g)], lab_all[lab & (col == g)],
                           progress_days, lab_days)
            for g in group_values(specimens, column, known)
        }

    return {
        "overall_tat": _mean(tat),
        "lab_tat": _mean(ltat),
        "progress": {str(d): share_within(tat, d) for d in progress_days},
        "lab_progress": {str(d): share_within(ltat, d) for d in lab_days},
        "progress_cohort": {
            str(d): cohort_share(arrival, tat_all, d, warmup, run_end) for d in progress_days
        },
        "lab_progress_cohort": {
            str(d): cohort_share(arrival, lab_all, d, warmup, run_end) for d in lab_days
        },
        "tat_percentiles": {"overall": percentiles(tat, qs), "lab": percentiles(ltat, qs)},
        "tat_by_priority": by("priority", PRIORITIES),
        "tat_by_pathway": by("pathway", PATHWAYS),
        "stage_means": stage_means(specimens, overall),
        "tat_histogram": histogram(tat, run_end),
        "lab_tat_histogram": histogram(ltat, run_end),
    }
