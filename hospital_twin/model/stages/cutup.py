"""Stage 20, cut-up: the specimen is cut into wax blocks (spec 6, 11.C3)."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from hospital_twin.model.entities import BMS_CUTUP, LARGE_CUTUP, POOL_CUTUP, STAMP, Specimen
from hospital_twin.model.flow import Job

if TYPE_CHECKING:
    from hospital_twin.model.lab import Lab

CUTUP_TASK = {
    BMS_CUTUP: "Cut-up (BMS)",
    POOL_CUTUP: "Cut-up (pool)",
    LARGE_CUTUP: "Cut-up (large specimens)",
}
START, END = STAMP["cutup_start"], STAMP["cutup_end"]


def arrive(lab: Lab, specimen: Specimen) -> None:
    """The specimen is unloaded at cut-up."""
    specimen.stamps[START] = lab.env.now
    Job(cut_up(lab, specimen), lab.env)


def cut_up(lab: Lab, s: Specimen) -> Generator[simpy.Event | None, object, None]:
    """BMS cut-ups by a BMS (one small block); pool and large ones by a cut-up assistant.

    The block type and count were drawn at arrival: pool gives one large surgical block;
    large specimens give mega blocks (non-urgent, with ProbMegaBlocks) or large surgical ones.
    """
    staff = lab.bms if s.cutup == BMS_CUTUP else lab.cutup_assistant
    yield lab.work((staff,), s.priority, CUTUP_TASK[s.cutup])
    lab.release(staff)

    s.num_blocks = len(s.blocks)
    lab.blocks_arrived += s.num_blocks
    s.stamps[END] = lab.env.now
    lab.to_processing[s.cutup].send(s)
