"""Figures of one scenario's results dict (``kpis.build_results``): where time goes, how
busy each resource is, how work piles up, and how long specimens take.

Every function takes the results dict and returns a ``go.Figure``; wrap it in
``go.FigureWidget`` for dashboards. Confidence intervals (95 %) appear whenever the
results have two or more replications.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

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

UTILISATION_AXIS = "Utilisation (% of rostered unit-hours)"


def _bar_chart(data: dict, *, name: str, title: str, x_title: str, y_title: str,
               hex_colour: str) -> go.Figure:
    fig = new_figure(title, x_title, y_title)
    fig.add_trace(go.Bar(
        x=list(data["x"]), y=list(data["y"]), name=name, marker_color=hex_colour,
        error_y=error_bars(data["y"], data.get("ymin"), data.get("ymax")),
    ))
    return fig


def _n_reps(results: dict) -> int:
    return int(results.get("run", {}).get("replications", len(results.get("replications", []))))


def _ci_note(results: dict) -> str:
    n = _n_reps(results)
    return f" (mean of {n} replications, 95% CI)" if n >= 2 else " (1 replication, no CI)"


def tat_by_stage_figure(results: dict) -> go.Figure:
    """Mean hours specimens spend in each stage, stage start to stage end (spec 11.C20)."""
    return _bar_chart(
        results["tat_by_stage"], name="Mean time in stage",
        title="Where the time goes: mean time in each stage, completed specimens"
        + _ci_note(results),
        x_title="Stage", y_title="Mean time in stage (hours)", hex_colour=colour(0))


def utilisation_figure(results: dict) -> go.Figure:
    """Share of each resource's rostered time in use (busy ÷ available, spec 11.C21)."""
    fig = _bar_chart(
        results["utilization_by_resource"], name="Utilisation",
        title="How busy each resource is while rostered" + _ci_note(results),
        x_title="Resource", y_title=UTILISATION_AXIS, hex_colour=colour(2))
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_xaxes(tickangle=-35)
    return fig


def queue_length_figure(results: dict) -> go.Figure:
    """Time-weighted mean number of requests waiting for each resource (spec 11.C22)."""
    fig = _bar_chart(
        results["q_length_by_resource"], name="Mean queue length",
        title="Work waiting for each resource" + _ci_note(results),
        x_title="Resource", y_title="Mean queue length (waiting requests)",
        hex_colour=colour(1))
    fig.update_xaxes(tickangle=-35)
    return fig


def _multi_band_figure(data: dict, *, title: str, y_title: str,
                       labels: Sequence[str] | None = None,
                       start: dt.datetime | None = None) -> go.Figure:
    fig = new_figure(title, HOURS_AXIS, y_title)
    wanted = set(labels) if labels is not None else None
    for j, label in enumerate(data["labels"]):
        if wanted is not None and label not in wanted:
            continue
        ymin = data["ymin"][j] if data.get("ymin") is not None else None
        ymax = data["ymax"][j] if data.get("ymax") is not None else None
        for trace in band_traces(data["x"], data["y"][j], ymin, ymax, label, colour(j)):
            fig.add_trace(trace)
    isolate_on_click(fig)
    if data["x"]:
        day_ticks(fig, float(data["x"][-1]) + 1, start)
    return fig


def hourly_utilisation_figure(results: dict, resources: Sequence[str] | None = None) -> go.Figure:
    """Utilisation hour by hour per resource, mean line with 95 % CI band.

    Click a legend entry to see that resource alone. ``resources`` limits the lines.
    """
    fig = _multi_band_figure(
        results["hourly_utilization_by_resource"],
        title="Hour-by-hour utilisation" + _ci_note(results),
        y_title=UTILISATION_AXIS, labels=resources, start=calendar_start(results))
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    return fig


def wip_figure(results: dict, stages: Sequence[str] | None = None) -> go.Figure:
    """Specimens in each stage (and in total) over time, hourly means with CI bands."""
    return _multi_band_figure(
        results["wip_by_stage"], title="Work in progress by stage" + _ci_note(results),
        y_title="Specimens in progress (count)", labels=stages, start=calendar_start(results))


def allocation_figure(results: dict, resources: Sequence[str] | None = None) -> go.Figure:
    """Rostered units per resource over time, as steps: the capacity the model was given."""
    fig = new_figure("Rostered capacity per resource", HOURS_AXIS,
                     "Units available (staff or machines)")
    alloc = results["resource_allocation"]
    for j, (name, data) in enumerate(alloc.items()):
        if resources is not None and name not in resources:
            continue
        fig.add_trace(go.Scatter(x=list(data["x"]), y=list(data["y"]), name=name,
                                 mode="lines", line={"shape": "hv", "color": colour(j)}))
    isolate_on_click(fig)
    day_ticks(fig, float(results.get("run", {}).get("sim_hours", 168)), calendar_start(results))
    return fig


def tat_histogram_figure(results: dict) -> go.Figure:
    """Share of completed specimens by whole days of turnaround, overall and in the lab."""
    fig = new_figure("Turnaround time distribution" + _ci_note(results),
                     "Turnaround time (days, bin [d, d+1))",
                     "Share of completed specimens (%)")
    for i, (key, name) in enumerate((("tat_histogram", "Overall: arrival to report"),
                                     ("lab_tat_histogram", "Lab: arrival to QC done"))):
        data = results.get(key)
        if data is None:
            continue
        fig.add_trace(go.Bar(x=list(data["x"]), y=list(data["y"]), name=name,
                             marker_color=colour(i),
                             error_y=error_bars(data["y"], data.get("ymin"), data.get("ymax"))))
    fig.update_layout(barmode="group")
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_xaxes(dtick=1)
    return fig


def machine_time_figure(results: dict) -> go.Figure:
    """Each machine's scheduled time split into running, holding a finished batch that waits
    for staff to unload it, and idle (results ``machine_time``): the three shares side by
    side with their 95 % CI as error bars (none with one replication)."""
    split = results.get("machine_time") or {}
    names = list(split)
    fig = new_figure("How machines spend their time: running, holding a finished batch, idle"
                     + _ci_note(results), "Machine", "Share of scheduled time (%)")
    for i, (part, label) in enumerate((("running", "Running (load, programme, unload)"),
                                       ("held", "Finished, waiting for staff to unload"),
                                       ("idle", "Idle"))):
        est = [split[n][part] for n in names]
        y = [_percent(e["mean"]) for e in est]
        low = [_percent(e.get("min")) for e in est]
        high = [_percent(e.get("max")) for e in est]
        has_ci = any(v is not None for v in low + high)
        fig.add_trace(go.Bar(
            x=names, y=y, name=label, marker_color=colour(i),
            error_y=error_bars(y, low, high) if has_ci else None,
            customdata=[[lo, hi] for lo, hi in zip(low, high, strict=True)],
            hovertemplate=("%{x}: %{y:.1f}%" + (" (95% CI %{customdata[0]:.1f}–"
                                                  "%{customdata[1]:.1f}%)" if has_ci else "")
                           + f"<extra>{label}</extra>")))
    fig.update_layout(barmode="group")
    fig.update_yaxes(range=[0, 105])
    return fig


def _percent(share: float | None) -> float | None:
    return None if share is None else 100 * share
