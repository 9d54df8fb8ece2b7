"""The things that move through the lab: specimens and their priorities (spec section 1).

A specimen carries every random decision about it from the moment it arrives (spec 11.C26),
so each stage only reads what was decided. Blocks and slides are not separate Python objects:
a specimen's blocks all share one type and one decalc route, so the model moves them as
counts ``(specimen, n)`` through batches. Only microtomy needs block identity (the blocks are
cut one after another with their own slide type and count), and that lives in
``Specimen.blocks``.
"""

from __future__ import annotations

import math

from hospital_twin.model.output import STAGES

# Priorities: a smaller number is served first (Urgent > Priority > Cancer > Routine).
URGENT, PRIORITY, CANCER, ROUTINE = 0, 1, 2, 3
PRIORITY_NAMES: tuple[str, ...] = ("Urgent", "Priority", "Cancer", "Routine")

PATHWAYS: tuple[str, ...] = ("cancer", "noncancer")

# Cut-up types (spec 6, "20 Cut-up").
BMS_CUTUP, POOL_CUTUP, LARGE_CUTUP = 0, 1, 2
CUTUP_NAMES: tuple[str, ...] = ("BMS", "Pool", "Large specimens")

# Block types.
SMALL, LARGE, MEGA = 0, 1, 2
BLOCK_NAMES: tuple[str, ...] = ("small surgical", "large surgical", "mega")

# Decalcification routes (spec 11.C4).
NO_DECALC, BONE_STATION, DECALC_OVEN = 0, 1, 2
DECALC_NAMES: tuple[str, ...] = ("none", "bone station", "decalc oven")

# Slide types and the microtomy task that cuts each.
LEVELS, SERIALS, LARGES, MEGAS = 0, 1, 2, 3
SLIDE_NAMES: tuple[str, ...] = ("levels", "serials", "larges", "megas")

# Investigations at booking-in (spec 11.C2).
NO_INVESTIGATION, EASY, HARD, EXTERNAL = 0, 1, 2, 3

#: Column of each stage's start / end stamp in ``Specimen.stamps``.
STAMP: dict[str, int] = {
    f"{stage}_{edge}": 2 * i + j
    for i, stage in enumerate(STAGES)
    for j, edge in enumerate(("start", "end"))
}


class Specimen:
    """One specimen: its drawn attributes, its blocks and its stage timestamps (hours)."""

    __slots__ = (
        "sid",
        "pathway",
        "priority",
        "internal",
        "prebook",
        "investigation",
        "cutup",
        "block_type",
        "decalc",
        "blocks",
        "num_blocks",
        "num_slides",
        "pending",
        "stamps",
    )

    def __init__(
        self,
        sid: int,
        pathway: int,
        priority: int,
        internal: bool,
        prebook: bool,
        investigation: int,
        cutup: int,
        block_type: int,
        decalc: int,
        blocks: list[tuple[int, int]],
    ) -> None:
        self.sid = sid
        self.pathway = pathway  # index into PATHWAYS
        self.priority = priority
        self.internal = internal
        self.prebook = prebook
        self.investigation = investigation
        self.cutup = cutup
        self.block_type = block_type
        self.decalc = decalc
        self.blocks = blocks  # per block: (slide type, slide count), drawn at arrival
        self.num_blocks = 0  # set when cut-up has cut them
        self.num_slides = 0  # grows as microtomy cuts each block
        self.pending = 0  # blocks or slides of the current stage not yet back (collation)
        self.stamps = [math.nan] * (2 * len(STAGES))

    @property
    def mega_slides(self) -> bool:
        """Whether this specimen's slides go down the mega staining and scanning lines."""
        return self.block_type == MEGA
