"""Exact time-weighted statistics of piecewise-constant levels (spec 11.C21-C23).

A :class:`~hospital_twin.model.output.StepSeries` holds ``values[i]`` from ``times[i]`` to
``times[i+1]`` and its last value to the run end. Everything here works on the cumulative
integral ``F(t) = ∫_0^t level``, evaluated with ``searchsorted`` at any set of points, so a
window mean or a whole row of hourly bins costs one vectorised pass over the series.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from hospital_twin.model.output import StepSeries


def _arrays(series: StepSeries) -> tuple[np.ndarray, np.ndarray]:
    times = np.asarray(series.times, dtype=float)
    values = np.asarray(series.values, dtype=float)
    if times.shape != values.shape or times.ndim != 1:
        raise ValueError(
            f"StepSeries times and values must be 1-D of equal length, got "
            f"{times.shape} and {values.shape}"
        )
    return times, values


def value_at(series: StepSeries, points: np.ndarray | float) -> np.ndarray:
    """The level at each point (right-continuous: a change at t already holds at t; 0 before
    the first time)."""
    times, values = _arrays(series)
    pts = np.asarray(points, dtype=float)
    if len(times) == 0:
        return np.zeros_like(pts)
    idx = np.searchsorted(times, pts, side="right") - 1
    return np.where(idx >= 0, values[np.clip(idx, 0, None)], 0.0)


def cumulative(series: StepSeries, points: np.ndarray | float) -> np.ndarray:
    """``F(p) = ∫_0^p level dt`` at each point; the level is 0 before the first time and the
    last value holds for ever after the last time."""
    times, values = _arrays(series)
    pts = np.asarray(points, dtype=float)
    if len(times) == 0:
        return np.zeros_like(pts)
    at_knots = np.concatenate(([0.0], np.cumsum(values[:-1] * np.diff(times))))
    idx = np.searchsorted(times, pts, side="right") - 1
    safe = np.clip(idx, 0, None)
    inside = at_knots[safe] + values[safe] * (pts - times[safe])
    return np.where(idx >= 0, inside, 0.0)


def integral(series: StepSeries, start: float, end: float) -> float:
    """``∫_start^end level dt`` (unit-hours for a resource, specimen-hours for WIP)."""
    f = cumulative(series, np.array([start, end], dtype=float))
    return float(f[1] - f[0])


def window_mean(series: StepSeries, start: float, end: float) -> float:
    """Time-weighted mean level over ``[start, end]``; ``end`` must exceed ``start``."""
    if not end > start:
        raise ValueError(f"empty time window [{start:g}, {end:g}]")
    return integral(series, start, end) / (end - start)


def hour_edges(run_end: float) -> np.ndarray:
    """Edges of the hourly bins ``[h, h+1)`` for ``h = 0 … ⌈T⌉−1``, the last one cut at ``T``."""
    if not run_end > 0:
        raise ValueError(f"run end must be positive, got {run_end:g}")
    n = math.ceil(run_end)
    edges = np.arange(n + 1, dtype=float)
    edges[-1] = run_end
    return edges


def bin_integrals(series: StepSeries, edges: np.ndarray) -> np.ndarray:
    """``∫`` of the level over each bin ``[edges[k], edges[k+1]]``."""
    return np.diff(cumulative(series, edges))


def hourly_means(series: StepSeries, run_end: float) -> np.ndarray:
    """Time-weighted mean level in each hourly bin (the last, partial bin over its own length)."""
    edges = hour_edges(run_end)
    return bin_integrals(series, edges) / np.diff(edges)


def combine(a: StepSeries, b: StepSeries, op: Callable[[np.ndarray, np.ndarray], np.ndarray]
            ) -> StepSeries:
    """The step series ``op(a(t), b(t))`` on the union of both series' change times."""
    ta, _ = _arrays(a)
    tb, _ = _arrays(b)
    times = np.union1d(ta, tb)
    return StepSeries(times=times, values=np.asarray(op(value_at(a, times), value_at(b, times)),
                                                     dtype=float))


def utilisation_series(busy: StepSeries, capacity: StepSeries) -> tuple[StepSeries, StepSeries]:
    """``min(busy, cap)`` (work within capacity) and ``max(0, busy − cap)`` (overtime) as step
    series on the union of both change times (11.C21)."""
    tb, _ = _arrays(busy)
    tc, _ = _arrays(capacity)
    times = np.union1d(tb, tc)
    b, c = value_at(busy, times), value_at(capacity, times)
    return (StepSeries(times=times, values=np.minimum(b, c)),
            StepSeries(times=times, values=np.maximum(0.0, b - c)))


def utilisation_parts(busy: StepSeries, capacity: StepSeries, edges: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per bin: ``∫min(busy, cap)``, ``∫cap`` and overtime ``∫max(0, busy − cap)`` (11.C21)."""
    used, over = utilisation_series(busy, capacity)
    return bin_integrals(used, edges), bin_integrals(capacity, edges), bin_integrals(over, edges)


def utilisation_ratio(used: np.ndarray | float, available: np.ndarray | float) -> np.ndarray:
    """``used / available`` clipped to [0, 1] (rounding), 0 where nothing was available."""
    used_arr = np.asarray(used, dtype=float)
    avail_arr = np.asarray(available, dtype=float)
    ratio = np.divide(used_arr, avail_arr, out=np.zeros(np.broadcast(used_arr, avail_arr).shape),
                      where=avail_arr > 0)
    return np.clip(ratio, 0.0, 1.0)
