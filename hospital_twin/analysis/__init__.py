"""Analyst helpers on top of the model and KPIs: the event log, warm-up detection
(Welch's method), staffing sweeps, layout what-ifs and the processing-machine starts a lab
needs. Used by the analyst notebooks.
"""

from hospital_twin.analysis.capacity import ProcessingStarts, processing_starts
from hospital_twin.analysis.eventlog import event_log, stage_time_split
from hospital_twin.analysis.layout import LIFT_ROUTES, with_distances
from hospital_twin.analysis.staffing import (
    SweepLevel,
    cheapest_levels,
    staffing_sweep,
    sweep_table,
    with_staff_delta,
)
from hospital_twin.analysis.warmup import (
    WarmupResult,
    daily_throughput,
    recommend_warmup,
    welch_moving_average,
    with_warmup,
)

__all__ = [
    "LIFT_ROUTES",
    "ProcessingStarts",
    "SweepLevel",
    "WarmupResult",
    "cheapest_levels",
    "daily_throughput",
    "event_log",
    "processing_starts",
    "recommend_warmup",
    "stage_time_split",
    "staffing_sweep",
    "sweep_table",
    "welch_moving_average",
    "with_distances",
    "with_staff_delta",
    "with_warmup",
]
