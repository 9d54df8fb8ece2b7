"""Paired comparison of two scenarios run with the same seed (common random numbers).

Replication i of both scenarios sees the same arrivals and attributes (spec 11.C26), so the
per-replication differences ``other − base`` vary far less than the two scenarios' values;
their mean and t-interval say whether a change made a real difference. A difference is
*significant* when its 95 % interval excludes 0 (None with fewer than two pairs).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hospital_twin.kpis.aggregate import CONFIDENCE, mean_ci

#: Headline entries that identify or time a replication rather than measure the lab.
_NOT_COMPARED = frozenset({"replication", "seed_entropy", "events", "wall_seconds"})


def paired_difference(base: Sequence[float | None], other: Sequence[float | None],
                      confidence: float = CONFIDENCE) -> dict[str, Any]:
    """Mean of ``other[i] − base[i]`` with its t-interval; pairs with a None are dropped."""
    if len(base) != len(other):
        raise ValueError(f"unpaired values: {len(base)} vs {len(other)}")
    diffs = [o - b for b, o in zip(base, other, strict=True) if b is not None and o is not None]
    est = mean_ci(diffs, confidence)
    significant = None
    if est.low is not None and est.high is not None:
        significant = bool(est.low > 0 or est.high < 0)
    return {"mean": est.mean, "min": est.low, "max": est.high, "n": est.n,
            "significant": significant}


def _walk(base: list[Any], other: list[Any], confidence: float) -> Any:
    sample = next((v for v in base + other if v is not None), None)
    if isinstance(sample, dict):
        keys: dict[str, None] = {}
        for v in base + other:
            if isinstance(v, dict):
                keys.update(dict.fromkeys(v))
        return {k: _walk([v.get(k) if v else None for v in base],
                         [v.get(k) if v else None for v in other], confidence) for k in keys}
    return paired_difference(base, other, confidence)


def compare_replications(base: Sequence[dict], other: Sequence[dict],
                         confidence: float = CONFIDENCE) -> dict[str, Any]:
    """Paired differences of every headline value, pairing replications by number."""
    by_rep = {r["replication"]: r for r in other}
    paired = [(b, by_rep[b["replication"]]) for b in base if b["replication"] in by_rep]
    if not paired:
        raise ValueError("the scenarios share no replication numbers")
    keys = [k for k in paired[0][0] if k not in _NOT_COMPARED]
    return {k: _walk([b.get(k) for b, _ in paired], [o.get(k) for _, o in paired], confidence)
            for k in keys}


def compare_results(base: dict, other: dict, confidence: float = CONFIDENCE) -> dict[str, Any]:
    """Compare two scenarios' results JSONs (``other − base``) replication by replication."""
    reps = compare_replications(base["replications"], other["replications"], confidence)
    return {
        "common_random_numbers": base.get("seed") == other.get("seed"),
        "pairs": len({r["replication"] for r in base["replications"]}
                     & {r["replication"] for r in other["replications"]}),
        "confidence": confidence,
        "differences": reps,
    }
