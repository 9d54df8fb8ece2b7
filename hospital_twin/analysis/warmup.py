"""Warm-up detection with Welch's method on daily throughput.

The lab starts empty on Monday 00:00, so early days report few specimens; KPIs should skip
the warm-up until throughput settles. Welch's method averages the daily throughput across
replications, smooths it with a centred moving average, and reads off where the curve
levels out. Reports are written only on weekdays, so the default window of 3 days either
side (7 days) spans one whole week and removes the weekly cycle.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from hospital_twin.model.output import ReplicationOutput

HOURS_PER_DAY = 24.0


def daily_throughput(outputs: Sequence[ReplicationOutput]) -> np.ndarray:
    """Specimens reported in each whole simulated day: (replications × days) array.

    Day k is ``[24k, 24(k+1))`` hours; a final partial day is left out.
    """
    if not outputs:
        raise ValueError("no replication outputs")
    days = int(math.floor(min(o.sim_hours for o in outputs) / HOURS_PER_DAY))
    rows = []
    for out in outputs:
        ends = out.specimens["report_end"].to_numpy(dtype=float, na_value=np.nan)
        ends = ends[~np.isnan(ends)]
        idx = np.floor(ends / HOURS_PER_DAY).astype(int)
        idx = idx[idx < days]
        rows.append(np.bincount(idx, minlength=days)[:days])
    return np.vstack(rows).astype(float)


def welch_moving_average(series: Sequence[float], window: int) -> np.ndarray:
    """Welch's moving average of a mean series: ``len(series) − window`` values.

    Point i (1-based) averages points ``i−(i−1) … i+(i−1)`` for ``i ≤ window`` and
    ``i−window … i+window`` after that, as in Law & Kelton.
    """
    y = np.asarray(series, dtype=float)
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
    m = len(y)
    if m <= window:
        raise ValueError(f"need more than {window} points, got {m}")
    out = np.empty(m - window)
    for i in range(1, m - window + 1):
        half = i - 1 if i <= window else window
        out[i - 1] = y[i - 1 - half:i + half].mean()
    return out


@dataclass
class WarmupResult:
    """Welch's analysis: the curve, the settled level and the recommended warm-up."""

    daily_mean: np.ndarray  # mean throughput per day across replications
    moving_average: np.ndarray  # Welch's moving average (day 0 first)
    window: int
    level: float  # settled level: mean of the moving average's second half
    tolerance: float
    days: int  # recommended warm-up in whole days
    settled: bool  # False when the curve never stays within tolerance

    @property
    def hours(self) -> float:
        """Recommended warm-up in simulated hours (pass as ``warmup_hours``)."""
        return self.days * HOURS_PER_DAY

    def usable_hours(self, sim_hours: float, max_fraction: float = 0.5) -> float:
        """The warm-up to apply to a run of ``sim_hours``: the recommendation, capped at
        ``max_fraction`` of the run (whole days) so enough of the run is left to measure."""
        cap = math.floor(max_fraction * sim_hours / HOURS_PER_DAY) * HOURS_PER_DAY
        return float(min(self.hours, cap))


def recommend_warmup(throughput: np.ndarray | Sequence[ReplicationOutput], window: int = 3,
                     tolerance: float = 0.1) -> WarmupResult:
    """The first day from which Welch's moving average stays within ``tolerance`` (relative)
    of its settled level; the settled level is the mean of the curve's second half.

    ``throughput`` is a (replications × days) array or the replication outputs themselves.
    """
    if not isinstance(throughput, np.ndarray):
        throughput = daily_throughput(throughput)
    daily = np.atleast_2d(np.asarray(throughput, dtype=float)).mean(axis=0)
    curve = welch_moving_average(daily, window)
    level = float(curve[len(curve) // 2:].mean())
    off = np.abs(curve - level) > tolerance * abs(level)
    outside = np.flatnonzero(off)
    days = 0 if len(outside) == 0 else int(outside[-1]) + 1
    settled = days < len(curve)
    return WarmupResult(daily_mean=daily, moving_average=curve, window=window, level=level,
                        tolerance=tolerance, days=min(days, len(curve)), settled=settled)


def with_warmup(outputs: Sequence[ReplicationOutput], hours: float) -> list[ReplicationOutput]:
    """The same replications with another warm-up, for re-computing KPIs without re-running.

    The model never uses the warm-up while simulating (the lab starts empty and arrivals run
    to the end, spec 11.C23); it only tells the KPIs which specimens to count.
    """
    changed = []
    for out in outputs:
        if not 0 <= hours < out.sim_hours:
            raise ValueError(f"warm-up ({hours:g} h) must lie in [0, {out.sim_hours:g} h)")
        changed.append(replace(out, warmup_hours=float(hours)))
    return changed
