"""Estimate from a LIMS event log what a log can show, and write it into a base workbook.

A log shows when specimens arrive (so the weekly arrival schedule of each pathway: 168 hourly
rates), the mix of pathways, priorities and sources, and, where given, blocks and slides per
specimen. It cannot show how long each task takes (only when steps end, with queueing
and batching inside), so task times, rosters, batch sizes and routes stay as in the base
workbook, and the report says so.

The observed period runs from the hour of the first reception to the hour after the latest
timestamp of any step (the export). Each hour of the week is estimated from the number of
times it occurs in that period (its *weeks*): rate = receptions in it / weeks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hospital_twin.config.labels import HOURS_PER_WEEK
from hospital_twin.config.models import ArrivalSchedules, GlobalParameters, LabConfig
from hospital_twin.lims.format import PATHWAYS
from hospital_twin.lims.intervals import Z95, mean_interval, poisson_interval, wilson_interval
from hospital_twin.lims.reader import EventLog
from hospital_twin.model.entities import PATHWAYS as MODEL_PATHWAYS
from hospital_twin.model.streams import SpecimenFactory, UniformStream

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: Fewer weeks than this behind the hourly rates makes the report warn.
FEW_WEEKS = 4
#: Specimens drawn from the base workbook to get its blocks/slides per specimen.
BASE_DRAWS = 20_000

NOT_FROM_A_LOG = (
    "task durations (a log records when steps end, not how long the work took: queueing, "
    "batching and the work itself are mixed)",
    "staff rosters and machine numbers",
    "batch sizes and batch-release rules",
    "routing probabilities inside the lab (cut-up route, decalcification, investigations, "
    "pre-booking), the blocks-per-specimen and slides-per-block distributions",
    "runner times and run settings",
)


@dataclass
class ArrivalEstimate:
    """One pathway's weekly arrival schedule estimated from the log."""

    pathway: str
    counts: np.ndarray  # receptions in each hour of the week (168)
    weeks: np.ndarray  # how many times each hour of the week was observed (168)
    rates: np.ndarray  # counts / weeks; the base rate where an hour was never observed
    low: np.ndarray
    high: np.ndarray
    base_rates: np.ndarray

    @property
    def specimens(self) -> int:
        return int(self.counts.sum())

    @property
    def weekly_total(self) -> float:
        return float(self.rates.sum())

    def weekly_interval(self) -> tuple[float, float]:
        """Normal 95 % interval of the weekly total (sum of independent Poisson rates)."""
        seen = self.weeks > 0
        sd = float(np.sqrt((self.counts[seen] / self.weeks[seen] ** 2).sum()))
        return self.weekly_total - Z95 * sd, self.weekly_total + Z95 * sd


@dataclass
class ShareEstimate:
    """A proportion estimated from the log, and the workbook value it replaces (if any)."""

    what: str
    successes: int
    n: int
    base: float | None
    written_to: str | None  # the workbook's defined name, or None if only reported

    @property
    def value(self) -> float | None:
        return self.successes / self.n if self.n else None

    @property
    def interval(self) -> tuple[float | None, float | None]:
        return wilson_interval(self.successes, self.n)


@dataclass
class CountEstimate:
    """A per-specimen count's mean from the log beside the base workbook's mean."""

    what: str
    n: int
    mean: float | None
    low: float | None
    high: float | None
    base_mean: float


