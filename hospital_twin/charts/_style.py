"""Shared look of every chart: size, fonts, colours and the CI helpers.

One place decides how figures look so dashboards, notebooks and reports agree, and so
every chart stays readable on a 1280×800 screen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
from plotly.colors import qualitative

WIDTH = 1200
HEIGHT = 560
PALETTE: tuple[str, ...] = tuple(qualitative.Plotly) + tuple(qualitative.D3)
HOURS_AXIS = "Simulated time (hours from Monday 00:00)"


def colour(i: int) -> str:
    """The i-th series colour (cycles through two qualitative palettes)."""
    return PALETTE[i % len(PALETTE)]


def translucent(hex_colour: str, alpha: float = 0.2) -> str:
    """``#rrggbb`` as an ``rgba(...)`` string, for CI bands."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def new_figure(title: str, x_title: str, y_title: str, *, height: int = HEIGHT) -> go.Figure:
    """An empty figure with the house layout and both axis titles set."""
    fig = go.Figure()
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left"},
        template="plotly_white",
        width=WIDTH,
        height=height,
        font={"size": 13},
        margin={"l": 70, "r": 30, "t": 70, "b": 70},
        legend={"title": {"text": "Click to hide, double-click to isolate"}},
    )
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    return fig


def error_bars(
    y: Sequence[float | None], ymin: Sequence[float | None] | None,
    ymax: Sequence[float | None] | None,
) -> dict | None:
    """Asymmetric plotly ``error_y`` from CI bounds, or None without bounds (one replication)."""
    if ymin is None or ymax is None:
        return None
    plus = [None if (v is None or h is None) else h - v for v, h in zip(y, ymax, strict=True)]
    minus = [None if (v is None or lo is None) else v - lo for v, lo in zip(y, ymin, strict=True)]
    return {"type": "data", "symmetric": False, "array": plus, "arrayminus": minus,
            "thickness": 1.5, "width": 4}


def band_traces(
    x: Sequence[float], y: Sequence[float | None], ymin: Sequence[float | None] | None,
    ymax: Sequence[float | None] | None, name: str, hex_colour: str, *, group: str | None = None,
    shape: str = "linear",
) -> list[go.Scatter]:
    """A mean line and, with bounds, a shaded 95 % CI band in the same legend group.

    The band comes first and is hidden from the legend, so clicking the line's legend entry
    hides or isolates both.
    """
    group = group or name
    traces: list[go.Scatter] = []
    if ymin is not None and ymax is not None:
        upper = [v if v is not None else None for v in ymax]
        lower = [v if v is not None else None for v in ymin]
        traces.append(go.Scatter(
            x=list(x) + list(x)[::-1], y=upper + lower[::-1], fill="toself",
            fillcolor=translucent(hex_colour), line={"width": 0}, hoverinfo="skip",
            showlegend=False, legendgroup=group, name=f"{name} (95% CI)",
        ))
    traces.append(go.Scatter(
        x=list(x), y=list(y), mode="lines", name=name, legendgroup=group,
        line={"color": hex_colour, "width": 1.8, "shape": shape},
    ))
    return traces


def isolate_on_click(fig: go.Figure) -> go.Figure:
    """Legend click shows only that series; double-click brings every series back."""
    fig.update_layout(legend={"itemclick": "toggleothers", "itemdoubleclick": "toggle",
                              "title": {"text": "Click to isolate, double-click for all"}})
    return fig


def day_ticks(fig: go.Figure, hours: float, start: dt.datetime | None = None) -> go.Figure:
    """Tick the hour axis once a day so weeks read at a glance.

    Without a calendar ``start`` simulated hour 0 is a Monday 00:00: ticks read "Tue 24 h".
    A dated run's hour 0 is its calendar's start, which may be any day and time: ticks then
    sit at the midnights of the run's dates and read "Wed 09 Dec", and the axis title says
    so (the weekday of a plain hour count would be wrong)."""
    n = int(hours // 24) + 1
    step = 1 if n <= 21 else 7
    if start is None:
        days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        ticks = list(range(0, n * 24, 24 * step))
        fig.update_xaxes(tickvals=ticks,
                         ticktext=[f"{days[(t // 24) % 7]} {t:g} h" for t in ticks])
        return fig
    first = (24.0 - (start.hour + start.minute / 60.0)) % 24.0  # hours to the first midnight
    ticks = [first + 24.0 * k for k in range(0, n + 1, step) if first + 24.0 * k <= hours]
    fig.update_xaxes(
        tickvals=ticks,
        ticktext=[f"{start + dt.timedelta(hours=t):%a %d %b}" for t in ticks],
        title_text=f"Simulated time (hours from the calendar's start, {start:%a %d %b %Y %H:%M})")
    return fig


def calendar_start(results: Mapping) -> dt.datetime | None:
    """The calendar start of a dated scenario's results (its configuration), else None."""
    calendar = (results.get("config") or {}).get("calendar")
    if not calendar or not calendar.get("start"):
        return None
    return dt.datetime.fromisoformat(str(calendar["start"]))
