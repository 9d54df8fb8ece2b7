"""Hand-built configurations for the model tests (imported by the test modules).

``lab_config()`` mirrors the reference workbook's numbers as listed in
``earlier-implementation.md`` 9.3 (rosters, durations, batch sizes, probabilities) with a
synthetic weekday arrival pattern of the same weekly totals. ``simple_config()`` is the
hand-computable lab: constant durations, ample resources, batches of one.
"""

from __future__ import annotations

from hospital_twin.config.labels import BATCHES, HOURS_PER_WEEK, RESOURCES, TASKS
from hospital_twin.config.models import LabConfig


# Half-hour slot index of hh:mm.
def _slot(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 2 + int(m) // 30


def roster(*spans: tuple[str, str, int], days: int = 5) -> dict:
    """A resource row: ``spans`` of (from, to, units) on the first ``days`` weekdays."""
    units = [0] * 48
    for start, end, n in spans:
        for slot in range(_slot(start), _slot(end) if end != "24:00" else 48):
            units[slot] = n
    return {"working_days": [d < days for d in range(7)], "half_hour_units": units}


def machine(n: int) -> dict:
    return {"working_days": [True] * 7, "half_hour_units": [n] * 48}


REFERENCE_RESOURCES = {
    "Booking-in staff": roster(
        ("07:30", "09:00", 2), ("09:00", "12:00", 4), ("12:00", "14:00", 2),
        ("14:00", "17:30", 4), ("17:30", "18:30", 2), ("18:30", "20:00", 1),
    ),
    "BMS": roster(("09:00", "12:30", 5), ("13:30", "17:30", 5)),
    "Cut-up assistant": roster(("09:00", "12:30", 4), ("13:30", "17:30", 4)),
    "Processing room staff": roster(
        ("09:00", "12:00", 8), ("12:00", "14:00", 4), ("14:00", "17:30", 8)
    ),
    "Microtomy staff": roster(
        ("09:00", "12:00", 10), ("12:00", "14:00", 5), ("14:00", "17:30", 10)
    ),
    "Staining staff": roster(("09:00", "12:30", 2), ("13:30", "17:30", 2)),
    "Scanning staff": roster(("09:00", "12:30", 2), ("13:30", "17:30", 2)),
    "QC staff": roster(("09:00", "12:00", 6), ("12:00", "14:00", 3), ("14:00", "17:30", 6)),
    "Histopathologist": roster(
        ("09:00", "10:00", 9), ("10:00", "12:00", 18), ("12:00", "14:00", 9),
        ("14:00", "16:30", 18), ("16:30", "17:30", 9),
    ),
    "Bone station": machine(3),
    "Processing machine": machine(10),
    "Staining machine": machine(2),
    "Coverslip machine": machine(2),
    "Scanning machine (regular)": machine(5),
    "Scanning machine (megas)": machine(2),
}


def pert(low: float, mode: float, high: float, unit: str) -> dict:
    return {"distribution": "PERT", "low": low, "mode": mode, "high": high, "unit": unit}


def const(value: float, unit: str = "hour") -> dict:
    return {"distribution": "Constant", "mode": value, "unit": unit}


REFERENCE_DURATIONS = {
    "Receive and sort": pert(30, 60, 90, "sec"),
    "Pre-booking-in investigation": pert(5, 10, 15, "min"),
    "Booking-in (internal)": pert(30, 60, 90, "sec"),
    "Booking-in (external)": pert(60, 90, 120, "sec"),
    "Booking-in investigation (internal, easy)": pert(1, 2, 3, "min"),
    "Booking-in investigation (internal, hard)": pert(5, 10, 15, "min"),
    "Booking-in investigation (external)": pert(2, 3, 5, "min"),
    "Cut-up (BMS)": pert(1, 1.5, 2, "min"),
    "Cut-up (pool)": pert(2, 3, 5, "min"),
    "Cut-up (large specimens)": pert(5, 10, 30, "min"),
    "Load bone station": pert(1, 2, 3, "min"),
    "Decalc": const(24),
    "Unload bone station": pert(1, 2, 3, "min"),
    "Load into decalc oven": pert(10, 20, 30, "sec"),
    "Unload from decalc oven": pert(10, 20, 30, "sec"),
    "Load processing machine": pert(3, 4, 5, "min"),
    "Unload processing machine": pert(3, 4, 5, "min"),
    "Processing machine (urgent)": const(2.3),
    "Processing machine (small surgicals)": const(13 + 5 / 6),
    "Processing machine (large surgicals)": const(15 + 5 / 6),
    "Processing machine (megas)": const(26),
    "Embedding": pert(30, 60, 90, "sec"),
    "Embedding (cooldown)": pert(4, 5, 6, "min"),
    "Block trimming": pert(20, 30, 40, "sec"),
    "Microtomy (serials)": pert(3, 4, 6, "min"),
    "Microtomy (levels)": pert(2, 3, 4, "min"),
    "Microtomy (larges)": pert(1.5, 2, 2.5, "min"),
    "Microtomy (megas)": pert(4, 5, 6, "min"),
    "Load staining machine (regular)": pert(3, 4, 5, "min"),
    "Load staining machine (megas)": pert(3, 4, 5, "min"),
    "Staining (regular)": pert(35, 40, 45, "min"),
    "Staining (megas)": pert(35, 40, 45, "min"),
    "Unload staining machine (regular)": pert(3, 4, 5, "min"),
    "Unload staining machine (megas)": pert(3, 4, 5, "min"),
    "Load coverslip machine (regular)": pert(3, 4, 5, "min"),
    "Coverslipping (regular)": pert(10, 15, 20, "min"),
    "Coverslipping (megas)": pert(1, 1.5, 2, "min"),
    "Unload coverslip machine (regular)": pert(3, 4, 5, "min"),
    "Labelling": pert(10, 15, 20, "sec"),
    "Load scanning machine (regular)": pert(3, 4, 5, "min"),
    "Load scanning machine (megas)": pert(1, 2, 3, "min"),
    "Scanning (regular)": pert(35, 40, 45, "min"),
    "Scanning (megas)": pert(35, 40, 45, "min"),
    "Unload scanning machine (regular)": pert(3, 4, 5, "min"),
    "Unload scanning machine (megas)": pert(1, 2, 3, "min"),
    "Block and quality check": pert(2, 5, 10, "min"),
    "Assign histopathologist": pert(60, 90, 120, "sec"),
    "Write histopathological report": pert(15, 20, 30, "min"),
}

REFERENCE_BATCHES = {
    "Delivery (reception to cut-up)": 50,
    "Delivery (cut-up to processing)": 50,
    "Bone station (blocks)": 30,
    "Processing machine (regular blocks)": 300,
    "Processing machine (mega blocks)": 36,
    "Delivery (processing to microtomy)": 50,
    "Delivery (microtomy to staining)": 50,
    "Staining (regular slides)": 300,
    "Staining (mega slides)": 36,
    "Delivery (staining to labelling)": 50,
    "Delivery (labelling to scanning)": 50,
    "Scanning (regular slides)": 150,
    "Scanning (mega slides)": 10,
    "Delivery (scanning to QC)": 50,
    "Processing machine (urgent blocks)": 20,
}


def count(low: int, mode: int, high: int, kind: str = "IntPERT") -> dict:
    return {"distribution": kind, "low": low, "mode": mode, "high": high}


REFERENCE_GLOBALS = {
    "ProbUrgentCancer": 0.098705,
    "ProbPriorityCancer": 0.120062,
    "ProbRoutineCancer": 0.781233,
    "ProbUrgentNonCancer": 0.092455,
    "ProbPriorityNonCancer": 0.041714,
    "ProbRoutineNonCancer": 0.865831,
    "ProbInternal": 0.756,
    "ProbPrebook": 0.05,
    "ProbInvestEasy": 0.05,
    "ProbInvestHard": 0.01,
    "ProbInvestExternal": 0.03,
    "ProbBMSCutup": 0.5,
    "ProbBMSCutupUrgent": 0.8,
    "ProbPoolCutup": 0.25,
    "ProbPoolCutupUrgent": 0.2,
    "ProbLargeCutup": 0.25,
    "ProbLargeCutupUrgent": 0.0,
    "ProbMegaBlocks": 0.14,
    "NumBlocksMega": count(1, 2, 5),
    "NumBlocksLargeSurgical": count(1, 10, 50),
    "ProbDecalcBone": 0.02,
    "ProbDecalcOven": 0.05,
    "ProbMicrotomyLevels": 0.75,
    "NumSlidesLevels": count(1, 3, 6),
    "NumSlidesSerials": count(5, 10, 20),
    "NumSlidesLarges": count(1, 3, 6),
    "NumSlidesMegas": count(1, 2, 5),
}


def weekday_arrivals(per_week: float) -> list[float]:
    """``per_week`` arrivals spread over weekdays 08:00-18:00, a little on Saturday morning."""
    rates = [0.0] * HOURS_PER_WEEK
    weekday_share, saturday_share = 0.99, 0.01
    for day in range(5):
        for hour in range(8, 18):
            rates[day * 24 + hour] = per_week * weekday_share / 50
    for hour in range(8, 13):
        rates[5 * 24 + hour] = per_week * saturday_share / 5
    return rates


def lab_config(**run: object) -> LabConfig:
    """A configuration with the reference workbook's numbers and synthetic arrivals."""
    config = LabConfig.model_validate(
        {
            "arrivals": {
                "cancer": weekday_arrivals(685.44),
                "noncancer": weekday_arrivals(796.99),
            },
            "resources": REFERENCE_RESOURCES,
            "task_durations": REFERENCE_DURATIONS,
            "batch_sizes": REFERENCE_BATCHES,
            "globals": REFERENCE_GLOBALS,
        }
    )
    return config.with_run(**run) if run else config


def simple_config(**global_changes: object) -> LabConfig:
    """The hand-computable lab: constant durations (task i takes (i + 1) minutes), every
    resource 100 units around the clock, every batch size 1, one route through the lab
    (internal, BMS cut-up, no decalc, levels, one block with two slides), runner 2 + 2 min.
    Only Routine non-cancer specimens arrive (1 per hour on Monday 08:00-12:00).
    Regular processing batches start when full (``full_or_start_time``), not only at 16:30,
    so every TAT is a plain sum of durations."""
    globals_ = dict(REFERENCE_GLOBALS)
    globals_.update(
        ProbUrgentCancer=0.0, ProbPriorityCancer=0.0, ProbRoutineCancer=1.0,
        ProbUrgentNonCancer=0.0, ProbPriorityNonCancer=0.0, ProbRoutineNonCancer=1.0,
        ProbInternal=1.0, ProbPrebook=0.0, ProbInvestEasy=0.0, ProbInvestHard=0.0,
        ProbInvestExternal=0.0, ProbBMSCutup=1.0, ProbPoolCutup=0.0, ProbLargeCutup=0.0,
        ProbDecalcBone=0.0, ProbDecalcOven=0.0, ProbMicrotomyLevels=1.0,
        NumSlidesLevels=count(2, 2, 2, "Constant"),
    )
    globals_.update(global_changes)
    arrivals = [0.0] * HOURS_PER_WEEK
    for hour in range(8, 12):
        arrivals[hour] = 1.0
    return LabConfig.model_validate(
        {
            "arrivals": {"cancer": [0.0] * HOURS_PER_WEEK, "noncancer": arrivals},
            "resources": {label: machine(100) for label in RESOURCES},
            "task_durations": {label: const(i + 1, "min") for i, label in enumerate(TASKS)},
            "batch_sizes": {label: 1 for label in BATCHES},
            "globals": globals_,
            "batch_release": {"processing_release": "full_or_start_time"},
        }
    )


def minutes(task: str) -> float:
    """Duration in ``simple_config`` of ``task``, in minutes."""
    return TASKS.index(task) + 1.0
