"""Figures of a lab configuration: when specimens arrive, who and what is rostered, and how
long tasks take. They let an analyst check a workbook before running it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from hospital_twin.charts._style import colour, new_figure
from hospital_twin.config import LabConfig, TaskDuration
from hospital_twin.config.labels import DAYS, HALF_HOURS, MACHINES, STAFF

DAY_NAMES: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                              "Saturday", "Sunday")
HOUR_LABELS: tuple[str, ...] = tuple(f"{h:02d}:00" for h in range(24))
PATHWAY_NAMES = {"cancer": "cancer", "noncancer": "non-cancer"}


def arrival_matrix(config: LabConfig, pathway: str) -> list[list[float]]:
    """Expected arrivals as 7 rows (Monday first) × 24 hourly columns."""
    values = getattr(config.arrivals, pathway)
    return [list(values[d * 24:(d + 1) * 24]) for d in range(7)]


def arrival_heatmap(config: LabConfig, pathway: str) -> go.Figure:
    """Day × hour heatmap of one pathway's expected arrivals per hour."""
    if pathway not in PATHWAY_NAMES:
        raise ValueError(f"pathway must be one of {list(PATHWAY_NAMES)}, got {pathway!r}")
    z = arrival_matrix(config, pathway)
    weekly = sum(sum(row) for row in z)
    fig = new_figure(
        f"Expected {PATHWAY_NAMES[pathway]} arrivals per hour ({weekly:.0f} per week)",
        "Hour of day (start of hour)", "Day of week", height=460)
    fig.add_trace(go.Heatmap(
        z=z, x=list(HOUR_LABELS), y=list(DAY_NAMES), colorscale="Blues",
        colorbar={"title": {"text": "Specimens per hour"}},
        hovertemplate="%{y} %{x}: %{z:.1f} specimens<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(legend_title_text="")
    return fig


def roster_matrix(config: LabConfig, resource: str) -> list[list[int]]:
    """Units rostered as 7 rows (Monday first) × 48 half-hour columns."""
    weekly = config.resources[resource].weekly_capacity()
    return [weekly[d * 48:(d + 1) * 48] for d in range(len(DAYS))]


def roster_heatmap(config: LabConfig, resources: Sequence[str] | None = None) -> go.Figure:
    """Half hour × day heatmap of rostered units; a menu switches between ``resources``.

    ``resources`` defaults to every staff group and machine, in workbook order.
    """
    names = list(resources) if resources is not None else list(config.resources)
    unknown = [n for n in names if n not in config.resources]
    if unknown or not names:
        raise ValueError(f"unknown or no resources: {unknown}")

    def title(name: str) -> str:
        kind = "machines" if name in MACHINES else "staff" if name in STAFF else "units"
        hours = sum(config.resources[name].weekly_capacity()) / 2
        return f"Rostered {kind}: {name} ({hours:g} unit-hours per week)"

    fig = new_figure(title(names[0]), "Time of day (start of half hour)", "Day of week",
                     height=460)
    for i, name in enumerate(names):
        fig.add_trace(go.Heatmap(
            z=roster_matrix(config, name), x=list(HALF_HOURS), y=list(DAY_NAMES), name=name,
            colorscale="Greens", visible=i == 0, zmin=0,
            colorbar={"title": {"text": "Units available"}},
            hovertemplate="%{y} %{x}: %{z} units<extra>" + name + "</extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(dtick=4)
    if len(names) > 1:
        buttons = [{"label": name, "method": "update",
                    "args": [{"visible": [j == i for j in range(len(names))]},
                             {"title.text": title(name)}]}
                   for i, name in enumerate(names)]
        fig.update_layout(updatemenus=[{"buttons": buttons, "x": 1.0, "xanchor": "right",
                                        "y": 1.15, "yanchor": "top", "direction": "down"}])
    return fig


def duration_pdf(spec: TaskDuration, minutes: np.ndarray) -> np.ndarray:
    """Probability density per minute of a task's duration at ``minutes`` (0 for Constant)."""
    from scipy import stats  # imported here: scipy.stats costs ~1 s at dashboard start

    scale = spec.hours_per_unit * 60  # minutes per unit
    x = np.asarray(minutes, dtype=float)
    if spec.distribution == "Constant" or spec.low == spec.high:
        return np.zeros_like(x)
    low, mode, high = spec.low * scale, spec.mode * scale, spec.high * scale
    width = high - low
    if spec.distribution == "Triangular":
        return stats.triang.pdf(x, (mode - low) / width, loc=low, scale=width)
    alpha = 1 + 4 * (mode - low) / width
    beta = 1 + 4 * (high - mode) / width
    return stats.beta.pdf(x, alpha, beta, loc=low, scale=width)


def duration_curves(config: LabConfig, tasks: Sequence[str]) -> go.Figure:
    """Density curves of task durations in minutes; a Constant task is a vertical line."""
    fig = new_figure("How long tasks take (probability density)", "Task duration (minutes)",
                     "Probability density (per minute)")
    for i, task in enumerate(tasks):
        spec = config.task_durations[task]
        scale = spec.hours_per_unit * 60
        label = f"{task} ({spec.distribution}, mean {spec.mean_hours() * 60:.3g} min)"
        if spec.distribution == "Constant" or spec.low == spec.high:
            value = (spec.mode if spec.distribution == "Constant" else spec.low) * scale
            fig.add_trace(go.Scatter(x=[value, value], y=[0, None], name=label, mode="lines",
                                     line={"color": colour(i), "dash": "dash"}))
            continue
        x = np.linspace(spec.low * scale, spec.high * scale, 201)
        fig.add_trace(go.Scatter(x=x, y=duration_pdf(spec, x), name=label, mode="lines",
                                 line={"color": colour(i)}))
    peak = max((max(t.y) for t in fig.data if t.y[-1] is not None), default=1.0)
    for trace in fig.data:
        if trace.y[-1] is None:  # constants: draw the line up to the tallest curve
            trace.y = (0, peak * 1.05)
    fig.update_layout(legend={"title": {"text": "Task"}})
    return fig
