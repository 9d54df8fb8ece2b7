"""Plotly figure builders shared by dashboards, notebooks and reports.

Each function returns a ``go.Figure`` with plain-language titles and axis labels with
units; wrap it in ``go.FigureWidget`` where interactivity is needed.
"""

from hospital_twin.charts.compare import (
    differences_table,
    hourly_utilisation_comparison_figure,
    tat_comparison_figure,
    utilisation_comparison_figure,
)
from hospital_twin.charts.config import (
    arrival_heatmap,
    arrival_matrix,
    duration_curves,
    duration_pdf,
    roster_heatmap,
    roster_matrix,
)
from hospital_twin.charts.eventlog import tat_by_group_figure, time_split_figure
from hospital_twin.charts.forecast import (
    forecast_reports_figure,
    forecast_share_figure,
    forecast_stage_figure,
    forecast_wip_figure,
)
from hospital_twin.charts.kpi_cards import (
    RCPATH_TARGETS,
    completion,
    completion_text,
    format_share,
    rcpath_verdicts,
    tat_cards,
)
from hospital_twin.charts.results import (
    allocation_figure,
    hourly_utilisation_figure,
    machine_time_figure,
    queue_length_figure,
    tat_by_stage_figure,
    tat_histogram_figure,
    utilisation_figure,
    wip_figure,
)
from hospital_twin.charts.strain import (
    km_cards,
    km_rows,
    stability_message,
    stability_summary,
    stability_verdict,
)
from hospital_twin.charts.whatif import sweep_shares_figure, sweep_tat_figure, warmup_figure

__all__ = [
    "RCPATH_TARGETS",
    "allocation_figure",
    "arrival_heatmap",
    "arrival_matrix",
    "differences_table",
    "duration_curves",
    "duration_pdf",
    "completion",
    "completion_text",
    "forecast_reports_figure",
    "forecast_share_figure",
    "forecast_stage_figure",
    "forecast_wip_figure",
    "format_share",
    "hourly_utilisation_comparison_figure",
    "hourly_utilisation_figure",
    "km_cards",
    "km_rows",
    "machine_time_figure",
    "queue_length_figure",
    "rcpath_verdicts",
    "sweep_shares_figure",
    "sweep_tat_figure",
    "roster_heatmap",
    "roster_matrix",
    "stability_message",
    "stability_summary",
    "stability_verdict",
    "tat_by_group_figure",
    "tat_by_stage_figure",
    "tat_cards",
    "tat_comparison_figure",
    "tat_histogram_figure",
    "time_split_figure",
    "utilisation_comparison_figure",
    "utilisation_figure",
    "warmup_figure",
    "wip_figure",
]
