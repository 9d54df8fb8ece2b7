"""The lab's exact vocabulary: workbook row labels, defined names and their order.

Every label here is spelled exactly as in the hospital's workbooks
(``histopathology-model.md`` section 12); the configuration model, the workbook
reader/writer and the simulation all key their data by these strings.
"""

from __future__ import annotations

DAYS: tuple[str, ...] = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
HALF_HOURS: tuple[str, ...] = tuple(f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30))
HOURS_PER_WEEK = 168

STAFF: tuple[str, ...] = (
    "Booking-in staff",
    "BMS",
    "Cut-up assistant",
    "Processing room staff",
    "Microtomy staff",
    "Staining staff",
    "Scanning staff",
    "QC staff",
    "Histopathologist",
)
MACHINES: tuple[str, ...] = (
    "Bone station",
    "Processing machine",
    "Staining machine",
    "Coverslip machine",
    "Scanning machine (regular)",
    "Scanning machine (megas)",
)
RESOURCES: tuple[str, ...] = STAFF + MACHINES

TASKS: tuple[str, ...] = (
    "Receive and sort",
    "Pre-booking-in investigation",
    "Booking-in (internal)",
    "Booking-in (external)",
    "Booking-in investigation (internal, easy)",
    "Booking-in investigation (internal, hard)",
    "Booking-in investigation (external)",
    "Cut-up (BMS)",
    "Cut-up (pool)",
    "Cut-up (large specimens)",
    "Load bone station",
    "Decalc",
    "Unload bone station",
    "Load into decalc oven",
    "Unload from decalc oven",
    "Load processing machine",
    "Unload processing machine",
    "Processing machine (urgent)",
    "Processing machine (small surgicals)",
    "Processing machine (large surgicals)",
    "Processing machine (megas)",
    "Embedding",
    "Embedding (cooldown)",
    "Block trimming",
    "Microtomy (serials)",
    "Microtomy (levels)",
    "Microtomy (larges)",
    "Microtomy (megas)",
    "Load staining machine (regular)",
    "Load staining machine (megas)",
    "Staining (regular)",
    "Staining (megas)",
    "Unload staining machine (regular)",
    "Unload staining machine (megas)",
    "Load coverslip machine (regular)",
    "Coverslipping (regular)",
    "Coverslipping (megas)",
    "Unload coverslip machine (regular)",
    "Labelling",
    "Load scanning machine (regular)",
    "Load scanning machine (megas)",
    "Scanning (regular)",
    "Scanning (megas)",
    "Unload scanning machine (regular)",
    "Unload scanning machine (megas)",
    "Block and quality check",
    "Assign histopathologist",
    "Write histopathological report",
)

#: Batch rows of the workbooks' ``BatchSizes`` table, in order, with their unit.
WORKBOOK_BATCHES: tuple[tuple[str, str], ...] = (
    ("Delivery (reception to cut-up)", "Specimens"),
    ("Delivery (cut-up to processing)", "Specimens"),
    ("Bone station (blocks)", "Blocks"),
    ("Processing machine (regular blocks)", "Blocks"),
    ("Processing machine (mega blocks)", "Blocks"),
    ("Delivery (processing to microtomy)", "Specimens"),
    ("Delivery (microtomy to staining)", "Specimens"),
    ("Staining (regular slides)", "Slides"),
    ("Staining (mega slides)", "Slides"),
    ("Delivery (staining to labelling)", "Specimens"),
    ("Delivery (labelling to scanning)", "Specimens"),
    ("Scanning (regular slides)", "Slides"),
    ("Scanning (mega slides)", "Slides"),
    ("Delivery (scanning to QC)", "Specimens"),
)
#: The product's added batch row (model spec 11.C11/11.C17): optional in a workbook.
URGENT_PROCESSING_BATCH = "Processing machine (urgent blocks)"
URGENT_PROCESSING_BATCH_DEFAULT = 20
BATCHES: tuple[str, ...] = tuple(name for name, _ in WORKBOOK_BATCHES) + (
    URGENT_PROCESSING_BATCH,
)
BATCH_UNITS: dict[str, str] = dict(WORKBOOK_BATCHES) | {URGENT_PROCESSING_BATCH: "Blocks"}

#: Runner journeys of table ``tableRunnerDistances`` (2024 layout), in order.
RUNNER_JOURNEYS: tuple[str, ...] = (
    "(reception, cutup)",
    "(cutup, processing)",
    "(processing, microtomy)",
    "(microtomy, staining)",
    "(staining, labelling)",
    "(labelling, scanning)",
    "(scanning, qc)",
)
