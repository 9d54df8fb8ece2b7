"""What one replication of the model hands to the KPI code: the event log and monitors.

This is the contract between ``hospital_twin.model`` (which fills it) and
``hospital_twin.kpis`` (which reads it). Times are simulated hours from Monday 00:00.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Stage keys in process order; each has ``<key>_start`` / ``<key>_end`` columns.
STAGES: tuple[str, ...] = (
    "reception",
    "cutup",
    "processing",
    "microtomy",
    "staining",
    "labelling",
    "scanning",
    "qc",
    "report",
)
#: Display names of the stages (the earlier Report's ``tat_by_stage`` x labels).
STAGE_LABELS: dict[str, str] = {
    "reception": "Reception",
    "cutup": "Cut-up",
    "processing": "Processing",
    "microtomy": "Microtomy",
    "staining": "Staining",
    "labelling": "Labelling",
    "scanning": "Scanning",
    "qc": "QC",
    "report": "Reporting stage",
}
#: WIP monitor names, in the earlier Report's order.
WIP_NAMES: tuple[str, ...] = ("Total WIP",) + tuple(STAGE_LABELS.values())


def stage_ends_for_wip(stamps: np.ndarray) -> np.ndarray:
    """Each stage's end stamp as WIP counts it (columns in ``STAGES`` order).

    A specimen loaded from a snapshot enters the model at a later stage with its real
    arrival as ``reception_start`` and no end stamps for the stages it had passed
    (initial_state). Counted as they are, it would sit in reception for the whole run. A
    missing end stamp therefore counts as the start of the first later stage the specimen
    has started, when there is one; in a run without a snapshot every started later stage
    follows an end stamp, so nothing changes there. ``stamps`` has one row per specimen,
    columns ``<stage>_start``, ``<stage>_end`` in ``STAGES`` order.
    """
    starts, ends = stamps[:, 0::2], stamps[:, 1::2].copy()
    next_start = np.full(len(stamps), np.nan)
    for k in range(len(STAGES) - 1, -1, -1):
        missing = np.isnan(ends[:, k]) & ~np.isnan(starts[:, k])
        ends[missing, k] = next_start[missing]
        next_start = np.where(np.isnan(starts[:, k]), next_start, starts[:, k])
    return ends


#: Columns of the specimen event log, in order.
SPECIMEN_COLUMNS: tuple[str, ...] = (
    "specimen_id",  # int, 0-based per replication in arrival order
    "pathway",  # "cancer" | "noncancer"
    "priority",  # "Urgent" | "Priority" | "Cancer" | "Routine"
    "source",  # "Internal" | "External"
    "cutup_type",  # "BMS" | "Pool" | "Large specimens"
    "block_type",  # "small surgical" | "large surgical" | "mega"
    "decalc",  # "none" | "bone station" | "decalc oven"
    "num_blocks",  # int
    "num_slides",  # int, 0 until microtomy has cut them
) + tuple(f"{s}_{edge}" for s in STAGES for edge in ("start", "end"))  # float hours or NaN


@dataclass
class StepSeries:
    """A piecewise-constant level: ``values[i]`` holds from ``times[i]`` to ``times[i+1]``.

    ``times`` is non-decreasing and starts at 0.0; the last value holds to the run end.
    """

    times: np.ndarray
    values: np.ndarray


@dataclass
class ReplicationOutput:
    """Everything the KPIs need from one replication."""

    sim_hours: float
    warmup_hours: float
    seed_entropy: int
    replication: int
    specimens: pd.DataFrame  # columns SPECIMEN_COLUMNS, one row per arrived specimen
    wip: dict[str, StepSeries]  # keyed by WIP_NAMES
    capacity: dict[str, StepSeries]  # per resource label, workbook order
    busy: dict[str, StepSeries]  # units held per resource
    queue: dict[str, StepSeries]  # waiting requests that include the resource
    blocks_arrived: int = 0  # blocks created by cut-up
    blocks_completed: int = 0  # blocks whose specimen finished reporting
    slides_arrived: int = 0
    slides_completed: int = 0
    partial_batches: dict[str, int] = field(default_factory=dict)  # items in unreleased batches
    #: per machine: units holding a finished batch that waits for staff to unload it
    held: dict[str, StepSeries] = field(default_factory=dict)
    events: int = 0  # SimPy events processed
    wall_seconds: float = 0.0
