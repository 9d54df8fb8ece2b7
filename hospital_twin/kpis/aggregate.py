"""Combine N replications: means and Student-t 95 % confidence intervals (spec 11.C24).

With n ≥ 2 defined values the interval is mean ∓ t(0.975, n−1)·s/√n (s with n−1 in the
denominator); with fewer it is None. Undefined per-replication values (None or NaN, e.g. an
empty population) are left out, so ``n`` counts the replications where the KPI exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Estimate:
    """A mean over replications with its confidence interval (None where undefined)."""

    mean: float | None
    low: float | None
    high: float | None
    n: int

    def as_dict(self) -> dict[str, float | None]:
        """The ``{"mean", "min", "max"}`` object of the results JSON."""
        return {"mean": self.mean, "min": self.low, "max": self.high}


def _as_float(value: Any) -> float:
    if value is None:
        return np.nan
    return float(value)


def mean_ci(values: Sequence[float | None], confidence: float = CONFIDENCE) -> Estimate:
    """Mean and t-interval of one KPI's per-replication values."""
    column = np.array([_as_float(v) for v in values], dtype=float).reshape(-1, 1)
    mean, low, high, n = mean_ci_rows(column, confidence)
    return Estimate(_scalar(mean[0]), _scalar(low[0]), _scalar(high[0]), int(n[0]))


def _scalar(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


def mean_ci_rows(rows: np.ndarray | Sequence[Sequence[float]], confidence: float = CONFIDENCE
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Column-wise mean, CI low, CI high and count of an (N replications × k) array.

    NaN entries are skipped; a column with no value has NaN mean, one with fewer than two
    values NaN bounds.
    """
    x = np.asarray(rows, dtype=float)
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    valid = ~np.isnan(x)
    n = valid.sum(axis=0)
    total = np.where(valid, x, 0.0).sum(axis=0)
    mean = np.divide(total, n, out=np.full(n.shape, np.nan), where=n > 0)
    dev2 = np.where(valid, (x - mean) ** 2, 0.0).sum(axis=0)
    var = np.divide(dev2, n - 1, out=np.full(n.shape, np.nan), where=n > 1)
    t = special.stdtrit(np.maximum(n - 1, 1), 0.5 + confidence / 2)  # Student t quantile
    half = np.where(n > 1, t * np.sqrt(var / np.maximum(n, 1)), np.nan)
    return mean, mean - half, mean + half, n


def aggregate_tree(trees: Sequence[Any], confidence: float = CONFIDENCE) -> Any:
    """Combine per-replication values of the same nested shape (dicts of scalars, keys in
    first-seen order; a key missing in a replication counts as undefined) into the same
    nesting of :class:`Estimate`."""
    present = [t for t in trees if t is not None]
    if present and all(isinstance(t, dict) for t in present):
        keys: dict[str, None] = {}
        for t in present:
            keys.update(dict.fromkeys(t))
        return {k: aggregate_tree([t.get(k) if t is not None else None for t in trees],
                                  confidence) for k in keys}
    return mean_ci(trees, confidence)


def split_tree(tree: Any) -> tuple[Any, Any, Any]:
    """Split a tree of :class:`Estimate` into three trees: means, lows, highs."""
    if isinstance(tree, Estimate):
        return tree.mean, tree.low, tree.high
    parts = {k: split_tree(v) for k, v in tree.items()}
    return ({k: p[0] for k, p in parts.items()}, {k: p[1] for k, p in parts.items()},
            {k: p[2] for k, p in parts.items()})


def estimates_as_dicts(tree: Any) -> Any:
    """Replace every :class:`Estimate` of a tree by its ``{"mean", "min", "max"}`` dict."""
    if isinstance(tree, Estimate):
        return tree.as_dict()
    return {k: estimates_as_dicts(v) for k, v in tree.items()}