@dataclass
class Calibration:
    """Everything estimated from one log, the calibrated configuration and the caveats."""

    source: str
    period_start: pd.Timestamp
    period_end: pd.Timestamp
    specimens: int
    arrivals: dict[str, ArrivalEstimate]
    shares: list[ShareEstimate]
    counts: list[CountEstimate]
    config: LabConfig
    notes: list[str] = field(default_factory=list)

    @property
    def weeks_observed(self) -> float:
        return (self.period_end - self.period_start) / pd.Timedelta(weeks=1)

    def arrivals_table(self) -> pd.DataFrame:
        """One row per hour of the week: rate, 95 % interval and weeks behind it, per pathway."""
        hours = np.arange(HOURS_PER_WEEK)
        table = pd.DataFrame({"hour_of_week": hours,
                              "day": [DAY_NAMES[h // 24] for h in hours],
                              "hour": [f"{h % 24:02d}:00" for h in hours]})
        for pathway, est in self.arrivals.items():
            table[f"{pathway}_rate"] = est.rates
            table[f"{pathway}_low"] = est.low
            table[f"{pathway}_high"] = est.high
            table[f"{pathway}_base_rate"] = est.base_rates
            table[f"{pathway}_receptions"] = est.counts
            table[f"{pathway}_weeks"] = est.weeks
        return table


def observed_hours(log: EventLog) -> tuple[pd.Timestamp, pd.Timestamp, np.ndarray]:
    """The observed period (whole hours) and how many times each hour of the week is in it."""
    start = log.start.floor("h")
    end = log.export_time.floor("h") + pd.Timedelta(hours=1)
    n_hours = int((end - start) / pd.Timedelta(hours=1))
    first = start.weekday() * 24 + start.hour
    weeks = np.bincount((first + np.arange(n_hours)) % HOURS_PER_WEEK,
                        minlength=HOURS_PER_WEEK).astype(float)
    return start, end, weeks


def estimate_arrivals(log: EventLog, base: LabConfig) -> dict[str, ArrivalEstimate]:
    """Each pathway's 168 hourly arrival rates with exact Poisson 95 % intervals."""
    start, _end, weeks = observed_hours(log)
    first = start.weekday() * 24 + start.hour
    offset = ((log.frame["received"] - start) // pd.Timedelta(hours=1)).to_numpy(dtype=np.int64)
    hour_of_week = (first + offset) % HOURS_PER_WEEK
    pathway = log.frame["pathway"].to_numpy()
    seen = weeks > 0
    estimates = {}
    for name in PATHWAYS:
        counts = np.bincount(hour_of_week[pathway == name],
                             minlength=HOURS_PER_WEEK).astype(float)
        base_rates = np.asarray(getattr(base.arrivals, name), dtype=float)
        low, high = poisson_interval(counts)
        divisor = np.where(seen, weeks, 1.0)
        rates = np.where(seen, counts / divisor, base_rates)
        estimates[name] = ArrivalEstimate(
            name, counts, weeks, rates, np.where(seen, low / divisor, np.nan),
            np.where(seen, high / divisor, np.nan), base_rates)
    return estimates


def _remainder(pathway: str) -> str:
    return "Cancer" if pathway == "cancer" else "Routine"


def estimate_shares(log: EventLog, base: LabConfig) -> tuple[list[ShareEstimate], list[str]]:
    """Priority mix per pathway, the cancer share, and the internal share where given."""
    frame, g = log.frame, base.globals
    shares: list[ShareEstimate] = []
    notes: list[str] = []
    for pathway in PATHWAYS:
        label = "Cancer" if pathway == "cancer" else "NonCancer"
        rows = frame[frame["pathway"] == pathway]
        n = len(rows)
        for priority in ("Urgent", "Priority"):
            field_name = f"prob_{priority.lower()}_{pathway}"
            shares.append(ShareEstimate(
                f"{priority} share of {pathway} specimens", int((rows["priority"] == priority)
                                                                 .sum()), n,
                getattr(g, field_name), f"Prob{priority}{label}"))
        other = _remainder("noncancer" if pathway == "cancer" else "cancer")
        odd = int((rows["priority"] == other).sum())
        if odd:
            notes.append(f"{odd} {pathway} specimens have priority {other}, which the model "
                         f"gives only to the other pathway; they count as "
                         f"{_remainder(pathway)} (the pathway's remaining priority).")
    shares.append(ShareEstimate("Cancer share of all specimens",
                                int((frame["pathway"] == "cancer").sum()), len(frame),
                                _base_cancer_share(base), None))
    given = frame["source"].notna()
    if given.any():
        shares.append(ShareEstimate("Internal share (source given)",
                                    int((frame.loc[given, "source"] == "Internal").sum()),
                                    int(given.sum()), g.prob_internal, "ProbInternal"))
    else:
        notes.append("The log has no source column: ProbInternal stays as in the base workbook.")
    return shares, notes


def _base_cancer_share(base: LabConfig) -> float:
    weekly = base.expected_weekly_arrivals()
    total = weekly["cancer"] + weekly["noncancer"]
    return weekly["cancer"] / total if total else float("nan")


def base_count_means(config: LabConfig, draws: int = BASE_DRAWS) -> dict[str, float]:
    """Blocks and slides per specimen the base workbook implies (drawn from the model)."""
    factory = SpecimenFactory(config.globals)
    weekly = config.expected_weekly_arrivals()
    total = sum(weekly.values()) or 1.0
    blocks, slides = [], []
    for index, pathway in enumerate(MODEL_PATHWAYS):
        stream = UniformStream(np.random.default_rng(index))
        for i in range(round(draws * weekly[pathway] / total)):
            specimen = factory.draw(i, index, stream)
            blocks.append(len(specimen.blocks))
            slides.append(sum(n for _, n in specimen.blocks))
    b, s = np.asarray(blocks, float), np.asarray(slides, float)
    return {"blocks": float(b.mean()), "slides": float(s.mean()),
            "slides_per_block": float((s / b).mean())}


def estimate_counts(log: EventLog, base: LabConfig) -> list[CountEstimate]:
    """Mean blocks and slides per specimen (and slides per block) where the log gives them."""
    frame = log.frame
    if frame["blocks"].notna().sum() == 0 and frame["slides"].notna().sum() == 0:
        return []
    base_means = base_count_means(base)
    estimates = []
    for column in ("blocks", "slides"):
        values = frame[column].to_numpy(dtype=float)
        values = values[~np.isnan(values)]
        mean, low, high = mean_interval(values)
        estimates.append(CountEstimate(f"{column.capitalize()} per specimen", len(values),
                                       mean, low, high, base_means[column]))
    both = frame[["blocks", "slides"]].dropna()
    both = both[both["blocks"] > 0]
    if len(both):
        ratio = both["slides"].to_numpy() / both["blocks"].to_numpy()
        mean, low, high = mean_interval(ratio)
        estimates.append(CountEstimate("Slides per block (mean over specimens)", len(both),
                                       mean, low, high, base_means["slides_per_block"]))
    return estimates


def calibrated_config(base: LabConfig, arrivals: dict[str, ArrivalEstimate],
                      shares: list[ShareEstimate]) -> LabConfig:
    """The base configuration with the arrival schedules and written shares replaced."""
    values = base.globals.model_dump(by_alias=True)
    for share in shares:
        if share.written_to and share.value is not None:
            values[share.written_to] = share.value
    for label in ("Cancer", "NonCancer"):
        if values.get(f"ProbRoutine{label}") is not None:
            values[f"ProbRoutine{label}"] = (
                1.0 - values[f"ProbUrgent{label}"] - values[f"ProbPriority{label}"])
    schedules = ArrivalSchedules(cancer=arrivals["cancer"].rates.tolist(),
                                 noncancer=arrivals["noncancer"].rates.tolist())
    return base.model_copy(update={"arrivals": schedules,
                                   "globals": GlobalParameters.model_validate(values)})


def calibrate(log: EventLog, base: LabConfig) -> Calibration:
    """Estimate arrivals, mixes and counts from ``log``; the calibrated copy of ``base``."""
    start, end, weeks = observed_hours(log)
    arrivals = estimate_arrivals(log, base)
    shares, notes = estimate_shares(log, base)
    counts = estimate_counts(log, base)
    if weeks.min() < FEW_WEEKS:
        notes.append(
            f"Some hours of the week were observed only {int(weeks.min())} time(s) "
            f"(fewer than {FEW_WEEKS}): their rates are rough; see the weeks column."
            + (" Hours never observed keep the base workbook's rates." if weeks.min() == 0
               else ""))
    if counts:
        notes.append("Blocks and slides per specimen are reported beside the base workbook's "
                     "but not written: the workbook sets them per cut-up route and block type, "
                     "which a log does not record.")
    return Calibration(log.source, start, end, len(log), arrivals, shares, counts,
                       calibrated_config(base, arrivals, shares), notes)
