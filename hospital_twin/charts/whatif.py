"""Figures of analyst what-ifs: Welch's warm-up curve and staffing sweeps.

They take the plain outputs of ``hospital_twin.analysis`` (a ``WarmupResult``, a sweep
table DataFrame), so any caller can feed them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from hospital_twin.charts._style import colour, error_bars, new_figure
from hospital_twin.charts.kpi_cards import RCPATH_TARGETS


def warmup_figure(result: Any) -> go.Figure:
    """Daily throughput, Welch's moving average, the settled level and the chosen warm-up."""
    fig = new_figure(
        f"Warm-up check: specimens reported per day (Welch window ±{result.window} days)",
        "Simulated day (0 = first Monday)", "Specimens reported per day (count)")
    days = np.arange(len(result.daily_mean))
    fig.add_trace(go.Scatter(x=days.tolist(), y=result.daily_mean.tolist(), mode="lines+markers",
                             name="Mean across replications", line={"color": colour(7)}))
    fig.add_trace(go.Scatter(x=days[:len(result.moving_average)].tolist(),
                             y=result.moving_average.tolist(), mode="lines",
                             name="Welch moving average", line={"color": colour(0), "width": 3}))
    fig.add_hline(y=result.level, line_dash="dot",
                  annotation_text=f"settled level {result.level:.1f}/day")
    fig.add_vline(x=result.days, line_dash="dash", line_color=colour(1),
                  annotation_text=f"warm-up {result.days} days ({result.hours:g} h)")
    return fig


def _level_labels(table: pd.DataFrame) -> list[str]:
    return [f"{d:+d} ({h:g} h/wk)" for d, h in zip(table["delta"], table["unit_hours_per_week"],
                                                    strict=True)]


def sweep_tat_figure(table: pd.DataFrame, resource: str) -> go.Figure:
    """Overall and lab TAT (mean, 95 % CI) at each staffing level of ``resource``."""
    fig = new_figure(f"Turnaround time vs {resource} staffing",
                     f"{resource}: change in units per working half hour (weekly unit-hours)",
                     "Turnaround time (hours)")
    x = _level_labels(table)
    for i, (key, name) in enumerate((("overall_tat", "Overall: arrival to report"),
                                     ("lab_tat", "Lab: arrival to QC done"))):
        y = table[key].tolist()
        low, high = table[f"{key}_low"].tolist(), table[f"{key}_high"].tolist()
        has_ci = not any(pd.isna(v) for v in low + high)
        fig.add_trace(go.Scatter(x=x, y=y, name=name, mode="lines+markers",
                                 line={"color": colour(i)},
                                 error_y=error_bars(y, low, high) if has_ci else None))
    return fig


def sweep_shares_figure(table: pd.DataFrame, resource: str) -> go.Figure:
    """RCPath shares (mean, 95 % CI) at each staffing level, with each target dotted."""
    population = table.attrs.get("population")
    fig = new_figure(f"RCPath turnaround targets vs {resource} staffing"
                     + (f" ({population})" if population else ""),
                     f"{resource}: change in units per working half hour (weekly unit-hours)",
                     "Share of specimens within the target time (%)")
    x = _level_labels(table)
    for i, (key, days, target, label) in enumerate(RCPATH_TARGETS):
        col = f"{'lab_' if key == 'lab_progress' else ''}within_{days}d"
        y = table[col].tolist()
        low, high = table[f"{col}_low"].tolist(), table[f"{col}_high"].tolist()
        has_ci = not any(pd.isna(v) for v in low + high)
        fig.add_trace(go.Scatter(x=x, y=y, name=f"{label} (target {target:.0%})",
                                 mode="lines+markers", line={"color": colour(i)},
                                 legendgroup=col,
                                 error_y=error_bars(y, low, high) if has_ci else None))
        fig.add_trace(go.Scatter(x=[x[0], x[-1]], y=[target, target], mode="lines",
                                 line={"color": colour(i), "dash": "dot", "width": 1},
                                 legendgroup=col, showlegend=False, hoverinfo="skip",
                                 name=f"target {target:.0%}"))
    fig.update_yaxes(tickformat=".0%")
    return fig
