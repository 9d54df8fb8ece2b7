"""The results JSON of one scenario: every replication's KPIs combined (spec section 8).

It keeps every key and shape of the earlier Report (``earlier-results-example.json``, which
existing clients read) with the meanings of spec 11.C18-C24, and adds counts, percentiles,
TAT by priority and pathway, censoring-free cohort shares, overtime, per-replication
headline values, the configuration, seed, run settings and package version.

Shapes: ChartData ``{x, y, ymin, ymax}``; MultiChartData ``{x, y, labels, ymin, ymax}`` with
one y list per label. ``ymin``/``ymax`` and the ``*_min``/``*_max`` fields are the 95 %
t-interval with two or more replications and null with one. New nested KPIs are
``{"mean", "min", "max"}`` objects. Everything is plain JSON with null for undefined values.
"""

from __future__ import annotations

import importlib.metadata
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from hospital_twin.kpis.aggregate import (
    aggregate_tree,
    estimates_as_dicts,
    mean_ci_rows,
    split_tree,
)
from hospital_twin.kpis.intervals import clip_intervals
from hospital_twin.kpis.replication import replication_kpis
from hospital_twin.kpis.stability import first_week_used, slope, stability
from hospital_twin.kpis.tat import LAB_PROGRESS_DAYS, PERCENTILES, PROGRESS_DAYS
from hospital_twin.model.output import STAGE_LABELS, STAGES, WIP_NAMES, ReplicationOutput

#: Version of the results layout below (bump when keys change).
RESULTS_FORMAT = 1

#: What each turnaround figure counts (results key ``tat_populations``, 11.C19).
TAT_POPULATIONS: dict[str, str] = {
    "overall_tat, progress, tat_percentiles.overall, tat_by_priority, tat_by_pathway, "
    "tat_histogram, tat_by_stage": (
        "completed only: specimens that arrived at or after the warm-up and were reported by "
        "the run end; specimens still in the lab are left out, so a lab that is falling "
        "behind looks faster than it is"),
    "lab_tat, lab_progress, tat_percentiles.lab, lab_tat_histogram": (
        "completed only: specimens that arrived at or after the warm-up and finished QC by "
        "the run end"),
    "progress_cohort, lab_progress_cohort": (
        "arrival cohort: specimens that arrived between the warm-up and the run end minus "
        "d days, each with its full d days inside the run; free of censoring"),
    "tat_km": (
        "Kaplan-Meier: every specimen that arrived at or after the warm-up; those still in "
        "the lab at the run end count as censored at their time so far; free of censoring "
        "bias, the primary figures"),
}

#: Per-replication values listed in ``replications`` and compared between scenarios.
HEADLINE_KEYS: tuple[str, ...] = (
    "overall_tat", "lab_tat", "progress", "lab_progress", "progress_cohort",
    "lab_progress_cohort", "tat_percentiles", "utilisation", "overtime",
)


def package_version() -> str:
    """Installed version of the ``hospital-twin`` distribution ("unknown" if not installed)."""
    try:
        return importlib.metadata.version("hospital-twin")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _finite_or_none(values: list) -> list:
    return [v if math.isfinite(v) else None for v in values]


