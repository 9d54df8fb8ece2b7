"""95 % intervals used by calibration and validation: Poisson counts, proportions, bands."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

Z95 = 1.959963984540054


def poisson_interval(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) 95 % interval of Poisson means given observed ``counts``."""
    counts = np.asarray(counts, dtype=float)
    low = np.where(counts > 0, stats.chi2.ppf(0.025, 2 * counts) / 2, 0.0)
    high = stats.chi2.ppf(0.975, 2 * counts + 2) / 2
    return low, high


def wilson_interval(successes: int, n: int) -> tuple[float | None, float | None]:
    """Wilson 95 % interval of a proportion (None, None without observations)."""
    if n <= 0:
        return None, None
    p = successes / n
    denominator = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def mean_interval(values: np.ndarray) -> tuple[float | None, float | None, float | None]:
    """Mean and its 95 % t-interval (Nones when empty; no interval from one value)."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if not len(values):
        return None, None, None
    mean = float(values.mean())
    if len(values) < 2:
        return mean, None, None
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values))
    return mean, mean - float(half), mean + float(half)


def prediction_band(values: np.ndarray) -> tuple[float | None, float | None, float | None]:
    """Mean of the replications' values and the 95 % band a further one would fall in.

    ``mean ± t(0.975, n-1) · sd · √(1 + 1/n)``: if the real lab behaved like the twin, its
    value would fall inside 19 times in 20. Nones when fewer than two values are given.
    """
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if len(values) < 2:
        mean = float(values.mean()) if len(values) else None
        return mean, None, None
    n = len(values)
    mean = float(values.mean())
    half = stats.t.ppf(0.975, n - 1) * values.std(ddof=1) * math.sqrt(1 + 1 / n)
    return mean, mean - float(half), mean + float(half)
