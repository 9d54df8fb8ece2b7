"""Figures of a forecast (``hospital_twin.forecast``): dates on every axis.

Each function takes the forecast dict and returns a ``go.Figure``. Shaded bands are the
range (min to max) across replications, not confidence intervals; the titles say so.
"""

from __future__ import annotations

import plotly.graph_objects as go

from hospital_twin.charts._style import colour, new_figure, translucent
from hospital_twin.forecast.run import TARGET_SHARE_7_DAYS
from hospital_twin.model.output import STAGE_LABELS

DATE_AXIS = "Date (end of day)"


def _runs(values: list) -> list[range]:
    """Index ranges of the consecutive days that have a value (a day without reports has
    no share: None)."""
    runs, start = [], None
    for i, value in enumerate([*values, None]):
        if value is not None and start is None:
            start = i
        elif value is None and start is not None:
            runs.append(range(start, i))
            start = None
    return runs


def _range_band(fig: go.Figure, dates: list[str], band: dict, name: str, hex_colour: str,
                *, scale: float = 1.0) -> None:
    """A mean line and a shaded min-max band across replications, one legend entry.

    The band is one closed shape per run of days with values: a single shape over a gap
    (a weekend without reports) would join the edges of different runs across it."""
    def scaled(values: list) -> list:
        return [None if v is None else v * scale for v in values]

    high, low = scaled(band["max"]), scaled(band["min"])
    for run in _runs(high):
        xs = [dates[i] for i in run]
        single = len(run) == 1  # one day alone: a vertical bar from min to max
        fig.add_trace(go.Scatter(
            x=xs + xs[::-1], y=[high[i] for i in run] + [low[i] for i in reversed(run)],
            fill=None if single else "toself", fillcolor=translucent(hex_colour),
            mode="lines", line={"width": 6 if single else 0, "color": translucent(hex_colour)},
            hoverinfo="skip", showlegend=False, legendgroup=name,
            name=f"{name} (range of replications)"))
    fig.add_trace(go.Scatter(x=dates, y=scaled(band["mean"]), mode="lines+markers", name=name,
                             legendgroup=name, line={"color": hex_colour, "width": 2}))


def _date_axis(fig: go.Figure, days: int) -> go.Figure:
    """Dates on the x axis: a tick a day up to three weeks, else every Monday."""
    step = 1 if days <= 21 else 7
    fig.update_xaxes(type="date", tickformat="%a %d %b", dtick=86400000.0 * step,
                     tick0="2024-01-01")
    return fig


def forecast_wip_figure(result: dict) -> go.Figure:
    """Specimens in the lab at each day's end, against the steady level, with the date the
    backlog is forecast to be cleared (and its 95 % interval) marked."""
    dates = result["dates"]
    n = result["replications"]
    fig = new_figure(
        f"Work in progress from {dates[0]}: mean and range of {n} replications",
        DATE_AXIS, "Specimens in the lab")
    _range_band(fig, dates, result["wip_total"], "Forecast WIP", colour(0))
    fig.add_trace(go.Scatter(x=dates, y=result["steady_wip"], mode="lines",
                             name="Steady level (normal running)",
                             line={"color": colour(2), "dash": "dash"}))
    cleared = result["backlog_cleared"]
    if cleared["date"] is not None:
        low, high = cleared["low"] or dates[0], cleared["high"] or dates[-1]
        fig.add_vrect(x0=low, x1=high, fillcolor=translucent(colour(2), 0.12), line_width=0)
        fig.add_vline(x=cleared["date"], line={"color": colour(2), "width": 2})
        fig.add_annotation(x=cleared["date"], yref="paper", y=1.0, showarrow=False,
                           text=f"backlog cleared {cleared['date']} "
                                f"(95 %: {cleared['low'] or '?'} to {cleared['high'] or '?'})")
    return _date_axis(fig, len(dates))


def forecast_reports_figure(result: dict) -> go.Figure:
    """Reports issued each date (mean, with the range across replications)."""
    dates, band = result["dates"], result["reports"]
    fig = new_figure("Reports issued per day (bars: mean; whiskers: range of replications)",
                     DATE_AXIS, "Reports issued")
    fig.add_trace(go.Bar(
        x=dates, y=band["mean"], name="Reports", marker_color=colour(1),
        error_y={"type": "data", "symmetric": False,
                 "array": [h - m for h, m in zip(band["max"], band["mean"], strict=True)],
                 "arrayminus": [m - lo for lo, m in zip(band["min"], band["mean"],
                                                        strict=True)]}))
    return _date_axis(fig, len(dates))


def forecast_share_figure(result: dict) -> go.Figure:
    """Share of each date's reports issued within 7 days of arrival, against the target."""
    dates = result["dates"]
    fig = new_figure("Reports of the day issued within 7 days of arrival "
                     "(mean and range of replications)", DATE_AXIS, "Within 7 days (%)")
    _range_band(fig, dates, result["share_within_7_days"], "Within 7 days", colour(0),
                scale=100.0)
    fig.add_hline(y=100 * TARGET_SHARE_7_DAYS, line={"color": colour(1), "dash": "dot"},
                  annotation_text=f"target {TARGET_SHARE_7_DAYS:.0%}")
    fig.update_yaxes(range=[0, 105])
    return _date_axis(fig, len(dates))


def forecast_stage_figure(result: dict) -> go.Figure:
    """Mean specimens in each stage at each day's end: where the backlog sits."""
    dates = result["dates"]
    fig = new_figure("Work in progress by stage (mean of replications)", DATE_AXIS,
                     "Specimens in the stage")
    for i, (stage, label) in enumerate(STAGE_LABELS.items()):
        fig.add_trace(go.Scatter(x=dates, y=result["wip_by_stage"][stage]["mean"],
                                 mode="lines", name=label, line={"color": colour(i)}))
    return _date_axis(fig, len(dates))
