"""Figures of the specimen event log (``analysis.event_log``): TAT spread by group and the
split of each stage's time into time between stages and time in the stage.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from hospital_twin.charts._style import colour, new_figure

GROUP_NAMES = {"pathway": "Pathway", "priority": "Priority", "source": "Source",
               "cutup_type": "Cut-up type", "block_type": "Block type"}


def tat_by_group_figure(log: pd.DataFrame, by: str = "pathway", *,
                        lab: bool = False) -> go.Figure:
    """Box plots of turnaround (days) per value of ``by``, over the KPI population.

    The box spans the middle half, the line is the median, the dashed line the mean.
    """
    column = "lab_tat_hours" if lab else "tat_hours"
    what = "Lab turnaround (arrival to QC done)" if lab else "Turnaround (arrival to report)"
    data = log[log["in_population"]] if "in_population" in log else log
    data = data.dropna(subset=[column])
    fig = new_figure(f"{what} by {GROUP_NAMES.get(by, by).lower()}",
                     GROUP_NAMES.get(by, by), "Turnaround time (days)")
    for i, (value, frame) in enumerate(data.groupby(by, sort=True)):
        fig.add_trace(go.Box(y=(frame[column] / 24).tolist(), name=f"{value} (n={len(frame)})",
                             marker_color=colour(i), boxmean=True, boxpoints=False))
    fig.update_layout(showlegend=False)
    return fig


def time_split_figure(split: pd.DataFrame) -> go.Figure:
    """Stacked bars per stage: waiting for delivery/transit before it, then time in the stage.

    ``split`` is ``analysis.stage_time_split(log)`` (one row per stage).
    """
    fig = new_figure("Where time goes: between stages vs in each stage (mean per specimen)",
                     "Stage", "Mean time per specimen (hours)")
    fig.add_trace(go.Bar(x=split["stage"].tolist(), y=split["between_hours"].tolist(),
                         name="Between stages: delivery batching and transit",
                         marker_color=colour(1)))
    fig.add_trace(go.Bar(x=split["stage"].tolist(), y=split["in_stage_hours"].tolist(),
                         name="In stage: queueing, batching and work", marker_color=colour(0)))
    fig.update_layout(barmode="stack", legend={"title": {"text": ""}})
    return fig
