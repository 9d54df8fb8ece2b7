"""Is the scenario in a steady state? The weekly WIP trend (results key ``stability``).

When work arrives faster than the lab can finish it, work in progress (WIP) grows week on
week and every turnaround figure depends on how long the run was. This module fits that
growth and says so.

Rule (documented in ``docs/results.rst``):

1. Per replication, the time-weighted mean total WIP of each whole calendar week
   (Monday 00:00 to Monday 00:00) that starts at or after ``max(warm-up, 1 week)``. The first
   week is always left out: the lab starts empty and fills during it.
2. Per replication, the least-squares slope of those weekly means against the week number:
   the WIP growth in specimens per week.
3. Across replications, the mean slope and its 95 % t-interval (11.C24). With one
   replication the interval is the regression's own 95 % interval (weeks − 2 degrees of
   freedom), which is narrower than it should be because weekly means are correlated.
4. Growth is *material* when it is at least :data:`MATERIAL_SHARE` (2 %) of the mean weekly
   WIP per week (and at least 1 specimen a week): WIP would double within about a year.
   Verdict:

   * ``"too short to tell"`` with fewer than :data:`MIN_WEEKS` whole weeks, or when the
     interval includes both no growth and material growth;
   * ``"unstable"`` when the whole interval lies above 0 and the mean growth is material;
   * ``"stable"`` otherwise (the interval includes 0 or all of it is below the material
     threshold, or WIP is falling).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import special

from hospital_twin.kpis import timeweighted as tw
from hospital_twin.kpis.aggregate import mean_ci
from hospital_twin.model.output import StepSeries

HOURS_PER_WEEK = 168.0
#: Fewer whole weeks than this after the fill-up week: "too short to tell".
MIN_WEEKS = 4
#: Growth per week, as a share of the mean weekly WIP, that counts as material.
MATERIAL_SHARE = 0.02

STABLE, UNSTABLE, TOO_SHORT = "stable", "unstable", "too short to tell"


def weekly_means(series: StepSeries, run_end: float) -> list[float]:
    """Time-weighted mean level of each whole week ``[168k, 168(k+1)]`` inside ``[0, T]``."""
    n = int(math.floor(run_end / HOURS_PER_WEEK + 1e-9))
    if n == 0:
        return []
    edges = np.arange(n + 1, dtype=float) * HOURS_PER_WEEK
    return [float(v) for v in tw.bin_integrals(series, edges) / HOURS_PER_WEEK]


def first_week_used(warmup_hours: float) -> int:
    """Index of the first whole week counted: not before the warm-up, never week 0."""
    return max(1, int(math.ceil(warmup_hours / HOURS_PER_WEEK - 1e-9)))


def slope(values: Sequence[float]) -> tuple[float, float]:
    """Least-squares slope per week and its standard error (NaN with fewer than 3 points)."""
    y = np.asarray(values, dtype=float)
    n = len(y)
    if n < 2:
        return math.nan, math.nan
    x = np.arange(n, dtype=float)
    sxx = float(((x - x.mean()) ** 2).sum())
    b = float(((x - x.mean()) * (y - y.mean())).sum() / sxx)
    if n < 3:
        return b, math.nan
    resid = y - (y.mean() + b * (x - x.mean()))
    return b, math.sqrt(float((resid ** 2).sum()) / (n - 2) / sxx)


def stability(weekly: Sequence[Sequence[float]], warmup_hours: float) -> dict:
    """The ``stability`` object from each replication's weekly mean WIP (from week 0)."""
    start = first_week_used(warmup_hours)
    used = [list(w[start:]) for w in weekly]
    weeks = min((len(u) for u in used), default=0)
    result: dict = {
        "verdict": TOO_SHORT,
        "wip_growth_per_week": {"mean": None, "min": None, "max": None},
        "weeks_used": weeks,
        "first_week": start,
        "mean_weekly_wip": None,
        "material_growth_per_week": None,
        "rule": (
            f"least-squares slope of weekly mean WIP from week {start + 1} on, 95 % CI "
            f"across replications; unstable when the CI lies above 0 and growth is at "
            f"least {MATERIAL_SHARE:.0%} of mean WIP a week; fewer than {MIN_WEEKS} weeks: "
            "too short to tell"
        ),
    }
    if weeks < 2:
        result["message"] = plain_words(result)
        return result
    used = [u[:weeks] for u in used]
    fits = [slope(u) for u in used]
    slopes = [b for b, _ in fits]
    mean_wip = float(np.mean([np.mean(u) for u in used]))
    if len(used) >= 2:
        estimate = mean_ci(slopes)
        mean, low, high = estimate.mean, estimate.low, estimate.high
    else:
        mean, se = fits[0]
        half = float(special.stdtrit(weeks - 2, 0.975) * se) if weeks >= 3 else math.nan
        low, high = (mean - half, mean + half) if math.isfinite(half) else (None, None)
    material = max(MATERIAL_SHARE * mean_wip, 1.0)
    result["wip_growth_per_week"] = {"mean": mean, "min": low, "max": high}
    result["mean_weekly_wip"] = mean_wip
    result["material_growth_per_week"] = material
    result["verdict"] = verdict(mean, low, high, material, weeks)
    result["message"] = plain_words(result)
    return result


def plain_words(stab: dict) -> str | None:
    """What a lab manager must read first: None when stable, else one or two sentences."""
    verdict_ = stab.get("verdict")
    if verdict_ == UNSTABLE:
        growth = (stab.get("wip_growth_per_week") or {}).get("mean") or 0.0
        return (f"Unstable: work piles up by about {growth:,.0f} specimens a week; "
                "turnaround figures depend on run length. The lab does not keep up with "
                "the work it receives, so no RCPath target is shown as met; see which "
                "machine or staff group is the bottleneck before reading any turnaround.")
    if verdict_ == TOO_SHORT:
        weeks = stab.get("weeks_used", 0)
        if weeks < MIN_WEEKS:
            why = (f"only {weeks} whole weeks after the first (filling) week or the warm-up "
                   f"could be used, {MIN_WEEKS} are needed")
        else:
            why = (f"over the {weeks} whole weeks used the WIP trend is too uncertain to rule "
                   "out material growth")
        return (f"Too short to tell whether work piles up: {why}. Run longer (12 weeks or "
                "more) or with more replications before trusting the turnaround figures.")
    return None


def verdict(mean: float | None, low: float | None, high: float | None, material: float,
            weeks: int) -> str:
    """The three-way verdict of the module docstring."""
    if weeks < MIN_WEEKS or mean is None or low is None or high is None:
        return TOO_SHORT
    if low > 0 and mean >= material:
        return UNSTABLE
    if low <= 0 and high >= material:
        return TOO_SHORT
    return STABLE
