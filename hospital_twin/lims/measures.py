"""What validation compares: the same measures taken from an observed or a simulated log.

Every measure is taken over one period — from the log's first reception to its export — and
only from what a log of that period shows, so the lab's record and the twin's are treated
alike. Durations are censored by the export: a specimen still waiting at the export would
bias percentiles towards the fast ones if it were left out (a growing backlog would look
fast), so each duration is taken over a *cohort* that started at least a horizon before the
export, and a specimen not done by then counts as taking at least the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hospital_twin.lims.format import STEP_COLUMNS

#: TAT percentiles compared per pathway and priority.
TAT_PERCENTILES: tuple[int, ...] = (50, 90)
#: Stage-to-stage duration statistics compared.
STAGE_PERCENTILES: tuple[int, ...] = (50, 90)
#: RCPath targets: (label, step the clock stops at, days).
RCPATH_SHARES: tuple[tuple[str, str, int], ...] = (
    ("Reported within 7 days", "reported", 7),
    ("Reported within 10 days", "reported", 10),
    ("Reported within 12 days", "reported", 12),
    ("Reported within 21 days", "reported", 21),
    ("Lab work done within 3 days", "qc_end", 3),
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: Priorities each pathway has in the model.
GROUPS: tuple[tuple[str, str | None], ...] = (
    ("all", None), ("cancer", None), ("noncancer", None),
    ("cancer", "Urgent"), ("cancer", "Priority"), ("cancer", "Cancer"),
    ("noncancer", "Urgent"), ("noncancer", "Priority"), ("noncancer", "Routine"),
)
#: The stage-to-stage rows that measure the reporting stage.
REPORTING_STAGE = "qc_end → reported"
#: Cohort horizons: TATs over specimens received at least this long before the export ...
TAT_HORIZON = pd.Timedelta(days=14)
#: ... and step-to-step durations over specimens that reached the first step this long before.
STAGE_HORIZON = pd.Timedelta(days=7)
#: Whole days of each weekday a reports-per-weekday row needs.
MIN_DAYS = 2


@dataclass(frozen=True)
class Measure:
    """One compared number: its section, name, group, value and how many specimens it is from."""

    section: str
    measure: str
    group: str
    value: float | None
    n: int
    enough: bool = True  # whether n is enough for a verdict (set by the caller otherwise)


def _percentile(values: np.ndarray, q: float) -> float | None:
    return float(np.percentile(values, q)) if len(values) else None


def _hours(later: pd.Series, earlier: pd.Series) -> np.ndarray:
    delta = (later - earlier).dt.total_seconds().to_numpy(dtype=float, na_value=np.nan) / 3600
    return delta[~np.isnan(delta)]


def censored_hours(frame: pd.DataFrame, first: str, then: str, end: pd.Timestamp,
                   horizon: pd.Timedelta) -> np.ndarray:
    """Hours from ``first`` to ``then`` for the specimens that reached ``first`` at least
    ``horizon`` before ``end``; not done within the horizon counts as the horizon."""
    cohort = frame[frame[first] <= end - horizon]
    delta = (cohort[then] - cohort[first]).dt.total_seconds().to_numpy(
        dtype=float, na_value=np.nan) / 3600
    limit = horizon / pd.Timedelta(hours=1)
    return np.where(np.isnan(delta) | (delta > limit), limit, delta)


def tat_measures(frame: pd.DataFrame, end: pd.Timestamp) -> list[Measure]:
    """TAT (received → reported) percentiles in days, per pathway and priority, over the
    specimens received at least :data:`TAT_HORIZON` before the export."""
    rows = []
    for pathway, priority in GROUPS:
        part = frame if pathway == "all" else frame[frame["pathway"] == pathway]
        if priority is not None:
            part = part[part["priority"] == priority]
        days = censored_hours(part, "received", "reported", end, TAT_HORIZON) / 24
        group = pathway if priority is None else f"{pathway} · {priority}"
        for q in TAT_PERCENTILES:
            rows.append(Measure("Turnaround (days)", f"TAT P{q}", group,
                                _percentile(days, q), len(days)))
    return rows


def stage_measures(frame: pd.DataFrame, end: pd.Timestamp) -> list[Measure]:
    """Hours from each step to the next, median and 90th percentile, over the specimens that
    reached the first step at least :data:`STAGE_HORIZON` before the export."""
    rows = []
    for earlier, later in zip(STEP_COLUMNS[:-1], STEP_COLUMNS[1:], strict=True):
        hours = censored_hours(frame, earlier, later, end, STAGE_HORIZON)
        for q in STAGE_PERCENTILES:
            rows.append(Measure("Stage to stage (hours)", f"P{q}", f"{earlier} → {later}",
                                _percentile(hours, q), len(hours)))
    return rows


def weekday_measures(frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
                     ) -> list[Measure]:
    """Mean reports per weekday over the whole days of the period."""
    first, last = start.normalize() + pd.Timedelta(days=1), end.normalize()  # whole days only
    days = pd.date_range(first, last - pd.Timedelta(days=1), freq="D")
    reported = frame["reported"]
    reported = reported[(reported >= first) & (reported < last)]
    per_date = reported.dt.normalize().value_counts()
    rows = []
    for index, name in enumerate(WEEKDAYS):
        dates = days[days.weekday == index]
        counts = np.array([per_date.get(d, 0) for d in dates], dtype=float)
        rows.append(Measure("Reports per weekday", "mean reports", name,
                            float(counts.mean()) if len(counts) else None, len(dates),
                            enough=len(dates) >= MIN_DAYS))
    return rows


def rcpath_measures(frame: pd.DataFrame, end: pd.Timestamp) -> list[Measure]:
    """RCPath shares among the specimens received at least the target's days before export
    (so each one's outcome is known)."""
    rows = []
    for label, step, days in RCPATH_SHARES:
        limit = pd.Timedelta(days=days)
        cohort = frame[frame["received"] <= end - limit]
        done = (cohort[step] - cohort["received"]) < limit
        rows.append(Measure("RCPath shares", label, "all",
                            float(done.mean()) if len(cohort) else None, len(cohort)))
    return rows


def log_measures(frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> list[Measure]:
    """Every compared measure of a log of the period ``start``–``end``, in report order."""
    return (tat_measures(frame, end) + stage_measures(frame, end)
            + weekday_measures(frame, start, end) + rcpath_measures(frame, end))


def tat_hours(frame: pd.DataFrame, pathway: str | None = None) -> np.ndarray:
    """TATs in hours of the reported specimens (of one pathway if given)."""
    part = frame if pathway is None else frame[frame["pathway"] == pathway]
    return _hours(part["reported"], part["received"])
