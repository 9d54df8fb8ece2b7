"""A forecast from the lab's state today: replications of a dated run started from a snapshot.

What it answers: day by day over the horizon, how much work is in the lab (by stage), how many
reports are issued and what share of them within 7 days of arrival, when the backlog is back
to its steady level, and which targets will be missed.

**Steady level.** The WIP the same lab would hold on each date of the horizon in normal
running: the mean end-of-day total WIP of *reference* replications of the same configuration
and calendar, started empty ``WARMUP_DAYS`` days before the forecast start (so they are
warmed up), with no snapshot. The backlog of a forecast replication is *cleared* on the first
date whose end-of-day total WIP is at most ``STEADY_TOLERANCE`` (10 %) above that date's steady
level. The forecast gives the median of the replications' dates and, as the 95 % interval,
their 2.5 % and 97.5 % quantiles (None where that quantile is not within the horizon).
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from hospital_twin.config.calendar import Calendar
from hospital_twin.config.models import LabConfig
from hospital_twin.forecast.daily import WITHIN_DAYS, DailyFigures, daily_from_stamps
from hospital_twin.model.lab import Lab, run_and_free
from hospital_twin.model.output import STAGES
from hospital_twin.state.snapshot import SnapshotRow

WARMUP_DAYS = 14
REFERENCE_REPS = 5
STEADY_TOLERANCE = 0.10
TARGET_SHARE_7_DAYS = 0.80  # 80 % of reports within 7 days (spec: overall TAT targets)


def dated_config(config: LabConfig, start: dt.datetime, days: float, reps: int) -> LabConfig:
    """``config`` with its calendar (or the neutral one) starting at ``start``, for ``days``."""
    calendar = (config.calendar or Calendar()).model_copy(update={"start": start})
    calendar = Calendar.model_validate(calendar.model_dump())
    run = config.run.model_copy(update={"sim_hours": days * 24.0, "warmup_hours": 0.0,
                                        "replications": reps})
    return config.model_copy(update={"calendar": calendar, "run": run})


def _band(values: np.ndarray) -> dict[str, list[float | None]]:
    """Mean, min and max across replications (rows) per day (columns); NaN -> None."""
    with warnings.catch_warnings():  # an all-NaN day (no reports anywhere) stays NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        mean, low, high = (np.nanmean(values, axis=0), np.nanmin(values, axis=0),
                           np.nanmax(values, axis=0))

    def clean(a: np.ndarray) -> list[float | None]:
        return [None if np.isnan(x) else round(float(x), 4) for x in a]

    return {"mean": clean(mean), "min": clean(low), "max": clean(high)}


def _cleared_day(wip: np.ndarray, steady: np.ndarray) -> float:
    """First day index whose WIP is within the tolerance of steady; inf if none."""
    below = np.flatnonzero(wip <= steady * (1 + STEADY_TOLERANCE))
    return float(below[0]) if len(below) else float("inf")


def backlog_cleared(wip: np.ndarray, steady: np.ndarray, dates: list[dt.date]
                    ) -> dict[str, str | None]:
    """Median cleared date across replications and its 95 % interval (see module doc)."""
    days = np.array([_cleared_day(row, steady) for row in wip])

    def date_at(q: float) -> str | None:
        value = float(np.quantile(days, q, method="inverted_cdf"))
        return dates[int(value)].isoformat() if np.isfinite(value) else None

    return {"date": date_at(0.5), "low": date_at(0.025), "high": date_at(0.975)}


def forecast(
    config: LabConfig,
    state: Sequence[SnapshotRow],
    start: dt.datetime,
    days: int,
    reps: int,
    workers: int = 1,
) -> dict:
    """The forecast JSON (see the module docstring and ``docs/forecast.rst``)."""
    if days < 1:
        raise ValueError(f"days must be >= 1, got {days}")
    if reps < 1:
        raise ValueError(f"reps must be >= 1, got {reps}")
    dated = dated_config(config, start, days, reps)
    reference_reps = min(reps, REFERENCE_REPS)
    reference = dated_config(config, start - dt.timedelta(days=WARMUP_DAYS),
                             WARMUP_DAYS + days, reference_reps)
    rows = list(state)
    # The longer reference runs first, so the pool's last tasks are short ones.
    tasks = ([(reference, i, WARMUP_DAYS + days, []) for i in range(reference_reps)]
             + [(dated, i, days, rows) for i in range(reps)])
    results = _run_all(tasks, workers)
    steady = np.mean([f.wip_total[WARMUP_DAYS:] for f in results[:reference_reps]], axis=0)
    return summarise(results[reference_reps:], steady, start, days, len(rows), reps)


def replication_figures(config: LabConfig, replication: int, days: int,
                        state: Sequence[SnapshotRow]) -> DailyFigures:
    """One replication's daily figures. It runs without the monitors (busy units, queue
    lengths, event log table) a forecast does not read, and hands back only the figures:
    the same simulation as ``run_replication``, less bookkeeping and transfer."""
    stamps = run_and_free(Lab(config, replication, days * 24.0, state, monitors=False),
                          Lab.stamps)
    return daily_from_stamps(stamps, days)


def _run_all(tasks: list[tuple], workers: int) -> list[DailyFigures]:
    """``replication_figures`` of every task, in order; in one process pool if ``workers``
    > 1 (reference and forecast replications share it, so no core idles between them)."""
    if workers <= 1 or len(tasks) == 1:
        return [replication_figures(*task) for task in tasks]
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks))) as pool:
        futures = [pool.submit(replication_figures, *task) for task in tasks]
        return [future.result() for future in futures]


def summarise(figures: list[DailyFigures], steady: np.ndarray, start: dt.datetime,
              days: int, loaded: int, reps: int) -> dict:
    """The forecast JSON from per-replication daily figures and the steady WIP level."""
    dates = [start.date() + dt.timedelta(days=d) for d in range(days)]
    wip = np.array([f.wip_total for f in figures])
    share = np.array([f.share_within_7_days for f in figures])
    result = {
        "start": start.isoformat(),
        "days": days,
        "replications": reps,
        "snapshot_specimens": loaded,
        "dates": [d.isoformat() for d in dates],
        "wip_total": _band(wip),
        "wip_by_stage": {stage: _band(np.array([f.wip_by_stage[stage] for f in figures]))
                         for stage in STAGES},
        "reports": _band(np.array([f.reports for f in figures])),
        "share_within_7_days": _band(share),
        "steady_wip": [round(float(x), 4) for x in steady],
        "backlog_cleared": backlog_cleared(wip, steady, dates),
        "steady_level": (
            f"mean end-of-day WIP of the same lab started empty {WARMUP_DAYS} days earlier "
            f"without the snapshot; cleared = first date within "
            f"{STEADY_TOLERANCE:.0%} of it"
        ),
    }
    result["warnings"] = warnings_for(result)
    return result


def warnings_for(result: dict) -> list[str]:
    """Plain sentences for the targets the forecast says will be missed in the horizon."""
    sentences = []
    dates, share = result["dates"], result["share_within_7_days"]["mean"]
    missed = [(d, s) for d, s in zip(dates, share, strict=True)
              if s is not None and s < TARGET_SHARE_7_DAYS]
    if missed:
        worst = min(missed, key=lambda m: m[1])
        sentences.append(
            f"The {WITHIN_DAYS}-day target ({TARGET_SHARE_7_DAYS:.0%} of reports within "
            f"{WITHIN_DAYS} days) is forecast to be missed on {len(missed)} of "
            f"{len(dates)} days, first on {missed[0][0]}; the lowest share is "
            f"{worst[1]:.0%} on {worst[0]}."
        )
    cleared = result["backlog_cleared"]
    if cleared["date"] is None:
        sentences.append(
            f"The backlog is not forecast to be back to its steady level by {dates[-1]} "
            f"(the end of the {len(dates)}-day horizon)."
        )
    elif cleared["high"] is None:
        sentences.append(
            f"The backlog is forecast to be cleared by {cleared['date']}, but in some "
            f"replications not before {dates[-1]} (the end of the horizon)."
        )
    steady = result["steady_wip"]
    week = min(7, len(steady))
    if sum(steady[-week:]) > sum(steady[:week]) * (1 + STEADY_TOLERANCE):
        sentences.append(
            "Even without the backlog this lab is not steady: its normal work in progress "
            f"rises from {sum(steady[:week]) / week:.0f} in the first week to "
            f"{sum(steady[-week:]) / week:.0f} in the last, so demand exceeds capacity "
            "and the 'steady level' is a moving target."
        )
    end_wip = result["wip_total"]["mean"][-1]
    if end_wip is not None and end_wip > result["steady_wip"][-1] * (1 + STEADY_TOLERANCE):
        sentences.append(
            f"On {dates[-1]} the lab is forecast to hold {end_wip:.0f} specimens, against a "
            f"steady level of {result['steady_wip'][-1]:.0f}."
        )
    return sentences
