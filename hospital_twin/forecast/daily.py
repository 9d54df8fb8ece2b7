"""Per-day figures of one replication of a dated run: WIP at each day's end, reports issued,
and the share of the day's reports issued within 7 days of the specimen's arrival.

Day ``d`` is ``[24 d, 24 d + 24)`` simulated hours; with a calendar starting at midnight that
is the calendar date ``start + d``. A specimen is in the lab (total WIP) from its arrival
(loaded specimens: from t = 0) until its report is written, and in a stage from that stage's
start stamp to its end stamp (spec 11.C18; a loaded specimen is in no stage it had passed,
``output.stage_ends_for_wip``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hospital_twin.model.entities import STAMP
from hospital_twin.model.output import STAGES, stage_ends_for_wip

WITHIN_DAYS = 7


@dataclass
class DailyFigures:
    """One replication's figures, one value per day of the horizon."""

    wip_total: np.ndarray
    wip_by_stage: dict[str, np.ndarray]
    reports: np.ndarray
    share_within_7_days: np.ndarray  # NaN on a day without reports


def _in_at(starts: np.ndarray, ends: np.ndarray, times: np.ndarray) -> np.ndarray:
    """How many [start, end) intervals (end NaN: still open) contain each of ``times``."""
    started = starts[~np.isnan(starts)]
    ended = ends[~np.isnan(ends) & ~np.isnan(starts)]
    return (np.searchsorted(np.sort(started), times, side="right")
            - np.searchsorted(np.sort(ended), times, side="right"))


def daily_from_stamps(stamps: np.ndarray, days: int) -> DailyFigures:
    """The per-day figures over ``days`` days from t = 0 of a replication's stage stamps
    (one row per specimen, columns as ``entities.STAMP``; a run without monitors)."""
    ends_of_day = 24.0 * np.arange(1, days + 1) - 1e-9
    received = stamps[:, STAMP["reception_start"]]
    arrived = np.maximum(received, 0.0)
    reported = stamps[:, STAMP["report_end"]]
    wip_total = _in_at(arrived, reported, ends_of_day)
    stage_ends = stage_ends_for_wip(stamps)
    wip_by_stage = {
        stage: _in_at(stamps[:, STAMP[f"{stage}_start"]], stage_ends[:, k], ends_of_day)
        for k, stage in enumerate(STAGES)
    }
    done = ~np.isnan(reported)
    day = np.floor(reported[done] / 24.0).astype(int)
    tat = reported[done] - received[done]
    keep = day < days
    reports = np.bincount(day[keep], minlength=days).astype(float)
    within = np.bincount(day[keep], weights=(tat[keep] < 24.0 * WITHIN_DAYS),
                         minlength=days)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(reports > 0, within / np.maximum(reports, 1), np.nan)
    return DailyFigures(wip_total.astype(float), {k: v.astype(float)
                                                  for k, v in wip_by_stage.items()},
                        reports, share)
