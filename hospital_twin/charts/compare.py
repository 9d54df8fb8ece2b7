"""Figures and a table that put several scenarios' results dicts side by side.

Scenarios are passed as ``{name: results}`` in display order. With the same seed the
scenarios share their random specimens (common random numbers), so the paired
differences in :func:`differences_table` are much tighter than the separate CIs suggest.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from hospital_twin.charts._style import (
    HOURS_AXIS,
    band_traces,
    calendar_start,
    colour,
    day_ticks,
    error_bars,
    isolate_on_click,
    new_figure,
)
from hospital_twin.charts.results import UTILISATION_AXIS
from hospital_twin.kpis import compare_results


def tat_comparison_figure(scenarios: Mapping[str, dict]) -> go.Figure:
    """Grouped bars: overall and lab TAT (mean hours, 95 % CI) for each scenario."""
    fig = new_figure("Turnaround time by scenario, completed specimens only (mean, 95% CI)",
                     "Scenario",
                     "Turnaround time (hours)")
    names = list(scenarios)
    for i, (key, label) in enumerate((("overall_tat", "Overall: arrival to report"),
                                      ("lab_tat", "Lab: arrival to QC done"))):
        y = [scenarios[n].get(key) for n in names]
        low = [scenarios[n].get(f"{key}_min") for n in names]
        high = [scenarios[n].get(f"{key}_max") for n in names]
        has_ci = all(v is not None for v in low + high)
        fig.add_trace(go.Bar(x=names, y=y, name=label, marker_color=colour(i),
                             error_y=error_bars(y, low, high) if has_ci else None))
    fig.update_layout(barmode="group")
    return fig


def utilisation_comparison_figure(scenarios: Mapping[str, dict]) -> go.Figure:
    """Grouped bars: utilisation of every resource, one bar colour per scenario."""
    fig = new_figure("Utilisation by resource and scenario (mean, 95% CI)", "Resource",
                     UTILISATION_AXIS)
    for i, (name, results) in enumerate(scenarios.items()):
        data = results["utilization_by_resource"]
        fig.add_trace(go.Bar(x=list(data["x"]), y=list(data["y"]), name=name,
                             marker_color=colour(i),
                             error_y=error_bars(data["y"], data.get("ymin"), data.get("ymax"))))
    fig.update_layout(barmode="group")
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_xaxes(tickangle=-35)
    return fig


def hourly_utilisation_comparison_figure(scenarios: Mapping[str, dict],
                                         resource: str) -> go.Figure:
    """One resource's hour-by-hour utilisation, one line (with CI band) per scenario."""
    fig = new_figure(f"Hour-by-hour utilisation of {resource} by scenario", HOURS_AXIS,
                     UTILISATION_AXIS)
    last_hour = 0.0
    for i, (name, results) in enumerate(scenarios.items()):
        data = results["hourly_utilization_by_resource"]
        if resource not in data["labels"]:
            raise KeyError(f"{resource!r} is not a resource of scenario {name!r}")
        j = data["labels"].index(resource)
        ymin = data["ymin"][j] if data.get("ymin") is not None else None
        ymax = data["ymax"][j] if data.get("ymax") is not None else None
        for trace in band_traces(data["x"], data["y"][j], ymin, ymax, name, colour(i)):
            fig.add_trace(trace)
        last_hour = max(last_hour, float(data["x"][-1]) + 1 if data["x"] else 0.0)
    isolate_on_click(fig)
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    starts = {calendar_start(results) for results in scenarios.values()}
    if len(starts) == 1:  # all undated, or all from the same calendar start
        return day_ticks(fig, last_hour, starts.pop())
    # Different starts: hour 0 is each scenario's own start, so no weekday or date is shared.
    ticks = list(range(0, int(last_hour) + 1, 24 if last_hour <= 21 * 24 else 168))
    fig.update_xaxes(tickvals=ticks, ticktext=[f"{t} h" for t in ticks],
                     title_text="Simulated time (hours from each scenario's own start)")
    return fig


def _measures(results: dict, include_utilisation: bool) -> list[tuple[str, str, tuple]]:
    """(label, unit, path into results / differences) of each compared headline value."""
    rows: list[tuple[str, str, tuple]] = [
        ("Overall TAT", "hours", ("overall_tat",)),
        ("Lab TAT", "hours", ("lab_tat",)),
    ]
    rows += [(f"Reported within {d} days", "share", ("progress", d))
             for d in (results.get("progress") or {})]
    rows += [(f"Lab work within {d} days", "share", ("lab_progress", d))
             for d in (results.get("lab_progress") or {})]
    km = results.get("tat_km") or {}
    rows += [(f"Within {d} days, every specimen (Kaplan–Meier)", "share", ("km_progress", d))
             for d in (km.get("overall") or {}).get("within", {})]
    rows += [(f"Lab work within {d} days, every specimen (Kaplan–Meier)", "share",
              ("km_lab_progress", d)) for d in (km.get("lab") or {}).get("within", {})]
    if include_utilisation:
        rows += [(f"Utilisation: {r}", "share", ("utilisation", r))
                 for r in results["utilization_by_resource"]["x"]]
    return rows


def _scenario_value(results: dict, path: tuple) -> float | None:
    if path[0] in ("km_progress", "km_lab_progress"):  # per replication in the headline
        group = "overall" if path[0] == "km_progress" else "lab"
        return results["tat_km"][group]["within"][path[1]]["mean"]
    if path[0] == "utilisation":
        data = results["utilization_by_resource"]
        return data["y"][data["x"].index(path[1])]
    value = results.get(path[0])
    return value.get(path[1]) if isinstance(value, dict) else value


def differences_table(scenarios: Mapping[str, dict], baseline: str, *,
                      include_utilisation: bool = False) -> pd.DataFrame:
    """Paired differences (scenario − baseline) with 95 % CI, one row per scenario and measure.

    ``significant`` is True when the interval excludes 0 (None with one replication).
    """
    if baseline not in scenarios:
        raise KeyError(f"baseline {baseline!r} is not among {list(scenarios)}")
    base = scenarios[baseline]
    rows = []
    for name, results in scenarios.items():
        if name == baseline:
            continue
        diffs = compare_results(base, results)
        for label, unit, path in _measures(base, include_utilisation):
            d = diffs["differences"]
            for part in path:
                d = d[part]
            rows.append({
                "scenario": name, "measure": label, "unit": unit,
                "baseline": _scenario_value(base, path),
                "value": _scenario_value(results, path),
                "difference": d["mean"], "ci_low": d["min"], "ci_high": d["max"],
                "significant": d["significant"], "pairs": d["n"],
                "common_random_numbers": diffs["common_random_numbers"],
            })
    return pd.DataFrame(rows)
