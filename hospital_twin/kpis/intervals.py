"""Confidence intervals clipped to the range a KPI can take.

A Student-t interval (11.C24) is symmetric, so a count near 0 (items in partly filled
batches, specimens of a rare priority) gets a negative lower bound and a share near 1 an
upper bound above 1. Neither can happen, so the bounds are clipped: shares to [0, 1], counts,
hours, queue lengths and WIP to ≥ 0. Means are never changed. Signed quantities (the WIP
growth of ``stability``, compare's paired differences) are left alone.
"""

from __future__ import annotations

from typing import Any

#: Results keys whose every value is a share in [0, 1].
SHARE_KEYS = frozenset({
    "progress_min", "progress_max", "lab_progress_min", "lab_progress_max",
    "progress_cohort", "progress_cohort_min", "progress_cohort_max",
    "lab_progress_cohort", "lab_progress_cohort_min", "lab_progress_cohort_max",
    "utilization_by_resource", "hourly_utilization_by_resource", "tat_histogram",
    "lab_tat_histogram", "machine_time",
})
#: Results keys whose values are ≥ 0 except the shares named in :data:`NESTED_SHARES`.
NON_NEGATIVE_KEYS = frozenset({
    "overall_tat_min", "overall_tat_max", "lab_tat_min", "lab_tat_max", "tat_by_stage",
    "wip_by_stage", "mean_wip_by_stage", "q_length_by_resource", "overtime_by_resource",
    "tat_percentiles", "tat_by_priority", "tat_by_pathway", "specimens", "blocks", "slides",
    "partial_batches", "tat_km",
})
#: Inside :data:`NON_NEGATIVE_KEYS`, sub-keys that hold shares.
NESTED_SHARES = frozenset({"progress", "lab_progress", "within"})

_ESTIMATE = {"mean", "min", "max"}
_CHART_BOUNDS = ("ymin", "ymax")


def _clamp(value: Any, low: float, high: float) -> Any:
    """Clamp a number, or every number of a (nested) list; None stays None."""
    if isinstance(value, list):
        return [_clamp(v, low, high) for v in value]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return min(max(value, low), high)


def _clip_tree(tree: Any, low: float, high: float, *, nested: bool = False) -> Any:
    """Clip the bounds in one results subtree (estimates, charts or plain bound maps)."""
    if isinstance(tree, dict):
        if set(tree) == _ESTIMATE:
            return {"mean": tree["mean"], "min": _clamp(tree["min"], low, high),
                    "max": _clamp(tree["max"], low, high)}
        if "x" in tree and "ymin" in tree:
            return {k: (_clamp(v, low, high) if k in _CHART_BOUNDS else v)
                    for k, v in tree.items()}
        out = {}
        for key, value in tree.items():
            share = nested and key in NESTED_SHARES
            out[key] = _clip_tree(value, 0.0, 1.0 if share else high, nested=nested)
        return out
    return _clamp(tree, low, high)


def clip_intervals(results: dict) -> dict:
    """The results JSON with every interval bound inside its KPI's possible range."""
    out = dict(results)
    for key in SHARE_KEYS & out.keys():
        out[key] = _clip_tree(out[key], 0.0, 1.0)
    for key in NON_NEGATIVE_KEYS & out.keys():
        out[key] = _clip_tree(out[key], 0.0, float("inf"), nested=True)
    return out
