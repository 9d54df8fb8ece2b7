"""Stage 60, labelling: one microtomy unit labels every slide of the specimen (11.C10)."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from hospital_twin.model.entities import STAMP, Specimen
from hospital_twin.model.flow import Job

if TYPE_CHECKING:
    from hospital_twin.model.lab import Lab

START, END = STAMP["labelling_start"], STAMP["labelling_end"]


def arrive(lab: Lab, specimen: Specimen) -> None:
    """The specimen's slides are unloaded at labelling."""
    specimen.stamps[START] = lab.env.now
    Job(label_slides(lab, specimen), lab.env)


def label_slides(lab: Lab, s: Specimen) -> Generator[simpy.Event | None, object, None]:
    """Hold one microtomy unit while each slide is labelled in turn."""
    staff = lab.microtomy_staff
    yield lab.work((staff,), s.priority, lambda: lab.draw_sum("Labelling", s.num_slides))
    lab.release(staff)
    s.stamps[END] = lab.env.now
    lab.to_scanning.send(s)
