"""Validate the twin against a LIMS event log: observed beside simulated, row by row.

The twin simulates the log's calendar period ``reps`` times. How the simulated lab gets to the
log's start is a :class:`StartState`: :class:`WarmUpStart` (the default, and for now the only
one) starts the lab empty whole weeks before, so it is busy by then; a snapshot of the lab's
work in progress (an initial-state loader) can be plugged in as another ``StartState``.
Each measure of :mod:`.measures` is taken from the log and from every replication; the
verdict is *inside* when the observed value lies in the simulated 95 % prediction band.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd
from scipy import stats

from hospital_twin.config.models import LabConfig
from hospital_twin.lims.export import typed_frame
from hospital_twin.lims.intervals import prediction_band
from hospital_twin.lims.measures import log_measures, tat_hours
from hospital_twin.lims.reader import EventLog
from hospital_twin.model.runner import run_replications

#: Observed specimens a row needs for a verdict.
MIN_SPECIMENS = 20
INSIDE, OUTSIDE, TOO_FEW = "inside", "outside", "too few data"
Progress = Callable[[int, int], None]


class StartState(Protocol):
    """How the simulated lab reaches the log's start; gives each replication's log."""

    description: str

    def simulate(self, config: LabConfig, reps: int, start: pd.Timestamp, end: pd.Timestamp,
                 workers: int = 1, progress: Progress | None = None) -> list[pd.DataFrame]:
        """Event-log frames (as the reader gives them) of the specimens received in
        ``start``–``end``, as seen at ``end``, one per replication."""
        ...


@dataclass
class WarmUpStart:
    """Start the lab empty on the Monday ``weeks`` whole weeks before the log's first week."""

    weeks: int = 4

    @property
    def description(self) -> str:
        weeks = "1 week" if self.weeks == 1 else f"{self.weeks} weeks"
        return (f"warm-up: the simulated lab starts empty {weeks} before the Monday of the "
                "log's first week")

    def origin(self, start: pd.Timestamp) -> pd.Timestamp:
        """Monday 00:00 of the log's first week, minus the warm-up weeks."""
        monday = start.normalize() - pd.Timedelta(days=start.weekday())
        return monday - pd.Timedelta(weeks=self.weeks)

    def simulate(self, config: LabConfig, reps: int, start: pd.Timestamp, end: pd.Timestamp,
                 workers: int = 1, progress: Progress | None = None) -> list[pd.DataFrame]:
        origin = self.origin(start)
        hours = (end - origin) / pd.Timedelta(hours=1)
        if config.calendar is not None:  # its closures, shifts, demand fall on the log's dates
            config = config.model_copy(update={"calendar": config.calendar.model_copy(
                update={"start": origin.to_pydatetime()})})
        outputs = run_replications(config, reps, workers=workers, progress=progress,
                                   sim_hours=hours, warmup_hours=0.0)
        frames = []
        for output in outputs:
            frame = typed_frame(output, origin)
            frames.append(frame[frame["received"] >= start].reset_index(drop=True))
        return frames


@dataclass
class Validation:
    """Observed beside simulated: one row per measure, two-sample tests, and the setting."""

    rows: pd.DataFrame
    tests: pd.DataFrame
    period_start: pd.Timestamp
    period_end: pd.Timestamp
    reps: int
    seed: int
    start_state: str
    log_source: str
    specimens: int
    notes: list[str] = field(default_factory=list)

    def share_inside(self) -> float:
        """Share of the rows with a verdict that are inside the band."""
        judged = self.rows[self.rows["verdict"] != TOO_FEW]
        return float((judged["verdict"] == INSIDE).mean()) if len(judged) else float("nan")

    def summary(self) -> dict[str, Any]:
        counts = self.rows["verdict"].value_counts()
        return {"rows": len(self.rows), "inside": int(counts.get(INSIDE, 0)),
                "outside": int(counts.get(OUTSIDE, 0)), "too_few": int(counts.get(TOO_FEW, 0)),
                "share_inside": self.share_inside()}

    def to_json(self) -> dict[str, Any]:
        """Everything as JSON-ready values (for files, the API and reports)."""
        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [{k: (None if isinstance(v, float) and np.isnan(v) else v)
                     for k, v in row.items()} for row in frame.to_dict("records")]

        return {
            "log": self.log_source, "specimens": self.specimens,
            "period": {"start": self.period_start.isoformat(),
                       "end": self.period_end.isoformat()},
            "reps": self.reps, "seed": self.seed, "start_state": self.start_state,
            "summary": self.summary(), "rows": records(self.rows),
            "tests": records(self.tests), "notes": self.notes,
        }


def _verdict(observed: float | None, enough: bool, low: float | None, high: float | None
             ) -> str:
    if observed is None or not enough or low is None or high is None:
        return TOO_FEW
    tolerance = 1e-9 * max(1.0, abs(observed))
    return INSIDE if low - tolerance <= observed <= high + tolerance else OUTSIDE