def to_json_value(value: Any) -> Any:
    """Plain JSON types throughout: numpy scalars/arrays to Python, NaN/inf to None."""
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiub":
        if value.ndim == 1 and value.dtype.kind == "f":
            listed = value.tolist()
            return listed if np.isfinite(value).all() else _finite_or_none(listed)
        if value.ndim == 1:
            return value.tolist()
        return [to_json_value(row) for row in value]
    if isinstance(value, list | tuple | np.ndarray):
        if all(type(v) is float for v in value):
            return _finite_or_none(list(value))
        return [to_json_value(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    return value


def _bounds(values: np.ndarray, n_reps: int) -> list | None:
    return None if n_reps < 2 else to_json_value(values)


def chart(x: Sequence[Any], rows: np.ndarray) -> dict:
    """ChartData from an (N replications × len(x)) array of per-replication values."""
    rows = np.asarray(rows, dtype=float).reshape(-1, len(x))
    mean, low, high, _ = mean_ci_rows(rows)
    n_reps = rows.shape[0]
    return {"x": list(x), "y": to_json_value(mean), "ymin": _bounds(low, n_reps),
            "ymax": _bounds(high, n_reps)}


def multi_chart(x: Sequence[Any], labels: Sequence[str], series: Sequence[np.ndarray]) -> dict:
    """MultiChartData; ``series[j]`` is the (N × len(x)) array of label ``j``."""
    parts = [mean_ci_rows(np.asarray(s, dtype=float).reshape(-1, len(x))) for s in series]
    n_reps = np.asarray(series[0]).reshape(-1, len(x)).shape[0] if series else 0
    return {
        "x": list(x),
        "y": [to_json_value(p[0]) for p in parts],
        "labels": list(labels),
        "ymin": None if n_reps < 2 else [to_json_value(p[1]) for p in parts],
        "ymax": None if n_reps < 2 else [to_json_value(p[2]) for p in parts],
    }


def _f(value: Any) -> float:
    return np.nan if value is None else float(value)


def _legacy(reps: list[dict], key: str, n_reps: int) -> tuple[Any, Any, Any]:
    """Mean, min and max trees of one KPI; min/max are null with one replication."""
    mean, low, high = split_tree(aggregate_tree([r[key] for r in reps]))
    if n_reps < 2:
        return mean, None, None
    return mean, low, high


def headline(rep: dict) -> dict:
    """The per-replication values listed in ``replications`` (and used by compare)."""
    weekly = rep.get("wip_weekly", [])[first_week_used(rep["warmup_hours"]):]
    return {"replication": rep["replication"], "seed_entropy": rep["seed_entropy"]} | {
        k: rep[k] for k in HEADLINE_KEYS
    } | _km_headline(rep) | {
        "wip_growth_per_week": slope(weekly)[0] if len(weekly) >= 2 else None,
    } | {
        "arrived": rep["specimens"]["total"]["arrived"],
        "completed": rep["specimens"]["total"]["completed"],
        "in_progress": rep["specimens"]["total"]["in_progress"],
        "events": rep["events"],
        "wall_seconds": rep["wall_seconds"],
    }


def _km_headline(rep: dict) -> dict:
    """Kaplan–Meier shares of one replication (absent in KPIs stored before they existed)."""
    km = rep.get("tat_km")
    if km is None:
        return {}
    return {"km_progress": km["overall"]["within"], "km_lab_progress": km["lab"]["within"]}


def _check_alike(reps: Sequence[dict]) -> None:
    if not reps:
        raise ValueError("no replication outputs to report")
    first = reps[0]
    for rep in reps[1:]:
        if (rep["sim_hours"], rep["warmup_hours"]) != (first["sim_hours"], first["warmup_hours"]):
            raise ValueError("replications differ in run length or warm-up")
        if list(rep["resources"]) != list(first["resources"]):
            raise ValueError("replications differ in their resources")


def build_results(outputs: Sequence[ReplicationOutput], config_json: dict | None, seed: int, *,
                  progress_days: Sequence[int] = PROGRESS_DAYS,
                  lab_days: Sequence[int] = LAB_PROGRESS_DAYS,
                  percentiles: Sequence[int] = PERCENTILES) -> dict:
    """The results JSON of one scenario from its replications (all of one run)."""
    if not outputs:
        raise ValueError("no replication outputs to report")
    reps = [replication_kpis(o, progress_days=progress_days, lab_days=lab_days, qs=percentiles)
            for o in outputs]
    return results_from_kpis(reps, config_json, seed, progress_days=progress_days,
                             lab_days=lab_days, percentiles=percentiles)


def results_from_kpis(reps: Sequence[dict], config_json: dict | None, seed: int, *,
                      progress_days: Sequence[int] = PROGRESS_DAYS,
                      lab_days: Sequence[int] = LAB_PROGRESS_DAYS,
                      percentiles: Sequence[int] = PERCENTILES) -> dict:
    """The results JSON from each replication's KPIs (:func:`replication_kpis`, in order).

    Replications run as separate jobs (on any host) hand in only their KPIs; merging them
    here gives the same results as :func:`build_results` on the outputs in one process.
    """
    reps = list(reps)
    _check_alike(reps)
    n = len(reps)
    first = reps[0]
    names = reps[0]["resources"]
    hours = [float(h) for h in range(len(reps[0]["wip_hourly"][WIP_NAMES[0]]))]

    legacy = {key: _legacy(reps, key, n)
              for key in ("overall_tat", "lab_tat", "progress", "lab_progress")}
    res: dict[str, Any] = {key: legacy[key][0] for key in legacy}
    res["tat_by_stage"] = chart([STAGE_LABELS[s] for s in STAGES],
                                np.array([[_f(v) for v in r["stage_means"]] for r in reps]))
    # the roster is the configuration's, identical in every replication: take the first
    res["resource_allocation"] = {
        name: {"x": xs, "y": ys, "ymin": None, "ymax": None}
        for name, (xs, ys) in reps[0]["capacity_steps"].items()
    }
    res["wip_by_stage"] = multi_chart(
        hours, WIP_NAMES, [np.array([r["wip_hourly"][w] for r in reps]) for w in WIP_NAMES])
    res["utilization_by_resource"] = chart(
        names, np.array([[r["utilisation"][k] for k in names] for r in reps]))
    res["q_length_by_resource"] = chart(
        names, np.array([[r["queue_length"][k] for k in names] for r in reps]))
    res["hourly_utilization_by_resource"] = multi_chart(
        hours, names, [np.array([r["hourly_utilisation"][k] for r in reps]) for k in names])
    for key, (_, low, high) in legacy.items():
        res[f"{key}_min"], res[f"{key}_max"] = low, high

    for key in ("progress_cohort", "lab_progress_cohort"):
        res[key], res[f"{key}_min"], res[f"{key}_max"] = _legacy(reps, key, n)
    for key in ("tat_percentiles", "tat_by_priority", "tat_by_pathway", "specimens", "blocks",
                "slides", "partial_batches"):
        res[key] = estimates_as_dicts(aggregate_tree([r[key] for r in reps]))
    n_days = len(reps[0]["tat_histogram"])
    days = [float(d) for d in range(n_days)]
    for key in ("tat_histogram", "lab_tat_histogram"):
        res[key] = chart(days, np.array([[_f(v) for v in r[key]] for r in reps]))
    res["overtime_by_resource"] = chart(
        names, np.array([[r["overtime"][k] for k in names] for r in reps]))
    res["mean_wip_by_stage"] = chart(
        list(WIP_NAMES), np.array([[r["wip_mean"][w] for w in WIP_NAMES] for r in reps]))
    res |= strain_results(reps, names)
    res["replications"] = [headline(r) for r in reps]
    res["run"] = {
        "sim_hours": float(first["sim_hours"]),
        "warmup_hours": float(first["warmup_hours"]),
        "replications": n,
        "seed": int(seed),
        "time_window": [float(first["warmup_hours"]), float(first["sim_hours"])],
        "hourly_bins": len(hours),
        "progress_days": [int(d) for d in progress_days],
        "lab_progress_days": [int(d) for d in lab_days],
        "percentiles": [int(q) for q in percentiles],
        "confidence": 0.95,
        "events": int(sum(r["events"] for r in reps)),
        "wall_seconds": float(sum(r["wall_seconds"] for r in reps)),
    }
    res["seed"] = int(seed)
    res["config"] = config_json
    res["version"] = package_version()
    res["results_format"] = RESULTS_FORMAT
    first_keys = {k: res.pop(k) for k in ("stability",) if k in res}  # read first
    return clip_intervals(to_json_value(first_keys | res))


def strain_results(reps: Sequence[dict], names: Sequence[str]) -> dict:
    """``stability``, ``tat_km``, ``machine_time`` and ``tat_populations`` (issue 13); empty
    when the replications' KPIs predate them (stored before these keys existed)."""
    if any(k not in r for r in reps for k in ("tat_km", "wip_weekly", "machine_time")):
        return {}
    machines = [m for m in names if m in reps[0]["machine_time"]]
    return {
        "stability": stability([r["wip_weekly"] for r in reps], reps[0]["warmup_hours"]),
        "tat_km": estimates_as_dicts(aggregate_tree([r["tat_km"] for r in reps])),
        "machine_time": {m: estimates_as_dicts(aggregate_tree([r["machine_time"][m]
                                                               for r in reps]))
                         for m in machines},
        "tat_populations": TAT_POPULATIONS,
    }
