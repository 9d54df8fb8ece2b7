"""Figures of sensor history: room series over time, daily profiles, CO₂ against working
hours and a timeline of device gaps.

They take the plain tables of :mod:`hospital_twin.analysis.sensor_history` (wide
DataFrames and the gap and coverage tables), so any caller can feed them. Times are UTC.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from hospital_twin.charts._style import colour, isolate_on_click, new_figure

WORKING_FILL = "rgba(255, 200, 0, 0.12)"


def room_series_figure(wide: pd.DataFrame, title: str, y_title: str, *,
                       shade: Sequence[tuple[pd.Timestamp, pd.Timestamp]] = (),
                       limit: float | None = None, limit_label: str = "") -> go.Figure:
    """One line per column of ``wide`` (time index); optional shaded periods and a limit line.

    Empty bins break the line, so a silent room shows as a gap rather than a straight run.
    """
    fig = new_figure(title, "Time (UTC)", y_title)
    for lo, hi in shade:
        fig.add_vrect(x0=lo, x1=hi, fillcolor=WORKING_FILL, line_width=0, layer="below")
    for i, column in enumerate(wide.columns):
        fig.add_trace(go.Scatter(x=wide.index, y=wide[column], mode="lines", name=str(column),
                                 line={"color": colour(i), "width": 1.6}, connectgaps=False))
    if limit is not None:
        fig.add_hline(y=limit, line_dash="dot", line_color="#b00",
                      annotation_text=limit_label or f"limit {limit:g}")
    return isolate_on_click(fig)


def daily_profile_figure(profile: pd.DataFrame, title: str, y_title: str, *,
                         working_hours: Sequence[float] | None = None) -> go.Figure:
    """Hour of day (0–23) on x, one line per column of ``profile``; working hours shaded."""
    fig = new_figure(title, "Hour of day (UTC)", y_title, height=480)
    if working_hours is not None:
        fig.add_vrect(x0=working_hours[0], x1=working_hours[1], fillcolor=WORKING_FILL,
                      line_width=0, layer="below", annotation_text="working hours",
                      annotation_position="top left")
    for i, column in enumerate(profile.columns):
        fig.add_trace(go.Scatter(x=list(profile.index), y=profile[column], mode="lines+markers",
                                 name=str(column), line={"color": colour(i)}))
    fig.update_xaxes(tickmode="linear", dtick=2, range=[-0.5, 23.5])
    return isolate_on_click(fig)


def working_hours_bar_figure(table: pd.DataFrame, unit: str = "ppm",
                             limit: float | None = None) -> go.Figure:
    """Mean CO₂ per room in working hours beside the rest of the time (``co2_working_hours``)."""
    fig = new_figure("CO₂ per room: working hours against the rest of the time", "Room",
                     f"Mean CO₂ ({unit})", height=480)
    rooms = [str(r) for r in table.index]
    fig.add_trace(go.Bar(x=rooms, y=table["working_mean"], name="Working hours",
                         marker_color=colour(1)))
    fig.add_trace(go.Bar(x=rooms, y=table["off_hours_mean"], name="Outside working hours",
                         marker_color=colour(0)))
    if limit is not None:
        fig.add_hline(y=limit, line_dash="dot", line_color="#b00",
                      annotation_text=f"limit {limit:g} {unit}")
    fig.update_layout(barmode="group", legend={"title": {"text": ""}})
    return fig


def gaps_figure(gaps: pd.DataFrame, devices: Sequence[str], start: pd.Timestamp,
                end: pd.Timestamp) -> go.Figure:
    """A timeline with one row per device and a red bar for each of its silences."""
    fig = new_figure("Device gaps: when each sensor sent nothing", "Time (UTC)", "Device",
                     height=160 + 22 * max(len(devices), 1))
    xs: list[object] = []
    ys: list[object] = []
    hover: list[str] = []
    for gap in gaps.itertuples(index=False):
        label = f"{gap.acp_id}: silent {gap.hours:.1f} h {gap.note}".strip()
        xs += [gap.gap_start, gap.gap_end, None]
        ys += [gap.acp_id, gap.acp_id, None]
        hover += [label, label, ""]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="No readings",
                             line={"color": "#c0392b", "width": 10}, hovertext=hover,
                             hoverinfo="text", showlegend=True))
    fig.update_yaxes(categoryorder="array", categoryarray=list(devices)[::-1],
                     type="category", range=[-0.5, len(devices) - 0.5])
    fig.update_xaxes(range=[start, end], type="date")
    fig.update_layout(legend={"title": {"text": ""}})
    return fig
