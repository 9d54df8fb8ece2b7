"""Validation charts: per measure, the simulated 95 % band with the observed value on it."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from hospital_twin.charts._style import new_figure

VERDICT_COLOURS = {"inside": "#1a7f37", "outside": "#b42318", "too few data": "#8c8c8c"}
VERDICT_NAMES = {"inside": "inside the band", "outside": "outside the band",
                 "too few data": "too few data to judge"}
UNITS = {"Turnaround (days)": "days", "Stage to stage (hours)": "hours",
         "Reports per weekday": "reports a day", "RCPath shares": "share of specimens"}


def _label(row: dict[str, Any]) -> str:
    if row["section"] in ("Reports per weekday", "RCPath shares"):
        return row["group"] if row["section"] == "Reports per weekday" else row["measure"]
    return f"{row['measure']} · {row['group']}"


def validation_figure(rows: list[dict[str, Any]], section: str) -> go.Figure:
    """One section's rows: a bar from band low to high per row, a diamond at the twin's mean
    and a dot at the observed value coloured by its verdict (green inside, red outside)."""
    part = [r for r in rows if r["section"] == section]
    labels = [_label(r) for r in part]
    unit = UNITS.get(section, "")
    fig = new_figure(f"{section}: the lab beside the twin",
                     f"{section.split(' (')[0]} ({unit})", "measure (group)",
                     height=max(320, 30 * len(part) + 160))
    banded = [(lab, r) for lab, r in zip(labels, part, strict=True)
              if r["low"] is not None and r["high"] is not None]
    fig.add_trace(go.Bar(
        y=[lab for lab, _ in banded], x=[r["high"] - r["low"] for _, r in banded],
        base=[r["low"] for _, r in banded], orientation="h", name="twin: 95 % band",
        marker_color="rgba(31, 119, 180, 0.25)", hovertemplate="%{base:.3g} to %{x:.3g}"))
    fig.add_trace(go.Scatter(
        y=labels, x=[r["simulated"] for r in part], mode="markers", name="twin: mean",
        marker={"symbol": "diamond", "color": "#1f77b4", "size": 9}))
    # One trace per verdict, so the legend says what a green, red or grey dot means.
    for verdict, colour in VERDICT_COLOURS.items():
        mine = [(lab, r) for lab, r in zip(labels, part, strict=True) if r["verdict"] == verdict]
        if not mine:
            continue
        fig.add_trace(go.Scatter(
            y=[lab for lab, _ in mine], x=[r["observed"] for _, r in mine], mode="markers",
            name=f"lab: observed, {VERDICT_NAMES[verdict]}",
            marker={"color": colour, "size": 11, "line": {"color": "white", "width": 1}},
            hovertemplate=f"%{{x:.3g}} ({verdict})"))
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(barmode="overlay", margin={"l": 260})
    return fig