def compare(observed: pd.DataFrame, simulated: list[pd.DataFrame], start: pd.Timestamp,
            end: pd.Timestamp) -> pd.DataFrame:
    """One row per measure: observed value and count, simulated mean, 95 % band, verdict."""
    seen = log_measures(observed, start, end)
    runs = [log_measures(frame, start, end) for frame in simulated]
    rows = []
    for index, measure in enumerate(seen):
        values = np.array([np.nan if r[index].value is None else r[index].value for r in runs])
        mean, low, high = prediction_band(values)
        if low is not None:
            low = max(0.0, low)  # durations, counts and shares are never negative
        if high is not None and measure.section == "RCPath shares":
            high = min(1.0, high)
        rows.append({"section": measure.section, "measure": measure.measure,
                     "group": measure.group, "observed": measure.value, "n": measure.n,
                     "simulated": mean, "low": low, "high": high,
                     "verdict": _verdict(measure.value, measure.enough and (
                         measure.section == "Reports per weekday" or measure.n >= MIN_SPECIMENS),
                         low, high)})
    return pd.DataFrame(rows)


def tat_tests(observed: pd.DataFrame, simulated: list[pd.DataFrame]) -> pd.DataFrame:
    """Two-sample Kolmogorov–Smirnov tests of TAT: the log against all replications pooled."""
    pooled = pd.concat(simulated, ignore_index=True)
    rows = []
    for pathway in (None, "cancer", "noncancer"):
        seen, sim = tat_hours(observed, pathway), tat_hours(pooled, pathway)
        if len(seen) < MIN_SPECIMENS or len(sim) < MIN_SPECIMENS:
            rows.append({"group": pathway or "all", "n_observed": len(seen),
                         "n_simulated": len(sim), "statistic": None, "p_value": None,
                         "verdict": TOO_FEW})
            continue
        result = stats.ks_2samp(seen, sim)
        rows.append({"group": pathway or "all", "n_observed": len(seen),
                     "n_simulated": len(sim), "statistic": float(result.statistic),
                     "p_value": float(result.pvalue),
                     "verdict": "differ (p < 0.05)" if result.pvalue < 0.05
                     else "no evidence of a difference"})
    return pd.DataFrame(rows)


def validate(log: EventLog, config: LabConfig, reps: int = 30, seed: int | None = None,
             start_state: StartState | None = None, workers: int = 1,
             progress: Progress | None = None) -> Validation:
    """Simulate the log's period ``reps`` times and lay the log beside the simulations."""
    if reps < 2:
        raise ValueError("validation needs at least 2 replications for a band")
    start_state = start_state or WarmUpStart()
    start, end = log.start, log.export_time
    run_seed = config.run.seed if seed is None else int(seed)
    frames = start_state.simulate(config.with_run(seed=run_seed), reps, start, end,
                                  workers=workers, progress=progress)
    rows = compare(log.frame, frames, start, end)
    notes = [
        "The band is where 95 % of periods would fall if the lab behaved like the twin "
        "(a prediction band from the replications, not a confidence interval of their mean); "
        "about 1 row in 20 falls outside by chance alone. The rows are not independent: a "
        "period that happened to be quieter or busier than the twin's average is faster or "
        "slower on many rows at once, so several rows can fall outside together by chance "
        "(one period of the twin's own specimens had 8 of 44 outside in our checks); judge "
        "by rows that tell one story against the lab's knowledge, not by the count alone.",
        "Durations are censored by the export alike in the log and in the twin: turnaround "
        "times are taken over the specimens received at least 14 days before the export, "
        "step-to-step times over those that reached the first step at least 7 days before, "
        "and one not done by then counts as taking 14 (7) days; RCPath shares count the "
        "specimens received at least the target's days before the export.",
        "The two-sample tests treat specimens as independent, which they are not (they share "
        "queues), so their p-values are too small; with thousands of specimens they flag "
        "differences too small to matter: read the statistic D (largest gap between the "
        "two distributions) as the size of the difference.",
    ]
    too_few = int((rows["verdict"] == TOO_FEW).sum())
    if too_few:
        notes.insert(0, f"{too_few} of {len(rows)} measures have too few data for a verdict: "
                     "turnaround percentiles need specimens received at least 14 days before "
                     "the export and step-to-step times 7 days (20 specimens or more), so a log "
                     "of at least 3 weeks gives every measure a verdict.")
    return Validation(rows, tat_tests(log.frame, frames), start, end, reps, run_seed,
                      start_state.description, log.source, len(log), notes)


def example_validation_json(path: str) -> str:
    """Validate two weeks of the bundled lab's own specimens against it (3 replications,
    one week's warm-up) and write the JSON to ``path``: the report notebook's example."""
    import json

    from hospital_twin.config import default_config
    from hospital_twin.model import run_replication

    config = default_config()
    frame = typed_frame(run_replication(config.with_run(seed=99), 0, sim_hours=3 * 168),
                        "2024-01-01")
    frame = frame[frame["received"] >= pd.Timestamp("2024-01-08")].reset_index(drop=True)
    result = validate(EventLog(frame, "example log (the twin's own specimens)"), config,
                      reps=3, start_state=WarmUpStart(1))
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(result.to_json() | {"config": "bundled lab"}, handle)
    return path
