"""Stage 40, microtomy: each block is cut into slides, one block after another (11.C8)."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from hospital_twin.model.entities import LARGES, LEVELS, MEGAS, SERIALS, STAMP, Specimen
from hospital_twin.model.flow import Job

if TYPE_CHECKING:
    from hospital_twin.model.lab import Lab

MICROTOMY_TASK = {
    LEVELS: "Microtomy (levels)",
    SERIALS: "Microtomy (serials)",
    LARGES: "Microtomy (larges)",
    MEGAS: "Microtomy (megas)",
}
START, END = STAMP["microtomy_start"], STAMP["microtomy_end"]


def arrive(lab: Lab, specimen: Specimen) -> None:
    """The specimen's blocks are unloaded at microtomy."""
    specimen.stamps[START] = lab.env.now
    Job(cut_slides(lab, specimen), lab.env)


def cut_slides(lab: Lab, s: Specimen) -> Generator[simpy.Event | None, object, None]:
    """Per block, in block order: one microtomy unit cuts its slides (type and count drawn
    at arrival: small surgical -> levels or serials, large -> larges, mega -> megas)."""
    staff = lab.microtomy_staff
    for slide_type, n_slides in s.blocks:
        yield lab.work((staff,), s.priority, MICROTOMY_TASK[slide_type])
        s.num_slides += n_slides
        lab.slides_arrived += n_slides
        lab.release(staff)
    s.stamps[END] = lab.env.now
    lab.to_staining.send(s)
